{#- This dbt run's start time as a SQL timestamp (UTC, microseconds): the write stamp of a run,
    `_merged_at` on the rows every silver merge writes and `_ingested_at` on bronze's rows and
    ledger entries, and `now` in the raw sources' freshness query. A stamp of what a run wrote,
    never a window of what a model or check reads (those come from positions in the data). -#}
{% macro run_started_timestamp() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
