{#- Late-arriving dimension members: the keys that rows of `referencing` (the new bronze rows
    of another entity) point to through `key` but that neither `delivered` (this run's versions
    of the dimension) nor {{ this }} hold, each with the earliest referencing file (lineage).
    The dimension adds an inferred member for each (is_inferred = true), which the delivered row
    replaces when it arrives (silver_newer_than_merged with replaces_inferred). -#}
{% macro silver_inferred_member_keys(referencing, key, delivered) %}
    select
        referencing_rows.{{ key }},
        min(referencing_rows._source_file) as _source_file
    from {{ referencing }} as referencing_rows
    where
        referencing_rows.{{ key }} is not null
        and not exists (
            select 1
            from {{ delivered }} as delivered_rows
            where delivered_rows.{{ key }} = referencing_rows.{{ key }}
        )
        {%- if is_incremental() %}
        and not exists (
            select 1
            from {{ this }} as merged_rows
            where merged_rows.{{ key }} = referencing_rows.{{ key }}
        )
        {%- endif %}
    group by referencing_rows.{{ key }}
{% endmacro %}
