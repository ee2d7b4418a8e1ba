{{ config(
    materialized=merge_materialization(),
    incremental_strategy='merge',
    unique_key='product_id',
) }}

-- incremental runs also read the brand and category versions of the run:
-- depends_on: {{ ref('bronze_brands') }}, {{ ref('bronze_categories') }}

with

bronze_products as (
    select * from {{ ref('bronze_products') }}
    -- only rows ingested since the newest bronze batch this table has already seen
    {{ ingested_since_last_merge(ref('bronze_products')) }}
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

-- the merge filter: only versions that rank above the merged one (or of a new product)
winning_versions as (
    {{ newer_than_merged('latest_versions', 'product_id') }}
),

{%- if is_incremental() %}

-- brands and categories with a version ingested since the newest products batch this table has seen
changed_brands as (
    select brand_id from {{ ref('bronze_brands') }}
    {{ ingested_since_last_merge(ref('bronze_products')) }}
),

changed_categories as (
    select category_id from {{ ref('bronze_categories') }}
    {{ ingested_since_last_merge(ref('bronze_products')) }}
),

-- merged products of a changed brand or category without a new version: refreshed names
renamed_products as (
    select merged_products.*
    from {{ this }} as merged_products
    where
        merged_products.product_id not in (select winning_versions.product_id from winning_versions)
        and (
            merged_products.brand_id in (select changed_brands.brand_id from changed_brands)
            or merged_products.category_id in (
                select changed_categories.category_id from changed_categories
            )
        )
),
{%- endif %}

changed_products as (
    select
        product_id,
        product_name,
        brand_id,
        category_id,
        unit_price,
        updated_at,
        _source_file
    from winning_versions
    {%- if is_incremental() %}
    union all
    select
        product_id,
        product_name,
        brand_id,
        category_id,
        unit_price,
        updated_at,
        _source_file
    from renamed_products
    {%- endif %}
),

final as (
    select
        changed_products.product_id,
        changed_products.product_name,
        changed_products.brand_id,
        dim_brands.brand_name,
        changed_products.category_id,
        dim_categories.category_name,
        changed_products.unit_price,
        changed_products.updated_at,
        changed_products._source_file,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _merged_at
    from changed_products
    left join dim_brands
        on changed_products.brand_id = dim_brands.brand_id
    left join dim_categories
        on changed_products.category_id = dim_categories.category_id
)

select * from final
