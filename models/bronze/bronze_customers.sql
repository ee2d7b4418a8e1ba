-- The customers rows that passed every check (a view: the rows are stored once, in
-- bronze_customers_checked).

with

checked_customers as (
    select * from {{ ref('bronze_customers_checked') }}
),

final as (
    select {{ bronze_columns('customers') }}
    from checked_customers
    where _reject_reason is null and _source_row_number > 0
)

select * from final
