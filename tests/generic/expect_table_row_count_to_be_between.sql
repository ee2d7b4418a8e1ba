{% test expect_table_row_count_to_be_between(
    model,
    min_value=none,
    max_value=none,
    strictly=false,
    row_condition=none
) %}
{#- Fails (one row) when the number of rows (matching row_condition) lies outside the bounds. -#}
{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error(
        "expect_table_row_count_to_be_between needs min_value, max_value or both"
    ) }}
{%- endif -%}
{%- set lower_operator = '>' if strictly else '>=' -%}
{%- set upper_operator = '<' if strictly else '<=' -%}
with

row_count as (
    select count(*) as row_count
    from {{ model }}
    {% if row_condition %}
        where {{ row_condition }}
    {% endif %}
),

final as (
    select * from row_count
    where not (
        1 = 1
        {% if min_value is not none %}
            and row_count {{ lower_operator }} {{ min_value }}
        {% endif %}
        {% if max_value is not none %}
            and row_count {{ upper_operator }} {{ max_value }}
        {% endif %}
    )
)

select * from final
{% endtest %}
