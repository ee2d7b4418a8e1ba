{#- The raw (string) values of a row as a JSON object string, for the quarantine. -#}
{% macro raw_values_json(column_names) %}
    {{ return(adapter.dispatch('raw_values_json')(column_names)) }}
{% endmacro %}


{% macro duckdb__raw_values_json(column_names) -%}
    cast(json_object(
        {%- for name in column_names %}
        '{{ name }}', {{ adapter.quote(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}


{% macro spark__raw_values_json(column_names) -%}
    to_json(named_struct(
        {%- for name in column_names %}
        '{{ name }}', {{ adapter.quote(name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
