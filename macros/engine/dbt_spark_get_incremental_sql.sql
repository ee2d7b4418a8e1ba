{#- Overrides dbt-spark's choice of the incremental SQL (dbt-spark 1.10 knows only its built-in
    strategies) so that local Spark runs the project's own strategies through their
    `get_incremental_<strategy>_sql` macro with the arguments dbt-databricks gives them; the
    built-in strategies are dbt-spark's. -#}
{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
    {%- if strategy in ['append', 'merge', 'insert_overwrite', 'microbatch'] -%}
        {{ return(dbt.dbt_spark_get_incremental_sql(
            strategy, source, target, existing, unique_key, incremental_predicates
        )) }}
    {%- endif -%}
    {%- set strategy_sql = adapter.get_incremental_strategy_macro(context, strategy) -%}
    {{ return(strategy_sql({
        'target_relation': target,
        'temp_relation': source,
        'unique_key': unique_key,
        'dest_columns': none,
        'incremental_predicates': incremental_predicates,
    })) }}
{% endmacro %}
