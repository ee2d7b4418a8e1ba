with

bronze_brands as (
    select * from {{ ref('bronze_brands') }}
),

latest_versions as (
    {{ current_version('bronze_brands', 'brand_id') }}
),

final as (
    select
        brand_id,
        brand_name,
        updated_at
    from latest_versions
)

select * from final
