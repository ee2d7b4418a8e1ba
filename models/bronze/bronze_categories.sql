-- depends_on: {{ ref('bronze_quarantine') }}
-- (runs after bronze_quarantine, which must see this model's files as of the last run)

with

checked_categories as (
    {{ bronze_checked_rows('categories', source('raw', 'categories'), [this]) }}
),

final as (
    select {{ bronze_columns('categories') }}
    from checked_categories
    where _reject_reason is null
)

select * from final
