with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

order_date_range as (
    select
        min(order_date) as first_day,
        max(order_date) as last_day
    from fact_orders
),

calendar_days as (
    select {{ generate_days('first_day', 'last_day') }} as calendar_day
    from order_date_range
    where first_day is not null
),

calendar_dates as (
    select cast(calendar_day as date) as date_day
    from calendar_days
),

final as (
    select
        date_day,
        cast(extract(year from date_day) as integer) as year,  -- noqa: RF04
        cast(extract(quarter from date_day) as integer) as quarter,  -- noqa: RF04
        cast(extract(month from date_day) as integer) as month,  -- noqa: RF04
        cast(extract(day from date_day) as integer) as day_of_month,
        cast({{ iso_day_of_week('date_day') }} as integer) as day_of_week,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend
    from calendar_dates
)

select * from final
