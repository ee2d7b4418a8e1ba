-- The orders this run changes in gold, each with its version in orders_enriched BEFORE the
-- run (group keys and names, status, quantity and amount; null for a new order): the orders
-- silver fact_orders merged in this run, and the orders whose product, brand, category or
-- customer silver merged in this run with attributes that differ from gold's. Built before
-- orders_enriched, which it therefore reads by name, not by ref().
-- The incremental gold marts take these previous versions out of their groups and add the
-- current ones (orders_enriched after the run).
{%- set this_run_started_at -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endset %}
{%- set orders_enriched_before_run = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='orders_enriched'
) %}

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

-- before the first build of orders_enriched, no order had a group yet
orders_enriched_before_run as (
    {% if orders_enriched_before_run %}
        select * from {{ orders_enriched_before_run }}
    {% else %}
        select
            cast(null as bigint) as order_id,
            cast(null as date) as order_date,
            cast(null as string) as status,
            cast(null as string) as payment_method,
            cast(null as integer) as quantity,
            cast(null as decimal(18, 2)) as order_amount,
            cast(null as bigint) as product_id,
            cast(null as string) as product_name,
            cast(null as bigint) as brand_id,
            cast(null as string) as brand_name,
            cast(null as bigint) as category_id,
            cast(null as string) as category_name,
            cast(null as bigint) as customer_id,
            cast(null as string) as country,
            cast(null as string) as gender
        where 1 = 0
    {% endif %}
),

merged_orders as (
    select order_id from fact_orders
    where _merged_at >= {{ this_run_started_at }}
),

merged_products as (
    select product_id from dim_products
    where _merged_at >= {{ this_run_started_at }}
),

merged_brands as (
    select brand_id from dim_brands
    where _merged_at >= {{ this_run_started_at }}
),

merged_categories as (
    select category_id from dim_categories
    where _merged_at >= {{ this_run_started_at }}
),

merged_customers as (
    select customer_id from dim_customers
    where _merged_at >= {{ this_run_started_at }}
),

-- the version in gold before the run of every order that may change: the orders merged in
-- the run and those whose product, brand, category or customer has a new version (one read of
-- orders_enriched, filtered by the merged keys)
previous_versions as (
    select * from orders_enriched_before_run
    where
        order_id in (select merged_orders.order_id from merged_orders)
        or product_id in (select merged_products.product_id from merged_products)
        or brand_id in (select merged_brands.brand_id from merged_brands)
        or category_id in (select merged_categories.category_id from merged_categories)
        or customer_id in (select merged_customers.customer_id from merged_customers)
),

-- of those, the orders whose attributes in gold differ from the current ones (a new version
-- may repeat the values gold already has)
orders_with_changed_attributes as (
    select previous_versions.order_id
    from previous_versions
    left join dim_products
        on previous_versions.product_id = dim_products.product_id
    left join dim_brands
        on dim_products.brand_id = dim_brands.brand_id
    left join dim_categories
        on dim_products.category_id = dim_categories.category_id
    left join dim_customers
        on previous_versions.customer_id = dim_customers.customer_id
    where
        previous_versions.product_name is distinct from dim_products.product_name
        or previous_versions.brand_id is distinct from dim_products.brand_id
        or previous_versions.brand_name is distinct from dim_brands.brand_name
        or previous_versions.category_id is distinct from dim_products.category_id
        or previous_versions.category_name is distinct from dim_categories.category_name
        or previous_versions.country is distinct from dim_customers.country
        or previous_versions.gender is distinct from dim_customers.gender
),

-- each order once (both parts are unique; no dedup of the whole batch, all orders on a first
-- build)
changed_orders as (
    select order_id from merged_orders
    union all
    select order_id from orders_with_changed_attributes
    where order_id not in (select merged_orders.order_id from merged_orders)
),

final as (
    select
        changed_orders.order_id,
        previous_versions.order_date as previous_order_date,
        previous_versions.status as previous_status,
        previous_versions.payment_method as previous_payment_method,
        previous_versions.quantity as previous_quantity,
        previous_versions.order_amount as previous_order_amount,
        previous_versions.product_id as previous_product_id,
        previous_versions.product_name as previous_product_name,
        previous_versions.brand_id as previous_brand_id,
        previous_versions.brand_name as previous_brand_name,
        previous_versions.category_id as previous_category_id,
        previous_versions.category_name as previous_category_name,
        previous_versions.customer_id as previous_customer_id,
        previous_versions.country as previous_country,
        previous_versions.gender as previous_gender
    from changed_orders
    left join previous_versions
        on changed_orders.order_id = previous_versions.order_id
)

select * from final
