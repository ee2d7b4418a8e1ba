{#- The graph node of one table of the `raw` source (its columns, meta and relation). -#}
{% macro raw_source_node(entity) %}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == 'raw' and node.name == entity -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("No raw source table named '" ~ entity ~ "'") }}
{% endmacro %}
