{#- The incremental strategy `merge_kpi_groups` of the gold marts (dbt calls
    get_incremental_<strategy>_sql). The model's rows are the new totals of the groups the run
    touched, one row per group (unique_key: the mart's grain columns). Each of those groups is
    replaced by its new totals, matched on every grain column (null matches null); a group
    whose total_orders fell to 0 is deleted (a full build has no row for it). -#}
{% macro get_incremental_merge_kpi_groups_sql(arg_dict) %}
    {%- set grain_columns = arg_dict['unique_key'] %}
    {%- if grain_columns is string %}
        {%- set grain_columns = [grain_columns] %}
    {%- endif %}
    {%- set target_relation = arg_dict['target_relation'] %}
    {%- set columns = arg_dict['dest_columns'] or adapter.get_columns_in_relation(target_relation) %}
    {{- return(adapter.dispatch('merge_kpi_groups_sql')(
        target_relation,
        arg_dict['temp_relation'],
        grain_columns,
        columns | map(attribute='name') | list,
    )) }}
{% endmacro %}


{#- Databricks (and any engine without a faster way): one MERGE, a single statement, so it reads
    the model's rows once although they are a temporary view over the mart. -#}
{% macro default__merge_kpi_groups_sql(target_relation, new_totals, grain_columns, column_names) %}
    merge into {{ target_relation }} as mart
    using {{ new_totals }} as new_totals
        on
        {%- for column in grain_columns %}
        {% if not loop.first %}and {% endif -%}
        mart.{{ adapter.quote(column) }} is not distinct from new_totals.{{ adapter.quote(column) }}
        {%- endfor %}
    when matched and new_totals.total_orders = 0 then delete
    when matched then update set
        {%- for column in column_names if column not in grain_columns %}
        {{ adapter.quote(column) }} = new_totals.{{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    when not matched and new_totals.total_orders > 0 then insert (
        {%- for column in column_names %}
        {{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) values (
        {%- for column in column_names %}
        new_totals.{{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{% endmacro %}


{#- DuckDB: a delete of the touched groups and an insert of those with orders, in the run's
    transaction; the model's rows are a temporary table, read after the delete unchanged.
    (DuckDB 1.5's MERGE took seconds for a few thousand rows where these take milliseconds.) -#}
{% macro duckdb__merge_kpi_groups_sql(target_relation, new_totals, grain_columns, column_names) %}
    delete from {{ target_relation }} as mart
    where exists (
        select 1
        from {{ new_totals }} as new_totals
        where
            {%- for column in grain_columns %}
            {% if not loop.first %}and {% endif -%}
            mart.{{ adapter.quote(column) }} is not distinct from new_totals.{{ adapter.quote(column) }}
            {%- endfor %}
    );
    insert into {{ target_relation }} (
        {%- for column in column_names %}
        {{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
    select
        {%- for column in column_names %}
        new_totals.{{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ new_totals }} as new_totals
    where new_totals.total_orders > 0
{% endmacro %}
