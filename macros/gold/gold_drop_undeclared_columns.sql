{#- pre-hook of the gold models: on an incremental run, drop the columns the table holds but the
    model no longer declares (a KPI removed), so that the model's rows, recomputed in place
    (gold_increment's `rebuild`), fill exactly its declared columns; dbt appends the new ones
    (on_schema_change: append_new_columns). Nothing to do on a full build, for a table rebuilt
    every run, or when the columns are the declared ones. -#}
{% macro gold_drop_undeclared_columns() %}
    {%- if execute and is_incremental() -%}
        {%- set declared_columns = model.columns.keys() | map('lower') | list -%}
        {%- for column in adapter.get_columns_in_relation(this) -%}
            {%- if column.name | lower not in declared_columns -%}
                {{ log(this ~ ': dropping the column ' ~ column.name ~ ', no longer declared', info=true) }}
                {%- call statement('drop_undeclared_column_' ~ loop.index) -%}
                    alter table {{ this }} drop column {{ adapter.quote(column.name) }}
                {%- endcall -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
