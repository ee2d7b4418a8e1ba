{#- An expression that increases with the position of a row in the scan of its file, used to
    number the rows of each raw file in file order (CSV readers expose no row number). -#}
{% macro raw_scan_position() %}
    {{ return(adapter.dispatch('raw_scan_position')()) }}
{% endmacro %}


{#- DuckDB preserves insertion order: a streaming row_number follows the scan order. -#}
{% macro duckdb__raw_scan_position() -%}
    row_number() over ()
{%- endmacro %}


{#- Spark: ids grow within a partition; a raw CSV file (well below the split size) is read by
    one task, in file order. -#}
{% macro spark__raw_scan_position() -%}
    monotonically_increasing_id()
{%- endmacro %}
