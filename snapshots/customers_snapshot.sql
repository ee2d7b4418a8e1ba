{% snapshot customers_snapshot %}
    {{ config(
        unique_key='customer_id',
        strategy='timestamp',
        updated_at='updated_at',
        hard_deletes='ignore',
    ) }}

    -- The customers dim_customers merged since the snapshot last ran (all of them the first time).
    select
        customer_id,
        first_name,
        last_name,
        email,
        gender,
        country,
        city,
        signup_date,
        updated_at,
        _source_file,
        is_inferred,
        _merged_at
    from {{ ref('dim_customers') }}
    {{ silver_merged_since_snapshot() }}
{% endsnapshot %}
