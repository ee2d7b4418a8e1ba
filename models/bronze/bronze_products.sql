-- depends_on: {{ ref('bronze_quarantine') }}
-- (runs after bronze_quarantine, which must see this model's files as of the last run)

with

checked_products as (
    {{ bronze_checked_rows('products', source('raw', 'products'), [this]) }}
),

final as (
    select {{ bronze_columns('products') }}
    from checked_products
    where _reject_reason is null
)

select * from final
