{#- The scope of a check that costs the batch: a predicate on `column` (the producer's own
    position column: bronze _ingested_at, silver _merged_at, gold _as_of) that keeps the rows
    not yet consumed downstream, those after the position of the slowest of `consumers` (model
    names, model_position). True for every row while a consumer has no position yet, and under
    the full verification (`--vars '{full_verification: true}'`, make verify), which checks every
    row. So a check covers the rows between its consumers' position and its producer's: the same
    rows under `dbt build` and `dbt test`, and a failing check keeps failing until the rows or
    the rule are fixed (a build does not publish past a failing check: the consumers wait). -#}
{% macro unconsumed(column, consumers) %}
    {%- if var('full_verification', false) -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set consumers = [consumers] if consumers is string else consumers -%}
    {%- set positions = [] -%}
    {%- for consumer in consumers -%}
        {%- set position = model_position(consumer) -%}
        {%- if position is none -%}
            {{ return('true') }}
        {%- endif -%}
        {%- do positions.append(position) -%}
    {%- endfor -%}
    {%- if not positions -%}
        {{ return('true') }}
    {%- endif -%}
    {{ return(column ~ ' > ' ~ timestamp_literal(positions | min)) }}
{% endmacro %}
