{#- The quarantine reason of one declared column of a checked row, or null: '<column> is
    missing' when a required value is empty, '<column> is not <rule>' when the raw text does not
    match the column's pattern whole, does not cast to its type, lies outside [min, max] or is
    not one of accepted_values. Expects the typed value as <column> and the raw text as
    _raw_<column> (typed_rows of bronze_checked_rows). -#}
{% macro bronze_value_rule_violation(column) -%}
    {%- set raw = '_raw_' ~ column.name -%}
    {%- set typed = column.name -%}
    {%- set invalid = [typed ~ ' is null'] -%}
    {%- if column.pattern -%}
        {%- do invalid.append('not ' ~ regexp_full_match(raw, column.pattern)) -%}
    {%- endif -%}
    {%- if column.min is not none -%}
        {%- do invalid.append(typed ~ ' < cast(' ~ sql_string_literal(column.min) ~ ' as ' ~ column.data_type ~ ')') -%}
    {%- endif -%}
    {%- if column.max is not none -%}
        {%- do invalid.append(typed ~ ' > cast(' ~ sql_string_literal(column.max) ~ ' as ' ~ column.data_type ~ ')') -%}
    {%- endif -%}
    {%- if column.accepted_values -%}
        {%- do invalid.append(typed ~ ' not in (' ~ bronze_sql_list(column.accepted_values) ~ ')') -%}
    {%- endif -%}
    case
        {%- if column.required %}
        when {{ raw }} is null then '{{ column.name }} is missing'
        {%- endif %}
        when {{ raw }} is not null and ({{ invalid | join(' or ') }})
            then {{ sql_string_literal(column.name ~ ' is not ' ~ column.rule) }}
    end
{%- endmacro %}
