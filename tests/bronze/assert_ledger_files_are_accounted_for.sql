-- Per-file reconciliation from the ledger, without re-reading raw files: every file the ledger
-- lists as new has been read (at least one row or file-level row in its checked table), and the
-- ledger's counts equal the rows of the file in bronze_<entity> and in the quarantine. Checks
-- the files recorded since silver took in its entity's rows (macro bronze_unconsumed).

{%- set entities = var('raw_entities') %}

with

ledger as (
    select * from {{ ref('bronze_file_ledger') }}
),

quarantine as (
    select * from {{ ref('bronze_quarantine') }}
),
{% for entity in entities %}
    checked_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
    ),

    bronze_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity) }}
    ),
{% endfor %}

files_to_account as (
    select * from ledger
    where
        file_status = 'new'
        and (
            {%- for entity in entities %}
                (entity = '{{ entity }}' and {{ bronze_unconsumed(entity) }})
                {{- '\n            or' if not loop.last }}
            {%- endfor %}
        )
),

files_read as (
    {%- for entity in entities %}
        select distinct
            '{{ entity }}' as entity,
            _source_file
        from checked_{{ entity }}
        where
            _source_row_number <= 1
            and _source_file in (select files_to_account.source_file from files_to_account)
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

loaded_counts as (
    {%- for entity in entities %}
        select
            '{{ entity }}' as entity,
            _source_file,
            count(*) as rows_in_bronze
        from bronze_{{ entity }}
        where _source_file in (select files_to_account.source_file from files_to_account)
        group by _source_file
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

quarantined_counts as (
    select
        entity,
        _source_file,
        count(*) as rows_in_quarantine
    from quarantine
    where
        _source_row_number > 0
        and _source_file in (select files_to_account.source_file from files_to_account)
    group by entity, _source_file
),

final as (
    select
        files_to_account.entity,
        files_to_account.source_file,
        files_to_account.rows_loaded,
        files_to_account.rows_quarantined,
        files_read._source_file is not null as was_read,
        coalesce(loaded_counts.rows_in_bronze, 0) as rows_in_bronze,
        coalesce(quarantined_counts.rows_in_quarantine, 0) as rows_in_quarantine
    from files_to_account
    left join files_read
        on
            files_to_account.entity = files_read.entity
            and files_to_account.source_file = files_read._source_file
    left join loaded_counts
        on
            files_to_account.entity = loaded_counts.entity
            and files_to_account.source_file = loaded_counts._source_file
    left join quarantined_counts
        on
            files_to_account.entity = quarantined_counts.entity
            and files_to_account.source_file = quarantined_counts._source_file
    where
        files_read._source_file is null
        or files_to_account.rows_loaded != coalesce(loaded_counts.rows_in_bronze, 0)
        or files_to_account.rows_quarantined != coalesce(quarantined_counts.rows_in_quarantine, 0)
)

select * from final
