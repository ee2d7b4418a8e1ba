{#- The rows a KPI mart sums, group by group, in this run (`orders_enriched` is its ref, `grain`
    its grain columns, also its unique_key): the one place of the marts' incremental plumbing.
    - A full build (gold_increment) counts every order: its contribution to its group
      (kpi_order_contributions) and its _as_of.
    - An incremental run counts only the orders whose version in orders_enriched is newer than
      the mart's position (its greatest _as_of): the current version in, and out the version the
      mart counted (_previous_*; none for a new order), plus the totals the mart holds for the
      groups they touch. Summed by group, these are the groups' new totals, which
      merge_kpi_groups writes (a group left without orders is deleted). However many runs the mart
      missed, this is exact as long as the version it counted is the one orders_enriched keeps as
      previous (_previous_as_of at or before the position).
    - Otherwise (an order changed again since, orders_enriched rebuilt, or the mart's columns
      changed: gold_increment's `rebuild`) it counts every order again, plus a row of zeros for
      every group the mart holds, so that a group without orders now ends at zero and is deleted.
    A rebuild is said in dbt's log. -#}
{% macro gold_kpi_rows(orders_enriched, grain) %}
    {%- set additive_columns = [
        'total_orders', 'placed_orders', 'cancelled_orders', 'units_sold', 'revenue', 'lost_revenue'
    ] -%}
    {%- set state = gold_increment() -%}
    {%- set mode = state.mode -%}
    {%- if mode == 'increment' and model.resource_type != 'unit_test' -%}
        {%- set stale_query -%}
            select count(*) from {{ orders_enriched }}
            where _as_of > {{ state.position }} and _previous_as_of > {{ state.position }}
        {%- endset -%}
        {%- if run_query(stale_query).columns[0].values()[0] > 0 -%}
            {{ log(this ~ ': rebuilt in place (an order changed more than once since its position)', info=true) }}
            {%- set mode = 'rebuild' -%}
        {%- endif -%}
    {%- endif -%}
    {%- if mode == 'increment' %}
    with

    changed_orders as (
        select * from {{ orders_enriched }}
        where _as_of > {{ state.position }}
    ),

    -- each changed order in its current version, and out the version this mart counted
    order_contributions as (
        select
            {%- for column in grain %}
            {{ column }},
            {%- endfor %}
            {{ kpi_order_contributions(1) }},
            _as_of
        from changed_orders
        union all
        select
            {%- for column in grain %}
            _previous_{{ column }} as {{ column }},
            {%- endfor %}
            {{ kpi_order_contributions(-1, '_previous_') }},
            _as_of
        from changed_orders
        where _previous_status is not null
    ),

    -- the totals this mart holds for the groups those orders touch (a null key matches null)
    totals_so_far as (
        select
            {%- for column in grain %}
            held.{{ column }},
            {%- endfor %}
            {%- for column in additive_columns %}
            held.{{ column }},
            {%- endfor %}
            held._as_of
        from {{ this }} as held
        where exists (
            select 1
            from order_contributions
            where
                {%- for column in grain %}
                {% if not loop.first %}and {% endif -%}
                held.{{ column }} is not distinct from order_contributions.{{ column }}
                {%- endfor %}
        )
    )

    select * from order_contributions
    union all
    select * from totals_so_far
    {%- else %}
    select
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        {{ kpi_order_contributions(1) }},
        _as_of
    from {{ orders_enriched }}
    {%- if mode == 'rebuild' %}
    union all
    -- every group this mart holds, adding nothing: one without orders now sums to zero
    select
        {%- for column in grain %}
        {{ column }},
        {%- endfor %}
        {%- for column in additive_columns %}
        0 as {{ column }},
        {%- endfor %}
        _as_of
    from {{ this }}
    {%- endif %}
    {%- endif %}
{% endmacro %}
