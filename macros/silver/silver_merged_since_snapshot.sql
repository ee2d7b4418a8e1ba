{#- The where clause of a snapshot over a silver dimension: only the dimension's rows merged
    since the snapshot last ran (a `_merged_at` after the newest one the snapshot holds); every
    row on its first run. The timestamp strategy then compares those rows, not the whole
    dimension, with the snapshot; the rows not selected are left alone (hard_deletes: ignore).
    A row merged without a newer updated_at (a re-delivery) adds no version either way. -#}
{% macro silver_merged_since_snapshot() %}
    {%- if load_relation(this) is not none %}
    where _merged_at > (
        select coalesce(max(snapshot_rows._merged_at), cast('1900-01-01' as timestamp))
        from {{ this }} as snapshot_rows
    )
    {%- endif %}
{% endmacro %}
