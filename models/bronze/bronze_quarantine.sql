-- Rows that cannot enter bronze, with the reason (macro bronze_rejected_rows). Runs before the
-- bronze_<entity> models, which depend on it.

with

rejected_brands as (
    {{ bronze_rejected_rows('brands', source('raw', 'brands')) }}
),

rejected_categories as (
    {{ bronze_rejected_rows('categories', source('raw', 'categories')) }}
),

rejected_products as (
    {{ bronze_rejected_rows('products', source('raw', 'products')) }}
),

rejected_customers as (
    {{ bronze_rejected_rows('customers', source('raw', 'customers')) }}
),

rejected_orders as (
    {{ bronze_rejected_rows('orders', source('raw', 'orders')) }}
),

final as (
    select * from rejected_brands
    union all
    select * from rejected_categories
    union all
    select * from rejected_products
    union all
    select * from rejected_customers
    union all
    select * from rejected_orders
)

select * from final
