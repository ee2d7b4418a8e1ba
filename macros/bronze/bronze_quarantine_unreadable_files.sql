{#- Post-hook of bronze_<entity>_checked: a file with lines the CSV reader could not decode
    (not UTF-8, binary or compressed bytes named .csv) is rejected whole. DuckDB's reader skips
    such lines and records them in a temporary rejects table (stage_raw_source), so this hook
    marks every row of those files with the reason (a file-level row numbered 0 when none of
    its rows could be read). The
    temporary tables belong to the connection, which only this run's scans used. Spark decodes such
    bytes to U+FFFD instead, which bronze_checked_rows rejects. -#}
{% macro bronze_quarantine_unreadable_files(entity) %}
    {{ return(adapter.dispatch('bronze_quarantine_unreadable_files')(entity)) }}
{% endmacro %}


{% macro default__bronze_quarantine_unreadable_files(entity) %}
    select 1
{% endmacro %}


{% macro duckdb__bronze_quarantine_unreadable_files(entity) %}
    {%- set raw_relation = source('raw', entity) -%}
    {%- set rejects = raw_relation.identifier ~ '__rejects' -%}
    {%- set scans = raw_relation.identifier ~ '__scans' -%}
    {%- set exists_query -%}
        select count(*) from duckdb_tables()
        where temporary and table_name in ('{{ rejects }}', '{{ scans }}')
    {%- endset -%}
    {%- if execute and run_query(exists_query).columns[0].values()[0] == 2 %}
    {%- set run_ingested_at = "cast('" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") ~ "' as timestamp)" %}
    create or replace temp table {{ this.identifier }}__unreadable as
    select
        files.source_file,
        files.ingest_date,
        'file is not valid UTF-8 text' as reason
    from temp.main.{{ scans }} as scans
    inner join temp.main.{{ rejects }} as rejects
        on scans.scan_id = rejects.scan_id and scans.file_id = rejects.file_id
    inner join {{ ref('bronze_files') }} as files
        on scans.file_path = files.file_path
    where rejects.error_type = 'INVALID ENCODING'
    group by files.source_file, files.ingest_date;

    update {{ this }} as checked
    set _reject_reason = unreadable.reason
    from {{ this.identifier }}__unreadable as unreadable
    where checked._source_file = unreadable.source_file;

    insert into {{ this }} (_source_file, _source_row_number, _ingest_date, _ingested_at, _reject_reason)
    select source_file, 0, ingest_date, {{ run_ingested_at }}, reason
    from {{ this.identifier }}__unreadable as unreadable
    where not exists (
        select 1 from {{ this }} as checked
        where checked._source_file = unreadable.source_file
    );

    drop table {{ this.identifier }}__unreadable
    {%- else %}
    select 1
    {%- endif %}
{% endmacro %}
