"""End to end on the local target: generator -> raw CSVs -> dbt build -> gold, checked row by
row against the independent computation in reference_kpis (straight from the raw files).

Each scenario builds once (module fixtures); the tests then compare what it recorded.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
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
def local_lakehouse(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    return make_lakehouse("local")


@pytest.fixture(scope="module")
def local_run(local_lakehouse: Lakehouse) -> dict[str, Stage]:
    """Three batches and a build; two more batches and a build; a build with no new files;
    a full refresh."""
    lakehouse = local_lakehouse
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


# Corruptions of a built gold layer, each with the data test that must catch it.
CORRUPTIONS = {
    "insert into gold.kpis_overall select * from gold.kpis_overall": {
        ("expect_table_row_count_to_be_between", "kpis_overall"),
    },
    "update gold.kpis_by_country set cancellation_rate = 1.5"
    " where country = (select min(country) from gold.kpis_by_country)": {
        ("expect_column_values_to_be_between", "kpis_by_country"),
    },
    "update gold.kpis_by_brand set placed_orders = placed_orders + 1"
    " where brand_id = (select min(brand_id) from gold.kpis_by_brand)": {
        ("expect_column_pair_values_to_be_equal", "kpis_by_brand"),
    },
    "update gold.kpis_by_product set units_sold = 0"
    " where product_id = (select min(product_id) from gold.kpis_by_product"
    " where placed_orders > 0)": {
        ("expect_column_pair_values_A_to_be_greater_than_B", "kpis_by_product"),
    },
    "update gold.kpis_by_customer set revenue = 0"
    " where customer_id = (select min(customer_id) from gold.kpis_by_customer"
    " where placed_orders > 0)": {
        ("expect_column_values_to_be_between", "kpis_by_customer"),
    },
    "update bronze.bronze_orders set _ingested_at = timestamp '2000-01-01 00:00:00'": {
        ("expect_row_values_to_have_recent_data", "bronze_orders"),
    },
    "update gold.kpis_by_payment_method set payment_method = ' ' || payment_method"
    " where payment_method = (select min(payment_method) from gold.kpis_by_payment_method)": {
        ("expect_column_values_to_match_regex", "kpis_by_payment_method"),
    },
}


def test_the_data_tests_catch_a_corrupted_gold(
    local_run: dict[str, Stage],
    local_lakehouse: Lakehouse,
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    """The gold data tests can fail: on a copy of the built lakehouse, each corruption makes
    exactly its tests fail or warn (and the cross-layer reconciliation), and nothing else."""
    corrupted = make_lakehouse("corrupted", raw_root=local_lakehouse.raw_root)
    shutil.copy(local_lakehouse.duckdb_path, corrupted.duckdb_path)
    with duckdb.connect(str(corrupted.duckdb_path)) as connection:
        for statement in CORRUPTIONS:
            connection.execute(statement)

    run_dbt(
        ["test", "--select", "models/gold", "test_name:expect_row_values_to_have_recent_data"],
        corrupted.env,
        expect_success=False,
    )

    target = Path(corrupted.env["DBT_TARGET_PATH"])
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = manifest["nodes"] | manifest["unit_tests"]
    results = json.loads((target / "run_results.json").read_text())["results"]
    failed = set()
    for result in results:
        if not result["unique_id"].startswith(("test.", "unit_test.")):
            continue  # the on-run-start hook
        node = nodes[result["unique_id"]]
        assert result["status"] in ("pass", "fail", "warn"), (node["name"], result["message"])
        if result["status"] != "pass":
            test_name = (node.get("test_metadata") or {}).get("name", node["name"])
            models = [parent.split(".")[-1] for parent in node["depends_on"]["nodes"]]
            failed.add((test_name, models[0] if len(models) == 1 else None))
    expected = set().union(*CORRUPTIONS.values()) | {("assert_kpi_totals_match_fact_orders", None)}
    assert failed == expected
    assert len(results) > 100
