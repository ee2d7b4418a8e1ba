{%- set grain = ['customer_id', 'country', 'gender'] %}
{{ config(unique_key=grain) }}

-- KPIs per customer, with their current country and gender (no names or emails in gold).
-- The KPI columns (macro kpi_columns) summed over the customer's orders in orders_enriched; an
-- incremental run sums only what changed since this mart's position (macro gold_kpi_rows).

with

kpi_rows as (
    {{ gold_kpi_rows(ref('orders_enriched'), grain) }}
),

final as (
    select
        customer_id,
        country,
        gender,
        {{ kpi_columns() }},
        max(_as_of) as _as_of
    from kpi_rows
    group by
        customer_id,
        country,
        gender
)

select * from final
