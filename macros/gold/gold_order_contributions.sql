{#- The contributions (kpi_order_contributions) of orders to the groups of a gold mart, one row
    per order and version, with the mart's grain columns. A full build: every order of
    orders_enriched, counted in. An incremental run: each order of orders_enriched_changes in
    its current version (orders_enriched, already updated), counted in, and in its previous
    version (its previous_<column>s; none for an order new in this run), taken out. The
    arguments are the grain columns and the two relations (or the names of their import CTEs). -#}
{% macro gold_order_contributions(grain_columns, orders_enriched, orders_enriched_changes) %}
    select
        {%- for column in grain_columns %}
        current_versions.{{ column }},
        {%- endfor %}
        {{ kpi_order_contributions(1, 'current_versions.') }}
    from {{ orders_enriched }} as current_versions
    {%- if is_incremental() %}
    inner join {{ orders_enriched_changes }} as changes
        on current_versions.order_id = changes.order_id
    union all
    select
        {%- for column in grain_columns %}
        changes.previous_{{ column }} as {{ column }},
        {%- endfor %}
        {{ kpi_order_contributions(-1, 'changes.previous_') }}
    from {{ orders_enriched_changes }} as changes
    where changes.previous_status is not null
    {%- endif %}
{% endmacro %}
