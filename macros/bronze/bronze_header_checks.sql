{#- Step 3 of bronze_checked_rows: each file's header row, one row per file of `raw_rows`: where
    it is in the scan (_header_scan_position) and how many rows the reader gave the file
    (_file_row_count), the field position of each declared column (position_of_<column>, null
    when the header does not name it), and the declared columns the header misses, the names it
    adds and the names it repeats (comma-separated, '' when none). -#}
{% macro bronze_header_checks(entity, raw_rows) %}
    {%- set names = raw_source_columns(entity) | map(attribute='name') | list -%}
    {%- set fields = bronze_raw_fields(entity) %}
    with

    -- the rows of a file come one after another in the scan, its header row first: a data
    -- row's number in its file is its distance from the header row (no sort of the rows)
    header_scan_positions as (
        select
            _file_path,
            min(_scan_position) as _header_scan_position,
            count(*) as _file_row_count
        from {{ raw_rows }}
        group by _file_path
    ),

    header_rows as (
        select
            raw_rows.*,
            header_scan_positions._header_scan_position,
            header_scan_positions._file_row_count
        from {{ raw_rows }} as raw_rows
        inner join header_scan_positions
            on
                raw_rows._file_path = header_scan_positions._file_path
                and raw_rows._scan_position = header_scan_positions._header_scan_position
    ),

    header_positions as (
        select
            _file_path,
            _header_scan_position,
            _file_row_count,
            {%- for field in fields %}
            {{ field }} as header_{{ loop.index }},
            {%- endfor %}
            {%- for name in names %}
            case
                {%- for field in fields %}
                when {{ field }} = '{{ name }}' then {{ loop.index }}
                {%- endfor %}
            end as position_of_{{ name }}{{ ',' if not loop.last }}
            {%- endfor %}
        from header_rows
    )

    select
        _file_path,
        _header_scan_position,
        _file_row_count,
        {%- for name in names %}
        position_of_{{ name }},
        {%- endfor %}
        concat_ws(', ',
            {%- for name in names %}
            case when position_of_{{ name }} is null then '{{ name }}' end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as missing_columns,
        concat_ws(', ',
            {%- for field in fields %}
            case when header_{{ loop.index }} not in ({{ bronze_sql_list(names) }}) then header_{{ loop.index }} end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as unknown_columns,
        concat_ws(', ',
            {%- for position in range(1, fields | length) %}
            case when header_{{ position }} in ({% for later in range(position + 1, fields | length + 1) %}header_{{ later }}{{ ', ' if not loop.last }}{% endfor %}) then header_{{ position }} end{{ ',' if not loop.last }}
            {%- endfor %}
        ) as repeated_columns
    from header_positions
{% endmacro %}
