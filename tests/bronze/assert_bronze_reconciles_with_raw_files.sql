-- Nothing is dropped silently: for every raw file, the rows read from the staged raw relation
-- equal the rows loaded into bronze_<entity> plus the rows in bronze_quarantine.
-- Returns one row per file where the counts differ.

with

raw_brands as (
    select * from {{ source('raw', 'brands') }}
),

raw_categories as (
    select * from {{ source('raw', 'categories') }}
),

raw_products as (
    select * from {{ source('raw', 'products') }}
),

raw_customers as (
    select * from {{ source('raw', 'customers') }}
),

raw_orders as (
    select * from {{ source('raw', 'orders') }}
),

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

raw_file_rows as (
    select
        _source_file,
        count(*) as raw_rows
    from raw_brands
    group by _source_file
    union all
    select
        _source_file,
        count(*) as raw_rows
    from raw_categories
    group by _source_file
    union all
    select
        _source_file,
        count(*) as raw_rows
    from raw_products
    group by _source_file
    union all
    select
        _source_file,
        count(*) as raw_rows
    from raw_customers
    group by _source_file
    union all
    select
        _source_file,
        count(*) as raw_rows
    from raw_orders
    group by _source_file
),

bronze_file_rows as (
    select
        _source_file,
        count(*) as bronze_rows
    from bronze_brands
    group by _source_file
    union all
    select
        _source_file,
        count(*) as bronze_rows
    from bronze_categories
    group by _source_file
    union all
    select
        _source_file,
        count(*) as bronze_rows
    from bronze_products
    group by _source_file
    union all
    select
        _source_file,
        count(*) as bronze_rows
    from bronze_customers
    group by _source_file
    union all
    select
        _source_file,
        count(*) as bronze_rows
    from bronze_orders
    group by _source_file
),

quarantine_file_rows as (
    select
        _source_file,
        count(*) as quarantined_rows
    from bronze_quarantine
    group by _source_file
),

all_files as (
    select _source_file from raw_file_rows
    union
    select _source_file from bronze_file_rows
    union
    select _source_file from quarantine_file_rows
),

final as (
    select
        all_files._source_file,
        coalesce(raw_file_rows.raw_rows, 0) as raw_rows,
        coalesce(bronze_file_rows.bronze_rows, 0) as bronze_rows,
        coalesce(quarantine_file_rows.quarantined_rows, 0) as quarantined_rows
    from all_files
    left join raw_file_rows
        on all_files._source_file = raw_file_rows._source_file
    left join bronze_file_rows
        on all_files._source_file = bronze_file_rows._source_file
    left join quarantine_file_rows
        on all_files._source_file = quarantine_file_rows._source_file
    where
        coalesce(raw_file_rows.raw_rows, 0)
        != coalesce(bronze_file_rows.bronze_rows, 0)
        + coalesce(quarantine_file_rows.quarantined_rows, 0)
)

select * from final
