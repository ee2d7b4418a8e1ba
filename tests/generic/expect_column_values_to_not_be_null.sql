{% test expect_column_values_to_not_be_null(model, column_name, row_condition=none) %}
{#- Fails for every row (matching row_condition) whose value is null. -#}
with

checked_rows as (
    select {{ column_name }} as column_value
    from {{ model }}
    where
        {{ column_name }} is null
        {% if row_condition %}
            and {{ row_condition }}
        {% endif %}
),

final as (
    select * from checked_rows
)

select * from final
{% endtest %}
