{#- dbt's hook for a data test's `where` config, overridden to scope a test to the rows this
    invocation merged: the token __merged_in_this_run__ becomes in_this_run('_merged_at'),
    resolved when the test runs (the YAML is rendered at parse time, which may be an earlier
    invocation's). So in a daily build such a test checks the batch's rows, and in `dbt test`
    (make verify) every row. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = where | replace('__merged_in_this_run__', in_this_run('_merged_at')) -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
