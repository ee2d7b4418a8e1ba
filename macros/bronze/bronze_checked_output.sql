{#- Step 7 of bronze_checked_rows: the rows of bronze_<entity>_checked. Every row of
    `checked_rows`, with its raw text as JSON when it cannot enter bronze (keyed by the declared
    column names, or by field position when the file's header could not be mapped), and the
    record of every file of `file_checks` (row 0): its reason when it is rejected whole and the
    data rows it holds. -#}
{% macro bronze_checked_output(entity, checked_rows, file_checks) %}
    {%- set columns = raw_source_columns(entity) -%}
    {%- set names = columns | map(attribute='name') | list -%}
    {%- set fields = bronze_raw_fields(entity) -%}
    {%- set text_columns = [] -%}
    {%- for name in names -%}
        {%- do text_columns.append('_text_' ~ name) -%}
    {%- endfor %}
    with

    reported_rows as (
        select
            {%- for name in names %}
            {{ name }},
            {%- endfor %}
            _source_file,
            _source_row_number,
            _ingest_date,
            case
                when _reject_reason is null then null
                when file_reject_reason is null
                    then {{ raw_values_json(names, text_columns) }}
                else {{ raw_values_json(fields, fields) }}
            end as _raw_values,
            _reject_reason,
            cast(null as bigint) as _file_data_rows
        from {{ checked_rows }}
    ),

    file_records as (
        select
            {%- for column in columns %}
            cast(null as {{ column.data_type }}) as {{ column.name }},
            {%- endfor %}
            source_file as _source_file,
            0 as _source_row_number,
            ingest_date as _ingest_date,
            cast(null as {{ dbt.type_string() }}) as _raw_values,
            file_reject_reason as _reject_reason,
            data_rows as _file_data_rows
        from {{ file_checks }}
    ),

    all_rows as (
        select * from reported_rows
        union all
        select * from file_records
    )

    select
        {%- for name in names %}
        {{ name }},
        {%- endfor %}
        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        _ingest_date,
        {{ run_started_timestamp() }} as _ingested_at,
        _raw_values,
        _reject_reason,
        _file_data_rows
    from all_rows
{% endmacro %}
