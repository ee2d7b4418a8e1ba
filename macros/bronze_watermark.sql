{#- The oldest ingest_date partition an incremental bronze run reads: the newest partition
    already loaded into any of `relations`, minus var('bronze_lookback_days'). None on a full
    load (nothing to prune). Files are immutable and land in the partition of their batch date,
    so older partitions hold no new files; a file delivered late into an older partition is
    caught by tests/bronze/assert_bronze_reconciles_with_raw_files.sql (then --full-refresh). -#}
{% macro bronze_watermark(relations) %}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set existing = [] -%}
    {%- for relation in relations -%}
        {%- if load_relation(relation) is not none -%}
            {%- do existing.append(relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set newest_query -%}
        select max(_ingest_date) from (
            {%- for relation in existing %}
            select max(_ingest_date) as _ingest_date from {{ relation }}
            {%- if not loop.last %} union all{% endif %}
            {%- endfor %}
        ) as loaded_partitions
    {%- endset -%}
    {%- set newest = run_query(newest_query).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set lookback = modules.datetime.timedelta(days=var('bronze_lookback_days') | int) -%}
    {%- set newest_date = modules.datetime.date.fromisoformat((newest | string)[:10]) -%}
    {{ return((newest_date - lookback).isoformat()) }}
{% endmacro %}
