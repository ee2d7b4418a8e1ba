{#- What reading each file of `files_relation` (a relation or CTE with file_path, as the listing
    gives it) once tells: a select of file_path, file_checksum (of the stored bytes), data_rows (the
    records after the header, counted by a CSV tokenizer that is not the loading reader; null
    without a header row), malformed_rows (a JSON array of {"data_row", "reason"} for the rows that
    are not well-formed CSV, 0 = the header; null when there is none) and file_problem (why the
    file cannot be read; null when it can). -#}
{% macro raw_file_facts(files_relation) %}
    {{ return(adapter.dispatch('raw_file_facts')(files_relation)) }}
{% endmacro %}


{#- DuckDB: the plugin's function lakehouse_raw_file_facts (lakehouse_duckdb/raw_files.py):
    SHA-256 of the bytes, Python's csv module as the tokenizer; a .csv.gz that is not a complete
    gzip stream is a problem (DuckDB's reader would fail the whole read, or load a truncated
    file silently). The struct it returns is unnested into columns. -#}
{% macro duckdb__raw_file_facts(files_relation) %}
    select
        file_path,
        -- the struct's fields as columns
        unnest(lakehouse_raw_file_facts(file_path))  -- noqa: AL03
    from {{ files_relation }}
{% endmacro %}


{#- Spark and Databricks: nothing is read when the file is listed. A change is seen in the
    listing's size and modification time (set by the object store on every write), and the
    data rows are counted when the file is read (bronze_counted_data_rows). -#}
{% macro spark__raw_file_facts(files_relation) %}
    select
        file_path,
        cast(null as string) as file_checksum,
        cast(null as bigint) as data_rows,
        cast(null as string) as malformed_rows,
        cast(null as string) as file_problem
    from {{ files_relation }}
{% endmacro %}
