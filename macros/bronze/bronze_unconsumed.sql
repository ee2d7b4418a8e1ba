{#- The scope of the daily checks of one raw entity's bronze rows: a predicate on a bronze load
    time `column` (_ingested_at) keeping the rows the entity's silver model (its raw source's
    meta.consumed_by) has not taken in yet (macro unconsumed). True while dbt parses. -#}
{% macro bronze_unconsumed(entity, column='_ingested_at') %}
    {%- if not execute -%}
        {{ return('true') }}
    {%- endif -%}
    {{ return(unconsumed(column, raw_source_node(entity).meta.consumed_by)) }}
{% endmacro %}
