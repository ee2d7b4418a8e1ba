{#- The quarantine rows of one raw entity: the rows of bronze_checked_rows with a
    _reject_reason, as (entity, _source_file, _source_row_number, raw_values, reject_reason,
    _ingest_date, _ingested_at). Called from bronze_quarantine, which runs before the
    bronze_<entity> models: a file counts as checked once it is in the quarantine (this) or in
    bronze_<entity> (loaded by an earlier run), so each file is checked exactly once. -#}
{% macro bronze_rejected_rows(entity, source_relation) %}
    {%- set bronze_relation = this.incorporate(path={'identifier': 'bronze_' ~ entity}) %}
    select
        '{{ entity }}' as entity,
        _source_file,
        _source_row_number,
        _raw_values as raw_values,
        _reject_reason as reject_reason,
        _ingest_date,
        _ingested_at
    from (
        {{ bronze_checked_rows(entity, source_relation, [this, bronze_relation]) }}
    ) as checked_rows
    where _reject_reason is not null
{% endmacro %}
