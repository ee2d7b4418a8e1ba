-- A warning, never a failure: the rows and files in the quarantine that silver has not gone past
-- yet (recorded since it took in their entity's rows, macro bronze_unconsumed: a daily build's
-- batch), counted per entity and reason. No file or row stops the pipeline.
{{ config(severity='warn') }}

with

quarantine as (
    select * from {{ ref('bronze_quarantine') }}
),

final as (
    select
        entity,
        reject_reason,
        count(*) as records
    from quarantine
    where
        {%- for entity in var('raw_entities') %}
            {{ 'or ' if not loop.first -}}
            (entity = '{{ entity }}' and {{ bronze_unconsumed(entity) }})
        {%- endfor %}
    group by entity, reject_reason
)

select * from final
