"""Dashboard benchmark: `python -m bench.dashboard [--orders 10000000]` (or `make bench-dashboard`).

Builds a synthetic gold `orders_enriched` of --orders rows over 89 days (DuckDB SQL `range()`:
about 8,000 customers, 1,000 products of 40 brands and 20 categories, 25 countries, 7 payment
methods, 4 genders) in data/bench/dashboard/lakehouse.duckdb, publishes the dashboard's copy of
it (what the job's dashboard task does after every build; timed), starts the dashboard server on
a free loopback port and times its HTTP answer to a few filter states, as the page asks them
(the answer: tiles, charts and filter counts; then the KPI table by brand): the best of --repeat
wall seconds of each, and the bytes of the answer. The baseline, measured in the same run over
the same copy: the tiles alone (the KPI columns over the slice, no grouping), the cheapest
aggregation of the slice there is.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import duckdb

from orchestration import dashboard, dashboard_copy, dashboard_server, kpi_definitions

OUT = Path(__file__).resolve().parents[1] / "data" / "bench" / "dashboard"
SYNTHETIC = """
create schema if not exists gold;
create or replace table gold.orders_enriched as
with drawn as (
    select
        i as order_id,
        date '2026-01-01' + cast(floor(random() * 89) as integer) as order_date,
        cast(floor(pow(random(), 3) * 1000) as bigint) + 1 as product_id,
        cast(floor(pow(random(), 2) * 8000) as bigint) + 1 as customer_id,
        (['Credit Card', 'Debit Card', 'PayPal', 'Apple Pay', 'Bank Transfer',
          'Cash on Delivery', 'Buy Now Pay Later'])[1 + cast(floor(random() * 7) as integer)]
            as payment_method,
        random() < 0.06 as is_cancelled,
        1 + cast(floor(pow(random(), 4) * 10) as integer) as quantity,
        cast(1 + floor(random() * 20000) / 100 as decimal(18, 2)) as unit_price
    from range($orders) as numbers (i)
)
select
    order_id,
    order_date,
    case when is_cancelled then 'Cancelled' else 'Placed' end as status,
    is_cancelled,
    payment_method,
    quantity,
    unit_price,
    cast(quantity * unit_price as decimal(18, 2)) as order_amount,
    product_id,
    'Product ' || product_id as product_name,
    product_id % 40 + 1 as brand_id,
    'Brand ' || (product_id % 40 + 1) as brand_name,
    product_id % 20 + 1 as category_id,
    'Category ' || (product_id % 20 + 1) as category_name,
    customer_id,
    'Country ' || chr(65 + cast(customer_id % 25 as integer)) as country,
    (['Female', 'Male', 'Non-binary', 'Unknown'])[1 + cast(customer_id % 4 as integer)] as gender
from drawn
order by order_date
"""
STATES = {
    "all 89 days (the first answer)": [("from", "2026-01-01"), ("to", "2026-03-30")],
    "the last 30 days, against the 30 before": [
        ("from", "2026-02-28"),
        ("to", "2026-03-30"),
        ("compare", "previous"),
    ],
    "a country and a payment method": [("country", "Country A"), ("payment_method", "PayPal")],
    "one month, a category, two genders": [
        ("from", "2026-02-01"),
        ("to", "2026-02-28"),
        ("category", "Category 3"),
        ("gender", "Female"),
        ("gender", "Male"),
    ],
}


def build(path: Path, orders: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(path)) as con:
        con.execute(SYNTHETIC.replace("$orders", str(int(orders))))
    print(f">> {orders:,} synthetic orders in {path} ({time.perf_counter() - started:.1f} s)")


def best_of(repeat: int, work: Callable[[], int]) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = work()
        times.append(time.perf_counter() - started)
    return min(times), size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT, help="where the DuckDB file goes")
    args = parser.parse_args(argv)
    path = args.out / "lakehouse.duckdb"
    build(path, args.orders)
    folder = args.out / "dashboard"
    started = time.perf_counter()
    dashboard_copy.publish(path, folder)
    print(f">> the dashboard's copy published in {time.perf_counter() - started:.1f} s")
    # the baseline: the answer query's filters, its KPI columns, no grouping
    kept = [
        f"(len(${name}) = 0 or list_contains(${name}, {column}))"
        for name, column in dashboard.FILTERS.values()
    ]
    tiles_sql = (
        f"select {kpi_definitions.group_columns_sql()} from ("
        f"select *, {kpi_definitions.order_contributions_sql()} from gold.orders_enriched"
        f" where order_date between $date_from and $date_to and {' and '.join(kept)})"
    )
    server = dashboard_server.create_server(folder, port=0)
    url = dashboard_server.url_of(server)
    threading.Thread(target=server.run, daemon=True).start()
    gold = dashboard_copy.PublishedGold(folder)
    try:
        print(f"   load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
        print("| filter state | answer (s) | tiles only, baseline (s) | ratio | answer bytes |")
        print("|---|---|---|---|---|")
        for name, query in STATES.items():
            address = f"{url}api/answer?{urllib.parse.urlencode(query)}"

            def ask(address: str = address) -> int:
                with urllib.request.urlopen(address, timeout=120) as response:
                    return len(response.read())

            def tiles(query: list[tuple[str, str]] = query) -> int:
                filters = dashboard.Filters.from_query(_as_query(query))
                with gold.cursor() as (publication, con):
                    parameters = filters.parameters(publication)
                    used = {k: v for k, v in parameters.items() if f"${k}" in tiles_sql}
                    con.execute(tiles_sql, used).fetchall()
                return 0

            answer_seconds, size = best_of(args.repeat, ask)
            tiles_seconds, _ = best_of(args.repeat, tiles)
            print(
                f"| {name} | {answer_seconds:.2f} | {tiles_seconds:.2f} | "
                f"{answer_seconds / tiles_seconds:.1f} | {size:,} |"
            )
        table = f"{url}api/table?by=brand&compare=previous&from=2026-02-28&to=2026-03-30"
        table_seconds, size = best_of(
            args.repeat, lambda: len(urllib.request.urlopen(table).read())
        )
        print(
            f"   the KPI table by brand, last 30 days against the 30 before: {table_seconds:.2f} s,"
            f" {size:,} bytes"
        )
        print(f"   load average after: {os.getloadavg()[0]:.2f}")
    finally:
        server.close()


def _as_query(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for name, value in pairs:
        query.setdefault(name, []).append(value)
    return query


if __name__ == "__main__":
    main()
