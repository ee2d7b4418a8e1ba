-- order_amount, order_date and is_cancelled follow from the other columns: in a build, on the
-- rows the run merged; in `dbt test` (make verify), on every row (macro in_this_run).

with

merged_in_this_run as (
    select * from {{ ref('fact_orders') }}
    where {{ in_this_run('_merged_at') }}
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
    from merged_in_this_run
    where
        order_amount != quantity * unit_price
        or order_date != cast(ordered_at as date)
        or is_cancelled != (status = 'Cancelled')
)

select * from final
