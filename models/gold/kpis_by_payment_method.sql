{%- set grain = ['payment_method'] %}
{{ config(unique_key=grain) }}

-- KPIs per payment method of the order.
-- The KPI columns (macro kpi_columns) summed over the payment method's orders in
-- orders_enriched; an incremental run sums only what changed since this mart's position (macro
-- gold_kpi_rows).

with

kpi_rows as (
    {{ gold_kpi_rows(ref('orders_enriched'), grain) }}
),

final as (
    select
        payment_method,
        {{ kpi_columns() }},
        max(_as_of) as _as_of
    from kpi_rows
    group by
        payment_method
)

select * from final
