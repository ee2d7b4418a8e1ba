{#- post-hook of every gold model: on Databricks, let the analysts_group var use the model's
    schema (dbt's `grants` config gives it SELECT on the table; USE CATALOG is granted once by
    an admin). A post-hook runs only after its model was built, so the schema exists; `dbt
    source freshness`, which runs the project's hooks, never runs it. Bronze, silver, raw and
    snapshots get no grants: only the job, their owner, reads them.
    Other engines have no grants: an empty hook, which dbt skips. -#}
{% macro grant_gold_schema_usage(relation) %}
    {{ return(adapter.dispatch('grant_gold_schema_usage')(relation)) }}
{% endmacro %}


{% macro default__grant_gold_schema_usage(relation) %}
{% endmacro %}


{% macro databricks__grant_gold_schema_usage(relation) %}
    grant use schema on schema {{ adapter.quote(relation.database) }}.{{ adapter.quote(relation.schema) }}
    to {{ adapter.quote(var('analysts_group', 'analysts')) }}
{% endmacro %}
