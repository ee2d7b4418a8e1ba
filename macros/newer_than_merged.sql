{#- The merge filter of a silver model: the rows of `relation` (one current version per key)
    that rank above the version {{ this }} holds, by the order of current_version (greatest
    updated_at; on a tie the row whose boolean `preferred_on_tie` column is true, when given;
    then the earliest delivery), or whose key is new. A late older version and an exact repeat
    are no-ops. Every row on a full build. -#}
{% macro newer_than_merged(relation, key, preferred_on_tie=none) %}
    select {{ relation }}.*
    from {{ relation }}
    {%- if is_incremental() %}
    left join {{ this }} as merged
        on {{ relation }}.{{ key }} = merged.{{ key }}
    where
        merged.{{ key }} is null
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
