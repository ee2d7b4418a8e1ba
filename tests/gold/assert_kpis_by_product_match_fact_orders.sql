-- Cross-layer reconciliation per product: each product's revenue and lost revenue in gold
-- equal the sums over its orders in silver fact_orders, and no product with orders is missing
-- from gold (nor one without orders present). Returns the products that differ.
-- Scope: all of history, so it runs in the full verification, not in the daily build.
{{ config(tags=['full_verification']) }}

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

kpis_by_product as (
    select * from {{ ref('kpis_by_product') }}
),

silver_by_product as (
    select
        product_id,
        sum(case when status = 'Placed' then quantity * unit_price else 0 end) as revenue,
        sum(case when status = 'Cancelled' then quantity * unit_price else 0 end) as lost_revenue
    from fact_orders
    group by product_id
),

final as (
    select
        kpis_by_product.product_id,
        silver_by_product.product_id as silver_product_id,
        kpis_by_product.revenue,
        silver_by_product.revenue as silver_revenue,
        kpis_by_product.lost_revenue,
        silver_by_product.lost_revenue as silver_lost_revenue
    from kpis_by_product
    full outer join silver_by_product
        on kpis_by_product.product_id = silver_by_product.product_id
    where
        kpis_by_product.product_id is null
        or silver_by_product.product_id is null
        or kpis_by_product.revenue != silver_by_product.revenue
        or kpis_by_product.lost_revenue != silver_by_product.lost_revenue
)

select * from final
