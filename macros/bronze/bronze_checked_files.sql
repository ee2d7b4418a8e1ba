{#- Step 1 of bronze_checked_rows: the ledger's rows of the files to check (`paths`, from
    bronze_files_to_check), with the data rows and malformed rows it counted, and unread_reason
    when the ledger's last word on the path says it changed, vanished or became unreadable
    after it was listed (the file is then recorded, not read). -#}
{% macro bronze_checked_files(entity, paths) %}
    with

    ledger as (
        select * from {{ ref('bronze_files') }}
        where entity = '{{ entity }}'
    ),

    ranked_records as (
        select
            file_path,
            file_status,
            file_reason,
            row_number() over (partition by file_path order by _ingested_at desc) as recency
        from ledger
    ),

    latest_records as (
        select * from ranked_records
        where recency = 1
    )

    select
        ledger.file_path,
        ledger.source_file,
        ledger.ingest_date,
        ledger.file_size,
        ledger.data_rows,
        ledger.malformed_rows,
        case
            when latest_records.file_status not in ('new', 'touched')
                then 'file could not be read: ' || latest_records.file_reason
        end as unread_reason
    from ledger
    inner join latest_records
        on ledger.file_path = latest_records.file_path
    where
        ledger.file_status = 'new'
        and ledger.file_path in ({{ bronze_sql_list(paths) }})
{% endmacro %}
