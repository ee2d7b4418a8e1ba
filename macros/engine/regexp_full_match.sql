{#- True when the whole of `expression` matches the regular expression `pattern` (not only a
    part of it); null when expression is null. -#}
{% macro regexp_full_match(expression, pattern) %}
    {%- if "'" in pattern -%}
        {{ exceptions.raise_compiler_error("regexp_full_match: the pattern must not contain a quote") }}
    {%- endif -%}
    {{- return(adapter.dispatch('regexp_full_match')(expression, pattern)) -}}
{% endmacro %}

{% macro default__regexp_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- Java regular expressions: \z is the very end of the text ($ also matches before a final line
    break); a raw literal passes the backslashes to the regex engine unchanged. -#}
{% macro spark__regexp_full_match(expression, pattern) -%}
    ({{ expression }} rlike r'^(?:{{ pattern }})\z')
{%- endmacro %}
