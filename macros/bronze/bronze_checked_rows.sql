{#- The body of bronze_<entity>_checked: every row of the files of one raw entity that the file
    ledger (bronze_files) lists for loading and this table does not hold yet, each raw file read
    once, in seven named steps (one macro each). The header row of each file decides which field
    is which column (by name); every declared column is typed and checked against its value
    rules (_bronze__sources.yml) and the table's row_rules; a value that breaks a rule is kept
    as raw text in _raw_values, never as a coerced value. _reject_reason is null for a good row,
    otherwise every reason the row cannot enter bronze. A file is rejected whole when it cannot
    be read as its declared columns (bronze_file_checks), each of its data rows with the file's
    reason. Every file checked has one row numbered 0, its record: the file's reason (null when
    its rows were checked one by one) and _file_data_rows, the data rows the file holds. -#}
{% macro bronze_checked_rows(entity) %}
    {%- set files = bronze_files_to_check(entity) -%}
    {%- set files_to_read = files | selectattr('is_readable') | map(attribute='file_path') | list %}

with

-- 1. the files to check, with what the ledger counted when it listed them
files_to_check as (
    {{ bronze_checked_files(entity, files | map(attribute='file_path') | list) }}
),

-- 2. their rows as the CSV reader gives them (fields by position, as text), read once, in
-- scan order
raw_rows as (
    select
        *,
        {{ raw_scan_position() }} as _scan_position
    from {{ raw_file_rows(source('raw', entity)) }}
    where _file_path in ({{ bronze_sql_list(files_to_read) }})
),

-- the rows that are not well-formed CSV, found when the file was listed
malformed_rows as (
    {{ bronze_malformed_rows('files_to_check') }}
),

-- 3. each file's header: where each declared column is, what it misses, adds or repeats
headers as (
    {{ bronze_header_checks(entity, 'raw_rows') }}
),

-- 4. each file's verdict: its data rows counted without the reader, why it is rejected whole
file_checks as (
    {{ bronze_file_checks(entity, 'files_to_check', 'raw_rows', 'headers', 'malformed_rows', files_to_read) }}
),

-- 5. each data row's columns, by the names of its file's header
mapped_rows as (
    {{ bronze_mapped_rows(entity, 'raw_rows', 'file_checks', 'malformed_rows') }}
),

-- 6. typed and checked against the value rules
checked_rows as (
    {{ bronze_row_checks(entity, 'mapped_rows') }}
),

-- 7. the rows (raw text kept for the quarantine) and each file's record
final as (
    {{ bronze_checked_output(entity, 'checked_rows', 'file_checks') }}
)

select * from final
{% endmacro %}
