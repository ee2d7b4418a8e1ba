{#- The raw rows of files not loaded yet: a select over a staged raw source, pruned to the
    partitions from bronze_watermark on, minus the files already in any of `loaded_relations`
    (exactly once per file, by name). Adds _scan_position for numbering rows in file order. -#}
{% macro bronze_unloaded_rows(source_relation, loaded_relations) %}
    {%- set watermark = bronze_watermark(loaded_relations) -%}
    {%- set existing = [] -%}
    {%- if is_incremental() -%}
        {%- for relation in loaded_relations -%}
            {%- if load_relation(relation) is not none -%}
                {%- do existing.append(relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    select *
    from (
        select
            *,
            {{ raw_scan_position() }} as _scan_position
        from {{ source_relation }}
        {%- if watermark is not none %}
        where _ingest_date >= cast('{{ watermark }}' as date)
        {%- endif %}
    ) as raw_rows
    {%- for relation in existing %}
    {{ 'where' if loop.first else 'and' }} _source_file not in (
        select loaded._source_file
        from {{ relation }} as loaded
        {%- if watermark is not none %}
        where loaded._ingest_date >= cast('{{ watermark }}' as date)
        {%- endif %}
    )
    {%- endfor %}
{% endmacro %}
