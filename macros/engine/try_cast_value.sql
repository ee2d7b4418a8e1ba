{#- try_cast of a raw string to a declared type: null when it does not cast. Timestamps are
    UTC: an explicit offset ('Z', '+02:00') is honoured and the result is the UTC wall time. -#}
{% macro try_cast_value(expression, data_type) %}
    {{ return(adapter.dispatch('try_cast_value')(expression, data_type)) }}
{% endmacro %}


{#- DuckDB's cast to timestamp ignores an offset: a value with an offset after its time goes
    through timestamptz and is converted to UTC; one without (a date alone included) is taken
    as UTC as it is (never through the session time zone). -#}
{% macro duckdb__try_cast_value(expression, data_type) -%}
    {%- if data_type == 'timestamp' -%}
        case
            when regexp_matches({{ expression }}, '[T ][0-9:.]+(Z|[+-][0-9]{2}(:?[0-9]{2})?)$')
                then try_cast({{ expression }} as timestamptz) at time zone 'UTC'
            else try_cast({{ expression }} as timestamp)
        end
    {%- else -%}
        try_cast({{ expression }} as {{ data_type }})
    {%- endif -%}
{%- endmacro %}


{#- Spark applies the offset and returns the time in the session time zone (UTC in every
    profile of this project). -#}
{% macro spark__try_cast_value(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
