-- Warns with the inferred members still waiting for their delivered row: customers and products
-- that orders reference, brands and categories that products reference, before their own row
-- arrived (late-arriving dimension members). Gold counts them meanwhile under the inferred
-- member; the delivered row replaces it in the run that reads it.
{{ config(severity='warn') }}

with

dim_customers as (
    select * from {{ ref('dim_customers') }}
),

dim_products as (
    select * from {{ ref('dim_products') }}
),

dim_brands as (
    select * from {{ ref('dim_brands') }}
),

dim_categories as (
    select * from {{ ref('dim_categories') }}
),

waiting_members as (
    select
        'customer' as member_type,
        customer_id as member_id,
        _source_file as first_referenced_in,
        _merged_at as inferred_at
    from dim_customers
    where is_inferred
    union all
    select
        'product' as member_type,
        product_id as member_id,
        _source_file as first_referenced_in,
        _merged_at as inferred_at
    from dim_products
    where is_inferred
    union all
    select
        'brand' as member_type,
        brand_id as member_id,
        _source_file as first_referenced_in,
        _merged_at as inferred_at
    from dim_brands
    where is_inferred
    union all
    select
        'category' as member_type,
        category_id as member_id,
        _source_file as first_referenced_in,
        _merged_at as inferred_at
    from dim_categories
    where is_inferred
),

final as (
    select * from waiting_members
)

select * from final
