{% test kpi_mart_matches_orders_enriched(model, by_group=false) %}
{#-
    A KPI mart holds what orders_enriched says at the mart's position: when the mart's position
    (its greatest _as_of) is orders_enriched's, its totals (with by_group: each group's, by the
    mart's grain, its unique_key) equal the same sums over orders_enriched. Fails with the
    totals (or groups) that differ. A mart behind orders_enriched (left out of a partial build)
    is not compared: the next build that includes it catches it up. The full verification
    (`--vars '{full_verification: true}'`) compares every mart, behind or not.
-#}
{%- set mart_node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
    | selectattr('alias', 'equalto', model.identifier) | list if execute else [] -%}
{%- set grain = (mart_node[0].config.get('unique_key') or []) if mart_node and by_group else [] -%}
{%- set grain = [grain] if grain is string else grain -%}
{%- set additive_columns = [
    'total_orders', 'placed_orders', 'cancelled_orders', 'units_sold', 'revenue', 'lost_revenue'
] -%}
with

mart as (
    select * from {{ model }}
),

orders_enriched as (
    select * from {{ ref('orders_enriched') }}
),

-- compared only when the mart has counted what orders_enriched holds (imports of their own: a
-- CTE read twice is materialized whole by DuckDB)
positions as (
    select
        (select max(held._as_of) from {{ model }} as held) as mart_position,
        (select max(current_orders._as_of) from {{ ref('orders_enriched') }} as current_orders)
            as orders_position
),

order_contributions as (
    select
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        {{ kpi_order_contributions(1) }}
    from orders_enriched
),

mart_sums as (
    select
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        {%- for column in additive_columns %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from mart
    {%- if grain %}
    group by {{ grain | join(', ') }}
    {%- endif %}
),

order_sums as (
    select
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        {{ kpi_columns() }}
    from order_contributions
    {%- if grain %}
    group by {{ grain | join(', ') }}
    {%- endif %}
),

final as (
    select
        {%- for column in grain %}
        coalesce(mart_sums.{{ column }}, order_sums.{{ column }}) as {{ column }},
        {%- endfor %}
        {%- for column in additive_columns %}
        mart_sums.{{ column }} as mart_{{ column }},
        order_sums.{{ column }} as orders_{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from mart_sums
    full outer join order_sums
        on {% for column in grain %}mart_sums.{{ column }} is not distinct from order_sums.{{ column }}{{ ' and ' if not loop.last }}{% else %}true{% endfor %}
    cross join positions
    where
        {{ 'true' if var('full_verification', false) else 'positions.mart_position = positions.orders_position' }}
        and (
            {%- for column in additive_columns %}
            coalesce(mart_sums.{{ column }}, 0) != coalesce(order_sums.{{ column }}, 0)
            {{- ' or' if not loop.last }}
            {%- endfor %}
        )
)

select * from final
{% endtest %}
