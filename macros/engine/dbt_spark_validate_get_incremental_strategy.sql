{#- Overrides dbt-spark's check of a model's incremental strategy (dbt-spark 1.10 knows only
    its four built-in strategies) so that local Spark runs the project's own strategies, as
    dbt-databricks does: a strategy with a `get_incremental_<strategy>_sql` macro is accepted
    on Delta; anything else is dbt-spark's check. -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy not in ['append', 'merge', 'insert_overwrite', 'microbatch']
        and ('get_incremental_' ~ raw_strategy ~ '_sql') in context -%}
        {%- if file_format != 'delta' -%}
            {{ exceptions.raise_compiler_error(
                "The incremental strategy '" ~ raw_strategy ~ "' needs file_format delta, not "
                ~ file_format
            ) }}
        {%- endif -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{% endmacro %}
