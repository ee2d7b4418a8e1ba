{#- try_cast of a raw string to a declared type: null when it does not cast. Timestamps are
    UTC: an explicit offset ('Z', '+02:00') is honoured and the result is the UTC wall time. -#}
{% macro try_cast_value(expression, data_type) %}
    {{ return(adapter.dispatch('try_cast_value')(expression, data_type)) }}
{% endmacro %}


{#- DuckDB's cast to timestamp ignores an offset: a value with a +/- offset after its time goes
    through timestamptz and is converted to UTC; one without (a date alone included) or with Z
    is taken as UTC as it is (never through the session time zone). The cheap test for a sign
    after the date spares most values the regular expression and the time zone conversion. -#}
{% macro duckdb__try_cast_value(expression, data_type) -%}
    {%- if data_type == 'timestamp' -%}
        case
            when
                (contains(substr({{ expression }}, 11), '+') or contains(substr({{ expression }}, 11), '-'))
                and regexp_matches({{ expression }}, '[T ][0-9:.]+[+-][0-9]{2}(:?[0-9]{2})?$')
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
