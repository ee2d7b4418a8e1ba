{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy='append',
    pre_hook="{{ gold_delete_changed_groups('product_id') }}",
) }}

-- KPIs per product, with its current name, brand and category.
-- Incremental: a run deletes the products its changed orders were in before it or are in
-- now (pre-hook gold_delete_changed_groups) and inserts them recomputed from orders_enriched.
-- depends_on: {{ ref('orders_enriched_changes') }}

with

orders_enriched as (
    select * from {{ ref('orders_enriched') }}
),

{%- if is_incremental() %}

orders_enriched_changes as (
    select * from {{ ref('orders_enriched_changes') }}
),

changed_products as (
    {{ gold_changed_groups('product_id', 'orders_enriched', 'orders_enriched_changes') }}
),
{%- endif %}

orders_to_aggregate as (
    select orders_enriched.* from orders_enriched
    {%- if is_incremental() %}
    inner join changed_products
        on orders_enriched.product_id is not distinct from changed_products.product_id
    {%- endif %}
),

final as (
    select
        product_id,
        product_name,
        brand_name,
        category_name,
        {{ kpi_columns() }}
    from orders_to_aggregate
    group by
        product_id,
        product_name,
        brand_name,
        category_name
)

select * from final
