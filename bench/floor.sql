-- The floor of the pipeline benchmark: the nine gold KPI relations computed straight from the
-- raw CSV files in one DuckDB script, as fast as a hand-written query can do it. It shares no
-- code with the dbt project; bench/pipeline.py checks that its numbers equal dbt's gold.
--
-- The raw zone is the DuckDB variable raw_root (`set variable raw_root = 'data/raw'` first); the
-- nine tables land in the database the script runs in (the README shows a one-liner).
--
-- The rules (the KPI definitions of gold):
-- - the current version of an id is its row with the greatest updated_at; on a tie a Cancelled
--   order beats a Placed one, then the earliest file wins (a re-delivered row changes nothing;
--   silver then takes the first row of that file, a case the generator never writes: one id
--   twice in a file with the same updated_at and status);
-- - every order is counted once, in its current version, with the current attributes of its
--   product, brand, category and customer (null when the referenced row does not exist);
-- - money is decimal(38, 2), counts are bigint, the cancellation rate is a double (0 without
--   orders).

-- The KPI columns of every gold relation, over the orders of one group (one row per group).
create or replace temp macro kpis(status, quantity, order_amount) as {
    'total_orders': count(*)::bigint,
    'placed_orders': count(*) filter (where status = 'Placed')::bigint,
    'cancelled_orders': count(*) filter (where status = 'Cancelled')::bigint,
    'units_sold': coalesce(sum(quantity) filter (where status = 'Placed'), 0)::bigint,
    'revenue': coalesce(sum(order_amount) filter (where status = 'Placed'), 0)::decimal(38, 2),
    'lost_revenue': coalesce(
        sum(order_amount) filter (where status = 'Cancelled'), 0
    )::decimal(38, 2),
    'cancellation_rate': case
        when count(*) = 0 then 0::double
        else (count(*) filter (where status = 'Cancelled'))::double / count(*)::double
    end
};

-- One raw entity: every CSV of every ingest_date partition, typed by column name, plus
-- file_index: the file's position in the sorted file names, which breaks ties between versions
-- (the earliest file wins).
create or replace temp macro raw_files(entity, column_types) as table
    select
        *,  -- noqa: AM04
        file_index
    from read_csv(
        getvariable('raw_root') || '/' || entity || '/*/*.csv',
        header = true,
        hive_partitioning = false,
        types = column_types
    );

create or replace temp table current_brands as
select
    brand_id,
    brand_name
from raw_files('brands', { 'brand_id': 'bigint', 'updated_at': 'timestamp' })
qualify row_number() over (partition by brand_id order by updated_at desc, file_index asc) = 1;

create or replace temp table current_categories as
select
    category_id,
    category_name
from raw_files('categories', { 'category_id': 'bigint', 'updated_at': 'timestamp' })
qualify row_number() over (partition by category_id order by updated_at desc, file_index asc) = 1;

create or replace temp table current_products as
select
    product_id,
    product_name,
    brand_id,
    category_id
from
    raw_files(
        'products',
        {
            'product_id': 'bigint',
            'brand_id': 'bigint',
            'category_id': 'bigint',
            'updated_at': 'timestamp'
        }
    )
qualify row_number() over (partition by product_id order by updated_at desc, file_index asc) = 1;

create or replace temp table current_customers as
select
    customer_id,
    country,
    gender
from raw_files('customers', { 'customer_id': 'bigint', 'updated_at': 'timestamp' })
qualify row_number() over (partition by customer_id order by updated_at desc, file_index asc) = 1;

create or replace temp table current_orders as
select
    order_id,
    customer_id,
    product_id,
    quantity,
    unit_price,
    payment_method,
    status,
    ordered_at
from
    raw_files(
        'orders',
        {
            'order_id': 'bigint',
            'customer_id': 'bigint',
            'product_id': 'bigint',
            'quantity': 'integer',
            'unit_price': 'decimal(18,2)',
            'ordered_at': 'timestamp',
            'updated_at': 'timestamp'
        }
    )
qualify row_number() over (
    partition by order_id order by updated_at desc, status = 'Cancelled' desc, file_index
) = 1;

-- One row per current order with everything a grain groups by (a view: each gold query joins
-- the small dimension tables to current_orders again, cheaper than materializing the join).
create or replace temp view orders_enriched as
select
    current_orders.order_id,
    current_orders.status,
    current_orders.quantity,
    current_orders.payment_method,
    current_orders.ordered_at::date as order_date,
    current_orders.product_id,
    current_products.product_name,
    current_products.brand_id,
    current_brands.brand_name,
    current_products.category_id,
    current_categories.category_name,
    current_orders.customer_id,
    current_customers.country,
    current_customers.gender,
    (current_orders.quantity * current_orders.unit_price)::decimal(18, 2) as order_amount
from current_orders
left join current_products on current_orders.product_id = current_products.product_id
left join current_brands on current_products.brand_id = current_brands.brand_id
left join current_categories on current_products.category_id = current_categories.category_id
left join current_customers on current_orders.customer_id = current_customers.customer_id;

create or replace table kpis_by_product as
select
    product_id,
    product_name,
    brand_name,
    category_name,
    unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched
group by product_id, product_name, brand_name, category_name;

create or replace table kpis_by_category as
select
    category_id,
    category_name,
    unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched
group by category_id, category_name;

create or replace table kpis_by_brand as
select
    brand_id,
    brand_name,
    unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched
group by brand_id, brand_name;

create or replace table kpis_by_customer as
select
    customer_id,
    country,
    gender,
    unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched
group by customer_id, country, gender;

create or replace table kpis_by_country as
select
    country,
    unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched
group by country;

create or replace table kpis_by_gender as
select
    gender,
    unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched
group by gender;

create or replace table kpis_by_payment_method as
select
    payment_method,
    unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched
group by payment_method;

create or replace table kpis_daily as
select
    order_date,
    unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched
group by order_date;

create or replace table kpis_overall as
select unnest(kpis(status, quantity, order_amount))  -- noqa: AL03
from orders_enriched;
