{#- The KPI marts of gold, from the project's graph, sorted by name: a list of dicts with
    `name` and `grain` (the columns of its unique_key; none for kpis_overall, one row). Every
    gold model but orders_enriched is a KPI mart. Empty while dbt parses (no graph yet). -#}
{% macro gold_kpi_marts() %}
    {%- set marts = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') -%}
            {%- if node.fqn[1] == 'gold' and node.name != 'orders_enriched' -%}
                {%- set grain = node.config.get('unique_key') or [] -%}
                {%- do marts.append({
                    'name': node.name,
                    'grain': [grain] if grain is string else grain,
                }) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(marts | sort(attribute='name')) }}
{% endmacro %}
