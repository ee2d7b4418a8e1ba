{#- dbt source freshness of a raw source (its loaded_at_query), from the listing (no file is
    read) and the file ledger: while the entity folder holds a file the ledger has not recorded as
    it is now (new, rewritten, back after it vanished) or the ledger holds a file the folder no
    longer has, the start of this invocation, and never earlier than a second after the newest
    ledger entry (a clock set back, or a ledger written ahead of it, cannot hide a new file);
    otherwise the start of the run that recorded the entity's newest ledger entry. So a source
    is `fresher` than after the last successful build exactly when that build left something to
    record (or a failed run left it), which is what `dbt build --select source_status:fresher+`
    needs to skip a build with nothing new. -#}
{% macro raw_files_loaded_at() %}
    {%- set entity = this.identifier -%}
    {%- set ledger = adapter.get_relation(
        database=this.database,
        schema=generate_schema_name('bronze', none),
        identifier='bronze_files',
    ) if execute else none -%}
    {%- set now = run_started_timestamp() | trim -%}
    {#- a ledger written before versions were recorded has no file_version column until the next
        build appends it -#}
    {%- set has_versions = ledger is not none
        and 'file_version' in adapter.get_columns_in_relation(ledger) | map(attribute='name') | map('lower') | list -%}
    {%- if ledger is none %}
    select {{ now }}
    {%- else %}
    with

    listed_files as (
        {{ raw_file_listing(this) }}
    ),

    recorded_files as (
        select * from {{ ledger }}
        where entity = '{{ entity }}'
    ),

    ranked_records as (
        select
            *,
            row_number() over (partition by file_path order by _ingested_at desc) as recency
        from recorded_files
    ),

    latest_records as (
        select * from ranked_records
        where recency = 1 and file_status != 'vanished'
    ),

    -- listed but not recorded as it is now: new, rewritten, or back after it vanished
    unrecorded_files as (
        select listed_files.file_path
        from listed_files
        left join latest_records
            on
                listed_files.file_path = latest_records.file_path
                and listed_files.file_size = latest_records.file_size
                and listed_files.modified_at = latest_records.modified_at
                {%- if has_versions %}
                and coalesce(listed_files.file_version = latest_records.file_version, true)
                {%- endif %}
        where latest_records.file_path is null
    ),

    -- recorded but no longer listed
    vanished_files as (
        select latest_records.file_path
        from latest_records
        left join listed_files
            on latest_records.file_path = listed_files.file_path
        where listed_files.file_path is null
    ),

    newest_record as (
        select max(_ingested_at) as recorded_at from recorded_files
    )

    select
        case
            when
                (select count(*) from unrecorded_files) + (select count(*) from vanished_files) > 0
                then greatest(
                    {{ now }},
                    {{ dbt.dateadd('second', 1, 'coalesce(newest_record.recorded_at, ' ~ now ~ ')') }}
                )
            else newest_record.recorded_at
        end
    from newest_record
    {%- endif %}
{% endmacro %}
