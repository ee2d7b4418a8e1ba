{#- An incremental gold mart's rows before the run (mart_before_run: {{ this }} or the name of
    its import CTE) of the groups that order_contributions (gold_order_contributions) touch,
    with the grain columns and the additive KPI columns: the totals the contributions add to.
    A null grain value matches a null one. -#}
{% macro gold_mart_rows_touched(mart_before_run, order_contributions, grain_columns) %}
    select
        {%- for column in grain_columns %}
        mart.{{ column }},
        {%- endfor %}
        mart.total_orders,
        mart.placed_orders,
        mart.cancelled_orders,
        mart.units_sold,
        mart.revenue,
        mart.lost_revenue
    from {{ mart_before_run }} as mart
    where exists (
        select 1
        from {{ order_contributions }} as contributions
        where
            {%- for column in grain_columns %}
            {% if not loop.first %}and {% endif -%}
            mart.{{ column }} is not distinct from contributions.{{ column }}
            {%- endfor %}
    )
{% endmacro %}
