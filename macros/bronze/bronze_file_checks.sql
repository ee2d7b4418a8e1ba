{#- Step 4 of bronze_checked_rows: one row per file of `files_to_check`, its verdict. The data
    rows it holds, counted without trusting the CSV reader (bronze_counted_data_rows over the
    files read, `paths`), its header (from `headers`) and file_reject_reason, the reason the
    file is rejected whole: it could not be read, it is not UTF-8 text, it is empty, its header
    does not name the declared columns exactly once or is not well-formed CSV, or the reader
    split it into another number of data rows than the count (the first malformed row named).
    Null when its rows are checked one by one. -#}
{% macro bronze_file_checks(entity, files_to_check, raw_rows, headers, malformed_rows, paths) %}
    {%- set names = raw_source_columns(entity) | map(attribute='name') | list -%}
    {%- set fields = bronze_raw_fields(entity) %}
    with

    -- bytes that are not UTF-8 (Spark decodes them to U+FFFD; DuckDB's reader skips such
    -- lines, see the post-hook bronze_quarantine_reader_rejects)
    files_with_invalid_text as (
        select distinct _file_path
        from {{ raw_rows }}
        where {{ bronze_is_not_utf8(fields) }}
    ),

    -- the data rows each file holds, by a count that does not trust the reader
    counted_files as (
        {{ bronze_counted_data_rows(files_to_check, raw_rows, fields, paths) }}
    ),

    first_malformed_numbers as (
        select
            file_path,
            min(malformed_row_number) as malformed_row_number
        from {{ malformed_rows }}
        group by file_path
    ),

    first_malformed_rows as (
        select malformed_rows.*
        from {{ malformed_rows }} as malformed_rows
        inner join first_malformed_numbers
            on
                malformed_rows.file_path = first_malformed_numbers.file_path
                and malformed_rows.malformed_row_number = first_malformed_numbers.malformed_row_number
    )

    select
        files_to_check.file_path,
        files_to_check.source_file,
        files_to_check.ingest_date,
        counted_files.data_rows,
        headers._header_scan_position,
        {%- for name in names %}
        headers.position_of_{{ name }},
        {%- endfor %}
        case
            when files_to_check.unread_reason is not null
                then files_to_check.unread_reason
            when files_with_invalid_text._file_path is not null
                then 'file is not valid UTF-8 text'
            when headers._file_path is null and counted_files.data_rows is not null
                then 'file could not be read: it vanished or was replaced after it was listed'
            when headers._file_path is null
                then 'file is empty: no header row'
            when headers.missing_columns != ''
                or headers.unknown_columns != ''
                or headers.repeated_columns != ''
                then 'header does not name the {{ names | length }} declared columns exactly once:'
                || case when headers.missing_columns != '' then ' missing ' || headers.missing_columns else '' end
                || case when headers.unknown_columns != '' then ' unknown ' || headers.unknown_columns else '' end
                || case when headers.repeated_columns != '' then ' repeated ' || headers.repeated_columns else '' end
            when malformed_headers.malformed_reason is not null
                then 'header row is not well-formed CSV: ' || malformed_headers.malformed_reason
            when headers._file_row_count - 1 != counted_files.data_rows
                then 'the CSV reader split the file into '
                || cast(headers._file_row_count - 1 as {{ dbt.type_string() }})
                || ' data rows where it holds '
                || cast(counted_files.data_rows as {{ dbt.type_string() }})
                || ' (counted without the reader)'
                || coalesce(
                    '; row ' || cast(first_malformed_rows.malformed_row_number as {{ dbt.type_string() }})
                    || ': ' || first_malformed_rows.malformed_reason,
                    ''
                )
                || ': the file is quarantined whole'
        end as file_reject_reason
    from {{ files_to_check }} as files_to_check
    left join {{ headers }} as headers
        on files_to_check.file_path = headers._file_path
    left join files_with_invalid_text
        on files_to_check.file_path = files_with_invalid_text._file_path
    left join counted_files
        on files_to_check.file_path = counted_files.file_path
    left join {{ malformed_rows }} as malformed_headers
        on
            files_to_check.file_path = malformed_headers.file_path
            and malformed_headers.malformed_row_number = 0
    left join first_malformed_rows
        on files_to_check.file_path = first_malformed_rows.file_path
{% endmacro %}
