{#- The incremental read of a silver model merged from bronze: a `where` clause keeping the rows
    ingested since the newest batch of `merged_bronze` (the bronze relation whose files {{ this }}
    holds rows of, by _source_file). That batch is read again: its rows are no-ops, and rows
    ingested at the same time are never missed. Nothing on a full build; every row when
    {{ this }} holds no batch yet. -#}
{% macro ingested_since_last_merge(merged_bronze) %}
    {%- if is_incremental() %}
    where _ingested_at >= coalesce(
        (
            select max(seen._ingested_at)
            from {{ merged_bronze }} as seen
            where seen._source_file in (select merged._source_file from {{ this }} as merged)
        ),
        cast('1900-01-01 00:00:00' as timestamp)
    )
    {%- endif %}
{% endmacro %}
