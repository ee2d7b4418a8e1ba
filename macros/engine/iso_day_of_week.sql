{#- ISO day of week of a date: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(date_expression) %}
    {{ return(adapter.dispatch('iso_day_of_week')(date_expression)) }}
{% endmacro %}


{% macro duckdb__iso_day_of_week(date_expression) -%}
    isodow({{ date_expression }})
{%- endmacro %}


{% macro spark__iso_day_of_week(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}
