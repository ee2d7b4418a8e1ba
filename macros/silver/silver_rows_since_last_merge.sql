{#- The incremental read of a silver model merged from bronze: a `where` clause keeping the
    bronze rows ingested after the last run that merged into {{ this }} started (_ingested_at >
    silver_last_merged_at()). _ingested_at is the start time of the run that appended the row, one
    value per run, and runs never overlap: a row is either read by a merge or ingested after it
    started, so every row is read by the first merge that succeeds after its ingestion, a failed
    merge leaves the watermark where it was (its batch is read again), and the batches of
    earlier runs are never read again. Nothing on a full build. -#}
{% macro silver_rows_since_last_merge() %}
    {%- if is_incremental() %}
    where _ingested_at > {{ silver_last_merged_at() }}
    {%- endif %}
{% endmacro %}
