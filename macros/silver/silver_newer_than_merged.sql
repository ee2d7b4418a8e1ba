{#- The merge filter of a silver model: the rows of `relation` (one current version per key)
    that rank above the version {{ this }} holds, by the order of silver_current_version (greatest
    updated_at; on a tie the row whose boolean `preferred_on_tie` column is true, when given;
    then the earliest delivery), or whose key is new. With `replaces_inferred`, a delivered row
    (is_inferred false) also replaces a merged inferred member, whatever its updated_at. A late
    older version, an exact repeat and an inferred member of a key already merged are no-ops.
    Only the merged rows of the batch's keys are read (a semi-join on `relation`). Every row on
    a full build. -#}
{% macro silver_newer_than_merged(relation, key, preferred_on_tie=none, replaces_inferred=false) %}
    select {{ relation }}.*
    from {{ relation }}
    {%- if is_incremental() %}
    left join (
        select merged_rows.*
        from {{ this }} as merged_rows
        where merged_rows.{{ key }} in (select batch_keys.{{ key }} from {{ relation }} as batch_keys)
    ) as merged
        on {{ relation }}.{{ key }} = merged.{{ key }}
    where
        merged.{{ key }} is null
        {%- if replaces_inferred %}
        or (merged.is_inferred and not {{ relation }}.is_inferred)
        {%- endif %}
        or {{ relation }}.updated_at > merged.updated_at
        {%- if preferred_on_tie %}
        or (
            {{ relation }}.updated_at = merged.updated_at
            and {{ relation }}.{{ preferred_on_tie }}
            and not merged.{{ preferred_on_tie }}
        )
        {%- endif %}
        or (
            {{ relation }}.updated_at = merged.updated_at
            {%- if preferred_on_tie %}
            and {{ relation }}.{{ preferred_on_tie }} = merged.{{ preferred_on_tie }}
            {%- endif %}
            and {{ relation }}._source_file < merged._source_file
        )
    {%- endif %}
{% endmacro %}
