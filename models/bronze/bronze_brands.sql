-- depends_on: {{ ref('bronze_quarantine') }}
-- (runs after bronze_quarantine, which must see this model's files as of the last run)

with

checked_brands as (
    {{ bronze_checked_rows('brands', source('raw', 'brands'), [this]) }}
),

final as (
    select {{ bronze_columns('brands') }}
    from checked_brands
    where _reject_reason is null
)

select * from final
