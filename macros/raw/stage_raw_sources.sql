{#- on-run-start: (re)create the staged relation of every raw source, so that `dbt build` needs
    no other command. The engine-specific work (and the schema, where an engine needs one) is
    in stage_raw_source. -#}
{% macro stage_raw_sources() %}
    {%- if execute -%}
        {%- for node in graph.sources.values() | selectattr('source_name', 'equalto', 'raw') -%}
            {%- set relation = api.Relation.create(
                database=node.database,
                schema=node.schema,
                identifier=node.identifier,
            ) -%}
            {%- do stage_raw_source(
                relation,
                raw_location(node.name),
                raw_field_count(raw_source_columns(node.name) | length),
            ) -%}
            {{ log('staged raw source ' ~ relation ~ ' over ' ~ raw_location(node.name), info=true) }}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
