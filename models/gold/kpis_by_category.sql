{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy='append',
    pre_hook="{{ gold_delete_changed_groups('category_id') }}",
) }}

-- KPIs per product category, with its current name.
-- Incremental: a run deletes the categories its changed orders were in before it or are in
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

changed_categories as (
    {{ gold_changed_groups('category_id', 'orders_enriched', 'orders_enriched_changes') }}
),
{%- endif %}

orders_to_aggregate as (
    select orders_enriched.* from orders_enriched
    {%- if is_incremental() %}
    inner join changed_categories
        on orders_enriched.category_id is not distinct from changed_categories.category_id
    {%- endif %}
),

final as (
    select
        category_id,
        category_name,
        {{ kpi_columns() }}
    from orders_to_aggregate
    group by
        category_id,
        category_name
)

select * from final
