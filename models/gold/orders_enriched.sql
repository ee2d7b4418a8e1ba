-- One row per current order (silver fact_orders) with the current attributes of its product,
-- brand, category and customer: the relation the dashboards slice by date and by every
-- dimension. No PII: the customer is its id, country and gender.
with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

dim_products as (
    select * from {{ ref('dim_products') }}
),

dim_brands as (
    select * from {{ ref('dim_brands') }}
),

dim_categories as (
    select * from {{ ref('dim_categories') }}
),

dim_customers as (
    select * from {{ ref('dim_customers') }}
),

orders_with_current_attributes as (
    select
        fact_orders.order_id,
        fact_orders.order_date,
        fact_orders.ordered_at,
        fact_orders.updated_at,
        fact_orders.status,
        fact_orders.is_cancelled,
        fact_orders.payment_method,
        fact_orders.quantity,
        fact_orders.unit_price,
        fact_orders.order_amount,
        fact_orders.product_id,
        dim_products.product_name,
        dim_products.brand_id,
        dim_brands.brand_name,
        dim_products.category_id,
        dim_categories.category_name,
        fact_orders.customer_id,
        dim_customers.country,
        dim_customers.gender
    from fact_orders
    left join dim_products
        on fact_orders.product_id = dim_products.product_id
    left join dim_brands
        on dim_products.brand_id = dim_brands.brand_id
    left join dim_categories
        on dim_products.category_id = dim_categories.category_id
    left join dim_customers
        on fact_orders.customer_id = dim_customers.customer_id
),

final as (
    select
        cast(order_id as bigint) as order_id,
        cast(order_date as date) as order_date,
        cast(ordered_at as timestamp) as ordered_at,
        cast(updated_at as timestamp) as updated_at,
        cast(status as string) as status,
        cast(is_cancelled as boolean) as is_cancelled,
        cast(payment_method as string) as payment_method,
        cast(quantity as integer) as quantity,
        cast(unit_price as decimal(18, 2)) as unit_price,
        cast(order_amount as decimal(18, 2)) as order_amount,
        cast(product_id as bigint) as product_id,
        cast(product_name as string) as product_name,
        cast(brand_id as bigint) as brand_id,
        cast(brand_name as string) as brand_name,
        cast(category_id as bigint) as category_id,
        cast(category_name as string) as category_name,
        cast(customer_id as bigint) as customer_id,
        cast(country as string) as country,
        cast(gender as string) as gender
    from orders_with_current_attributes
)

select * from final
