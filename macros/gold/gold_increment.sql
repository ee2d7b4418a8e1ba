{#- How a gold model that keeps a position (orders_enriched, the incremental KPI marts) is
    built in this run, from its own table, as a dict:
    - mode `full`: dbt (re)creates the table from everything (first build, --full-refresh, or an
      engine that rebuilds tables);
    - mode `increment`: the table takes in what changed after its position (the greatest _as_of
      it holds, `position`, a timestamp literal);
    - mode `rebuild`: an incremental run that cannot increment, because the table's columns are
      not the declared ones (a column added or removed, a table from an older version of the
      project) or it holds no position: the model recomputes every row in place.
    `held_position` is the greatest _as_of the table holds before the run, whatever the mode
    (a datetime, or none). In a unit test (where {{ this }} is a fixture) the mode follows
    is_incremental() and the position is a subquery on the fixture. -#}
{% macro gold_increment() %}
    {%- set state = {'mode': 'full', 'position': none, 'held_position': none} -%}
    {%- if model.resource_type == 'unit_test' -%}
        {%- if is_incremental() -%}
            {%- do state.update({
                'mode': 'increment',
                'position': '(select max(held._as_of) from ' ~ this ~ ' as held)',
            }) -%}
        {%- endif -%}
        {{ return(state) }}
    {%- endif -%}
    {%- set held = load_relation(this) if execute else none -%}
    {%- if held is none -%}
        {{ return(state) }}
    {%- endif -%}
    {%- set held_columns = adapter.get_columns_in_relation(held) | map(attribute='name') | map('lower') | list -%}
    {%- if '_as_of' in held_columns -%}
        {%- do state.update({
            'held_position': run_query('select max(_as_of) from ' ~ held).columns[0].values()[0],
        }) -%}
    {%- endif -%}
    {%- if not is_incremental() -%}
        {{ return(state) }}
    {%- endif -%}
    {%- set declared_columns = model.columns.keys() | map('lower') | list -%}
    {%- if state.held_position is none or (held_columns | sort) != (declared_columns | sort) -%}
        {{ log(this ~ ': rebuilt in place (its columns are not the declared ones, or it holds no position)', info=true) }}
        {%- do state.update({'mode': 'rebuild'}) -%}
    {%- else -%}
        {%- do state.update({'mode': 'increment', 'position': timestamp_literal(state.held_position)}) -%}
    {%- endif -%}
    {{ return(state) }}
{% endmacro %}
