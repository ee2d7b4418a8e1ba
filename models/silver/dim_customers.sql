with

bronze_customers as (
    select * from {{ ref('bronze_customers') }}
),

latest_versions as (
    {{ current_version('bronze_customers', 'customer_id') }}
),

final as (
    select
        customer_id,
        first_name,
        last_name,
        email,
        gender,
        country,
        city,
        signup_date,
        updated_at
    from latest_versions
)

select * from final
