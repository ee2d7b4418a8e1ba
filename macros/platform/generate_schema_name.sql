{#- Schemas are exact (bronze, silver, gold, snapshots) except on the Databricks `dev` target,
    where the profile's schema is a per-developer prefix: jdoe -> jdoe_bronze. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.name == 'dev' -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
