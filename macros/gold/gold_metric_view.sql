{#- Post-hook of orders_enriched (`relation`): on Databricks, the KPI definitions of the
    semantic layer (models/gold/_gold__metrics.yml) as a Unity Catalog metric view, `kpi_metrics`
    beside orders_enriched, so SQL, Genie and dashboards on the workspace query the same metrics
    (`select country, measure(revenue) from kpi_metrics group by all`). Generated from the
    project's graph: every entity and dimension of the orders semantic model is a dimension;
    a simple metric is the SUM of its measure's expression, a ratio metric the ratio of two
    MEASURE()s (no value where the denominator is 0, as MetricFlow answers: ANSI mode refuses a
    division by zero). Other engines have no metric views: an empty hook, which dbt skips. -#}
{% macro gold_metric_view(relation) %}
    {{ return(adapter.dispatch('gold_metric_view')(relation)) }}
{% endmacro %}


{% macro default__gold_metric_view(relation) %}
{% endmacro %}


{% macro databricks__gold_metric_view(relation) %}
    {%- if execute %}
    {%- set orders = graph.semantic_models.values() | selectattr('name', 'equalto', 'orders') | first %}
    {%- set measures = {} %}
    {%- for measure in orders.measures %}
        {%- do measures.update({measure.name: measure.expr}) %}
    {%- endfor %}
    create or replace view {{ relation.incorporate(path={'identifier': 'kpi_metrics'}) }}
    with metrics
    language yaml
    as $$
version: 1.1
comment: {{ ("The KPIs of " ~ project_name ~ "'s semantic layer (models/gold/_gold__metrics.yml) over orders_enriched.") | tojson }}
source: {{ relation | string | tojson }}
dimensions:
    {%- for entity in orders.entities %}
  - name: {{ entity.expr or entity.name }}
    expr: {{ entity.expr or entity.name }}
    {%- endfor %}
    {%- for dimension in orders.dimensions %}
  - name: {{ dimension.name }}
    expr: {{ dimension.expr or dimension.name }}
    comment: {{ (dimension.description or '') | tojson }}
    {%- endfor %}
measures:
    {%- for metric in graph.metrics.values() | sort(attribute='name') %}
  - name: {{ metric.name }}
    display_name: {{ metric.label | tojson }}
    comment: {{ metric.description | tojson }}
        {%- if metric.type == 'simple' %}
    expr: {{ ('SUM(' ~ measures[metric.type_params.measure.name] ~ ')') | tojson }}
        {%- else %}
    expr: {{ ('MEASURE(' ~ metric.type_params.numerator.name ~ ') / NULLIF(MEASURE(' ~ metric.type_params.denominator.name ~ '), 0)') | tojson }}
        {%- endif %}
    {%- endfor %}
$$
    {%- endif %}
{% endmacro %}
