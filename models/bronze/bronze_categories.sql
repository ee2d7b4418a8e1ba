-- The categories rows that passed every check (a view: the rows are stored once, in
-- bronze_categories_checked).

with

checked_categories as (
    select * from {{ ref('bronze_categories_checked') }}
),

final as (
    select {{ bronze_columns('categories') }}
    from checked_categories
    where _reject_reason is null and _source_row_number > 0
)

select * from final
