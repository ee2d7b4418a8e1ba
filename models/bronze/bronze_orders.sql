-- depends_on: {{ ref('bronze_quarantine') }}
-- (runs after bronze_quarantine, which must see this model's files as of the last run)

with

checked_orders as (
    {{ bronze_checked_rows('orders', source('raw', 'orders'), [this]) }}
),

final as (
    select {{ bronze_columns('orders') }}
    from checked_orders
    where _reject_reason is null
)

select * from final
