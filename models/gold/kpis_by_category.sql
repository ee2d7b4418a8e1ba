{%- set grain = ['category_id', 'category_name'] %}
{{ config(unique_key=grain) }}

-- KPIs per product category, with its current name.
-- The KPI columns (macro kpi_columns) summed over the category's orders in orders_enriched; an
-- incremental run sums only what changed since this mart's position (macro gold_kpi_rows).

with

kpi_rows as (
    {{ gold_kpi_rows(ref('orders_enriched'), grain) }}
),

final as (
    select
        category_id,
        category_name,
        {{ kpi_columns() }},
        max(_as_of) as _as_of
    from kpi_rows
    group by
        category_id,
        category_name
)

select * from final
