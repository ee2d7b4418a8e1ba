-- The incremental merge ends where a full rebuild would: every order in bronze is in
-- fact_orders exactly with its greatest updated_at, and no order is missing or extra.
-- Over all history: part of the full verification (`make verify`), not of the daily build,
-- which checks each run's batch (assert_fact_orders_merged_the_newest_version_of_the_batch).
{{ config(tags=['full_verification']) }}

with

bronze_orders as (
    select * from {{ ref('bronze_orders') }}
),

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

newest_versions as (
    select
        order_id,
        max(updated_at) as newest_updated_at
    from bronze_orders
    group by order_id
),

final as (
    select
        newest_versions.newest_updated_at,
        fact_orders.updated_at as merged_updated_at,
        coalesce(newest_versions.order_id, fact_orders.order_id) as order_id
    from newest_versions
    full outer join fact_orders
        on newest_versions.order_id = fact_orders.order_id
    where
        newest_versions.order_id is null
        or fact_orders.order_id is null
        or newest_versions.newest_updated_at != fact_orders.updated_at
)

select * from final
