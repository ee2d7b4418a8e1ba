{%- set grain = ['country'] %}
{{ config(unique_key=grain) }}

-- KPIs per customer country (the customer's current country).
-- The KPI columns (macro kpi_columns) summed over the country's orders in orders_enriched; an
-- incremental run sums only what changed since this mart's position (macro gold_kpi_rows).

with

kpi_rows as (
    {{ gold_kpi_rows(ref('orders_enriched'), grain) }}
),

final as (
    select
        country,
        {{ kpi_columns() }},
        max(_as_of) as _as_of
    from kpi_rows
    group by
        country
)

select * from final
