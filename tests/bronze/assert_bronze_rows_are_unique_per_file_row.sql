-- Exactly once per file: no (file, row number) is loaded twice, in bronze or in quarantine.

with

bronze_brands as (
    select * from {{ ref('bronze_brands') }}
),

bronze_categories as (
    select * from {{ ref('bronze_categories') }}
),

bronze_products as (
    select * from {{ ref('bronze_products') }}
),

bronze_customers as (
    select * from {{ ref('bronze_customers') }}
),

bronze_orders as (
    select * from {{ ref('bronze_orders') }}
),

bronze_quarantine as (
    select * from {{ ref('bronze_quarantine') }}
),

loaded_rows as (
    select
        _source_file,
        _source_row_number
    from bronze_brands
    union all
    select
        _source_file,
        _source_row_number
    from bronze_categories
    union all
    select
        _source_file,
        _source_row_number
    from bronze_products
    union all
    select
        _source_file,
        _source_row_number
    from bronze_customers
    union all
    select
        _source_file,
        _source_row_number
    from bronze_orders
    union all
    select
        _source_file,
        _source_row_number
    from bronze_quarantine
),

final as (
    select
        _source_file,
        _source_row_number,
        count(*) as times_loaded
    from loaded_rows
    group by _source_file, _source_row_number
    having count(*) > 1
)

select * from final
