{#- The rows of the files in `files_relation` (a CTE with file_path and malformed_rows, the
    ledger's JSON array of {"data_row", "reason"}) that are not well-formed CSV: a select of
    file_path, malformed_row_number (0 = the header) and malformed_reason. -#}
{% macro bronze_malformed_rows(files_relation) %}
    {{ return(adapter.dispatch('bronze_malformed_rows')(files_relation)) }}
{% endmacro %}


{% macro duckdb__bronze_malformed_rows(files_relation) %}
    select
        file_path,
        data_row as malformed_row_number,
        reason as malformed_reason
    from (
        select
            file_path,
            -- one row per malformed row, the struct's fields as columns
            unnest(from_json(malformed_rows, '[{"data_row": "BIGINT", "reason": "VARCHAR"}]'), recursive := true)  -- noqa: AL03
        from {{ files_relation }}
        where malformed_rows is not null
    ) as malformed
{% endmacro %}


{#- Spark and Databricks: the ledger has no malformed rows (raw_file_facts reads nothing); a
    broken quote stays in the value Spark's reader returns, where the value rules see it. -#}
{% macro spark__bronze_malformed_rows(files_relation) %}
    select
        cast(null as string) as file_path,
        cast(null as bigint) as malformed_row_number,
        cast(null as string) as malformed_reason
    where false
{% endmacro %}
