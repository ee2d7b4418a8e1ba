with

bronze_products as (
    select * from {{ ref('bronze_products') }}
),

dim_brands as (
    select * from {{ ref('dim_brands') }}
),

dim_categories as (
    select * from {{ ref('dim_categories') }}
),

latest_versions as (
    {{ current_version('bronze_products', 'product_id') }}
),

final as (
    select
        latest_versions.product_id,
        latest_versions.product_name,
        latest_versions.brand_id,
        dim_brands.brand_name,
        latest_versions.category_id,
        dim_categories.category_name,
        latest_versions.unit_price,
        latest_versions.updated_at
    from latest_versions
    left join dim_brands
        on latest_versions.brand_id = dim_brands.brand_id
    left join dim_categories
        on latest_versions.category_id = dim_categories.category_id
)

select * from final
