{#- The declared columns of one raw source table (models/bronze/_bronze__sources.yml), in file
    order, as dicts: name, data_type, required. Empty while dbt parses (no graph yet). -#}
{% macro raw_source_columns(entity) %}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == 'raw' and node.name == entity -%}
                {%- for column in node.columns.values() -%}
                    {%- do columns.append({
                        'name': column.name,
                        'data_type': column.data_type,
                        'required': column.meta.get('required', true),
                    }) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if columns | length == 0 -%}
            {{ exceptions.raise_compiler_error("No columns declared for raw source '" ~ entity ~ "'") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(columns) }}
{% endmacro %}
