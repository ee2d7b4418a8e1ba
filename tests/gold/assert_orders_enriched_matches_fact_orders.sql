-- Cross-layer reconciliation of every order: each order of silver fact_orders is in
-- orders_enriched exactly once with the same current version (status, amounts, dates, product,
-- customer), and orders_enriched holds no other order. Returns the orders that differ.
-- Scope: all of history, so it runs in the full verification (the daily build checks the
-- run's changed orders: assert_changed_orders_match_fact_orders).
{{ config(tags=['full_verification']) }}

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

orders_enriched as (
    select * from {{ ref('orders_enriched') }}
),

enriched_counts as (
    select
        order_id,
        count(*) as copies
    from orders_enriched
    group by order_id
),

final as (
    select
        enriched_counts.copies,
        coalesce(fact_orders.order_id, orders_enriched.order_id) as order_id
    from fact_orders
    full outer join orders_enriched
        on fact_orders.order_id = orders_enriched.order_id
    left join enriched_counts
        on coalesce(fact_orders.order_id, orders_enriched.order_id) = enriched_counts.order_id
    where
        fact_orders.order_id is null
        or orders_enriched.order_id is null
        or enriched_counts.copies != 1
        or fact_orders.updated_at != orders_enriched.updated_at
        or fact_orders.status != orders_enriched.status
        or fact_orders.order_amount != orders_enriched.order_amount
        or fact_orders.order_date != orders_enriched.order_date
        or fact_orders.product_id != orders_enriched.product_id
        or fact_orders.customer_id != orders_enriched.customer_id
)

select * from final
