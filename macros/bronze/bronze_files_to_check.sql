{#- The files of one raw entity that bronze_<entity>_checked reads in this run: the files the
    ledger (bronze_files) lists as new (whenever they were discovered) that the checked table
    does not hold yet, as a list of paths. A run that failed half way leaves its files here for
    the next run; a file that lands after bronze_files ran waits for the next run. None while
    the ledger does not exist yet (compiling without a warehouse). -#}
{% macro bronze_files_to_check(entity) %}
    {%- if not execute or load_relation(ref('bronze_files')) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select ledger.file_path
        from {{ ref('bronze_files') }} as ledger
        where
            ledger.entity = '{{ entity }}'
            and ledger.file_status = 'new'
            {%- if is_incremental() %}
            and ledger.source_file not in (select distinct checked._source_file from {{ this }} as checked)
            {%- endif %}
        order by ledger.file_path
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}
