{{ config(
    incremental_strategy=merge_on_key_strategy(),
    unique_key='order_id',
) }}

with

bronze_orders as (
    select * from {{ ref('bronze_orders') }}
    -- only rows ingested after the last run that merged into this table
    {{ silver_rows_since_last_merge() }}
),

order_versions as (
    select
        order_id,
        customer_id,
        product_id,
        quantity,
        unit_price,
        payment_method,
        status,
        ordered_at,
        updated_at,
        _source_file,
        _source_row_number,
        cast(ordered_at as date) as order_date,
        cast(quantity * unit_price as decimal(18, 2)) as order_amount,
        status = 'Cancelled' as is_cancelled
    from bronze_orders
),

-- one version per order: newest updated_at; on a tie Cancelled wins, then the earliest delivery
latest_versions as (
    {{ silver_current_version(
        'order_versions',
        'order_id',
        'updated_at desc, is_cancelled desc, _source_file asc, _source_row_number asc',
    ) }}
),

-- the merge filter: a version replaces the merged one only if it ranks higher by the same
-- order as latest_versions, so a late older version or an exact repeat is a no-op
winning_versions as (
    {{ silver_newer_than_merged('latest_versions', 'order_id', preferred_on_tie='is_cancelled') }}
),

final as (
    select
        order_id,
        customer_id,
        product_id,
        quantity,
        unit_price,
        order_amount,
        payment_method,
        status,
        is_cancelled,
        ordered_at,
        order_date,
        updated_at,
        _source_file,
        {{ run_started_timestamp() }} as _merged_at
    from winning_versions
)

select * from final
