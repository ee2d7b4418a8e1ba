-- The daily uniqueness check, on the batch: every order merged but not yet taken in by gold
-- (macro unconsumed) occurs once in the whole of fact_orders. (`unique` over the whole table
-- runs in the full verification.)

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

-- imported on their own: DuckDB would materialize a CTE read twice whole (all of history)
-- before filtering it
rows_not_in_gold as (
    select * from {{ ref('fact_orders') }}
    where {{ unconsumed('_merged_at', 'orders_enriched') }}
),

final as (
    select
        order_id,
        count(*) as copies
    from fact_orders
    where order_id in (select rows_not_in_gold.order_id from rows_not_in_gold)
    group by order_id
    having count(*) > 1
)

select * from final
