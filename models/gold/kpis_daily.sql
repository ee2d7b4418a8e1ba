{%- set grain = ['order_date'] %}
{{ config(unique_key=grain) }}

-- KPIs per order date (the UTC date the order was placed).
-- The KPI columns (macro kpi_columns) summed over the day's orders in orders_enriched; an
-- incremental run sums only what changed since this mart's position (macro gold_kpi_rows).

with

kpi_rows as (
    {{ gold_kpi_rows(ref('orders_enriched'), grain) }}
),

final as (
    select
        order_date,
        {{ kpi_columns() }},
        max(_as_of) as _as_of
    from kpi_rows
    group by
        order_date
)

select * from final
