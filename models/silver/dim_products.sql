{{ config(
    incremental_strategy=merge_on_key_strategy(),
    unique_key='product_id',
) }}

with

bronze_products as (
    select * from {{ ref('bronze_products') }}
    -- only rows ingested after the last run that merged into this table
    {{ silver_rows_since_last_merge() }}
),

bronze_orders as (
    select * from {{ ref('bronze_orders') }}
    {{ silver_rows_since_last_merge() }}
),

dim_brands as (
    select * from {{ ref('dim_brands') }}
),

dim_categories as (
    select * from {{ ref('dim_categories') }}
),

latest_versions as (
    {{ silver_current_version('bronze_products', 'product_id') }}
),

-- products the new orders reference before their row was delivered
inferred_keys as (
    {{ silver_inferred_member_keys('bronze_orders', 'product_id', 'latest_versions') }}
),

candidate_versions as (
    select
        product_id,
        product_name,
        brand_id,
        category_id,
        unit_price,
        updated_at,
        _source_file,
        false as is_inferred
    from latest_versions
    union all
    -- an inferred member: the unknown brand and category (-1), no list price; its updated_at
    -- (1900-01-01) ranks below every delivered version
    select
        product_id,
        concat('Unknown product ', cast(product_id as {{ dbt.type_string() }})) as product_name,
        cast(-1 as bigint) as brand_id,
        cast(-1 as bigint) as category_id,
        cast(null as decimal(18, 2)) as unit_price,
        cast('1900-01-01 00:00:00' as timestamp) as updated_at,
        _source_file,
        true as is_inferred
    from inferred_keys
),

-- the merge filter: new keys, versions that rank above the merged one, delivered rows that
-- replace an inferred member
winning_versions as (
    {{ silver_newer_than_merged('candidate_versions', 'product_id', replaces_inferred=true) }}
),

{%- if is_incremental() %}

-- brands and categories whose row changed (renamed, delivered after being inferred) since the
-- last run that merged into this table
changed_brands as (
    select brand_id from dim_brands
    where _merged_at > {{ silver_last_merged_at() }}
),

changed_categories as (
    select category_id from dim_categories
    where _merged_at > {{ silver_last_merged_at() }}
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
        _source_file,
        is_inferred
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
        _source_file,
        is_inferred
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
        changed_products.is_inferred,
        {{ run_started_timestamp() }} as _merged_at
    from changed_products
    left join dim_brands
        on changed_products.brand_id = dim_brands.brand_id
    left join dim_categories
        on changed_products.category_id = dim_categories.category_id
)

select * from final
