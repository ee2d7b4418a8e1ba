-- order_amount, order_date and is_cancelled follow from the other columns, on the rows gold has
-- not taken in yet (macro unconsumed: the batch in a daily build, until gold takes it in).

with

rows_not_in_gold as (
    select * from {{ ref('fact_orders') }}
    where {{ unconsumed('_merged_at', 'orders_enriched') }}
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
    from rows_not_in_gold
    where
        order_amount != quantity * unit_price
        or order_date != cast(ordered_at as date)
        or is_cancelled != (status = 'Cancelled')
)

select * from final
