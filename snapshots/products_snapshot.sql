{% snapshot products_snapshot %}
    {{ config(
        unique_key='product_id',
        strategy='timestamp',
        updated_at='updated_at',
        hard_deletes='ignore',
    ) }}

    -- The products dim_products merged since the snapshot last ran (all of them the first time).
    select
        product_id,
        product_name,
        brand_id,
        brand_name,
        category_id,
        category_name,
        unit_price,
        updated_at,
        _source_file,
        is_inferred,
        _merged_at
    from {{ ref('dim_products') }}
    {{ silver_merged_since_snapshot() }}
{% endsnapshot %}
