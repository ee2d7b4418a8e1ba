{% test kpi_columns_are_consistent(model, min_total_orders=1) %}
{#-
    The invariants of a KPI mart's columns (the kpi_columns macro's), written once: fails for
    every row that breaks one, with `broken_rule` naming the first it breaks. The seven KPI
    columns are not null and not negative, the rate is at most 1, every row counts at least
    min_total_orders orders, placed + cancelled = total, at least one unit per placed order, and
    revenue (lost revenue) is positive when there are placed (cancelled) orders.
-#}
{%- set kpi_columns = [
    'total_orders',
    'placed_orders',
    'cancelled_orders',
    'units_sold',
    'revenue',
    'lost_revenue',
    'cancellation_rate',
] -%}
with

mart as (
    select * from {{ model }}
),

checked_rows as (
    select
        case
            {% for column in kpi_columns %}
                when {{ column }} is null then '{{ column }} is null'
            {% endfor %}
            {% for column in kpi_columns %}
                when {{ column }} < 0 then '{{ column }} < 0'
            {% endfor %}
            when cancellation_rate > 1 then 'cancellation_rate > 1'
            when total_orders < {{ min_total_orders }}
                then 'total_orders < {{ min_total_orders }}'
            when placed_orders + cancelled_orders != total_orders
                then 'placed_orders + cancelled_orders != total_orders'
            when units_sold < placed_orders then 'units_sold < placed_orders'
            when placed_orders > 0 and revenue <= 0
                then 'revenue <= 0 with placed orders'
            when cancelled_orders > 0 and lost_revenue <= 0
                then 'lost_revenue <= 0 with cancelled orders'
        end as broken_rule,
        mart.*
    from mart
),

final as (
    select * from checked_rows
    where broken_rule is not null
)

select * from final
{% endtest %}
