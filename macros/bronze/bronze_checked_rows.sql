{#- The body of bronze_<entity>_checked: every row of the files of one raw entity that the file
    ledger (bronze_files) lists for loading and this table does not hold yet, each raw file read
    once. The header row of each file decides which field is which column (by name); every
    declared column is typed (try_cast_value) and checked against its value rules
    (raw_source_columns: pattern, min/max, accepted_values, required) and the table's row_rules;
    a value that breaks a rule is kept as raw text in _raw_values, never as a coerced value.
    _reject_reason is null for a good row, otherwise every reason the row cannot enter bronze.
    A file is rejected whole (each data row with the file's reason) when it is not UTF-8 text or
    its header does not name the declared columns exactly once; a file without data rows gets
    one row numbered 0 (with the reason when it is empty or unreadable, none when it has a
    header only), so every file read has at least one row here. -#}
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
    {%- set files = bronze_files_to_check(entity) %}

with

files_to_check as (
    select
        file_path,
        source_file,
        ingest_date
    from {{ ref('bronze_files') }}
    where
        entity = '{{ entity }}'
        and file_status = 'new'
        and file_path in ({{ bronze_sql_list(files) }})
),

raw_rows as (
    select
        *,
        {{ raw_scan_position() }} as _scan_position
    from {{ raw_file_rows(source('raw', entity)) }}
    where _file_path in ({{ bronze_sql_list(files) }})
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
-- DuckDB's reader skips such lines, see the post-hook bronze_quarantine_unreadable_files)
files_with_invalid_text as (
    select distinct _file_path
    from raw_rows
    where {{ bronze_is_not_utf8(fields) }}
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
        header_problems._file_path is not null as has_header,
        header_problems._header_scan_position,
        header_problems._file_row_count,
        {%- for name in names %}
        header_problems.position_of_{{ name }},
        {%- endfor %}
        case
            when files_with_invalid_text._file_path is not null
                then 'file is not valid UTF-8 text'
            when header_problems._file_path is null
                then 'file is empty: no header row'
            when header_problems.missing_columns != ''
                or header_problems.unknown_columns != ''
                or header_problems.repeated_columns != ''
                then 'header does not name the {{ declared_count }} declared columns exactly once:'
                || case when header_problems.missing_columns != '' then ' missing ' || header_problems.missing_columns else '' end
                || case when header_problems.unknown_columns != '' then ' unknown ' || header_problems.unknown_columns else '' end
                || case when header_problems.repeated_columns != '' then ' repeated ' || header_problems.repeated_columns else '' end
        end as file_reject_reason
    from files_to_check
    left join header_problems
        on files_to_check.file_path = header_problems._file_path
    left join files_with_invalid_text
        on files_to_check.file_path = files_with_invalid_text._file_path
),

-- data rows, each declared column taken from the field its name has in the file's header
data_rows as (
    select
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

typed_rows as (
    select
        _source_file,
        _ingest_date,
        _source_row_number,
        file_reject_reason,
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
    from data_rows
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
        _reject_reason
    from checked_rows
),

files_without_rows as (
    select
        {%- for column in columns %}
        cast(null as {{ column.data_type }}) as {{ column.name }},
        {%- endfor %}
        file_checks.source_file as _source_file,
        0 as _source_row_number,
        file_checks.ingest_date as _ingest_date,
        cast(null as {{ dbt.type_string() }}) as _raw_values,
        file_checks.file_reject_reason as _reject_reason
    from file_checks
    where coalesce(file_checks._file_row_count, 0) <= 1
),

all_rows as (
    select * from reported_rows
    union all
    select * from files_without_rows
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
        _reject_reason
    from all_rows
)

select * from final
{% endmacro %}
