-- The floor of the pipeline benchmark: the nine gold KPI relations computed straight from the
-- raw CSV files in one DuckDB script, as fast as a hand-written script can do it. It shares no
-- code with the dbt project; bench/pipeline.py checks that its numbers equal dbt's gold.
--
-- The raw zone is the DuckDB variable raw_root (`set variable raw_root = 'data/raw'` first); the
-- nine tables land in the database the script runs in (the README shows a one-liner).
--
-- Why it is fast: each entity is read once, with its columns declared (no type detection, only
-- the columns a KPI needs kept); each id's current version is picked by one hash aggregate
-- (arg_max), not a sort; the orders are aggregated once, by grouping sets, at the four grains
-- they carry (product, customer, day, payment method), and every other table is rolled up from
-- those partial aggregates (brand and category from the products', country and gender from
-- the customers', the overall row from the days').
--
-- The rules (the KPI definitions of gold):
-- - the current version of an id is its row with the greatest updated_at; on a tie a Cancelled
--   order beats a Placed one, then the earliest file wins (a re-delivered row changes nothing);
-- - every order is counted once, in its current version, with the current attributes of its
--   product, brand, category and customer (null when the referenced row does not exist);
-- - money is decimal(38, 2), counts are bigint, the cancellation rate is a double (0 without
--   orders).

-- One raw entity: every CSV of every ingest_date partition, its columns declared in file order
-- (`columns`: no sniffing), plus file_index, the file's position in the sorted file names.
create or replace temp macro raw_rows(entity, declared_columns) as table
    select
        *,  -- noqa: AM04
        file_index
    from read_csv(
        getvariable('raw_root') || '/' || entity || '/*/*.csv',
        header = true,
        auto_detect = false,
        columns = declared_columns,
        hive_partitioning = false
    );

create or replace temp table current_brands as
select
    brand_id,
    arg_max(brand_name, (updated_at, -file_index)) as brand_name
from
    raw_rows(
        'brands',
        { 'brand_id': 'bigint', 'brand_name': 'varchar', 'updated_at': 'timestamp' }
    )
group by brand_id;

create or replace temp table current_categories as
select
    category_id,
    arg_max(category_name, (updated_at, -file_index)) as category_name
from
    raw_rows(
        'categories',
        { 'category_id': 'bigint', 'category_name': 'varchar', 'updated_at': 'timestamp' }
    )
group by category_id;

create or replace temp table current_products as
select
    product_id,
    unnest(  -- noqa: AL03
        arg_max(
            { 'product_name': product_name, 'brand_id': brand_id, 'category_id': category_id },
            (updated_at, -file_index)
        )
    )
from
    raw_rows(
        'products',
        {
            'product_id': 'bigint',
            'product_name': 'varchar',
            'brand_id': 'bigint',
            'category_id': 'bigint',
            'unit_price': 'varchar',
            'updated_at': 'timestamp'
        }
    )
group by product_id;

create or replace temp table current_customers as
select
    customer_id,
    unnest(  -- noqa: AL03
        arg_max({ 'country': country, 'gender': gender }, (updated_at, -file_index))
    )
from
    raw_rows(
        'customers',
        {
            'customer_id': 'bigint',
            'first_name': 'varchar',
            'last_name': 'varchar',
            'email': 'varchar',
            'gender': 'varchar',
            'country': 'varchar',
            'city': 'varchar',
            'signup_date': 'varchar',
            'updated_at': 'timestamp'
        }
    )
group by customer_id;

-- One row per order, its current version: what each grain groups by and what a KPI sums.
create or replace temp table current_orders as
select
    order_id,
    unnest(  -- noqa: AL03
        arg_max(
            {
                'customer_id': customer_id,
                'product_id': product_id,
                'payment_method': payment_method,
                'order_date': ordered_at::date,
                'is_placed': status = 'Placed',
                'quantity': quantity,
                'order_amount': (quantity * unit_price)::decimal(18, 2)
            },
            (updated_at, status = 'Cancelled', -file_index)
        )
    )
from
    raw_rows(
        'orders',
        {
            'order_id': 'bigint',
            'customer_id': 'bigint',
            'product_id': 'bigint',
            'quantity': 'integer',
            'unit_price': 'decimal(18,2)',
            'payment_method': 'varchar',
            'status': 'varchar',
            'ordered_at': 'timestamp',
            'updated_at': 'timestamp'
        }
    )
group by order_id;

-- The additive KPIs at the four grains the orders carry, in one pass over the orders (grouping
-- sets; sqlfluff's duckdb dialect cannot parse them yet).
create or replace temp table order_sums as
select
    product_id,
    customer_id,
    order_date,
    payment_method,
    grouping(product_id, customer_id, order_date, payment_method) as grain,
    count(*)::bigint as total_orders,
    count(*) filter (where is_placed)::bigint as placed_orders,
    coalesce(sum(quantity) filter (where is_placed), 0)::bigint as units_sold,
    coalesce(sum(order_amount) filter (where is_placed), 0)::decimal(38, 2) as revenue,
    coalesce(sum(order_amount) filter (where not is_placed), 0)::decimal(38, 2) as lost_revenue
from current_orders
group by grouping sets ((product_id), (customer_id), (order_date), (payment_method));  -- noqa: PRS

-- The KPI columns of a relation from summed partial aggregates (one row per group).
create or replace temp macro kpis(total_orders, placed_orders, units_sold, revenue, lost_revenue)
as {
    'total_orders': total_orders::bigint,
    'placed_orders': placed_orders::bigint,
    'cancelled_orders': (total_orders - placed_orders)::bigint,
    'units_sold': units_sold::bigint,
    'revenue': revenue::decimal(38, 2),
    'lost_revenue': lost_revenue::decimal(38, 2),
    'cancellation_rate': case
        when total_orders = 0 then 0::double
        else (total_orders - placed_orders)::double / total_orders::double
    end
};

-- grouping() is 0b0111 for the product grain, 0b1011 customer, 0b1101 day, 0b1110 payment
create or replace temp view product_sums as
select
    order_sums.*,  -- noqa: AM04
    current_products.product_name,
    current_products.brand_id,
    current_products.category_id
from order_sums
left join current_products on order_sums.product_id = current_products.product_id
where order_sums.grain = 7;

create or replace temp view customer_sums as
select
    order_sums.*,  -- noqa: AM04
    current_customers.country,
    current_customers.gender
from order_sums
left join current_customers on order_sums.customer_id = current_customers.customer_id
where order_sums.grain = 11;

create or replace table kpis_by_product as
select
    product_sums.product_id,
    product_sums.product_name,
    current_brands.brand_name,
    current_categories.category_name,
    unnest(  -- noqa: AL03
        kpis(
            product_sums.total_orders,
            product_sums.placed_orders,
            product_sums.units_sold,
            product_sums.revenue,
            product_sums.lost_revenue
        )
    )
from product_sums
left join current_brands on product_sums.brand_id = current_brands.brand_id
left join current_categories on product_sums.category_id = current_categories.category_id;

create or replace table kpis_by_category as
select
    product_sums.category_id,
    current_categories.category_name,
    unnest(  -- noqa: AL03
        kpis(
            sum(product_sums.total_orders),
            sum(product_sums.placed_orders),
            sum(product_sums.units_sold),
            sum(product_sums.revenue),
            sum(product_sums.lost_revenue)
        )
    )
from product_sums
left join current_categories on product_sums.category_id = current_categories.category_id
group by product_sums.category_id, current_categories.category_name;

create or replace table kpis_by_brand as
select
    product_sums.brand_id,
    current_brands.brand_name,
    unnest(  -- noqa: AL03
        kpis(
            sum(product_sums.total_orders),
            sum(product_sums.placed_orders),
            sum(product_sums.units_sold),
            sum(product_sums.revenue),
            sum(product_sums.lost_revenue)
        )
    )
from product_sums
left join current_brands on product_sums.brand_id = current_brands.brand_id
group by product_sums.brand_id, current_brands.brand_name;

create or replace table kpis_by_customer as
select
    customer_id,
    country,
    gender,
    unnest(kpis(total_orders, placed_orders, units_sold, revenue, lost_revenue))  -- noqa: AL03
from customer_sums;

create or replace table kpis_by_country as
select
    country,
    unnest(  -- noqa: AL03
        kpis(
            sum(total_orders), sum(placed_orders), sum(units_sold), sum(revenue), sum(lost_revenue)
        )
    )
from customer_sums
group by country;

create or replace table kpis_by_gender as
select
    gender,
    unnest(  -- noqa: AL03
        kpis(
            sum(total_orders), sum(placed_orders), sum(units_sold), sum(revenue), sum(lost_revenue)
        )
    )
from customer_sums
group by gender;

create or replace table kpis_by_payment_method as
select
    payment_method,
    unnest(kpis(total_orders, placed_orders, units_sold, revenue, lost_revenue))  -- noqa: AL03
from order_sums
where grain = 14;

create or replace table kpis_daily as
select
    order_date,
    unnest(kpis(total_orders, placed_orders, units_sold, revenue, lost_revenue))  -- noqa: AL03
from order_sums
where grain = 13;

create or replace table kpis_overall as
select
    unnest(  -- noqa: AL03
        kpis(
            coalesce(sum(total_orders), 0),
            coalesce(sum(placed_orders), 0),
            coalesce(sum(units_sold), 0),
            coalesce(sum(revenue), 0),
            coalesce(sum(lost_revenue), 0)
        )
    )
from kpis_daily;
