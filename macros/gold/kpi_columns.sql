{% macro kpi_columns() %}
{#-
    The KPI columns of every gold mart, written once: the aggregates of
    a `select ... from <orders of orders_enriched> group by <grain>`, cast to the gold
    contract's types. Without a group by they give the single overall row (zeros when there
    are no orders).
-#}
    cast(count(*) as bigint) as total_orders,
    cast(coalesce(sum(case when status = 'Placed' then 1 else 0 end), 0) as bigint) as placed_orders,
    cast(
        coalesce(sum(case when status = 'Cancelled' then 1 else 0 end), 0) as bigint
    ) as cancelled_orders,
    cast(
        coalesce(sum(case when status = 'Placed' then quantity else 0 end), 0) as bigint
    ) as units_sold,
    cast(
        coalesce(sum(case when status = 'Placed' then order_amount else 0 end), 0) as decimal(38, 2)
    ) as revenue,
    cast(
        coalesce(sum(case when status = 'Cancelled' then order_amount else 0 end), 0)
        as decimal(38, 2)
    ) as lost_revenue,
    case
        when count(*) = 0 then cast(0 as double)
        else
            cast(sum(case when status = 'Cancelled' then 1 else 0 end) as double)
            / cast(count(*) as double)
    end as cancellation_rate
{% endmacro %}
