{#- `dbt run-operation report_positions`: where every model that keeps a position stands, and
    whether it is behind its producers (their rows it has not taken in yet; the next build that
    includes it takes them in). One line per model; a last line says whether everything caught
    up. The on-call view of docs/runbook.md. -#}
{% macro report_positions() %}
    {%- set models = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'model')
        | selectattr('config.meta.position_column')
        | sort(attribute='name') -%}
    {%- set positions = {} -%}
    {%- for node in models -%}
        {%- do positions.update({node.name: model_position(node.name)}) -%}
    {%- endfor -%}
    {%- set behind = [] -%}
    {{ print('%-24s %-28s %s' | format('model', 'position', 'behind')) }}
    {%- for node in models -%}
        {%- set waiting = [] -%}
        {%- for parent in node.depends_on.nodes -%}
            {%- set parent_name = parent.split('.')[-1] -%}
            {%- set parent_position = positions.get(parent_name) -%}
            {%- if parent_position is not none and (positions[node.name] is none or parent_position > positions[node.name]) -%}
                {%- do waiting.append(parent_name ~ ' is at ' ~ parent_position) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if waiting -%}
            {%- do behind.append(node.name) -%}
        {%- endif -%}
        {{ print('%-24s %-28s %s' | format(node.name, positions[node.name] or 'none', ('yes: ' ~ waiting | join(', ')) if waiting else 'no')) }}
    {%- endfor -%}
    {{ print('caught up' if not behind else 'behind: ' ~ behind | join(', ') ~ ' (the next build that includes them takes in what they miss)') }}
{% endmacro %}
