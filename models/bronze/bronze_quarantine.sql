-- Everything that could not enter bronze, with every reason: rejected rows of each entity, and
-- files rejected whole (row number 0) or not loaded at all (misplaced, unreadable), and what
-- happened to a file after bronze recorded it (changed, vanished: bronze keeps what it loaded).

with

{% for entity in var('raw_entities') %}
    checked_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
    ),
{% endfor %}

files as (
    select * from {{ ref('bronze_files') }}
),

rejected_rows as (
    {%- for entity in var('raw_entities') %}
        select
            '{{ entity }}' as entity,
            _source_file,
            _source_row_number,
            _raw_values as raw_values,
            _reject_reason as reject_reason,
            _ingest_date,
            _ingested_at
        from checked_{{ entity }}
        where _reject_reason is not null
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

files_not_loaded as (
    select
        entity,
        source_file as _source_file,
        cast(0 as bigint) as _source_row_number,
        cast(null as {{ dbt.type_string() }}) as raw_values,
        file_reason as reject_reason,
        ingest_date as _ingest_date,
        _ingested_at
    from files
    where file_status not in ('new', 'touched')
),

final as (
    select * from rejected_rows
    union all
    select * from files_not_loaded
)

select * from final
