{#- Schema enforcement for one raw entity: a select over the rows of files not loaded yet
    (bronze_unloaded_rows of `source_relation` and `loaded_relations`) with every declared
    column cast to its data_type (try_cast_value; empty strings become null), the
    lineage columns (_source_file, _source_row_number, _ingest_date, _ingested_at), the raw
    values as JSON (_raw_values) and _reject_reason: null for a good row, otherwise every reason
    the row cannot enter bronze (wrong shape, missing required value, value that does not cast). -#}
{% macro bronze_checked_rows(entity, source_relation, loaded_relations) %}
    {%- set columns = raw_source_columns(entity) -%}
    {%- set reasons = ['_shape_error'] -%}
    select
        {%- for column in columns %}
        {%- set raw_value = 'nullif(' ~ adapter.quote(column.name) ~ ", '')" %}
        {%- if column.data_type == 'string' %}
        {{ raw_value }} as {{ column.name }},
        {%- else %}
        {%- set typed_value = try_cast_value(raw_value, column.data_type) %}
        {{ typed_value }} as {{ column.name }},
        {%- do reasons.append(
            "case when " ~ raw_value ~ " is not null and " ~ typed_value ~ " is null then '"
            ~ column.name ~ " is not a valid " ~ column.data_type ~ "' end"
        ) %}
        {%- endif %}
        {%- if column.required %}
        {%- do reasons.append(
            "case when " ~ raw_value ~ " is null then '" ~ column.name ~ " is missing' end"
        ) %}
        {%- endif %}
        {%- endfor %}
        _source_file,
        row_number() over (
            partition by _source_file
            order by _scan_position
        ) as _source_row_number,
        _ingest_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _ingested_at,
        {{ raw_values_json(columns | map(attribute='name') | list) }} as _raw_values,
        nullif(concat_ws('; ', {{ reasons | join(', ') }}), '') as _reject_reason
    from (
        {{ bronze_unloaded_rows(source_relation, loaded_relations) }}
    ) as unloaded_rows
{% endmacro %}
