-- A warning, never a failure: the rows and files this build put in the quarantine (every
-- record outside a build), counted per entity and reason. No file or row stops the pipeline.
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
    where {{ in_this_run('_ingested_at') }}
    group by entity, reject_reason
)

select * from final
