{{ config(
    materialized=merge_materialization(),
    incremental_strategy='merge',
    unique_key='customer_id',
) }}

with

bronze_customers as (
    select * from {{ ref('bronze_customers') }}
    -- only rows ingested since the newest bronze batch this table has already seen
    {{ ingested_since_last_merge(ref('bronze_customers')) }}
),

latest_versions as (
    {{ current_version('bronze_customers', 'customer_id') }}
),

-- the merge filter: only versions that rank above the merged one (or of a new customer)
winning_versions as (
    {{ newer_than_merged('latest_versions', 'customer_id') }}
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
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _merged_at
    from winning_versions
)

select * from final
