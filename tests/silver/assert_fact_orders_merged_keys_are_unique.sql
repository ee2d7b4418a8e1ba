-- The daily uniqueness check, on the batch: every order the last merge wrote occurs once in the
-- whole of fact_orders. (`unique` over the whole table runs in the full verification.)

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

-- the rows the last merge wrote, imported on their own: DuckDB would materialize a CTE read
-- twice whole (all of history) before filtering it
last_merge as (
    select * from {{ ref('fact_orders') }}
    where _merged_at = (select max(merged._merged_at) from {{ ref('fact_orders') }} as merged)
),

final as (
    select
        order_id,
        count(*) as copies
    from fact_orders
    where order_id in (select last_merge.order_id from last_merge)
    group by order_id
    having count(*) > 1
)

select * from final
