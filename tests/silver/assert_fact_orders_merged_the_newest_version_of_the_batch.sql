-- The daily check of the merge, on the batch: every order of the bronze rows ingested and of the
-- fact_orders rows merged since gold's position (macro unconsumed: what gold has not taken in
-- yet) is in fact_orders exactly with its greatest updated_at in bronze. (The same over all
-- history: assert_fact_orders_holds_the_newest_version, full verification.)

with

-- every row read, accepted or not: the newest version is taken over the accepted rows below.
-- Read unfiltered, DuckDB sees this table as larger than the batch's keys and hashes the keys,
-- not all of history (with bronze_orders' filter it hashed bronze instead: 3x slower at 10 M)
bronze_orders_checked as (
    select * from {{ ref('bronze_orders_checked') }}
),

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

-- imported on their own (not a second read of an import CTE, which DuckDB would materialize
-- whole); an IN list below: a key listed twice does no harm
batch_keys as (
    select order_id from {{ ref('bronze_orders') }}
    where {{ unconsumed('_ingested_at', 'orders_enriched') }}
    union all
    select order_id from {{ ref('fact_orders') }}
    where {{ unconsumed('_merged_at', 'orders_enriched') }}
),

newest_versions as (
    select
        order_id,
        max(
            case when _reject_reason is null and _source_row_number > 0 then updated_at end
        ) as newest_updated_at
    from bronze_orders_checked
    where order_id in (select batch_keys.order_id from batch_keys)
    group by order_id
),

merged_versions as (
    select
        order_id,
        updated_at
    from fact_orders
    where order_id in (select batch_keys.order_id from batch_keys)
),

final as (
    select
        newest_versions.newest_updated_at,
        merged_versions.updated_at as merged_updated_at,
        coalesce(newest_versions.order_id, merged_versions.order_id) as order_id
    from newest_versions
    full outer join merged_versions
        on newest_versions.order_id = merged_versions.order_id
    -- a key missing on either side has a null there
    where newest_versions.newest_updated_at is distinct from merged_versions.updated_at
)

select * from final
