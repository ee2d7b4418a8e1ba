-- The daily cross-layer check of orders_enriched, on what the KPI marts have not counted yet
-- (after the slowest mart's position, macro unconsumed): every version orders_enriched took in
-- and every order fact_orders merged since then is the order's current version in silver, with
-- the current attributes of its product, brand, category and customer, exactly once. Orders
-- whose silver rows changed after orders_enriched's own position are left for the build that
-- takes them in. (Every order: assert_orders_enriched_matches_fact_orders, full verification.)
{%- set marts = consumers_of('orders_enriched') %}
{%- set orders_position = model_position('orders_enriched') %}
{%- set compared_columns = [
    'order_id', 'updated_at', 'status', 'order_amount', 'order_date', 'product_id', 'customer_id',
    'product_name', 'brand_name', 'category_name', 'country', 'gender',
] %}
{%- set orders_position_literal = timestamp_literal(orders_position) if orders_position is not none
    else 'cast(null as timestamp)' %}

with

-- imports of their own, filtered: DuckDB would materialize a CTE read twice whole (all of
-- history) before filtering it
uncounted_versions as (
    select order_id from {{ ref('orders_enriched') }}
    where {{ unconsumed('_as_of', marts) }}
),

uncounted_merges as (
    select order_id from {{ ref('fact_orders') }}
    where {{ unconsumed('_merged_at', marts) }}
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

dim_brands as (
    select * from {{ ref('dim_brands') }}
),

dim_categories as (
    select * from {{ ref('dim_categories') }}
),

dim_customers as (
    select * from {{ ref('dim_customers') }}
),

orders_to_check as (
    select order_id from uncounted_versions
    union
    select order_id from uncounted_merges
),

silver_versions as (
    select
        fact_orders.*,
        dim_products.product_name,
        dim_products.brand_id,
        dim_brands.brand_name,
        dim_products.category_id,
        dim_categories.category_name,
        dim_customers.country,
        dim_customers.gender,
        greatest(
            fact_orders._merged_at,
            coalesce(dim_products._merged_at, fact_orders._merged_at),
            coalesce(dim_brands._merged_at, fact_orders._merged_at),
            coalesce(dim_categories._merged_at, fact_orders._merged_at),
            coalesce(dim_customers._merged_at, fact_orders._merged_at)
        ) as last_merged_at
    from fact_orders
    left join dim_products
        on fact_orders.product_id = dim_products.product_id
    left join dim_brands
        on dim_products.brand_id = dim_brands.brand_id
    left join dim_categories
        on dim_products.category_id = dim_categories.category_id
    left join dim_customers
        on fact_orders.customer_id = dim_customers.customer_id
    where fact_orders.order_id in (select orders_to_check.order_id from orders_to_check)
),

enriched_versions as (
    select
        orders_enriched.*,
        count(*) over (partition by orders_enriched.order_id) as copies
    from orders_enriched
    where orders_enriched.order_id in (select orders_to_check.order_id from orders_to_check)
),

-- the orders whose silver version is not one that orders_enriched holds (EXCEPT compares nulls
-- as equal: one set operation, not a chain of conditions that Spark's optimizer expands)
differing_versions as (
    select
        {{ compared_columns | join(',\n        ') }}
    from silver_versions
    except
    select
        {{ compared_columns | join(',\n        ') }}
    from enriched_versions
),

final as (
    select
        orders_to_check.order_id,
        enriched_versions.copies
    from orders_to_check
    left join silver_versions
        on orders_to_check.order_id = silver_versions.order_id
    left join enriched_versions
        on orders_to_check.order_id = enriched_versions.order_id
    where
        -- silver changed the order after orders_enriched's position: the next build takes it in
        coalesce(silver_versions.last_merged_at <= {{ orders_position_literal }}, true)
        and (
            enriched_versions.copies is null
            or enriched_versions.copies != 1
            or silver_versions.order_id is null
            or orders_to_check.order_id in (
                select differing_versions.order_id from differing_versions
            )
        )
)

select * from final
