{% test expect_column_pair_values_A_to_be_greater_than_B(
    model,
    column_A,
    column_B,
    or_equal=false,
    row_condition=none
) %}
{#- Fails for every row (matching row_condition) where column_A is not > (or >=) column_B. -#}
{%- set operator = '>=' if or_equal else '>' -%}
with

checked_rows as (
    select
        {{ column_A }} as column_a_value,
        {{ column_B }} as column_b_value,
        ({{ column_A }} {{ operator }} {{ column_B }}) as is_greater
    from {{ model }}
    {% if row_condition %}
        where {{ row_condition }}
    {% endif %}
),

final as (
    select * from checked_rows
    where not is_greater
)

select * from final
{% endtest %}
