with

bronze_categories as (
    select * from {{ ref('bronze_categories') }}
),

latest_versions as (
    {{ current_version('bronze_categories', 'category_id') }}
),

final as (
    select
        category_id,
        category_name,
        updated_at
    from latest_versions
)

select * from final
