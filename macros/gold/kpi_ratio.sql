{#- A ratio KPI of a mart (a ratio metric of models/gold/_gold__metrics.yml on one grain): the sum
    of the `numerator` contribution column over the sum of the `denominator` one, as a double,
    null when the denominator sums to 0 (as MetricFlow answers a ratio metric). For the final
    select of a KPI mart, over its rows (gold_kpi_rows). -#}
{% macro kpi_ratio(numerator, denominator) -%}
    cast(sum({{ numerator }}) as double) / nullif(cast(sum({{ denominator }}) as double), 0)
{%- endmacro %}
