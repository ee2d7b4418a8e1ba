"""Benchmark: `python -m lambda_generator.bench` (or `make bench`).

Three figures, measured in the same run, on one core:
- generator: a steady-state batch of orders (new orders, later cancellations and repeated rows)
  drawn from the pools and encoded as CSV bytes, as generate_batches does it;
- floor: the same CSV writer encoding the identical table, already in memory;
- naive: a one-Faker-call-per-field-per-row generator with the csv module, for scale.
The goal: generator >= 1,000,000 rows/s and generator time <= 2x the floor.
Each of generator and floor is the best of --repeats runs, interleaved, so background load on a
shared machine affects both alike.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import tempfile
import time

import pyarrow as pa
from faker import Faker

from lambda_generator.core import (
    LOOKBACK,
    PAYMENT_METHODS,
    Orders,
    draw_orders,
    encode_csv,
    generate_batches,
    later_cancellations,
    orders_table,
    redeliveries,
)
from lambda_generator.pools import World

SEED = 42
DAY0 = dt.date(2026, 1, 1)


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def steady_state(orders: int) -> tuple[World, dict[int, Orders], int, dt.date]:
    """Pools and the lookback window at batch LOOKBACK, as a continuing series has them."""
    world = World(SEED)
    recent = {}
    for number in range(LOOKBACK):
        day = DAY0 + dt.timedelta(days=number)
        world.evolve(number, day)
        recent[number] = draw_orders(world, number, day, orders)
    day = DAY0 + dt.timedelta(days=LOOKBACK)
    world.evolve(LOOKBACK, day)
    return world, recent, LOOKBACK, day


def generate(world: World, recent: dict[int, Orders], number: int, day: dt.date, orders: int):
    new = draw_orders(world, number, day, orders)
    cancellations = later_cancellations(SEED, number, day, recent)
    repeated = redeliveries(SEED, number, recent[number - 1])
    table = orders_table(Orders.concat([new, cancellations, repeated]))
    return table, encode_csv("orders", table)


def naive_rate(rows: int) -> float:
    """Rows/s of a straightforward generator: Faker per field, csv.writer per row."""
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    methods = [name for name, *_ in PAYMENT_METHODS]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=1)
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    started = time.perf_counter()
    for order_id in range(1, rows + 1):
        ordered_at = fake.date_time_between(start, end, tzinfo=dt.UTC)
        writer.writerow(
            [
                order_id,
                fake.random_int(1, 3000),
                fake.random_int(1, 600),
                fake.random_int(1, 3),
                fake.pydecimal(left_digits=3, right_digits=2, positive=True),
                fake.random_element(methods),
                fake.random_element(("Placed", "Cancelled")),
                ordered_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                ordered_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            ]
        )
    return rows / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lambda_generator.bench", description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders per batch (1e6)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each, best counts (5)")
    parser.add_argument("--naive-rows", type=int, default=20_000, help="rows for the naive run")
    parser.add_argument("--end-to-end-batches", type=int, default=2, help="0 to skip")
    args = parser.parse_args(argv)
    pin_to_one_core()

    print(f">> preparing the pools and a {LOOKBACK}-batch lookback of {args.orders:,} orders each")
    world, recent, number, day = steady_state(args.orders)
    table, data = generate(world, recent, number, day, args.orders)  # warm-up
    rows = table.num_rows
    generator_times, floor_times = [], []
    for run in range(1, args.repeats + 1):
        started = time.perf_counter()
        generate(world, recent, number, day, args.orders)
        generator_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        floor_data = encode_csv("orders", table)
        floor_times.append(time.perf_counter() - started)
        print(
            f"   run {run}/{args.repeats}: generator {generator_times[-1]:.3f} s, "
            f"floor {floor_times[-1]:.3f} s"
        )
    assert floor_data == data, "the floor must write the very bytes the generator writes"
    generator, floor = min(generator_times), min(floor_times)
    print(f">> naive generator on {args.naive_rows:,} rows")
    naive = naive_rate(args.naive_rows)

    print()
    print(f"order rows per batch       {rows:>14,}   ({len(data) / 1e6:.1f} MB of CSV)")
    print(f"generator (draw + CSV)     {rows / generator:>14,.0f} rows/s   {generator:.3f} s")
    print(f"floor (CSV writer only)    {rows / floor:>14,.0f} rows/s   {floor:.3f} s")
    print(f"generator / floor          {generator / floor:>14.2f} x        (goal <= 2)")
    print(
        f"naive Faker-per-row        {naive:>14,.0f} rows/s   "
        f"(generator is {rows / generator / naive:,.0f}x faster)"
    )
    if args.end_to_end_batches:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            summaries = generate_batches(
                folder, seed=SEED, batches=args.end_to_end_batches, orders_per_batch=args.orders
            )
            seconds = time.perf_counter() - started
        written = sum(s.rows["orders"] for s in summaries)
        print(
            f"end to end, {len(summaries)} batches to disk {written / seconds:>8,.0f} rows/s   "
            f"{seconds:.2f} s (Faker pools, all five files, state)"
        )
    goal = rows / generator >= 1_000_000 and generator / floor <= 2
    print(f"goal (>= 1,000,000 rows/s and <= 2x the floor): {'met' if goal else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
