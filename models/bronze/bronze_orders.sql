-- The orders rows that passed every check (a view: the rows are stored once, in
-- bronze_orders_checked).

with

checked_orders as (
    select * from {{ ref('bronze_orders_checked') }}
),

final as (
    select {{ bronze_columns('orders') }}
    from checked_orders
    where _reject_reason is null and _source_row_number > 0
)

select * from final
