{#- The files of one raw entity that bronze_<entity>_checked checks in this run: the files the
    ledger (bronze_files) lists as new (whenever they were discovered) that the checked table
    does not hold yet, sorted by path, as dicts: file_path, and is_readable (false when the
    ledger's latest record of the path says it changed, vanished or became unreadable since it
    was listed: it is then recorded, not read). A run that failed half way leaves its files here
    for the next run; a file that lands after bronze_files ran waits for the next run. None while
    the ledger does not exist yet (compiling without a warehouse). -#}
{% macro bronze_files_to_check(entity) %}
    {%- if not execute or load_relation(ref('bronze_files')) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        with

        ranked_records as (
            select
                file_path,
                file_status,
                row_number() over (partition by file_path order by _ingested_at desc) as recency
            from {{ ref('bronze_files') }}
            where entity = '{{ entity }}'
        )

        select
            ledger.file_path,
            latest.file_status in ('new', 'touched') as is_readable
        from {{ ref('bronze_files') }} as ledger
        inner join ranked_records as latest
            on ledger.file_path = latest.file_path and latest.recency = 1
        where
            ledger.entity = '{{ entity }}'
            and ledger.file_status = 'new'
            {%- if is_incremental() %}
            and ledger.source_file not in (select distinct checked._source_file from {{ this }} as checked)
            {%- endif %}
        order by ledger.file_path
    {%- endset -%}
    {%- set files = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do files.append({'file_path': row[0], 'is_readable': row[1]}) -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}
