-- The ledger of raw files: one row per file (and per new version of a file, and per file that
-- vanished) the listing has shown, appended in the run that first saw it. Every later bronze
-- model of a run reads the files this table lists, so the set of files a run loads is fixed
-- when this model runs. Bronze is the system of record: what a file loaded stays, whatever
-- happens to the file afterwards; a change or a deletion is recorded here, never replayed.

with

listed_files as (
    {%- for entity in var('raw_entities') %}
        {{ raw_file_listing(source('raw', entity)) }}
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

{% if is_incremental() %}
{#- a ledger recorded before versions, checksums and counts gets them as null (the build then
    appends the columns: on_schema_change append_new_columns) -#}
{%- set recorded_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list %}
known_files as (
    select
        *
        {%- for column in ['file_version', 'file_checksum', 'malformed_rows'] if column not in recorded_columns %},
        cast(null as {{ dbt.type_string() }}) as {{ column }}
        {%- endfor %}
        {%- if 'data_rows' not in recorded_columns %},
        cast(null as bigint) as data_rows
        {%- endif %}
    from {{ this }}
),
{% endif %}

classified_files as (
    select
        entity,
        file_path,
        file_size,
        modified_at,
        file_version,
        file_problem,
        coalesce(
            nullif(
                regexp_extract(
                    file_path,
                    '([^/]+/ingest_date=[0-9]{4}-[0-9]{2}-[0-9]{2}/[^/]+[.]csv(?:[.]gz)?)$',
                    1
                ),
                ''
            ),
            file_path
        ) as source_file
    from listed_files
),

located_files as (
    select
        *,
        source_file like entity || '/ingest_date=%' as is_in_layout,
        -- null when the partition names no calendar day (ingest_date=2026-02-30): a try_cast,
        -- so such a file is quarantined instead of failing the cast (and the run)
        try_cast(regexp_extract(source_file, 'ingest_date=([0-9-]{10})/', 1) as date)
            as partition_date
    from classified_files
),

{% if is_incremental() %}
-- the ledger's last word on every path it holds, and the checksum of the version each loaded
-- path was loaded from
ranked_records as (
    select
        *,
        row_number() over (partition by file_path order by _ingested_at desc) as recency
    from known_files
),

latest_records as (
    select * from ranked_records
    where recency = 1
),

loaded_records as (
    select
        file_path,
        max(file_checksum) as loaded_checksum
    from known_files
    where file_status = 'new'
    group by file_path
),
{% endif %}

-- a listed file is unchanged when its latest record has the same size, modification time and
-- version token (a record without a token matches on size and time)
unseen_files as (
    select
        located_files.*,
        {%- if is_incremental() %}
        loaded_records.file_path is not null as was_loaded,
        loaded_records.loaded_checksum
    from located_files
    left join latest_records
        on located_files.file_path = latest_records.file_path
    left join loaded_records
        on located_files.file_path = loaded_records.file_path
    where
        latest_records.file_path is null
        or latest_records.file_status = 'vanished'
        or located_files.file_size != latest_records.file_size
        or located_files.modified_at != latest_records.modified_at
        or located_files.file_version != latest_records.file_version
        {%- else %}
            false as was_loaded,
            cast(null as {{ dbt.type_string() }}) as loaded_checksum
        from located_files
        {%- endif %}
),

readable_files as (
    select * from unseen_files
    where file_problem is null
),

-- read once: the checksum, and the data rows counted by a tokenizer that is not the loading
-- reader, with the rows that are not well-formed CSV
file_facts as (
    {{ raw_file_facts('readable_files') }}
),

examined_files as (
    select
        unseen_files.*,
        file_facts.file_checksum,
        file_facts.data_rows,
        file_facts.malformed_rows,
        coalesce(unseen_files.file_problem, file_facts.file_problem) as problem
    from unseen_files
    left join file_facts
        on unseen_files.file_path = file_facts.file_path
),

recorded_files as (
    select
        entity,
        file_path,
        source_file,
        is_in_layout,
        partition_date,
        file_size,
        modified_at,
        file_version,
        file_checksum,
        data_rows,
        malformed_rows,
        case
            when was_loaded and problem is null and file_checksum = loaded_checksum then 'touched'
            when was_loaded then 'changed'
            when problem is not null then 'unreadable'
            when is_in_layout and partition_date is not null then 'new'
            else 'misplaced'
        end as file_status,
        case
            when was_loaded and problem is null and file_checksum = loaded_checksum then null
            when was_loaded and problem is not null
                then 'file changed after it was loaded (' || problem || '): its first load stands'
            when was_loaded then 'file changed after it was loaded: its first load stands'
            when problem is not null then problem
            when not is_in_layout
                then 'not in the raw layout <entity>/ingest_date=YYYY-MM-DD/<name>.csv[.gz]'
            when partition_date is null
                then
                    'not in the raw layout: the partition '
                    || regexp_extract(source_file, '(ingest_date=[^/]*)/', 1)
                    || ' is not a calendar date'
        end as file_reason
    from examined_files
    {%- if is_incremental() %}
    union all
    -- a path the ledger holds that the listing no longer shows
    select
        latest_records.entity,
        latest_records.file_path,
        latest_records.source_file,
        latest_records.ingest_date is not null as is_in_layout,
        latest_records.ingest_date as partition_date,
        latest_records.file_size,
        latest_records.modified_at,
        latest_records.file_version,
        latest_records.file_checksum,
        cast(null as bigint) as data_rows,
        cast(null as {{ dbt.type_string() }}) as malformed_rows,
        'vanished' as file_status,
        case
            when loaded_records.file_path is not null
                then 'file vanished from the raw zone: bronze keeps what it loaded from it'
            else 'file vanished from the raw zone (it was never loaded)'
        end as file_reason
    from latest_records
    left join located_files
        on latest_records.file_path = located_files.file_path
    left join loaded_records
        on latest_records.file_path = loaded_records.file_path
    where
        located_files.file_path is null
        and latest_records.file_status != 'vanished'
    {%- endif %}
),

final as (
    select
        entity,
        file_path,
        source_file,
        case when is_in_layout then partition_date end as ingest_date,
        file_size,
        modified_at,
        file_status,
        file_reason,
        '{{ invocation_id }}' as _run_id,
        {{ run_started_timestamp() }} as _ingested_at,
        file_version,
        file_checksum,
        data_rows,
        malformed_rows
    from recorded_files
)

select * from final
