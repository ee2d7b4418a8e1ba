-- Exactly once per file: no (file, row number) is held twice in a checked table. The files a
-- build loads are checked against everything already held for them (macro in_this_run).

{%- set entities = var('raw_entities') %}

with
{% for entity in entities %}
    checked_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
    ),

    -- a second import, filtered, not a second read of checked_{{ entity }}: a CTE read twice
    -- is materialized whole by DuckDB, all of history, before any filter
    loaded_in_this_run_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
        where {{ in_this_run('_ingested_at') }}
    ),
{% endfor %}

duplicated_rows as (
    {%- for entity in entities %}
        select
            '{{ entity }}' as entity,
            _source_file,
            _source_row_number,
            count(*) as copies
        from checked_{{ entity }}
        where
            _source_file in (
                select loaded_in_this_run_{{ entity }}._source_file
                from loaded_in_this_run_{{ entity }}
            )
        group by _source_file, _source_row_number
        having count(*) > 1
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select * from duplicated_rows
)

select * from final
