{{ config(
    incremental_strategy=merge_on_key_strategy(),
    unique_key='customer_id',
) }}

with

bronze_customers as (
    select * from {{ ref('bronze_customers') }}
    -- only rows ingested after the last run that merged into this table
    {{ silver_rows_since_last_merge() }}
),

bronze_orders as (
    select * from {{ ref('bronze_orders') }}
    {{ silver_rows_since_last_merge() }}
),

latest_versions as (
    {{ silver_current_version('bronze_customers', 'customer_id') }}
),

-- customers the new orders reference before their row was delivered
inferred_keys as (
    {{ silver_inferred_member_keys('bronze_orders', 'customer_id', 'latest_versions') }}
),

candidate_versions as (
    select
        customer_id,
        first_name,
        last_name,
        email,
        gender,
        country,
        city,
        signup_date,
        updated_at,
        _source_file,
        false as is_inferred
    from latest_versions
    union all
    -- an inferred member: country and gender Unknown; its updated_at (1900-01-01) ranks below
    -- every delivered version
    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as {{ dbt.type_string() }}) as email,
        'Unknown' as gender,
        'Unknown' as country,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as date) as signup_date,
        cast('1900-01-01 00:00:00' as timestamp) as updated_at,
        _source_file,
        true as is_inferred
    from inferred_keys
),

-- the merge filter: new keys, versions that rank above the merged one, delivered rows that
-- replace an inferred member
winning_versions as (
    {{ silver_newer_than_merged('candidate_versions', 'customer_id', replaces_inferred=true) }}
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
        updated_at,
        _source_file,
        is_inferred,
        {{ run_started_timestamp() }} as _merged_at
    from winning_versions
)

select * from final
