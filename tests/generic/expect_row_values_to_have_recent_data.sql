{% test expect_row_values_to_have_recent_data(
    model,
    column_name,
    datepart,
    interval,
    row_condition=none
) %}
{#-
    Fails (one row) unless the latest non-null value of column_name (among the rows matching
    row_condition) is within `interval` `datepart`s of now: also fails when there is none.
-#}
with

latest_value as (
    select max(cast({{ column_name }} as timestamp)) as latest_at
    from {{ model }}
    where
        {{ column_name }} is not null
        {% if row_condition %}
            and {{ row_condition }}
        {% endif %}
),

final as (
    select
        latest_at,
        {{ dbt.dateadd(datepart, -1 * interval, dbt.current_timestamp()) }} as oldest_recent_at
    from latest_value
    where
        latest_at is null
        or latest_at < {{ dbt.dateadd(datepart, -1 * interval, dbt.current_timestamp()) }}
)

select * from final
{% endtest %}
