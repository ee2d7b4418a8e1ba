-- The ledger of raw files: one row per file (and per changed version of a file) the listing
-- has shown, appended in the run that first saw it. Every later bronze model of a run reads the
-- files this table lists, so the set of files a run loads is fixed when this model runs.

with

listed_files as (
    {%- for entity in var('raw_entities') %}
        {{ raw_file_listing(source('raw', entity)) }}
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

{% if is_incremental() %}
known_files as (
    select * from {{ this }}
),
{% endif %}

classified_files as (
    select
        entity,
        file_path,
        file_size,
        modified_at,
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
known_paths as (
    select distinct file_path from known_files
),

known_versions as (
    select distinct
        file_path,
        file_size,
        modified_at
    from known_files
),
{% endif %}

unseen_files as (
    select
        located_files.*,
        {%- if is_incremental() %}
        known_paths.file_path is not null as was_seen
    from located_files
    left join known_paths
        on located_files.file_path = known_paths.file_path
    left join known_versions
        on
            located_files.file_path = known_versions.file_path
            and located_files.file_size = known_versions.file_size
            and located_files.modified_at = known_versions.modified_at
    where known_versions.file_path is null
        {%- else %}
            false as was_seen
        from located_files
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
        case
            when was_seen then 'changed'
            when is_in_layout and partition_date is not null then 'new'
            else 'misplaced'
        end as file_status,
        case
            when was_seen then 'file changed after it was loaded: its first load stands'
            when not is_in_layout
                then 'not in the raw layout <entity>/ingest_date=YYYY-MM-DD/<name>.csv[.gz]'
            when partition_date is null
                then
                    'not in the raw layout: the partition '
                    || regexp_extract(source_file, '(ingest_date=[^/]*)/', 1)
                    || ' is not a calendar date'
        end as file_reason,
        '{{ invocation_id }}' as _run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as _ingested_at
    from unseen_files
)

select * from final
