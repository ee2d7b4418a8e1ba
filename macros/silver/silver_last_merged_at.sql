{#- The start time of the last run that merged rows into {{ this }}: the greatest _merged_at
    (1900-01-01 while {{ this }} is empty). A literal, queried before the model runs, so the
    engine prunes bronze on a constant (DuckDB row-group zonemaps, Delta file statistics); in a
    unit test, where {{ this }} is a fixture, the same value as a subquery. -#}
{% macro silver_last_merged_at() %}
    {%- set empty = "cast('1900-01-01 00:00:00' as timestamp)" -%}
    {%- set newest_query = 'select max(_merged_at) from ' ~ this -%}
    {%- if model.resource_type == 'unit_test' -%}
        {{ return('coalesce((' ~ newest_query ~ '), ' ~ empty ~ ')') }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return(empty) }}
    {%- endif -%}
    {%- set newest = run_query(newest_query).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return(empty) }}
    {%- endif -%}
    {#- a datetime from DuckDB and Spark; text if a driver returns the value unparsed -#}
    {%- set newest_text = newest if newest is string else newest.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {{ return("cast('" ~ newest_text ~ "' as timestamp)") }}
{% endmacro %}
