{% macro regexp_matches(expression, pattern) %}
    {%- if "'" in pattern -%}
        {{ exceptions.raise_compiler_error("regexp_matches: the pattern must not contain a quote") }}
    {%- endif -%}
    {{- return(adapter.dispatch('regexp_matches')(expression, pattern)) -}}
{% endmacro %}

{% macro default__regexp_matches(expression, pattern) %}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_matches(expression, pattern) %}
    {#- a raw literal: backslashes in the pattern reach the regex engine unchanged -#}
    ({{ expression }} rlike r'{{ pattern }}')
{%- endmacro %}
