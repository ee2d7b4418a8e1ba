{% test expect_column_values_to_be_between(
    model,
    column_name,
    min_value=none,
    max_value=none,
    strictly=false,
    row_condition=none
) %}
{#- Fails for every row (matching row_condition) whose value lies outside the bounds; nulls pass. -#}
{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error(
        "expect_column_values_to_be_between needs min_value, max_value or both"
    ) }}
{%- endif -%}
{%- set lower_operator = '>' if strictly else '>=' -%}
{%- set upper_operator = '<' if strictly else '<=' -%}
with

checked_rows as (
    select
        {{ column_name }} as column_value,
        (
            1 = 1
            {% if min_value is not none %}
                and {{ column_name }} {{ lower_operator }} {{ min_value }}
            {% endif %}
            {% if max_value is not none %}
                and {{ column_name }} {{ upper_operator }} {{ max_value }}
            {% endif %}
        ) as is_within_bounds
    from {{ model }}
    {% if row_condition %}
        where {{ row_condition }}
    {% endif %}
),

final as (
    select * from checked_rows
    where not is_within_bounds
)

select * from final
{% endtest %}
