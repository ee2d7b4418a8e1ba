{#- A SQL string literal holding `value` exactly, whatever it contains (quotes, backslashes,
    spaces, non-ASCII): every path and file name reaches SQL through this macro. -#}
{% macro sql_string_literal(value) %}
    {{ return(adapter.dispatch('sql_string_literal')(value)) }}
{% endmacro %}


{#- DuckDB: standard SQL, a quote is doubled; backslashes are plain characters. -#}
{% macro default__sql_string_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- Spark and Databricks: backslash is the escape character of string literals. -#}
{% macro spark__sql_string_literal(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
