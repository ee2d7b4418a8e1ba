-- Nothing read is lost: for every file read, the data rows it holds (counted without trusting
-- the CSV reader, macro bronze_counted_data_rows, on the file's record, row 0) are each loaded or
-- quarantined exactly once, numbered 1 to that count; a file rejected whole loads no row. The
-- files whose rows silver has not taken in yet (macro bronze_unconsumed; every file under
-- full_verification), whatever the run that read them (a file read before bronze counted data
-- rows has no count on its record and is not reconciled).

{%- set entities = var('raw_entities') %}

with
{% for entity in entities %}
    checked_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
    ),

    -- a second import, filtered, not a second read of checked_{{ entity }} (see
    -- assert_bronze_rows_are_unique_per_file_row)
    not_in_silver_{{ entity }} as (
        select * from {{ ref('bronze_' ~ entity ~ '_checked') }}
        where {{ bronze_unconsumed(entity) }}
    ),
{% endfor %}

file_counts as (
    {%- for entity in entities %}
        select
            '{{ entity }}' as entity,
            _source_file,
            max(case when _source_row_number = 0 then _file_data_rows end) as data_rows,
            max(case when _source_row_number = 0 then _reject_reason end) as file_reason,
            count(case when _source_row_number > 0 then 1 end) as rows_held,
            coalesce(max(_source_row_number), 0) as last_row_number,
            count(case when _source_row_number > 0 and _reject_reason is null then 1 end)
                as rows_loaded
        from checked_{{ entity }}
        where
            _source_file in (
                select not_in_silver_{{ entity }}._source_file
                from not_in_silver_{{ entity }}
            )
        group by _source_file
        {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select * from file_counts
    where
        (file_reason is not null and rows_loaded > 0)
        or (
            file_reason is null
            and data_rows is not null
            and (rows_held != data_rows or last_row_number != data_rows)
        )
)

select * from final
