{#- The raw rows of files not loaded yet: a select over a staged raw source, pruned to the
    partitions from bronze_watermark on, minus the files already in any of `loaded_relations`
    (exactly once per file, by name). The loaded file names are fetched first and inlined as
    constants, so that the engine skips those files without opening them (DuckDB pushes both
    filters into read_csv: EXPLAIN ANALYZE shows `Scanning Files: <new>/<all>`).
    Adds _scan_position for numbering rows in file order. -#}
{% macro bronze_unloaded_rows(source_relation, loaded_relations) %}
    {%- set watermark = bronze_watermark(loaded_relations) -%}
    {%- set loaded_files = [] -%}
    {%- if execute and is_incremental() -%}
        {%- for relation in loaded_relations if load_relation(relation) is not none -%}
            {%- set loaded_files_query -%}
                select distinct _source_file from {{ relation }}
                {%- if watermark is not none %}
                where _ingest_date >= cast('{{ watermark }}' as date)
                {%- endif %}
            {%- endset -%}
            {%- do loaded_files.extend(run_query(loaded_files_query).columns[0].values()) -%}
        {%- endfor -%}
    {%- endif %}
    select
        *,
        {{ raw_scan_position() }} as _scan_position
    from {{ source_relation }}
    where
        true
        {%- if watermark is not none %}
        and _ingest_date >= cast('{{ watermark }}' as date)
        {%- endif %}
        {%- if loaded_files %}
        and _source_file not in (
            {%- for file in loaded_files | unique | sort %}
            '{{ file | replace("'", "''") }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        {%- endif %}
{% endmacro %}
