{#- Stage one raw entity (on-run-start): a relation with the raw fields of every file under
    `location` BY POSITION, as strings: field_1 ... field_<field_count> (null past the end of a
    short row; fields past field_count are not kept) and _file_path, the path the engine lists
    the file under. The header row is kept as the first row of each file: bronze maps the
    fields by the header's names. Nothing is read here: the relation is a view or an external
    table. -#}
{% macro stage_raw_source(relation, location, field_count) %}
    {{ return(adapter.dispatch('stage_raw_source')(relation, location, field_count)) }}
{% endmacro %}


{#- DuckDB: a view over read_csv of every file under the entity folder (a filter on _file_path
    is pushed into the reader: only those files are opened). Rows are never dropped silently:
    strict_mode off keeps a row with more fields than the relation has (strict mode fails the
    whole read on some line ends, and drops a row whose quote is never closed), null_padding
    plus a null string that never occurs ('\N') tells a missing trailing field (null) from an
    empty one (''), a broken quote ends up inside a value (the independent count of
    raw_file_facts names it), a row may be as long as var raw_max_row_bytes, and the lines the
    reader rejects (not UTF-8, compressed bytes named .csv, a longer row) are recorded in the
    temporary table <relation>__rejects by store_rejects; bronze quarantines such a file whole.
    The glob characters a location may hold ([, *, ?) are escaped. -#}
{% macro duckdb__stage_raw_source(relation, location, field_count) %}
    {%- do adapter.create_schema(relation) -%}
    {%- set pattern = location | replace('[', '[[]') | replace('*', '[*]') | replace('?', '[?]') ~ '/**' -%}
    {%- set found = run_query('select count(*) from glob(' ~ sql_string_literal(pattern) ~ ')').columns[0].values()[0] -%}
    {%- call statement('stage_raw_source', auto_begin=false) -%}
        create or replace view {{ relation }} as
        {% if found > 0 -%}
        select
            {%- for position in range(1, field_count + 1) %}
            field_{{ position }},
            {%- endfor %}
            filename as _file_path
        from read_csv(
            {{ sql_string_literal(pattern) }},
            columns = {
                {%- for position in range(1, field_count + 1) %}
                'field_{{ position }}': 'varchar'{{ ',' if not loop.last }}
                {%- endfor %}
            },
            header = false,
            auto_detect = false,
            delim = ',',
            quote = '"',
            escape = '"',
            nullstr = '\N',
            strict_mode = false,
            null_padding = true,
            parallel = false,
            max_line_size = {{ var('raw_max_row_bytes') }},
            filename = true,
            hive_partitioning = false,
            store_rejects = true,
            rejects_table = '{{ relation.identifier }}__rejects',
            rejects_scan = '{{ relation.identifier }}__scans'
        )
        {%- else -%}
        {#- No file delivered yet: an empty relation with the same columns. -#}
        select
            {%- for position in range(1, field_count + 1) %}
            cast(null as varchar) as field_{{ position }},
            {%- endfor %}
            cast(null as varchar) as _file_path
        where false
        {%- endif %}
    {%- endcall -%}
{% endmacro %}


{#- Local Spark: no table over the raw zone, only session views (global temporary views, the
    `global_temp` schema of the raw source on this target), gone when dbt's process ends:
    <relation>__files reads every file under the folder as CSV (every field a string; PERMISSIVE
    mode pads a short row with nulls and keeps a long one; multiLine for quoted line breaks,
    which also keeps one reader per file, in file order; gzip included, bronze picks the files;
    bytes that are not UTF-8 become U+FFFD), <relation>__listing lists the same folder
    (binaryFile: path, size, modification time; the content is never selected), and
    <relation> adds the file path. Recreated on every run, so new files are listed. -#}
{% macro spark__stage_raw_source(relation, location, field_count) %}
    {%- call statement('stage_raw_source_files', auto_begin=false) -%}
        create or replace global temporary view {{ relation.identifier }}__files (
            {%- for position in range(1, field_count + 1) %}
            field_{{ position }} string{{ ',' if not loop.last }}
            {%- endfor %}
        )
        using csv
        options (
            path {{ sql_string_literal(location ~ '/') }},
            header 'false',
            mode 'PERMISSIVE',
            multiLine 'true',
            quote '"',
            escape '"',
            recursiveFileLookup 'true'
        )
    {%- endcall -%}
    {%- call statement('stage_raw_source_listing', auto_begin=false) -%}
        create or replace global temporary view {{ relation.identifier }}__listing
        using binaryFile
        options (
            path {{ sql_string_literal(location ~ '/') }},
            recursiveFileLookup 'true'
        )
    {%- endcall -%}
    {%- call statement('stage_raw_source_view', auto_begin=false) -%}
        create or replace global temporary view {{ relation.identifier }} as
        select
            {%- for position in range(1, field_count + 1) %}
            field_{{ position }},
            {%- endfor %}
            {#- the file's path as the listing has it: input_file_name() (a view hides the
                _metadata column of the files it reads) is URI-encoded (space %20, % %25) and
                writes a local file as file:///, the listing as file:/ -#}
            regexp_replace(
                url_decode(replace(input_file_name(), '+', '%2B')), '^file:///', 'file:/'
            ) as _file_path
        from {{ relation.incorporate(path={'identifier': relation.identifier ~ '__files'}) }}
    {%- endcall -%}
{% endmacro %}


{#- Databricks: nothing is staged and no table or view is registered over the raw zone (Unity
    Catalog accepts no binaryFile table and no overlapping tables): bronze reads the files by
    path with read_files (raw_staged_rows, raw_file_listing), which needs only READ FILES on
    the raw zone's external location. -#}
{% macro databricks__stage_raw_source(relation, location, field_count) %}
{% endmacro %}
