{#- The declared columns of one raw source table (models/bronze/_bronze__sources.yml), in file
    order, as dicts: name, data_type, required, and the value rules of its meta (rule, pattern,
    min, max, accepted_values). Empty while dbt parses (no graph yet). -#}
{% macro raw_source_columns(entity) %}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for column in raw_source_node(entity).columns.values() -%}
            {%- do columns.append({
                'name': column.name,
                'data_type': column.data_type,
                'required': column.meta.get('required', true),
                'rule': column.meta.get('rule', 'a valid ' ~ column.data_type),
                'pattern': column.meta.get('pattern'),
                'min': column.meta.get('min'),
                'max': column.meta.get('max'),
                'accepted_values': column.meta.get('accepted_values'),
            }) -%}
        {%- endfor -%}
        {%- if columns | length == 0 -%}
            {{ exceptions.raise_compiler_error("No columns declared for raw source '" ~ entity ~ "'") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(columns) }}
{% endmacro %}
