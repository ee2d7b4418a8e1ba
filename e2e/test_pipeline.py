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
    """What one step of the scenario left behind: gold, the expected gold, silver (also without
    _merged_at, the run that wrote each row), and the current raw orders and products."""

    gold: dict[str, list[Row]]
    expected: dict[str, list[Row]]
    silver: dict[str, list[tuple[Any, ...]]]
    silver_content: dict[str, list[tuple[Any, ...]]]
    orders: dict[int, dict[str, str]]
    products: dict[int, dict[str, str]]


def build_and_record(lakehouse: Lakehouse, *args: str) -> Stage:
    run_dbt(["build", *args], lakehouse.env)
    raw_files = read_raw_files(lakehouse.raw_root)
    return Stage(
        gold=read_gold(lakehouse.duckdb_path),
        expected=expected_kpis(lakehouse.raw_root),
        silver=read_relations(lakehouse.duckdb_path, "silver"),
        silver_content=read_relations(
            lakehouse.duckdb_path, "silver", exclude_columns=("_merged_at",)
        ),
        orders=current_versions(raw_files, "orders"),
        products=current_versions(raw_files, "products"),
    )


# A batch with dimension changes only (not from the generator, which never renames): a brand
# and a category renamed, and a late, older version of another brand that must not win.
RENAMES = {
    "brands": "brand_id,brand_name,updated_at\n"
    '1,"Renamed Brand","2026-02-01T00:00:00Z"\n'
    '2,"Stale Brand","2026-01-01T00:00:00Z"\n',
    "categories": "category_id,category_name,updated_at\n"
    '2,"Renamed Category","2026-02-01T00:00:00Z"\n',
}


def write_renames(raw_root: str) -> None:
    for entity, text in RENAMES.items():
        folder = Path(raw_root) / entity / "ingest_date=2026-02-01"
        folder.mkdir(parents=True)
        (folder / f"{entity}_b000099.csv").write_text(text)


@pytest.fixture(scope="module")
def local_lakehouse(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    return make_lakehouse("local")


@pytest.fixture(scope="module")
def local_run(local_lakehouse: Lakehouse) -> dict[str, Stage]:
    """Three batches and a build; two more batches and a build; a build with no new files;
    a batch renaming a brand and a category and a build; a full refresh."""
    lakehouse = local_lakehouse
    stages: dict[str, Stage] = {}
    generate(lakehouse, seed=SEED, batches=3, orders_per_batch=ORDERS_PER_BATCH)
    stages["first"] = build_and_record(lakehouse)
    generate(lakehouse, seed=SEED, batches=2, orders_per_batch=ORDERS_PER_BATCH)
    stages["second"] = build_and_record(lakehouse)
    stages["no_new_files"] = build_and_record(lakehouse)
    write_renames(lakehouse.raw_root)
    stages["renamed"] = build_and_record(lakehouse)
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


def test_renamed_brand_and_category_reach_unchanged_products(local_run: dict[str, Stage]) -> None:
    """dim_products refreshes the names of products whose brand or category changed in the run,
    though the products themselves did not; the late older brand version does not win."""
    renamed = local_run["renamed"]
    product_names = {
        (row["brand_name"], row["category_name"]) for row in renamed.gold["kpis_by_product"]
    }
    brand_names = {brand for brand, _ in product_names}
    assert "Renamed Brand" in brand_names and "Stale Brand" not in brand_names
    assert "Renamed Category" in {category for _, category in product_names}
    assert_same_kpis(renamed.gold, renamed.expected)


def test_full_refresh_gives_the_incremental_silver_and_gold(local_run: dict[str, Stage]) -> None:
    renamed, refreshed = local_run["renamed"], local_run["full_refresh"]
    assert sorted(refreshed.silver_content) == sorted(renamed.silver_content)
    for relation, rows in refreshed.silver_content.items():
        assert rows == renamed.silver_content[relation], relation
    assert refreshed.gold == renamed.gold


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
