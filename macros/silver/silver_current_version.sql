{#- The current version of every key: the rows of `relation` (a ref or CTE name) ranked
    within `key` by `order_by`, keeping the first. Deterministic tie-break: the earliest
    delivery (file, then row) of the newest version wins, so re-deliveries change nothing.
    Adds _version_rank (always 1): select the columns you need from it. -#}
{% macro silver_current_version(
    relation,
    key,
    order_by='updated_at desc, _source_file asc, _source_row_number asc'
) %}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key }}
                order by {{ order_by }}
            ) as _version_rank
        from {{ relation }}
    ) as ranked_versions
    where _version_rank = 1
{% endmacro %}
