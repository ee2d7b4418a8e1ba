{#- The data rows each file of `files_relation` holds, counted without trusting the CSV reader
    that loads it: a select of file_path and data_rows (null for a file without a header row).
    `raw_rows_relation` is the reader's rows (`fields` and _file_path), `paths` the files read. -#}
{% macro bronze_counted_data_rows(files_relation, raw_rows_relation, fields, paths) %}
    {{ return(adapter.dispatch('bronze_counted_data_rows')(files_relation, raw_rows_relation, fields, paths)) }}
{% endmacro %}


{#- DuckDB: counted when the file was listed, by a CSV tokenizer that is not DuckDB's
    (raw_file_facts). -#}
{% macro duckdb__bronze_counted_data_rows(files_relation, raw_rows_relation, fields, paths) %}
    select
        file_path,
        data_rows
    from {{ files_relation }}
{% endmacro %}


{#- Spark and Databricks: every non-blank line of the file, read by the text reader (not the CSV
    reader), belongs to one row: the data rows are the non-blank lines minus the header's and
    minus the further non-blank lines that the reader's rows hold inside quoted values. A row
    the reader drops leaves its lines uncounted, so the count disagrees with the reader's. -#}
{% macro spark__bronze_counted_data_rows(files_relation, raw_rows_relation, fields, paths) %}
    {%- if paths | length == 0 %}
    select
        cast(null as string) as file_path,
        cast(null as bigint) as data_rows
    where false
    {%- else %}
    with

    file_lines as (
        {%- for path in paths %}
        select
            {{ sql_string_literal(path) }} as file_path,
            count_if(value != '') as non_blank_lines
        from {{ raw_file_lines(path) }}
        {{- '\n        union all' if not loop.last }}
        {%- endfor %}
    ),

    last_rows as (
        select
            _file_path,
            max(_scan_position) as last_scan_position
        from {{ raw_rows_relation }}
        group by _file_path
    ),

    row_texts as (
        select
            raw_rows._file_path,
            concat_ws(',', {{ fields | join(', ') }}) as row_text,
            raw_rows._scan_position = last_rows.last_scan_position as is_last_row
        from {{ raw_rows_relation }} as raw_rows
        inner join last_rows
            on raw_rows._file_path = last_rows._file_path
    ),

    -- a line break inside a value starts a further line, unless a blank line (which the text
    -- reader does not count) or the end of the file (a quote never closed runs to it) follows
    lines_inside_values as (
        select
            _file_path,
            sum(
                (length(row_text) - length(replace(row_text, '\n', '')))
                - (length(row_text) - length(regexp_replace(row_text, '\n(?=\r?\n)', '')))
                - case when is_last_row and row_text like '%\n' then 1 else 0 end
            ) as further_lines
        from row_texts
        group by _file_path
    )

    select
        file_lines.file_path,
        case
            when file_lines.non_blank_lines > 0
                then file_lines.non_blank_lines - 1 - coalesce(lines_inside_values.further_lines, 0)
        end as data_rows
    from file_lines
    left join lines_inside_values
        on file_lines.file_path = lines_inside_values._file_path
    {%- endif %}
{% endmacro %}
