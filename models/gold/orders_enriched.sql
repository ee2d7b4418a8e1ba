{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy=merge_on_key_strategy(),
    unique_key='order_id',
) }}

-- One row per order in its current version (silver fact_orders) with the current attributes
-- of its product, brand, category and customer; no customer PII. The relation the dashboards
-- slice and every KPI mart aggregates. Incremental: merges only the orders this run changes
-- (orders_enriched_changes: merged in fact_orders, or with a product, brand, category or
-- customer merged in this run).
-- depends_on: {{ ref('orders_enriched_changes') }}

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

{%- if is_incremental() %}

orders_enriched_changes as (
    select * from {{ ref('orders_enriched_changes') }}
),
{%- endif %}

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

orders_to_enrich as (
    select * from fact_orders
    {%- if is_incremental() %}
    where order_id in (select orders_enriched_changes.order_id from orders_enriched_changes)
    {%- endif %}
),

final as (
    select
        orders_to_enrich.order_id,
        orders_to_enrich.order_date,
        orders_to_enrich.ordered_at,
        orders_to_enrich.updated_at,
        orders_to_enrich.status,
        orders_to_enrich.is_cancelled,
        orders_to_enrich.payment_method,
        orders_to_enrich.quantity,
        orders_to_enrich.unit_price,
        orders_to_enrich.order_amount,
        orders_to_enrich.product_id,
        dim_products.product_name,
        dim_products.brand_id,
        dim_brands.brand_name,
        dim_products.category_id,
        dim_categories.category_name,
        orders_to_enrich.customer_id,
        dim_customers.country,
        dim_customers.gender
    from orders_to_enrich
    left join dim_products
        on orders_to_enrich.product_id = dim_products.product_id
    left join dim_brands
        on dim_products.brand_id = dim_brands.brand_id
    left join dim_categories
        on dim_products.category_id = dim_categories.category_id
    left join dim_customers
        on orders_to_enrich.customer_id = dim_customers.customer_id
)

select * from final
