{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy='append',
    pre_hook="{{ gold_delete_changed_groups('country') }}",
) }}

-- KPIs per customer country (the customer's current country).
-- Incremental: a run deletes the countries its changed orders were in before it or are in
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

changed_countries as (
    {{ gold_changed_groups('country', 'orders_enriched', 'orders_enriched_changes') }}
),
{%- endif %}

orders_to_aggregate as (
    select orders_enriched.* from orders_enriched
    {%- if is_incremental() %}
    inner join changed_countries
        on orders_enriched.country is not distinct from changed_countries.country
    {%- endif %}
),

final as (
    select
        country,
        {{ kpi_columns() }}
    from orders_to_aggregate
    group by
        country
)

select * from final
