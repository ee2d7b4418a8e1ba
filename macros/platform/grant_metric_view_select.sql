{#- post-hook of orders_enriched, after gold_metric_view: on Databricks, let the analysts_group
    var query the kpi_metrics metric view beside `relation` (a view is its own securable: the
    model's `grants` config covers only the model's table). Other engines: an empty hook. -#}
{% macro grant_metric_view_select(relation) %}
    {{ return(adapter.dispatch('grant_metric_view_select')(relation)) }}
{% endmacro %}


{% macro default__grant_metric_view_select(relation) %}
{% endmacro %}


{% macro databricks__grant_metric_view_select(relation) %}
    grant select on view {{ relation.incorporate(path={'identifier': 'kpi_metrics'}) }}
    to {{ adapter.quote(var('analysts_group', 'analysts')) }}
{% endmacro %}
