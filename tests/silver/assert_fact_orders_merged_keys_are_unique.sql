-- The daily uniqueness check, on the batch: every order the last merge wrote occurs once in the
-- whole of fact_orders. (`unique` over the whole table runs in the full verification.)

with

fact_orders as (
    select * from {{ ref('fact_orders') }}
),

merged_keys as (
    select order_id from fact_orders
    where _merged_at = (select max(last_merge._merged_at) from fact_orders as last_merge)
),

final as (
    select
        order_id,
        count(*) as copies
    from fact_orders
    where order_id in (select merged_keys.order_id from merged_keys)
    group by order_id
    having count(*) > 1
)

select * from final
