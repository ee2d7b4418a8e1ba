{#- The column list of a bronze table: the declared raw columns (typed), then lineage. -#}
{% macro bronze_columns(entity) -%}
    {%- for column in raw_source_columns(entity) -%}
        {{ column.name }},
    {% endfor -%}
    _source_file,
    _source_row_number,
    _ingest_date,
    _ingested_at
{%- endmacro %}
