{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy='append',
    pre_hook="{{ gold_delete_changed_groups('gender') }}",
) }}

-- KPIs per customer gender (the customer's current gender).
-- Incremental: a run deletes the genders its changed orders were in before it or are in
-- now (pre-hook gold_delete_changed_groups) and inserts them recomputed from orders_enriched.
-- depends_on: {{ ref('orders_enriched_changes') }}

with

orders_enriched as (
    select * from {{ ref('orders_enriched') }}
),

{%- if is_incremental() %}

orders_enriched_changes as (
    select * from {{ ref('orders_enriched_changes') }}
),

changed_genders as (
    {{ gold_changed_groups('gender', 'orders_enriched', 'orders_enriched_changes') }}
),
{%- endif %}

orders_to_aggregate as (
    select orders_enriched.* from orders_enriched
    {%- if is_incremental() %}
    inner join changed_genders
        on orders_enriched.gender is not distinct from changed_genders.gender
    {%- endif %}
),

final as (
    select
        gender,
        {{ kpi_columns() }}
    from orders_to_aggregate
    group by
        gender
)

select * from final
