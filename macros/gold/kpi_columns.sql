{% macro kpi_columns() %}
{#-
    The KPI columns of every gold mart: the aggregates of a
    `select ... from <rows> group by <grain>` whose rows carry the additive KPI columns (each
    order's contribution, kpi_order_contributions, or a mart row's totals), cast to the gold
    contract's types, and the cancellation rate derived from the summed counts. Without a
    group by they give the single overall row (zeros when there are no rows).
-#}
    cast(coalesce(sum(total_orders), 0) as bigint) as total_orders,
    cast(coalesce(sum(placed_orders), 0) as bigint) as placed_orders,
    cast(coalesce(sum(cancelled_orders), 0) as bigint) as cancelled_orders,
    cast(coalesce(sum(units_sold), 0) as bigint) as units_sold,
    cast(coalesce(sum(revenue), 0) as decimal(38, 2)) as revenue,
    cast(coalesce(sum(lost_revenue), 0) as decimal(38, 2)) as lost_revenue,
    case
        when coalesce(sum(total_orders), 0) = 0 then cast(0 as double)
        else cast(sum(cancelled_orders) as double) / cast(sum(total_orders) as double)
    end as cancellation_rate
{% endmacro %}
