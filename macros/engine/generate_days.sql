{#- A set-returning expression with one row per day from first_day to last_day (inclusive);
    use it alone as a select item (Spark allows no expression around a generator) and cast
    the result to date in a later CTE. -#}
{% macro generate_days(first_day, last_day) %}
    {{ return(adapter.dispatch('generate_days')(first_day, last_day)) }}
{% endmacro %}


{% macro duckdb__generate_days(first_day, last_day) -%}
    unnest(generate_series({{ first_day }}, {{ last_day }}, interval 1 day))
{%- endmacro %}


{% macro spark__generate_days(first_day, last_day) -%}
    explode(sequence({{ first_day }}, {{ last_day }}, interval 1 day))
{%- endmacro %}
