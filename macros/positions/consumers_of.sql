{#- The names of the models that read `model_name` (ref) and keep a position of their own
    (config meta.position_column), sorted: e.g. the incremental KPI marts of orders_enriched.
    Empty while dbt parses (no graph yet). -#}
{% macro consumers_of(model_name) %}
    {%- set consumers = [] -%}
    {%- if execute -%}
        {%- set model_id = 'model.' ~ project_name ~ '.' ~ model_name -%}
        {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') -%}
            {%- if model_id in node.depends_on.nodes and node.config.meta.get('position_column') -%}
                {%- do consumers.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(consumers | sort) }}
{% endmacro %}
