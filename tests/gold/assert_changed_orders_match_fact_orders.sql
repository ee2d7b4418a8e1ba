-- The run's changed orders (orders_enriched_changes) in orders_enriched: each exactly once,
-- with the current version of silver fact_orders (status, amounts, dates, product, customer)
-- and the current attributes of its product, brand, category and customer. Returns the
-- changed orders that differ. The daily, per-run counterpart of
-- assert_orders_enriched_matches_fact_orders.

with

orders_enriched_changes as (
    select * from {{ ref('orders_enriched_changes') }}
),

orders_enriched as (
    select * from {{ ref('orders_enriched') }}
),

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

dim_products as (
    select * from {{ ref('dim_products') }}
),

dim_customers as (
    select * from {{ ref('dim_customers') }}
),

changed_orders_enriched as (
    select orders_enriched.*
    from orders_enriched
    inner join orders_enriched_changes
        on orders_enriched.order_id = orders_enriched_changes.order_id
),

enriched_counts as (
    select
        order_id,
        count(*) as copies
    from changed_orders_enriched
    group by order_id
),

final as (
    select
        orders_enriched_changes.order_id,
        enriched_counts.copies
    from orders_enriched_changes
    left join enriched_counts
        on orders_enriched_changes.order_id = enriched_counts.order_id
    left join changed_orders_enriched
        on orders_enriched_changes.order_id = changed_orders_enriched.order_id
    left join fact_orders
        on orders_enriched_changes.order_id = fact_orders.order_id
    left join dim_products
        on fact_orders.product_id = dim_products.product_id
    left join dim_customers
        on fact_orders.customer_id = dim_customers.customer_id
    where
        enriched_counts.copies is null
        or enriched_counts.copies != 1
        or fact_orders.order_id is null
        or fact_orders.updated_at != changed_orders_enriched.updated_at
        or fact_orders.status != changed_orders_enriched.status
        or fact_orders.order_amount != changed_orders_enriched.order_amount
        or fact_orders.order_date != changed_orders_enriched.order_date
        or fact_orders.product_id != changed_orders_enriched.product_id
        or fact_orders.customer_id != changed_orders_enriched.customer_id
        or dim_products.product_name is distinct from changed_orders_enriched.product_name
        or dim_products.brand_name is distinct from changed_orders_enriched.brand_name
        or dim_products.category_name is distinct from changed_orders_enriched.category_name
        or dim_customers.country is distinct from changed_orders_enriched.country
        or dim_customers.gender is distinct from changed_orders_enriched.gender
)

select * from final
