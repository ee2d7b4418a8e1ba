{#- The body of bronze_<entity>_checked: every row of the files of one raw entity that the file
    ledger (bronze_files) lists for loading and this table does not hold yet, each raw file read
    once. The header row of each file decides which field is which column (by name); every
    declared column is typed (try_cast_value) and checked against its value rules
    (raw_source_columns: pattern, min/max, accepted_values, required) and the table's row_rules;
    a value that breaks a rule is kept as raw text in _raw_values, never as a coerced value.
    _reject_reason is null for a good row, otherwise every reason the row cannot enter bronze;
    a row that is not well-formed CSV (raw_file_facts: text after a closing quote, a quote never
    closed) carries that reason first. A file is rejected whole (each data row with the file's
    reason) when it could not be read (it changed, vanished or became unreadable after it was
    listed), is not UTF-8 text, its header does not name the declared columns exactly once or is
    not well-formed, or the reader split it into another number of data rows than the file holds
    (bronze_counted_data_rows: a count that does not trust the reader). Every file checked has
    one row numbered 0, its record: the file's reason (null when its rows were checked one by
    one) and _file_data_rows, the data rows the file holds. -#}
{% macro bronze_checked_rows(entity) %}
    {%- set columns = raw_source_columns(entity) -%}
    {%- set names = columns | map(attribute='name') | list -%}
    {%- set declared_count = columns | length -%}
    {%- set field_count = raw_field_count(declared_count) -%}
    {%- set fields = [] -%}
    {%- for position in range(1, field_count + 1) -%}
        {%- do fields.append('field_' ~ position) -%}
    {%- endfor -%}
    {%- set text_columns = [] -%}
    {%- for name in names -%}
        {%- do text_columns.append('_text_' ~ name) -%}
    {%- endfor -%}
    {%- set files = bronze_files_to_check(entity) -%}
    {%- set files_to_read = files | selectattr('is_readable') | map(attribute='file_path') | list %}

with

ledger as (
    select * from {{ ref('bronze_files') }}
),

-- the ledger's last word on each path: a file listed as new may have changed, vanished or
-- become unreadable since
ranked_records as (
    select
        file_path,
        file_status,
        file_reason,
        row_number() over (partition by file_path order by _ingested_at desc) as recency
    from ledger
    where entity = '{{ entity }}'
),

latest_records as (
    select * from ranked_records
    where recency = 1
),

files_to_check as (
    select
        ledger.file_path,
        ledger.source_file,
        ledger.ingest_date,
        ledger.file_size,
        ledger.data_rows,
        ledger.malformed_rows,
        case
            when latest_records.file_status not in ('new', 'touched')
                then 'file could not be read: ' || latest_records.file_reason
        end as unread_reason
    from ledger
    inner join latest_records
        on ledger.file_path = latest_records.file_path
    where
        ledger.entity = '{{ entity }}'
        and ledger.file_status = 'new'
        and ledger.file_path in ({{ bronze_sql_list(files | map(attribute='file_path') | list) }})
),

raw_rows as (
    select
        *,
        {{ raw_scan_position() }} as _scan_position
    from {{ raw_file_rows(source('raw', entity)) }}
    where _file_path in ({{ bronze_sql_list(files_to_read) }})
),

-- the rows of each file that are not well-formed CSV, found when the file was listed
malformed_rows as (
    {{ bronze_malformed_rows('files_to_check') }}
),

-- the rows of a file come one after another in the scan, its header row first: a data row's
-- number in its file is its distance from the header row (no sort of the rows by file)
header_scan_positions as (
    select
        _file_path,
        min(_scan_position) as _header_scan_position,
        count(*) as _file_row_count
    from raw_rows
    group by _file_path
),

header_rows as (
    select
        raw_rows.*,
        header_scan_positions._header_scan_position,
        header_scan_positions._file_row_count
    from raw_rows
    inner join header_scan_positions
        on
            raw_rows._file_path = header_scan_positions._file_path
            and raw_rows._scan_position = header_scan_positions._header_scan_position
),

-- a file with bytes that are not UTF-8 is rejected whole (Spark decodes them to U+FFFD;
-- DuckDB's reader skips such lines, see the post-hook bronze_quarantine_reader_rejects)
files_with_invalid_text as (
    select distinct _file_path
    from raw_rows
    where {{ bronze_is_not_utf8(fields) }}
),

first_malformed_numbers as (
    select
        file_path,
        min(malformed_row_number) as malformed_row_number
    from malformed_rows
    group by file_path
),

first_malformed_rows as (
    select malformed_rows.*
    from malformed_rows
    inner join first_malformed_numbers
        on
            malformed_rows.file_path = first_malformed_numbers.file_path
            and malformed_rows.malformed_row_number = first_malformed_numbers.malformed_row_number
),

-- the data rows each file holds, by a count that does not trust the reader
counted_files as (
    {{ bronze_counted_data_rows('files_to_check', 'raw_rows', fields, files_to_read) }}
),

header_positions as (
    select
        _file_path,
        _header_scan_position,
        _file_row_count,
        {%- for field in fields %}
        {{ field }} as header_{{ loop.index }},
        {%- endfor %}
        {%- for name in names %}
        case
            {%- for field in fields %}
            when {{ field }} = '{{ name }}' then {{ loop.index }}
            {%- endfor %}
        end as position_of_{{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from header_rows
),

header_problems as (
    select
        *,
        concat_ws(', ',
            {%- for name in names %}
            case when position_of_{{ name }} is null then '{{ name }}' end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as missing_columns,
        concat_ws(', ',
            {%- for position in range(1, field_count + 1) %}
            case when header_{{ position }} not in ({{ bronze_sql_list(names) }}) then header_{{ position }} end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as unknown_columns,
        concat_ws(', ',
            {%- for position in range(1, field_count) %}
            case when header_{{ position }} in ({% for later in range(position + 1, field_count + 1) %}header_{{ later }}{{ ', ' if not loop.last }}{% endfor %}) then header_{{ position }} end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as repeated_columns
    from header_positions
),

file_checks as (
    select
        files_to_check.file_path,
        files_to_check.source_file,
        files_to_check.ingest_date,
        counted_files.data_rows,
        header_problems._file_path is not null as has_header,
        header_problems._header_scan_position,
        header_problems._file_row_count,
        {%- for name in names %}
        header_problems.position_of_{{ name }},
        {%- endfor %}
        case
            when files_to_check.unread_reason is not null
                then files_to_check.unread_reason
            when files_with_invalid_text._file_path is not null
                then 'file is not valid UTF-8 text'
            when header_problems._file_path is null and counted_files.data_rows is not null
                then 'file could not be read: it vanished or was replaced after it was listed'
            when header_problems._file_path is null
                then 'file is empty: no header row'
            when header_problems.missing_columns != ''
                or header_problems.unknown_columns != ''
                or header_problems.repeated_columns != ''
                then 'header does not name the {{ declared_count }} declared columns exactly once:'
                || case when header_problems.missing_columns != '' then ' missing ' || header_problems.missing_columns else '' end
                || case when header_problems.unknown_columns != '' then ' unknown ' || header_problems.unknown_columns else '' end
                || case when header_problems.repeated_columns != '' then ' repeated ' || header_problems.repeated_columns else '' end
            when malformed_headers.malformed_reason is not null
                then 'header row is not well-formed CSV: ' || malformed_headers.malformed_reason
            when header_problems._file_row_count - 1 != counted_files.data_rows
                then 'the CSV reader split the file into '
                || cast(header_problems._file_row_count - 1 as {{ dbt.type_string() }})
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
    from files_to_check
    left join header_problems
        on files_to_check.file_path = header_problems._file_path
    left join files_with_invalid_text
        on files_to_check.file_path = files_with_invalid_text._file_path
    left join counted_files
        on files_to_check.file_path = counted_files.file_path
    left join malformed_rows as malformed_headers
        on
            files_to_check.file_path = malformed_headers.file_path
            and malformed_headers.malformed_row_number = 0
    left join first_malformed_rows
        on files_to_check.file_path = first_malformed_rows.file_path
),

-- data rows, each declared column taken from the field its name has in the file's header
data_rows as (
    select
        raw_rows._file_path,
        file_checks.source_file as _source_file,
        file_checks.ingest_date as _ingest_date,
        file_checks.file_reject_reason,
        raw_rows._scan_position - file_checks._header_scan_position as _source_row_number,
        {%- for name in names %}
        case
            {%- for position in range(1, declared_count + 1) %}
            when file_checks.position_of_{{ name }} = {{ position }} then raw_rows.field_{{ position }}
            {%- endfor %}
        end as _text_{{ name }},
        {%- endfor %}
        {%- for field in fields %}
        raw_rows.{{ field }},
        {%- endfor %}
        raw_rows.field_{{ declared_count }} is null
        or raw_rows.field_{{ declared_count + 1 }} is not null as is_ragged
    from raw_rows
    inner join file_checks
        on raw_rows._file_path = file_checks.file_path
    where raw_rows._scan_position > file_checks._header_scan_position
),

quoted_rows as (
    select
        data_rows.*,
        malformed_rows.malformed_reason
    from data_rows
    left join malformed_rows
        on
            data_rows._file_path = malformed_rows.file_path
            and data_rows._source_row_number = malformed_rows.malformed_row_number
),

typed_rows as (
    select
        _source_file,
        _ingest_date,
        _source_row_number,
        file_reject_reason,
        malformed_reason,
        is_ragged,
        {%- for name in names %}
        _text_{{ name }},
        {%- endfor %}
        {%- for field in fields %}
        {{ field }},
        {%- endfor %}
        {%- for column in columns %}
        {%- set raw_value = 'nullif(_text_' ~ column.name ~ ", '')" %}
        {%- if column.data_type == 'string' %}
        {{ raw_value }} as {{ column.name }},
        {%- else %}
        {{ try_cast_value(raw_value, column.data_type) }} as {{ column.name }},
        {%- endif %}
        {{ raw_value }} as _raw_{{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from quoted_rows
),

value_checks as (
    select
        *,
        {%- for column in columns %}
        {{ bronze_value_rule_violation(column) }} as _violation_{{ column.name }},
        {%- endfor %}
        {%- for row_rule in (raw_source_node(entity).meta.get('row_rules', []) if execute else []) %}
        case when not ({{ row_rule.condition }}) then {{ sql_string_literal(row_rule.reason) }} end as _violation_row_rule_{{ loop.index }},
        {%- endfor %}
        case when is_ragged then 'wrong number of fields (expected {{ declared_count }})' end as _violation_shape
    from typed_rows
),

checked_rows as (
    select
        {%- for name in names %}
        case when _violation_{{ name }} is null then {{ name }} end as {{ name }},
        {%- endfor %}
        _source_file,
        _source_row_number,
        _ingest_date,
        file_reject_reason,
        {%- for name in names %}
        _text_{{ name }},
        {%- endfor %}
        {%- for field in fields %}
        {{ field }},
        {%- endfor %}
        coalesce(
            file_reject_reason,
            nullif(concat_ws('; ',
                malformed_reason,
                _violation_shape,
                {%- for name in names %}
                _violation_{{ name }},
                {%- endfor %}
                {%- for row_rule in (raw_source_node(entity).meta.get('row_rules', []) if execute else []) %}
                _violation_row_rule_{{ loop.index }},
                {%- endfor %}
                cast(null as {{ dbt.type_string() }})
            ), '')
        ) as _reject_reason
    from value_checks
),

-- the raw text of a row that cannot enter bronze, for the quarantine: keyed by the declared
-- column names, or by field position when the file's header could not be mapped
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
    from checked_rows
),

-- the record of each file checked (row 0): its reason when it is rejected whole, and the data
-- rows it holds
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
    from file_checks
),

all_rows as (
    select * from reported_rows
    union all
    select * from file_records
),

final as (
    select
        {%- for name in names %}
        {{ name }},
        {%- endfor %}
        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        _ingest_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as _ingested_at,
        _raw_values,
        _reject_reason,
        _file_data_rows
    from all_rows
)

select * from final
{% endmacro %}
