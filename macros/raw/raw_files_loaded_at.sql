{#- dbt source freshness of a raw source (its loaded_at_query), from the listing (no file is
    read) and the file ledger: while the entity folder holds a file the ledger has not recorded
    (new, or changed since), the start of this invocation; otherwise the start of the run that
    recorded the entity's newest ledger entry. So a source is `fresher` than after the last
    successful build exactly when that build left a file to load (or a failed run left one),
    which is what `dbt build --select source_status:fresher+` needs to skip a build with nothing
    new. -#}
{% macro raw_files_loaded_at() %}
    {%- set entity = this.identifier -%}
    {%- set ledger = adapter.get_relation(
        database=this.database,
        schema=generate_schema_name('bronze', none),
        identifier='bronze_files',
    ) if execute else none -%}
    {%- set now = "cast('" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") ~ "' as timestamp)" -%}
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

    unrecorded_files as (
        select listed_files.file_path
        from listed_files
        left join recorded_files
            on
                listed_files.file_path = recorded_files.file_path
                and listed_files.file_size = recorded_files.file_size
                and listed_files.modified_at = recorded_files.modified_at
        where recorded_files.file_path is null
    )

    select
        case
            when (select count(*) from unrecorded_files) > 0 then {{ now }}
            else (select max(_ingested_at) from recorded_files)
        end
    {%- endif %}
{% endmacro %}
