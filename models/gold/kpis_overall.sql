-- The KPIs over every order: exactly one row (zeros when there are no orders). Rebuilt every
-- run from the daily totals (every order counts in exactly one day of kpis_daily): a sum over
-- one row per day, whatever the history's size.

with

kpis_daily as (
    select * from {{ ref('kpis_daily') }}
),

final as (
    select
        {{ kpi_columns() }}
    from kpis_daily
)

select * from final
