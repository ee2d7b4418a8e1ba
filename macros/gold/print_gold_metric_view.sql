{#- `dbt run-operation print_gold_metric_view --target dev`: the metric view DDL the job's
    orders_enriched post-hook runs on Databricks, printed without connecting (the target's
    catalog and schema; nothing to print on the engines without metric views). -#}
{% macro print_gold_metric_view() %}
    {{ print(gold_metric_view(ref('orders_enriched'))) }}
{% endmacro %}
