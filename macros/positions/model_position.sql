{#- The position a model keeps in its own table: the greatest value of its position column
    (config meta.position_column: silver's _merged_at, gold's _as_of), as a datetime; none when
    the table does not exist yet, lacks the column (built by an older version of the project)
    or is empty. Queried when the calling node runs (none while dbt parses). -#}
{% macro model_position(model_name) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set nodes = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', model_name)
        | list -%}
    {%- if nodes | length != 1 -%}
        {{ exceptions.raise_compiler_error("model_position: no model named '" ~ model_name ~ "'") }}
    {%- endif -%}
    {%- set node = nodes[0] -%}
    {%- set column = node.config.meta.get('position_column') -%}
    {%- if not column -%}
        {{ exceptions.raise_compiler_error("model_position: model '" ~ model_name ~ "' keeps no position (config meta.position_column)") }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=node.database, schema=node.schema, identifier=node.alias
    ) -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set held_columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- if column not in held_columns -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query('select max(' ~ column ~ ') from ' ~ relation).columns[0].values()[0]) }}
{% endmacro %}
