-- Cross-layer reconciliation of the totals: kpis_overall's one row equals the same totals computed
-- straight from silver fact_orders (revenue and lost revenue as quantity * unit_price by
-- status). Every other mart sums to orders_enriched's totals (their generic test
-- kpi_mart_matches_orders_enriched) and orders_enriched holds every order of fact_orders
-- (assert_orders_enriched_matches_fact_orders). Returns the row when it differs.
-- Scope: all of history, so it runs in the full verification, not in the daily build.
{{ config(tags=['full_verification']) }}

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

kpis_overall as (
    select * from {{ ref('kpis_overall') }}
),

silver_totals as (
    select
        count(*) as total_orders,
        coalesce(sum(case when status = 'Placed' then 1 else 0 end), 0) as placed_orders,
        coalesce(sum(case when status = 'Cancelled' then 1 else 0 end), 0) as cancelled_orders,
        coalesce(sum(case when status = 'Placed' then quantity else 0 end), 0) as units_sold,
        coalesce(
            sum(case when status = 'Placed' then quantity * unit_price else 0 end), 0
        ) as revenue,
        coalesce(
            sum(case when status = 'Cancelled' then quantity * unit_price else 0 end), 0
        ) as lost_revenue
    from fact_orders
),

final as (
    select
        kpis_overall.total_orders,
        silver_totals.total_orders as silver_total_orders,
        kpis_overall.revenue,
        silver_totals.revenue as silver_revenue,
        kpis_overall.lost_revenue,
        silver_totals.lost_revenue as silver_lost_revenue
    from kpis_overall
    cross join silver_totals
    where
        kpis_overall.total_orders != silver_totals.total_orders
        or kpis_overall.placed_orders != silver_totals.placed_orders
        or kpis_overall.cancelled_orders != silver_totals.cancelled_orders
        or kpis_overall.units_sold != silver_totals.units_sold
        or kpis_overall.revenue != silver_totals.revenue
        or kpis_overall.lost_revenue != silver_totals.lost_revenue
)

select * from final
