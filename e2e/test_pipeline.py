"""End to end on the local target: generator -> raw CSVs -> dbt build -> gold, checked row by
row against the independent computation in reference_kpis (straight from the raw files).

Each scenario builds once (module fixtures); the tests then compare what it recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from e2e.conftest import (
    Lakehouse,
    assert_same_kpis,
    generate,
    read_gold,
    read_relations,
    run_dbt,
)
from e2e.reference_kpis import Row, current_versions, expected_kpis, read_raw_files

SEED = 7
ORDERS_PER_BATCH = 2000


@dataclass
class Stage:
    """What one step of the scenario left behind: gold, the expected gold, silver, and the
    current raw orders and products."""

    gold: dict[str, list[Row]]
    expected: dict[str, list[Row]]
    silver: dict[str, list[tuple[Any, ...]]]
    orders: dict[int, dict[str, str]]
    products: dict[int, dict[str, str]]


def build_and_record(lakehouse: Lakehouse, *args: str) -> Stage:
    run_dbt(["build", *args], lakehouse.env)
    raw_files = read_raw_files(lakehouse.raw_root)
    return Stage(
        gold=read_gold(lakehouse.duckdb_path),
        expected=expected_kpis(lakehouse.raw_root),
        silver=read_relations(lakehouse.duckdb_path, "silver"),
        orders=current_versions(raw_files, "orders"),
        products=current_versions(raw_files, "products"),
    )


@pytest.fixture(scope="module")
def local_run(make_lakehouse: Callable[..., Lakehouse]) -> dict[str, Stage]:
    """Three batches and a build; two more batches and a build; a build with no new files;
    a full refresh."""
    lakehouse = make_lakehouse("local")
    stages: dict[str, Stage] = {}
    generate(lakehouse, seed=SEED, batches=3, orders_per_batch=ORDERS_PER_BATCH)
    stages["first"] = build_and_record(lakehouse)
    generate(lakehouse, seed=SEED, batches=2, orders_per_batch=ORDERS_PER_BATCH)
    stages["second"] = build_and_record(lakehouse)
    stages["no_new_files"] = build_and_record(lakehouse)
    stages["full_refresh"] = build_and_record(lakehouse, "--full-refresh")
    return stages


def test_first_three_batches_match_the_independent_kpis(local_run: dict[str, Stage]) -> None:
    first = local_run["first"]
    assert first.expected["kpis_overall"][0]["total_orders"] > 0
    assert_same_kpis(first.gold, first.expected)


def test_two_more_batches_with_cancellations_match(local_run: dict[str, Stage]) -> None:
    first, second = local_run["first"], local_run["second"]
    # the later batches exercise the current-version logic: orders of the first batches were
    # cancelled later, customers ordered again, product prices changed
    cancelled_later = [
        order_id
        for order_id, order in first.orders.items()
        if order["status"] == "Placed" and second.orders[order_id]["status"] == "Cancelled"
    ]
    new_orders = second.orders.keys() - first.orders.keys()
    returning_customers = {second.orders[order_id]["customer_id"] for order_id in new_orders} & {
        order["customer_id"] for order in first.orders.values()
    }
    repriced = [
        product_id
        for product_id, product in first.products.items()
        if second.products[product_id]["unit_price"] != product["unit_price"]
    ]
    assert cancelled_later and returning_customers and repriced
    assert_same_kpis(second.gold, second.expected)


def test_a_build_without_new_files_changes_nothing(local_run: dict[str, Stage]) -> None:
    second, again = local_run["second"], local_run["no_new_files"]
    assert again.silver == second.silver
    assert again.gold == second.gold


def test_full_refresh_gives_the_incremental_gold(local_run: dict[str, Stage]) -> None:
    second, refreshed = local_run["second"], local_run["full_refresh"]
    assert refreshed.gold == second.gold
    assert refreshed.silver["fact_orders"] == second.silver["fact_orders"]
