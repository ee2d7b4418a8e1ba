-- The ledger with its counts: every file bronze_files recorded, with the data rows the file
-- holds (counted without trusting the CSV reader) and the rows its load put in bronze and in the
-- quarantine: data_rows = rows_loaded + rows_quarantined for a file whose rows were checked one
-- by one; a file rejected whole loads nothing.

with

files as (
    select * from {{ ref('bronze_files') }}
),

{%- set entities = var('raw_entities') %}
{% for entity in entities %}
    checked_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
    ),
{% endfor %}

checked_rows as (
    {%- for entity in entities %}
        select
            '{{ entity }}' as entity,
            _source_file,
            _source_row_number,
            _reject_reason,
            _file_data_rows
        from checked_{{ entity }}
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

file_counts as (
    select
        entity,
        _source_file,
        sum(case when _reject_reason is null and _source_row_number > 0 then 1 else 0 end)
            as rows_loaded,
        sum(case when _reject_reason is not null and _source_row_number > 0 then 1 else 0 end)
            as rows_quarantined,
        max(case when _source_row_number = 0 then _reject_reason end) as file_reject_reason,
        max(case when _source_row_number = 0 then _file_data_rows end) as data_rows
    from checked_rows
    group by entity, _source_file
),

final as (
    select
        files.entity,
        files.source_file,
        files.file_path,
        files.ingest_date,
        files.file_size,
        files.modified_at,
        files.file_status,
        files.file_version,
        files.file_checksum,
        file_counts.data_rows,
        cast(coalesce(file_counts.rows_loaded, 0) as bigint) as rows_loaded,
        cast(coalesce(file_counts.rows_quarantined, 0) as bigint) as rows_quarantined,
        files._run_id,
        files._ingested_at,
        coalesce(files.file_reason, file_counts.file_reject_reason) as file_reason
    from files
    left join file_counts
        on
            files.entity = file_counts.entity
            and files.source_file = file_counts._source_file
            and files.file_status = 'new'
)

select * from final
