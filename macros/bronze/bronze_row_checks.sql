{#- Step 6 of bronze_checked_rows: each row of `mapped_rows` typed (try_cast_value) and checked
    against its columns' value rules and the table's row_rules. A column holds its typed value
    only when it keeps every rule; _reject_reason is the file's reason when the file is
    rejected whole, else every reason the row cannot enter bronze (its CSV problem first, then
    its shape, its columns and the row rules), null for a good row. The text of each column and
    the fields by position stay for the quarantine. -#}
{% macro bronze_row_checks(entity, mapped_rows) %}
    {%- set columns = raw_source_columns(entity) -%}
    {%- set names = columns | map(attribute='name') | list -%}
    {%- set fields = bronze_raw_fields(entity) -%}
    {%- set row_rules = raw_source_node(entity).meta.get('row_rules', []) if execute else [] %}
    with

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
        from {{ mapped_rows }}
    ),

    value_checks as (
        select
            *,
            {%- for column in columns %}
            {{ bronze_value_rule_violation(column) }} as _violation_{{ column.name }},
            {%- endfor %}
            {%- for row_rule in row_rules %}
            case when not ({{ row_rule.condition }}) then {{ sql_string_literal(row_rule.reason) }} end as _violation_row_rule_{{ loop.index }},
            {%- endfor %}
            case when is_ragged then 'wrong number of fields (expected {{ names | length }})' end as _violation_shape
        from typed_rows
    )

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
                {%- for row_rule in row_rules %}
                _violation_row_rule_{{ loop.index }},
                {%- endfor %}
                cast(null as {{ dbt.type_string() }})
            ), '')
        ) as _reject_reason
    from value_checks
{% endmacro %}
