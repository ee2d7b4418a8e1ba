-- The brands rows that passed every check (a view: the rows are stored once, in
-- bronze_brands_checked).

with

checked_brands as (
    select * from {{ ref('bronze_brands_checked') }}
),

final as (
    select {{ bronze_columns('brands') }}
    from checked_brands
    where _reject_reason is null and _source_row_number > 0
)

select * from final
