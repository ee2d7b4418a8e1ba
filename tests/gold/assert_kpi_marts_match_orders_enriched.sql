-- The nine KPI marts equal the same KPIs computed from orders_enriched, row by row at each
-- mart's grain (the dashboards slice orders_enriched; the marts are the seed's KPI tables, so
-- both must tell the same story). Returns the mart rows that differ or are missing on a side.
-- It reads all of history: part of the full verification (`make verify`, the weekly job).
{{ config(tags=['full_verification']) }}
{% set kpi_marts = {
    'kpis_by_product': ['product_id', 'product_name', 'brand_name', 'category_name'],
    'kpis_by_category': ['category_id', 'category_name'],
    'kpis_by_brand': ['brand_id', 'brand_name'],
    'kpis_by_customer': ['customer_id', 'country', 'gender'],
    'kpis_by_country': ['country'],
    'kpis_by_gender': ['gender'],
    'kpis_by_payment_method': ['payment_method'],
    'kpis_daily': ['order_date'],
    'kpis_overall': [],
} %}

with

orders_enriched as (
    select * from {{ ref('orders_enriched') }}
),

{% for mart, grain in kpi_marts.items() %}
    {% set join_columns = [] %}
    {% for column in grain %}
        {% do join_columns.append(mart ~ '.' ~ column ~ ' = ' ~ mart ~ '_from_orders.' ~ column) %}
    {% endfor %}
    {{ mart }} as (
        select * from {{ ref(mart) }}
    ),

    {{ mart }}_from_orders as (
        select
            {% for column in grain %}
                {{ column }},
            {% endfor %}
            count(*) as total_orders,
            coalesce(sum(case when not is_cancelled then 1 else 0 end), 0) as placed_orders,
            coalesce(sum(case when is_cancelled then 1 else 0 end), 0) as cancelled_orders,
            coalesce(sum(case when not is_cancelled then quantity else 0 end), 0) as units_sold,
            coalesce(sum(case when not is_cancelled then order_amount else 0 end), 0) as revenue,
            coalesce(sum(case when is_cancelled then order_amount else 0 end), 0) as lost_revenue,
            case
                when count(*) = 0 then 0
                else
                    cast(sum(case when is_cancelled then 1 else 0 end) as double)
                    / cast(count(*) as double)
            end as cancellation_rate
        from orders_enriched
        {% if grain %}
            group by {{ grain | join(', ') }}
        {% endif %}
    ),

    {{ mart }}_differences as (
        select
            '{{ mart }}' as mart,
            {{ mart }}.total_orders,
            {{ mart }}_from_orders.total_orders as total_orders_from_orders,
            {{ mart }}.revenue,
            {{ mart }}_from_orders.revenue as revenue_from_orders,
            {{ mart }}.lost_revenue,
            {{ mart }}_from_orders.lost_revenue as lost_revenue_from_orders
        from {{ mart }}
        full outer join {{ mart }}_from_orders
            on {{ join_columns | join(' and ') if join_columns else '1 = 1' }}
        where
            {{ mart }}.total_orders is null
            or {{ mart }}_from_orders.total_orders is null
            or {{ mart }}.total_orders != {{ mart }}_from_orders.total_orders
            or {{ mart }}.placed_orders != {{ mart }}_from_orders.placed_orders
            or {{ mart }}.cancelled_orders != {{ mart }}_from_orders.cancelled_orders
            or {{ mart }}.units_sold != {{ mart }}_from_orders.units_sold
            or {{ mart }}.revenue != {{ mart }}_from_orders.revenue
            or {{ mart }}.lost_revenue != {{ mart }}_from_orders.lost_revenue
            or abs({{ mart }}.cancellation_rate - {{ mart }}_from_orders.cancellation_rate) > 1e-9
    ),

{% endfor %}

final as (
    {% for mart in kpi_marts %}
        select * from {{ mart }}_differences
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
