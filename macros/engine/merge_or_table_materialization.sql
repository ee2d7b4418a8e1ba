{#- The materialization of silver models merged on a key: `incremental` (strategy merge) where
    the engine can MERGE (DuckDB, Databricks/Delta). Plain Spark on parquet cannot MERGE: it
    rebuilds the table, which gives the same rows. Databricks specifics go in databricks__. -#}
{% macro merge_or_table_materialization() %}
    {{ return(adapter.dispatch('merge_or_table_materialization')()) }}
{% endmacro %}


{% macro default__merge_or_table_materialization() %}
    {{ return('incremental') }}
{% endmacro %}


{% macro spark__merge_or_table_materialization() %}
    {{ return('table') }}
{% endmacro %}


{% macro databricks__merge_or_table_materialization() %}
    {{ return('incremental') }}
{% endmacro %}
