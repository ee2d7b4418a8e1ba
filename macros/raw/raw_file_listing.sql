{#- Every file under the folder of one raw entity, from the storage listing (nothing is read):
    a select of entity, file_path (as the engine lists it, the value of the staged relation's
    _file_path), file_size (bytes), modified_at (UTC), file_version (a token that changes
    whenever the file is written, null where the listing has none) and file_problem (why the
    listed name cannot be loaded as a file, null for a readable file). Gives no row while the
    folder is empty. `raw_relation` is the entity's raw source (source('raw', entity)). -#}
{% macro raw_file_listing(raw_relation) %}
    {{ return(adapter.dispatch('raw_file_listing')(raw_relation)) }}
{% endmacro %}


{#- DuckDB: the plugin's function lakehouse_raw_files (lakehouse_duckdb/raw_files.py) lists the
    folder or S3 prefix with the file system's (or S3's) metadata, never opening a file's content:
    DuckDB's own listing (read_blob) fails on a file it cannot open and does not show symbolic
    links. Like Spark's file index, names starting with '.' or '_' under the entity folder
    (temporary and marker files) are not listed. -#}
{% macro duckdb__raw_file_listing(raw_relation) %}
    select
        '{{ raw_relation.identifier }}' as entity,
        file_path,
        file_size,
        modified_at,
        file_version,
        file_problem
    from (
        -- one row per file, the struct's fields as columns
        select unnest(lakehouse_raw_files({{ sql_string_literal(raw_location(raw_relation.identifier)) }}), recursive := true)  -- noqa: AL03
    ) as listing
{% endmacro %}


{#- Local Spark: the binaryFile view staged beside the raw source (stage_raw_source); its
    content column is never selected, so no file is read. Object stores set a file's
    modification time on every write, so size and time are its version; the listing shows
    readable files only. -#}
{% macro spark__raw_file_listing(raw_relation) %}
    select
        '{{ raw_relation.identifier }}' as entity,
        path as file_path,
        cast(length as bigint) as file_size,
        cast(`modificationTime` as timestamp) as modified_at,
        cast(null as string) as file_version,
        cast(null as string) as file_problem
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
        cast(`modificationTime` as timestamp) as modified_at,
        cast(null as string) as file_version,
        cast(null as string) as file_problem
    from read_files(
        {{ sql_string_literal(raw_location(raw_relation.identifier) ~ '/') }},
        format => 'binaryFile'
    )
{% endmacro %}
