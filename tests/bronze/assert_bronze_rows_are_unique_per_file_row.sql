-- Exactly once per file: no (file, row number) is held twice in a checked table. The files whose
-- rows silver has not taken in yet (macro bronze_unconsumed) are checked against everything held
-- for them.

{%- set entities = var('raw_entities') %}

with
{% for entity in entities %}
    checked_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
    ),

    -- a second import, filtered, not a second read of checked_{{ entity }}: a CTE read twice
    -- is materialized whole by DuckDB, all of history, before any filter
    not_in_silver_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
        where {{ bronze_unconsumed(entity) }}
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
                select not_in_silver_{{ entity }}._source_file
                from not_in_silver_{{ entity }}
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
