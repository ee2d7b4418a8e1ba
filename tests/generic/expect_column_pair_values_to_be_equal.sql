{% test expect_column_pair_values_to_be_equal(
    model,
    column_A,
    column_B,
    row_condition=none
) %}
{#- Fails for every row (matching row_condition) where column_A differs from column_B. -#}
with

checked_rows as (
    select
        {{ column_A }} as column_a_value,
        {{ column_B }} as column_b_value,
        ({{ column_A }} = {{ column_B }}) as is_equal
    from {{ model }}
    {% if row_condition %}
        where {{ row_condition }}
    {% endif %}
),

final as (
    select * from checked_rows
    where not is_equal
)

select * from final
{% endtest %}
