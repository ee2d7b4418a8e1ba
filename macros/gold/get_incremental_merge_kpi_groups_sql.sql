{#- The incremental strategy `merge_kpi_groups` of the gold marts (dbt calls
    get_incremental_<strategy>_sql). The model's rows are the new totals of the groups the run
    touched, one row per group (unique_key: the mart's grain columns). One MERGE, matched on
    every grain column (null matches null): a group whose total_orders fell to 0 is deleted (a
    full build has no row for it), another one is updated, a new one inserted. A single
    statement, so it reads the model's rows once even where they are a view over the mart
    (Databricks), and runs the same on DuckDB and Databricks. -#}
{% macro get_incremental_merge_kpi_groups_sql(arg_dict) %}
    {%- set target_relation = arg_dict['target_relation'] %}
    {%- set grain_columns = arg_dict['unique_key'] %}
    {%- if grain_columns is string %}
        {%- set grain_columns = [grain_columns] %}
    {%- endif %}
    {%- set columns = arg_dict['dest_columns'] or adapter.get_columns_in_relation(target_relation) %}
    {%- set column_names = columns | map(attribute='name') | list %}
    merge into {{ target_relation }} as mart
    using {{ arg_dict['temp_relation'] }} as new_totals
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
