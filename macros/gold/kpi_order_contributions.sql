{#- What one order adds to the additive KPI columns of its group, written once: 1 order, 1
    placed or cancelled order, its quantity as units sold and its amount as revenue when Placed,
    its amount as lost revenue when Cancelled. `order_sign` is 1 for an order counted in and
    -1 for the version of a changed order that a mart counted before, taken out again;
    `column_prefix` names the columns it reads (`_previous_` for the status, quantity and
    order_amount of the version orders_enriched replaced). kpi_columns sums these columns. -#}
{% macro kpi_order_contributions(order_sign=1, column_prefix='') %}
    {%- set status = column_prefix ~ 'status' %}
    {{ order_sign }} as total_orders,
    case when {{ status }} = 'Placed' then {{ order_sign }} else 0 end as placed_orders,
    case when {{ status }} = 'Cancelled' then {{ order_sign }} else 0 end as cancelled_orders,
    case
        when {{ status }} = 'Placed' then {{ order_sign }} * {{ column_prefix }}quantity else 0
    end as units_sold,
    case
        when {{ status }} = 'Placed' then {{ order_sign }} * {{ column_prefix }}order_amount else 0
    end as revenue,
    case
        when {{ status }} = 'Cancelled' then {{ order_sign }} * {{ column_prefix }}order_amount
        else 0
    end as lost_revenue
{% endmacro %}
