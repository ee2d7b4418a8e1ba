{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy='append',
    pre_hook="{{ gold_delete_changed_groups('customer_id') }}",
) }}

-- KPIs per customer, with their current country and gender (no names or emails in gold).
-- Incremental: a run deletes the customers its changed orders were in before it or are in
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

changed_customers as (
    {{ gold_changed_groups('customer_id', 'orders_enriched', 'orders_enriched_changes') }}
),
{%- endif %}

orders_to_aggregate as (
    select orders_enriched.* from orders_enriched
    {%- if is_incremental() %}
    inner join changed_customers
        on orders_enriched.customer_id is not distinct from changed_customers.customer_id
    {%- endif %}
),

final as (
    select
        customer_id,
        country,
        gender,
        {{ kpi_columns() }}
    from orders_to_aggregate
    group by
        customer_id,
        country,
        gender
)

select * from final
