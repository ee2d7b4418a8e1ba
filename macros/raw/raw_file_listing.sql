{#- Every file under the folder of one raw entity, from the storage listing (nothing is read):
    a select of entity, file_path (as the engine lists it, the value of the staged relation's
    _file_path), file_size (bytes) and modified_at (UTC). Gives no row while the folder is
    empty. `raw_relation` is the entity's raw source (source('raw', entity)). -#}
{% macro raw_file_listing(raw_relation) %}
    {{ return(adapter.dispatch('raw_file_listing')(raw_relation)) }}
{% endmacro %}


{#- DuckDB: read_blob without its content column is a listing (size and time from the file
    system or S3 metadata). Like Spark's file index, names starting with '.' or '_' under the
    entity folder (temporary and marker files) are not listed. -#}
{% macro duckdb__raw_file_listing(raw_relation) %}
    {%- set entity = raw_relation.identifier -%}
    {%- set pattern = raw_location(entity) ~ '/**' -%}
    {%- set found = run_query('select count(*) from glob(' ~ sql_string_literal(pattern) ~ ')').columns[0].values()[0] if execute else 0 -%}
    {%- if found > 0 %}
    select
        '{{ entity }}' as entity,
        filename as file_path,
        cast(size as bigint) as file_size,
        cast(last_modified at time zone 'UTC' as timestamp) as modified_at
    from read_blob({{ sql_string_literal(pattern) }})
    where not regexp_matches(
        substr(filename, {{ raw_location(entity) | length + 2 }}), '(^|/)[._][^/]*'
    )
    {%- else %}
    select
        '{{ entity }}' as entity,
        cast(null as varchar) as file_path,
        cast(null as bigint) as file_size,
        cast(null as timestamp) as modified_at
    where false
    {%- endif %}
{% endmacro %}


{#- Local Spark: the binaryFile view staged beside the raw source (stage_raw_source); its
    content column is never selected, so no file is read. -#}
{% macro spark__raw_file_listing(raw_relation) %}
    select
        '{{ raw_relation.identifier }}' as entity,
        path as file_path,
        cast(length as bigint) as file_size,
        cast(`modificationTime` as timestamp) as modified_at
    from {{ raw_relation.incorporate(path={'identifier': raw_relation.identifier ~ '__listing'}) }}
{% endmacro %}


{#- Databricks: read_files over the entity folder as binaryFile, by path (READ FILES on the
    external location; no table), without the content column, so no file is read. Every file
    under the folder, at any depth. -#}
{% macro databricks__raw_file_listing(raw_relation) %}
    select
        '{{ raw_relation.identifier }}' as entity,
        path as file_path,
        cast(length as bigint) as file_size,
        cast(`modificationTime` as timestamp) as modified_at
    from read_files(
        {{ sql_string_literal(raw_location(raw_relation.identifier) ~ '/') }},
        format => 'binaryFile'
    )
{% endmacro %}
