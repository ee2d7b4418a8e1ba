{%- set grain = ['gender'] %}
{{ config(
    materialized=merge_or_table_materialization(),
    incremental_strategy='merge_kpi_groups',
    unique_key=grain,
) }}

-- KPIs per customer gender (the customer's current gender).
-- Incremental: the run's changed orders add their current version to their genders and take
-- their previous version out of them; the sums with the mart's rows of those genders are
-- their new totals, merged into the mart (merge_kpi_groups; a group left without orders is
-- deleted). A full build sums every order.
-- depends_on: {{ ref('orders_enriched_changes') }}

with

orders_enriched as (
    select * from {{ ref('orders_enriched') }}
),

{%- if is_incremental() %}

orders_enriched_changes as (
    select * from {{ ref('orders_enriched_changes') }}
),

kpis_by_gender_before_run as (
    select * from {{ this }}
),
{%- endif %}

-- what each order adds to its group: every order once in a full build; in an incremental run
-- each changed order's current version once and its previous version minus once
order_contributions as (
    {{ gold_order_contributions(grain, 'orders_enriched', 'orders_enriched_changes') }}
),

-- the contributions, and in an incremental run the touched genders' totals before it
kpi_rows as (
    select * from order_contributions
    {%- if is_incremental() %}
    union all
    {{ gold_mart_rows_touched('kpis_by_gender_before_run', 'order_contributions', grain) }}
    {%- endif %}
),

final as (
    select
        gender,
        {{ kpi_columns() }}
    from kpi_rows
    group by
        gender
)

select * from final
