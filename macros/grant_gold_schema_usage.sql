{#- on-run-end: on Databricks, let the analysts_group var use the gold schema (dbt's `grants`
    config gives it SELECT on each gold table; USE CATALOG is granted once by an admin).
    Bronze, silver, raw and snapshots get no grants: only the job, their owner, reads them.
    Other engines have no grants: a no-op. -#}
{% macro grant_gold_schema_usage() %}
    {{ return(adapter.dispatch('grant_gold_schema_usage')()) }}
{% endmacro %}


{% macro default__grant_gold_schema_usage() %}
{% endmacro %}


{% macro databricks__grant_gold_schema_usage() %}
    {%- if execute -%}
        {%- set gold_schema = generate_schema_name('gold', none) | trim -%}
        {%- call statement('grant_gold_schema_usage', auto_begin=false) -%}
            grant use schema on schema {{ adapter.quote(target.database) }}.{{ adapter.quote(gold_schema) }}
            to {{ adapter.quote(var('analysts_group', 'analysts')) }}
        {%- endcall -%}
    {%- endif -%}
{% endmacro %}
