{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy='append',
    pre_hook="{{ gold_delete_changed_groups('order_date') }}",
) }}

-- KPIs per order date (the UTC date the order was placed).
-- Incremental: a run deletes the days its changed orders were in before it or are in
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

changed_days as (
    {{ gold_changed_groups('order_date', 'orders_enriched', 'orders_enriched_changes') }}
),
{%- endif %}

orders_to_aggregate as (
    select orders_enriched.* from orders_enriched
    {%- if is_incremental() %}
    inner join changed_days
        on orders_enriched.order_date is not distinct from changed_days.order_date
    {%- endif %}
),

final as (
    select
        order_date,
        {{ kpi_columns() }}
    from orders_to_aggregate
    group by
        order_date
)

select * from final
