{#- A predicate on a load timestamp column (_ingested_at): in `dbt build` and `dbt run`, true
    for the rows this invocation loaded, so a daily build checks what it adds, not all history;
    in any other command (`dbt test`, `make verify`) true for every row. -#}
{% macro in_this_run(column) -%}
    {%- if flags.WHICH in ('build', 'run') -%}
        {{ column }} = cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
