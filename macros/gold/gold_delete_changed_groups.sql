{#- The pre-hook of an incremental gold mart: on an incremental run, deletes the mart's rows of
    the groups the run's changed orders touch (gold_changed_groups), in the same transaction as the
    insert of those groups recomputed; a group left without orders is thus not inserted again.
    Nothing on a full build. Null keys match null keys. -#}
{% macro gold_delete_changed_groups(grain_key) %}
    {%- if is_incremental() %}
    delete from {{ this }} as mart
    where exists (
        select 1
        from (
            {{ gold_changed_groups(grain_key, ref('orders_enriched'), ref('orders_enriched_changes')) }}
        ) as changed
        where changed.{{ grain_key }} is not distinct from mart.{{ grain_key }}
    )
    {%- endif %}
{% endmacro %}
