{#- A SQL timestamp literal (UTC, microseconds) of `value`: a datetime as a query returns it, or
    text a driver returned unparsed. -#}
{% macro timestamp_literal(value) -%}
    {%- set text = value if value is string else value.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    cast('{{ text }}' as timestamp)
{%- endmacro %}
