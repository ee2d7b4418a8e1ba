{#- post-hook of the silver relations that hold customer PII. On Databricks: a Unity Catalog
    column mask on each named column of {{ this }}: members of the pii_readers_group var see the
    value, everyone else its SHA-256 hash. DuckDB and local Spark have no column security: a no-op. -#}
{% macro mask_pii_columns(column_names) %}
    {{ return(adapter.dispatch('mask_pii_columns')(column_names)) }}
{% endmacro %}


{% macro default__mask_pii_columns(column_names) %}
{% endmacro %}


{% macro databricks__mask_pii_columns(column_names) %}
    {%- if execute -%}
        {%- set mask_function -%}
            {{ adapter.quote(this.database) }}.{{ adapter.quote(this.schema) }}.mask_pii
        {%- endset -%}
        {%- call statement('create_pii_mask_function', auto_begin=false) -%}
            create or replace function {{ mask_function }}(value string)
            returns string
            comment 'Customer PII: the value for members of {{ var("pii_readers_group") }}, else its SHA-256 hash'
            return case
                when is_account_group_member('{{ var("pii_readers_group") }}') then value
                else sha2(value, 256)
            end
        {%- endcall -%}
        {%- for column_name in column_names -%}
            {%- call statement('mask_' ~ column_name, auto_begin=false) -%}
                alter table {{ this }}
                alter column {{ adapter.quote(column_name) }} set mask {{ mask_function }}
            {%- endcall -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
