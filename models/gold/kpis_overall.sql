-- The KPIs over every order: exactly one row (zeros when there are no orders). Rebuilt every
-- run from the daily totals (every order counts in exactly one day of kpis_daily): a sum over
-- one row per day, whatever the history's size. Its position is kpis_daily's.

with

kpis_daily as (
    select * from {{ ref('kpis_daily') }}
),

final as (
    select
        {{ kpi_columns() }},
        max(_as_of) as _as_of
    from kpis_daily
)

select * from final
