{#- The values of one grain key of gold that the run's changed orders touch: the group each
    changed order was in before the run (`previous_<grain_key>` of orders_enriched_changes) and
    the group it is in now (orders_enriched, already updated). A select of one column named
    grain_key; a null key is a group like any other. The arguments are the two relations (or
    the names of their import CTEs). -#}
{% macro gold_changed_groups(grain_key, orders_enriched, orders_enriched_changes) %}
    select changes.previous_{{ grain_key }} as {{ grain_key }}
    from {{ orders_enriched_changes }} as changes
    union distinct
    select current_orders.{{ grain_key }}
    from {{ orders_enriched }} as current_orders
    inner join {{ orders_enriched_changes }} as changes
        on current_orders.order_id = changes.order_id
{% endmacro %}
