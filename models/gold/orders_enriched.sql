{{ config(
    incremental_strategy=merge_on_key_strategy(),
    unique_key='order_id',
) }}

-- One row per order in its current version (silver fact_orders) with the current attributes
-- of its product, brand, category and customer; no customer PII. The relation the dashboards
-- slice and every KPI mart counts.
-- Its position is the greatest _as_of it holds: the silver merges it has taken in. An
-- incremental run takes in the orders whose fact row, product, brand, category or customer
-- silver merged after that position and whose enriched version differs from the one held,
-- each with the version it replaces (_previous_*), which the KPI marts take out of their groups
-- (docs/architecture.md, "Exactly once").
{%- set version_columns = [
    'order_date', 'ordered_at', 'updated_at', 'status', 'is_cancelled', 'payment_method',
    'quantity', 'unit_price', 'order_amount', 'product_id', 'product_name', 'brand_id',
    'brand_name', 'category_id', 'category_name', 'customer_id', 'country', 'gender',
] %}
{%- set state = gold_increment() %}
{%- set position = state.position %}

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

-- the greatest _merged_at of silver: the position this run's versions are stamped with (a
-- rebuild stamps past the position held, so that every mart behind counts again)
{%- set silver_models = [
    'fact_orders', 'dim_products', 'dim_brands', 'dim_categories', 'dim_customers'
] %}
silver_positions as (
    {%- for silver_model in silver_models %}
        select max(_merged_at) as merged_at from {{ ref(silver_model) }}
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

silver_position as (
    select
        {%- if state.mode != 'increment' and state.held_position is not none %}
            greatest(
                max(merged_at),
                {{ timestamp_literal(state.held_position + modules.datetime.timedelta(microseconds=1)) }}
            ) as _as_of
        {%- else %}
            max(merged_at) as _as_of
        {%- endif %}
    from silver_positions
),

{%- if state.mode == 'increment' %}

-- what silver merged after this table's position (imports of their own: a CTE read twice is
-- materialized whole by DuckDB)
merged_orders as (
    select order_id from {{ ref('fact_orders') }}
    where _merged_at > {{ position }}
),

merged_products as (
    select product_id from {{ ref('dim_products') }}
    where _merged_at > {{ position }}
),

merged_brands as (
    select brand_id from {{ ref('dim_brands') }}
    where _merged_at > {{ position }}
),

merged_categories as (
    select category_id from {{ ref('dim_categories') }}
    where _merged_at > {{ position }}
),

merged_customers as (
    select customer_id from {{ ref('dim_customers') }}
    where _merged_at > {{ position }}
),

-- the orders held whose fact row, product, brand, category or customer those merges may
-- change: each found by its own narrow read (a semi-join on one key column), not by one read
-- of every column of every row filtered by an OR of the five
{%- set merged_keys = [
    ('order_id', 'merged_orders'),
    ('product_id', 'merged_products'),
    ('brand_id', 'merged_brands'),
    ('category_id', 'merged_categories'),
    ('customer_id', 'merged_customers'),
] %}
held_keys as (
    {%- for key, merged in merged_keys %}
        select held.order_id from {{ this }} as held
        where held.{{ key }} in (select {{ merged }}.{{ key }} from {{ merged }})
        {%- if not loop.last %}
            union
        {%- endif %}
    {%- endfor %}
),

-- their versions held (nothing is read when no key is found)
held_versions as (
    select * from {{ this }}
    where order_id in (select held_keys.order_id from held_keys)
),

orders_to_enrich as (
    select * from fact_orders
    where
        order_id in (
            select merged_orders.order_id from merged_orders
            union
            select held_keys.order_id from held_keys
        )
),

{%- else %}

    orders_to_enrich as (
        select * from fact_orders
    ),
{%- endif %}

enriched_orders as (
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
),

{%- if state.mode == 'increment' %}

-- the orders whose enriched version is new or differs from the one held (EXCEPT compares
-- nulls as equal: one set operation, not a chain of is-distinct-from conditions)
changed_orders as (
    select
        order_id,
        {{ version_columns | join(',\n        ') }}
    from enriched_orders
    except
    select
        order_id,
        {{ version_columns | join(',\n        ') }}
    from held_versions
),
{%- endif %}

final as (
    select
        enriched_orders.*,
        silver_position._as_of,
        {%- for column in version_columns %}
            {%- if state.mode == 'increment' %}
                held_versions.{{ column }} as _previous_{{ column }},
            {%- else %}
                -- null, of the column's type
                case when false then enriched_orders.{{ column }} end as _previous_{{ column }},
            {%- endif %}
        {%- endfor %}
        {%- if state.mode == 'increment' %}
            held_versions._as_of as _previous_as_of
        {%- else %}
            -- the versions replaced are unknown: every mart behind this position counts again
            silver_position._as_of as _previous_as_of
        {%- endif %}
    from enriched_orders
    cross join silver_position
    {%- if state.mode == 'increment' %}
        inner join changed_orders
            on enriched_orders.order_id = changed_orders.order_id
        left join held_versions
            on enriched_orders.order_id = held_versions.order_id
    {%- endif %}
)

select * from final
