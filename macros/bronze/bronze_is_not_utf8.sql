{#- True when any of the raw texts `expressions` holds the Unicode replacement character: Spark
    decodes bytes that are not UTF-8 to it (DuckDB's reader reports such lines instead, see
    stage_raw_source, and the check keeps both engines' verdicts equal). -#}
{% macro bronze_is_not_utf8(expressions) %}
    {{ return(adapter.dispatch('bronze_is_not_utf8')(expressions)) }}
{% endmacro %}


{#- One search over the row's fields joined (a null field adds nothing). -#}
{% macro duckdb__bronze_is_not_utf8(expressions) -%}
    contains(concat({{ expressions | join(', ') }}), chr(65533))
{%- endmacro %}


{% macro spark__bronze_is_not_utf8(expressions) -%}
    instr(concat_ws('', {{ expressions | join(', ') }}), decode(unhex('EFBFBD'), 'UTF-8')) > 0
{%- endmacro %}
