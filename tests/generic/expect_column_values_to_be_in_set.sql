{% test expect_column_values_to_be_in_set(model, column_name, value_set, row_condition=none) %}
{#- Fails for every row (matching row_condition) whose value is not one of value_set (strings);
    nulls pass. -#}
with

checked_rows as (
    select {{ column_name }} as column_value
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ column_name }} not in ({{ bronze_sql_list(value_set) }})
        {% if row_condition %}
            and {{ row_condition }}
        {% endif %}
),

final as (
    select * from checked_rows
)

select * from final
{% endtest %}
