{%- set grain = ['product_id', 'product_name', 'brand_name', 'category_name'] %}
{{ config(unique_key=grain) }}

-- KPIs per product, with its current name, brand and category.
-- The KPI columns (macro kpi_columns) summed over the product's orders in orders_enriched; an
-- incremental run sums only what changed since this mart's position (macro gold_kpi_rows).

with

kpi_rows as (
    {{ gold_kpi_rows(ref('orders_enriched'), grain) }}
),

final as (
    select
        product_id,
        product_name,
        brand_name,
        category_name,
        {{ kpi_columns() }},
        max(_as_of) as _as_of
    from kpi_rows
    group by
        product_id,
        product_name,
        brand_name,
        category_name
)

select * from final
