{#- Post-hook of bronze_<entity>_checked: a file in which the CSV reader rejected a line is
    rejected whole, with the reason of its first reject, so that no row is lost silently, and the
    rows read after a rejected line get back their number in the file (the scan numbered them
    without it). DuckDB's reader leaves a rejected line out of the scan and records it in a
    temporary rejects table (stage_raw_source): bytes that are not UTF-8 (or compressed bytes
    named .csv), a row over the reader's size limit (var raw_max_row_bytes), or any other error
    type it may report. The temporary tables belong to the connection, which only this run's
    scans used. Spark's reader rejects nothing (it decodes bad bytes to U+FFFD, which
    bronze_checked_rows rejects, and has no size limit). -#}
{% macro bronze_quarantine_reader_rejects(entity) %}
    {{ return(adapter.dispatch('bronze_quarantine_reader_rejects')(entity)) }}
{% endmacro %}


{% macro default__bronze_quarantine_reader_rejects(entity) %}
    select 1
{% endmacro %}


{% macro duckdb__bronze_quarantine_reader_rejects(entity) %}
    {%- set raw_relation = source('raw', entity) -%}
    {%- set rejects = raw_relation.identifier ~ '__rejects' -%}
    {%- set scans = raw_relation.identifier ~ '__scans' -%}
    {%- set exists_query -%}
        select count(*) from duckdb_tables()
        where temporary and table_name in ('{{ rejects }}', '{{ scans }}')
    {%- endset -%}
    {%- if execute and run_query(exists_query).columns[0].values()[0] == 2 %}
    create or replace temp table {{ this.identifier }}__rejected as
    with

    rejected_lines as (
        select
            files.source_file,
            rejects.error_type,
            rejects.line,
            row_number() over (
                partition by files.source_file
                order by rejects.error_type = 'INVALID ENCODING' desc, rejects.line
            ) as rank_in_file
        from temp.main.{{ scans }} as scans
        inner join temp.main.{{ rejects }} as rejects
            on scans.scan_id = rejects.scan_id and scans.file_id = rejects.file_id
        inner join {{ ref('bronze_files') }} as files
            on scans.file_path = files.file_path and files.file_status = 'new'
    )

    select
        source_file,
        line,
        rank_in_file,
        case cast(error_type as varchar)
            when 'INVALID ENCODING' then 'file is not valid UTF-8 text'
            when 'LINE SIZE OVER MAXIMUM'
                then 'row ' || cast(line - 1 as varchar) || ' is longer than the CSV reader''s limit of '
                || '{{ var("raw_max_row_bytes") }} bytes: the file is quarantined whole'
            else 'the CSV reader rejected row ' || cast(line - 1 as varchar)
                || ' (' || lower(cast(error_type as varchar)) || '): the file is quarantined whole'
        end as reason
    from rejected_lines;

    -- a line the reader rejected is data row (line - 1); the row the scan numbered n is the n-th
    -- data row that was not rejected
    create or replace temp table {{ this.identifier }}__gaps as
    select
        source_file,
        line - 1 - row_number() over (partition by source_file order by line) as rows_before
    from (select distinct source_file, line from {{ this.identifier }}__rejected);

    update {{ this }} as checked
    set _source_row_number = checked._source_row_number + (
        select count(*) from {{ this.identifier }}__gaps as gaps
        where gaps.source_file = checked._source_file and gaps.rows_before < checked._source_row_number
    )
    where
        checked._source_row_number > 0
        and checked._source_file in (select gaps.source_file from {{ this.identifier }}__gaps as gaps);

    update {{ this }} as checked
    set _reject_reason = rejected.reason
    from {{ this.identifier }}__rejected as rejected
    where checked._source_file = rejected.source_file and rejected.rank_in_file = 1;

    drop table {{ this.identifier }}__gaps;
    drop table {{ this.identifier }}__rejected
    {%- else %}
    select 1
    {%- endif %}
{% endmacro %}
