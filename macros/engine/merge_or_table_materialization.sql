{#- The materialization of the models merged on a key (silver facts and dimensions, the
    incremental gold models): `incremental` on every engine, since every target can MERGE
    (DuckDB, Delta on Databricks and on local Spark). Kept as the one place the models name it. -#}
{% macro merge_or_table_materialization() %}
    {{ return('incremental') }}
{% endmacro %}
