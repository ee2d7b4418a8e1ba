-- order_amount, order_date and is_cancelled follow from the other columns.

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

final as (
    select
        order_id,
        quantity,
        unit_price,
        order_amount,
        status,
        is_cancelled,
        ordered_at,
        order_date
    from fact_orders
    where
        order_amount != quantity * unit_price
        or order_date != cast(ordered_at as date)
        or is_cancelled != (status = 'Cancelled')
)

select * from final
