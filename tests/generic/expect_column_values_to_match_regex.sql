{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none) %}
{#-
    Fails for every row (matching row_condition) whose value does not match the regular
    expression `regex` (found anywhere in the value; anchor it with ^...$); nulls pass.
-#}
with

checked_rows as (
    select
        {{ column_name }} as column_value,
        {{ regexp_matches(column_name, regex) }} as is_match
    from {{ model }}
    where
        {{ column_name }} is not null
        {% if row_condition %}
            and {{ row_condition }}
        {% endif %}
),

final as (
    select * from checked_rows
    where not is_match
)

select * from final
{% endtest %}
