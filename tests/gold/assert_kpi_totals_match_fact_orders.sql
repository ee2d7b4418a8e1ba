-- Cross-layer reconciliation: the totals of every gold mart (each grain's sum, and
-- kpis_overall's one row) equal the same totals computed straight from silver fact_orders
-- (revenue and lost revenue as quantity * unit_price by status). Returns the marts that differ.
-- Scope: all of history, so it runs in the full verification, not in the daily build.
{{ config(tags=['full_verification']) }}

{% set kpi_marts = [
    'kpis_by_product',
    'kpis_by_category',
    'kpis_by_brand',
    'kpis_by_customer',
    'kpis_by_country',
    'kpis_by_gender',
    'kpis_by_payment_method',
    'kpis_daily',
    'kpis_overall',
] %}

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
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

gold_totals as (
    {% for mart in kpi_marts %}
        select
            '{{ mart }}' as mart,
            coalesce(sum(total_orders), 0) as total_orders,
            coalesce(sum(placed_orders), 0) as placed_orders,
            coalesce(sum(cancelled_orders), 0) as cancelled_orders,
            coalesce(sum(units_sold), 0) as units_sold,
            coalesce(sum(revenue), 0) as revenue,
            coalesce(sum(lost_revenue), 0) as lost_revenue
        from {{ ref(mart) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        gold_totals.mart,
        gold_totals.total_orders,
        silver_totals.total_orders as silver_total_orders,
        gold_totals.revenue,
        silver_totals.revenue as silver_revenue,
        gold_totals.lost_revenue,
        silver_totals.lost_revenue as silver_lost_revenue
    from gold_totals
    cross join silver_totals
    where
        gold_totals.total_orders != silver_totals.total_orders
        or gold_totals.placed_orders != silver_totals.placed_orders
        or gold_totals.cancelled_orders != silver_totals.cancelled_orders
        or gold_totals.units_sold != silver_totals.units_sold
        or gold_totals.revenue != silver_totals.revenue
        or gold_totals.lost_revenue != silver_totals.lost_revenue
)

select * from final
