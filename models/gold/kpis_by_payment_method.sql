{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy='append',
    pre_hook="{{ gold_delete_changed_groups('payment_method') }}",
) }}

-- KPIs per payment method of the order.
-- Incremental: a run deletes the payment_methods its changed orders were in before it or are in
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

changed_payment_methods as (
    {{ gold_changed_groups('payment_method', 'orders_enriched', 'orders_enriched_changes') }}
),
{%- endif %}

orders_to_aggregate as (
    select orders_enriched.* from orders_enriched
    {%- if is_incremental() %}
    inner join changed_payment_methods
        on orders_enriched.payment_method is not distinct from changed_payment_methods.payment_method
    {%- endif %}
),

final as (
    select
        payment_method,
        {{ kpi_columns() }}
    from orders_to_aggregate
    group by
        payment_method
)

select * from final
