{% macro kpi_model(grain_columns) %}
{#-
    The whole SQL of a gold KPI model (DESIGN.md section 4), written once for every grain.
    The current version of every order (silver fact_orders) is enriched with the current
    attributes of its product, brand, category and customer, then aggregated by grain_columns
    (a list of column names of orders_enriched; empty for the single overall row).
-#}
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

orders_enriched as (
    select
        fact_orders.order_id,
        fact_orders.order_date,
        fact_orders.payment_method,
        fact_orders.status,
        fact_orders.quantity,
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

order_measures as (
    select
        {% for column in grain_columns %}
        {{ column }},
        {% endfor %}
        case when status = 'Placed' then 1 else 0 end as is_placed_order,
        case when status = 'Cancelled' then 1 else 0 end as is_cancelled_order,
        case when status = 'Placed' then quantity else 0 end as placed_quantity,
        case when status = 'Placed' then order_amount else 0 end as placed_amount,
        case when status = 'Cancelled' then order_amount else 0 end as cancelled_amount
    from orders_enriched
),

aggregated as (
    select
        {% for column in grain_columns %}
        {{ column }},
        {% endfor %}
        count(*) as total_orders,
        coalesce(sum(is_placed_order), 0) as placed_orders,
        coalesce(sum(is_cancelled_order), 0) as cancelled_orders,
        coalesce(sum(placed_quantity), 0) as units_sold,
        coalesce(sum(placed_amount), 0) as revenue,
        coalesce(sum(cancelled_amount), 0) as lost_revenue
    from order_measures
    {% if grain_columns %}
    group by {{ grain_columns | join(', ') }}
    {% endif %}
),

final as (
    select
        {% for column in grain_columns %}
        {{ column }},
        {% endfor %}
        cast(total_orders as bigint) as total_orders,
        cast(placed_orders as bigint) as placed_orders,
        cast(cancelled_orders as bigint) as cancelled_orders,
        cast(units_sold as bigint) as units_sold,
        cast(revenue as decimal(38, 2)) as revenue,
        cast(lost_revenue as decimal(38, 2)) as lost_revenue,
        case
            when total_orders = 0 then cast(0 as double)
            else cast(cancelled_orders as double) / cast(total_orders as double)
        end as cancellation_rate
    from aggregated
)

select * from final
{% endmacro %}
