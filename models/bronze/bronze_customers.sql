-- depends_on: {{ ref('bronze_quarantine') }}
-- (runs after bronze_quarantine, which must see this model's files as of the last run)

with

checked_customers as (
    {{ bronze_checked_rows('customers', source('raw', 'customers'), [this]) }}
),

final as (
    select {{ bronze_columns('customers') }}
    from checked_customers
    where _reject_reason is null
)

select * from final
