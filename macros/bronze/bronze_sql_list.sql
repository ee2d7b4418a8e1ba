{#- The items of a list as SQL string literals separated by commas, for `in (...)`; `null` for
    an empty list (an `in (null)` matches nothing). -#}
{% macro bronze_sql_list(values) -%}
    {%- if values | length == 0 -%}
        null
    {%- else -%}
        {%- for value in values -%}
            {{ sql_string_literal(value) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
