{#- The incremental strategy of the models that upsert one row per unique_key (silver facts and
    dimensions, gold orders_enriched): each key of the run's rows replaces the table's row for
    that key, or is added. Databricks: MERGE (Delta rewrites only the files holding the keys).
    DuckDB: delete the run's keys, then insert the run's rows: the same rows, but the cost of the
    batch, where DuckDB's MERGE of 100,000 rows into a table of 10 M costs seconds. -#}
{% macro merge_on_key_strategy() %}
    {{ return(adapter.dispatch('merge_on_key_strategy')()) }}
{% endmacro %}


{% macro default__merge_on_key_strategy() %}
    {{ return('merge') }}
{% endmacro %}


{% macro duckdb__merge_on_key_strategy() %}
    {{ return('delete+insert') }}
{% endmacro %}
