{#- This dbt run's start time as a SQL timestamp (UTC, microseconds): the `_merged_at` every
    silver merge of the run stamps on the rows it writes. -#}
{% macro run_started_timestamp() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
