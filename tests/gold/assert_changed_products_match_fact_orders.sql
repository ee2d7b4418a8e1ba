-- Cross-layer reconciliation of the products the run's changed orders touch (before or after
-- the run): each one's orders, revenue and lost revenue in kpis_by_product equal the sums
-- over its orders in silver fact_orders, and such a product is in gold exactly when it has
-- orders. Returns the products that differ. The daily, per-run counterpart of
-- assert_kpis_by_product_match_fact_orders.

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

kpis_by_product as (
    select * from {{ ref('kpis_by_product') }}
),

changed_products as (
    {{ gold_changed_groups('product_id', 'orders_enriched', 'orders_enriched_changes') }}
),

silver_by_product as (
    select
        fact_orders.product_id,
        count(*) as total_orders,
        sum(
            case
                when fact_orders.status = 'Placed'
                    then fact_orders.quantity * fact_orders.unit_price
                else 0
            end
        ) as revenue,
        sum(
            case
                when fact_orders.status = 'Cancelled'
                    then fact_orders.quantity * fact_orders.unit_price
                else 0
            end
        ) as lost_revenue
    from fact_orders
    inner join changed_products
        on fact_orders.product_id = changed_products.product_id
    group by fact_orders.product_id
),

gold_by_product as (
    select kpis_by_product.*
    from kpis_by_product
    inner join changed_products
        on kpis_by_product.product_id = changed_products.product_id
),

final as (
    select
        gold_by_product.product_id,
        silver_by_product.product_id as silver_product_id,
        gold_by_product.revenue,
        silver_by_product.revenue as silver_revenue,
        gold_by_product.lost_revenue,
        silver_by_product.lost_revenue as silver_lost_revenue
    from gold_by_product
    full outer join silver_by_product
        on gold_by_product.product_id = silver_by_product.product_id
    where
        gold_by_product.product_id is null
        or silver_by_product.product_id is null
        or gold_by_product.total_orders != silver_by_product.total_orders
        or gold_by_product.revenue != silver_by_product.revenue
        or gold_by_product.lost_revenue != silver_by_product.lost_revenue
)

select * from final
