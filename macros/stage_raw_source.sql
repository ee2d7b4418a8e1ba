{#- Stage one raw entity as a relation with every declared column as a string, plus
    _source_file (path relative to the raw root), _ingest_date (the partition) and _shape_error
    (null when the row has exactly the declared number of fields). -#}
{% macro stage_raw_source(relation, location, column_names) %}
    {{ return(adapter.dispatch('stage_raw_source')(relation, location, column_names)) }}
{% endmacro %}


{#- DuckDB: a view over read_csv. Rows are never dropped: no ignore_errors. Spare padding
    columns catch rows with too many fields, null_padding plus a null string that never occurs
    ('\N') tells a missing trailing field (null) from an empty one (''). A row with more fields
    than the padding holds fails the read with DuckDB's error naming the line. -#}
{% macro duckdb__stage_raw_source(relation, location, column_names) %}
    {%- set extra_columns = [] -%}
    {%- for position in range(1, 9) -%}
        {%- do extra_columns.append('_extra_field_' ~ position) -%}
    {%- endfor -%}
    {%- set pattern = location ~ '/ingest_date=*/*.csv' -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] -%}
    {%- set source_file_expression -%}
        regexp_extract(filename, '[^/]+/ingest_date=[^/]+/[^/]+$', 0)
    {%- endset -%}
    {%- call statement('stage_raw_source', auto_begin=false) -%}
        create or replace view {{ relation }} as
        {% if found > 0 -%}
        select
            {%- for name in column_names %}
            {{ adapter.quote(name) }},
            {%- endfor %}
            {{ source_file_expression }} as _source_file,
            ingest_date as _ingest_date,
            case
                when {{ extra_columns[0] }} is not null
                    then 'too many fields: unexpected extra values '
                        || concat_ws(',', {{ extra_columns | join(', ') }})
                when {{ adapter.quote(column_names[-1]) }} is null
                    then 'too few fields: expected {{ column_names | length }}'
            end as _shape_error
        from read_csv(
            '{{ pattern }}',
            columns = {
                {%- for name in column_names + extra_columns %}
                '{{ name }}': 'varchar',
                {%- endfor %}
            },
            header = true,
            auto_detect = false,
            delim = ',',
            quote = '"',
            escape = '"',
            nullstr = '\N',
            null_padding = true,
            parallel = false,
            filename = true,
            hive_partitioning = true,
            hive_types = {'ingest_date': 'date'}
        )
        {%- else -%}
        {#- No batch delivered yet: an empty relation with the same columns. -#}
        select
            {%- for name in column_names %}
            cast(null as varchar) as {{ adapter.quote(name) }},
            {%- endfor %}
            cast(null as varchar) as _source_file,
            cast(null as date) as _ingest_date,
            cast(null as varchar) as _shape_error
        where false
        {%- endif %}
    {%- endcall -%}
{% endmacro %}


{#- Spark and Databricks: an external CSV table over the entity's folder (every column a
    string; PERMISSIVE mode puts a row with the wrong number of fields in _corrupt_record
    instead of dropping it; multiLine for quoted line breaks, which also keeps one reader per
    file), refreshed so new files are listed, and a view that adds the file path. -#}
{% macro spark__stage_raw_source(relation, location, column_names) %}
    {%- set files_relation = relation.incorporate(path={'identifier': relation.identifier ~ '__files'}) -%}
    {%- call statement('stage_raw_source_table') -%}
        create table if not exists {{ files_relation }} (
            {%- for name in column_names %}
            {{ name }} string,
            {%- endfor %}
            _corrupt_record string
        )
        using csv
        options (
            header 'true',
            mode 'PERMISSIVE',
            columnNameOfCorruptRecord '_corrupt_record',
            multiLine 'true',
            quote '"',
            escape '"',
            recursiveFileLookup 'true',
            pathGlobFilter '*.csv'
        )
        location '{{ location }}/'
    {%- endcall -%}
    {%- call statement('stage_raw_source_refresh') -%}
        refresh table {{ files_relation }}
    {%- endcall -%}
    {%- call statement('stage_raw_source_view') -%}
        create or replace view {{ relation }} as
        select
            {%- for name in column_names %}
            {{ name }},
            {%- endfor %}
            regexp_extract(_metadata.file_path, '[^/]+/ingest_date=[^/]+/[^/]+$', 0) as _source_file,
            to_date(regexp_extract(_metadata.file_path, 'ingest_date=([0-9-]+)/', 1)) as _ingest_date,
            case
                when _corrupt_record is not null
                    then 'wrong number of fields: ' || _corrupt_record
            end as _shape_error
        from {{ files_relation }}
    {%- endcall -%}
{% endmacro %}
