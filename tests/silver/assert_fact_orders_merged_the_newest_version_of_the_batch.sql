-- The daily check of the merge, on the batch: every order of the newest bronze batch and every
-- order the last merge wrote is in fact_orders exactly with its greatest updated_at in bronze.
-- (The same over all history: assert_fact_orders_holds_the_newest_version, full verification.)

with

bronze_orders as (
    select * from {{ ref('bronze_orders') }}
),

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

batch_keys as (
    select order_id from bronze_orders
    where _ingested_at = (select max(newest_batch._ingested_at) from bronze_orders as newest_batch)
    union
    select order_id from fact_orders
    where _merged_at = (select max(last_merge._merged_at) from fact_orders as last_merge)
),

newest_versions as (
    select
        order_id,
        max(updated_at) as newest_updated_at
    from bronze_orders
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
    where
        newest_versions.order_id is null
        or merged_versions.order_id is null
        or newest_versions.newest_updated_at != merged_versions.updated_at
)

select * from final
