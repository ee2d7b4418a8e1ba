{{ config(
    incremental_strategy=merge_on_key_strategy(),
    unique_key='category_id',
) }}

with

bronze_categories as (
    select * from {{ ref('bronze_categories') }}
    -- only rows ingested after the last run that merged into this table
    {{ silver_rows_since_last_merge() }}
),

bronze_products as (
    select * from {{ ref('bronze_products') }}
    {{ silver_rows_since_last_merge() }}
),

latest_versions as (
    {{ silver_current_version('bronze_categories', 'category_id') }}
),

-- categories the new products reference before their row was delivered
inferred_keys as (
    {{ silver_inferred_member_keys('bronze_products', 'category_id', 'latest_versions') }}
),

candidate_versions as (
    select
        category_id,
        category_name,
        updated_at,
        _source_file,
        false as is_inferred
    from latest_versions
    union all
    -- an inferred member; its updated_at (1900-01-01) ranks below every delivered version
    select
        category_id,
        concat('Unknown category ', cast(category_id as {{ dbt.type_string() }})) as category_name,
        cast('1900-01-01 00:00:00' as timestamp) as updated_at,
        _source_file,
        true as is_inferred
    from inferred_keys
    union all
    -- the unknown member (-1): the category of an inferred product, whose category is not known
    select
        cast(-1 as bigint) as category_id,
        'Unknown category' as category_name,
        cast('1900-01-01 00:00:00' as timestamp) as updated_at,
        cast(null as {{ dbt.type_string() }}) as _source_file,
        false as is_inferred
),

-- the merge filter: new keys, versions that rank above the merged one, delivered rows that
-- replace an inferred member
winning_versions as (
    {{ silver_newer_than_merged('candidate_versions', 'category_id', replaces_inferred=true) }}
),

final as (
    select
        category_id,
        category_name,
        updated_at,
        _source_file,
        is_inferred,
        {{ run_started_timestamp() }} as _merged_at
    from winning_versions
)

select * from final
