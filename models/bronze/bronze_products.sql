-- The products rows that passed every check (a view: the rows are stored once, in
-- bronze_products_checked).

with

checked_products as (
    select * from {{ ref('bronze_products_checked') }}
),

final as (
    select {{ bronze_columns('products') }}
    from checked_products
    where _reject_reason is null and _source_row_number > 0
)

select * from final
