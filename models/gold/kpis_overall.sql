-- The KPIs over every order: exactly one row (zeros when there are no orders). Rebuilt every
-- run: one aggregate over three columns of orders_enriched, the only group every change touches.

with

orders_enriched as (
    select * from {{ ref('orders_enriched') }}
),

final as (
    select
        {{ kpi_columns() }}
    from orders_enriched
)

select * from final
