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
    from {{ source('raw', entity) }}
    where _file_path in ({{ bronze_sql_list(files) }})
),

numbered_rows as (
    select
        *,
        row_number() over (partition by _file_path order by _scan_position) as _file_row_number
    from raw_rows
),

-- a file with bytes that are not UTF-8 is rejected whole (Spark decodes them to U+FFFD;
-- DuckDB's reader skips such lines, see the post-hook bronze_quarantine_unreadable_files)
files_with_invalid_text as (
    select distinct _file_path
    from numbered_rows
    where {% for field in fields %}{{ bronze_is_not_utf8(field) }}{{ ' or ' if not loop.last }}{% endfor %}
),

header_positions as (
    select
        _file_path,
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
    from numbered_rows
    where _file_row_number = 1
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
        numbered_rows._file_row_number - 1 as _source_row_number,
        {%- for name in names %}
        case
            {%- for position in range(1, declared_count + 1) %}
            when file_checks.position_of_{{ name }} = {{ position }} then numbered_rows.field_{{ position }}
            {%- endfor %}
        end as {{ adapter.quote(name) }},
        {%- endfor %}
        {%- for field in fields %}
        numbered_rows.{{ field }},
        {%- endfor %}
        numbered_rows.field_{{ declared_count }} is null
        or numbered_rows.field_{{ declared_count + 1 }} is not null as is_ragged
    from numbered_rows
    inner join file_checks
        on numbered_rows._file_path = file_checks.file_path
    where numbered_rows._file_row_number > 1
),

typed_rows as (
    select
        _source_file,
        _ingest_date,
        _source_row_number,
        file_reject_reason,
        is_ragged,
        {%- for column in columns %}
        {%- set raw_value = 'nullif(' ~ adapter.quote(column.name) ~ ", '')" %}
        {%- if column.data_type == 'string' %}
        {{ raw_value }} as {{ column.name }},
        {%- else %}
        {{ try_cast_value(raw_value, column.data_type) }} as {{ column.name }},
        {%- endif %}
        {{ raw_value }} as _raw_{{ column.name }},
        {%- endfor %}
        case
            when file_reject_reason is null
                then {{ raw_values_json(names, names) }}
            else {{ raw_values_json(fields, fields) }}
        end as _raw_values
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
        _raw_values,
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

files_with_rows as (
    select distinct _source_file from data_rows
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
    left join files_with_rows
        on file_checks.source_file = files_with_rows._source_file
    where files_with_rows._source_file is null
),

all_rows as (
    select * from checked_rows
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
