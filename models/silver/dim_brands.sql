{{ config(
    materialized=merge_materialization(),
    incremental_strategy='merge',
    unique_key='brand_id',
) }}

with

bronze_brands as (
    select * from {{ ref('bronze_brands') }}
    -- only rows ingested since the newest bronze batch this table has already seen
    {{ ingested_since_last_merge(ref('bronze_brands')) }}
),

latest_versions as (
    {{ current_version('bronze_brands', 'brand_id') }}
),

-- the merge filter: only versions that rank above the merged one (or of a new brand)
winning_versions as (
    {{ newer_than_merged('latest_versions', 'brand_id') }}
),

final as (
    select
        brand_id,
        brand_name,
        updated_at,
        _source_file,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _merged_at
    from winning_versions
)

select * from final
