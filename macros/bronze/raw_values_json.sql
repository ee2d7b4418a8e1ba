{#- The raw (string) values of a row as a JSON object string, for the quarantine: `keys` are the
    object's keys, `columns` the columns holding the values, in the same order. -#}
{% macro raw_values_json(keys, columns) %}
    {{ return(adapter.dispatch('raw_values_json')(keys, columns)) }}
{% endmacro %}


{% macro duckdb__raw_values_json(keys, columns) -%}
    cast(json_object(
        {%- for key in keys %}
        {{ sql_string_literal(key) }}, {{ adapter.quote(columns[loop.index0]) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}


{% macro spark__raw_values_json(keys, columns) -%}
    to_json(named_struct(
        {%- for key in keys %}
        {{ sql_string_literal(key) }}, {{ adapter.quote(columns[loop.index0]) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}
