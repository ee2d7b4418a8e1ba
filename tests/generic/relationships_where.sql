{% test relationships_where(model, column_name, to, field, from_condition=none) %}
{#- Like dbt's relationships (and dbt-utils' relationships_where): fails for every row of the
    model (matching from_condition) whose non-null value of column_name is not a value of
    `field` in `to`. -#}
with

child_rows as (
    select {{ column_name }} as child_key
    from {{ model }}
    where
        {{ column_name }} is not null
        {% if from_condition %}
            and {{ from_condition }}
        {% endif %}
),

parent_rows as (
    select {{ field }} as parent_key
    from {{ to }}
),

final as (
    select child_rows.child_key
    from child_rows
    left join parent_rows
        on child_rows.child_key = parent_rows.parent_key
    where parent_rows.parent_key is null
)

select * from final
{% endtest %}
