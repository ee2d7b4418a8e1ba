{%- set grain = ['brand_id', 'brand_name'] %}
{{ config(unique_key=grain) }}

-- KPIs per brand, with its current name.
-- The KPI columns (macro kpi_columns) summed over the brand's orders in orders_enriched; an
-- incremental run sums only what changed since this mart's position (macro gold_kpi_rows).

with

kpi_rows as (
    {{ gold_kpi_rows(ref('orders_enriched'), grain) }}
),

final as (
    select
        brand_id,
        brand_name,
        {{ kpi_columns() }},
        max(_as_of) as _as_of
    from kpi_rows
    group by
        brand_id,
        brand_name
)

select * from final
