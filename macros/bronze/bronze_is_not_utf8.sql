{#- True when a raw text holds the Unicode replacement character: Spark decodes bytes that are
    not UTF-8 to it (DuckDB's reader reports such lines instead, see stage_raw_source). -#}
{% macro bronze_is_not_utf8(expression) %}
    {{ return(adapter.dispatch('bronze_is_not_utf8')(expression)) }}
{% endmacro %}


{% macro duckdb__bronze_is_not_utf8(expression) -%}
    coalesce(contains({{ expression }}, chr(65533)), false)
{%- endmacro %}


{% macro spark__bronze_is_not_utf8(expression) -%}
    coalesce(instr({{ expression }}, decode(unhex('EFBFBD'), 'UTF-8')) > 0, false)
{%- endmacro %}
