{#- Step 5 of bronze_checked_rows: the data rows of `raw_rows` (every row after its file's
    header), numbered in their file, each declared column taken as text from the field its name
    has in the file's header (_text_<column>), the fields by position kept for the quarantine,
    is_ragged when the row has fewer or more fields than declared, the file's reject reason
    (`file_checks`) and the row's CSV problem (`malformed_rows`). -#}
{% macro bronze_mapped_rows(entity, raw_rows, file_checks, malformed_rows) %}
    {%- set names = raw_source_columns(entity) | map(attribute='name') | list -%}
    {%- set fields = bronze_raw_fields(entity) %}
    with

    data_rows as (
        select
            raw_rows._file_path,
            file_checks.source_file as _source_file,
            file_checks.ingest_date as _ingest_date,
            file_checks.file_reject_reason,
            raw_rows._scan_position - file_checks._header_scan_position as _source_row_number,
            {%- for name in names %}
            case
                {%- for position in range(1, names | length + 1) %}
                when file_checks.position_of_{{ name }} = {{ position }} then raw_rows.field_{{ position }}
                {%- endfor %}
            end as _text_{{ name }},
            {%- endfor %}
            {%- for field in fields %}
            raw_rows.{{ field }},
            {%- endfor %}
            raw_rows.field_{{ names | length }} is null
            or raw_rows.field_{{ names | length + 1 }} is not null as is_ragged
        from {{ raw_rows }} as raw_rows
        inner join {{ file_checks }} as file_checks
            on raw_rows._file_path = file_checks.file_path
        where raw_rows._scan_position > file_checks._header_scan_position
    )

    select
        data_rows.*,
        malformed_rows.malformed_reason
    from data_rows
    left join {{ malformed_rows }} as malformed_rows
        on
            data_rows._file_path = malformed_rows.file_path
            and data_rows._source_row_number = malformed_rows.malformed_row_number
{% endmacro %}
