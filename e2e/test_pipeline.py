"""End to end on the local target: generator -> raw CSVs -> dbt build -> gold, checked row by
row against the independent computation in reference_kpis (straight from the raw files).

Each scenario builds once (module fixtures); the tests then compare what it recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from e2e.helpers import (
    Lakehouse,
    assert_same_kpis,
    dbt_results,
    generate,
    read_gold,
    read_orders_enriched,
    read_relations,
    run_dbt,
)
from e2e.reference_kpis import (
    GOLD_GRAINS,
    Row,
    current_versions,
    expected_kpis,
    expected_orders_enriched,
    read_raw_files,
)

SEED = 7
ORDERS_PER_BATCH = 2000


@dataclass
class Stage:
    """What one step of the scenario left behind: gold (the nine marts) and orders_enriched, the
    expected ones, silver (also without _merged_at, the run that wrote each row), and the
    current raw orders and products."""

    gold: dict[str, list[Row]]
    orders_enriched: list[Row]
    expected: dict[str, list[Row]]
    expected_orders_enriched: list[Row]
    silver: dict[str, list[tuple[Any, ...]]]
    silver_content: dict[str, list[tuple[Any, ...]]]
    orders: dict[int, dict[str, str]]
    products: dict[int, dict[str, str]]
    dimension_versions: dict[str, set[tuple[Any, ...]]]
    snapshots: dict[str, set[tuple[Any, ...]]]


# Each snapshot, the dimension it keeps the history of, and their key.
SNAPSHOTS = {
    "customers_snapshot": ("dim_customers", "customer_id"),
    "products_snapshot": ("dim_products", "product_id"),
}


def read_snapshots(
    duckdb_path: Path,
) -> tuple[dict[str, set[tuple[Any, ...]]], dict[str, set[tuple[Any, ...]]]]:
    """The (key, updated_at) of every dimension row, and the (key, dbt_valid_from,
    dbt_valid_to) of every snapshot row."""
    versions, snapshots = {}, {}
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        for snapshot, (dimension, key) in SNAPSHOTS.items():
            versions[snapshot] = set(
                connection.execute(f"select {key}, updated_at from silver.{dimension}").fetchall()
            )
            snapshots[snapshot] = set(
                connection.execute(
                    f"select {key}, dbt_valid_from, dbt_valid_to from snapshots.{snapshot}"
                ).fetchall()
            )
    return versions, snapshots


def build_and_record(lakehouse: Lakehouse, step: str, *args: str) -> Stage:
    """`dbt build` (with args), then what it left and the reference computed from the raw
    files."""
    run_dbt(["build", *args], lakehouse.env)
    raw_files = read_raw_files(lakehouse.raw_root)
    dimension_versions, snapshots = read_snapshots(lakehouse.duckdb_path)
    return Stage(
        gold=read_gold(lakehouse.duckdb_path),
        orders_enriched=read_orders_enriched(lakehouse.duckdb_path),
        expected=expected_kpis(lakehouse.raw_root),
        expected_orders_enriched=expected_orders_enriched(lakehouse.raw_root),
        silver=read_relations(lakehouse.duckdb_path, "silver"),
        silver_content=read_relations(
            lakehouse.duckdb_path, "silver", exclude_columns=("_merged_at",)
        ),
        orders=current_versions(raw_files, "orders"),
        products=current_versions(raw_files, "products"),
        dimension_versions=dimension_versions,
        snapshots=snapshots,
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


def write_batch(raw_root: str, ingest_date: str, batch_id: str, files: dict[str, str]) -> None:
    """Hand-written raw files of one batch: {entity: csv text}."""
    for entity, text in files.items():
        folder = Path(raw_root) / entity / f"ingest_date={ingest_date}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{entity}_{batch_id}.csv").write_text(text)


def write_renames(raw_root: str) -> None:
    write_batch(raw_root, "2026-02-01", "b000099", RENAMES)


ORDER_HEADER = (
    "order_id,customer_id,product_id,quantity,unit_price,payment_method,status,ordered_at,"
    "updated_at\n"
)
CUSTOMER_HEADER = (
    "customer_id,first_name,last_name,email,gender,country,city,signup_date,updated_at\n"
)
PRODUCT_HEADER = "product_id,product_name,brand_id,category_id,unit_price,updated_at\n"
# A customer, a product, a brand and a category of their own, whose groups the next batch empties.
NEW_CUSTOMER_ID, NEW_PRODUCT_ID, NEW_BRAND_ID, NEW_CATEGORY_ID = 999999, 99999, 99, 99


def oldest_placed_order(stage: Stage) -> dict[str, str]:
    """The first order of the first batch that is still Placed."""
    order_id = min(i for i, order in stage.orders.items() if order["status"] == "Placed")
    return stage.orders[order_id]


def cancellation(order: dict[str, str], updated_at: str) -> str:
    """The csv line cancelling a raw order at updated_at."""
    columns = ORDER_HEADER.strip().split(",")
    values = order | {"status": "Cancelled", "updated_at": updated_at}
    return ",".join(values[column] for column in columns) + "\n"


def write_moves_in(raw_root: str, old_order: dict[str, str]) -> None:
    """A new brand, category, product and a customer in a country of their own, two orders of
    theirs, and the cancellation of an old order (its old day, product, customer... change)."""
    write_batch(
        raw_root,
        "2026-02-02",
        "b000100",
        {
            "brands": f"brand_id,brand_name,updated_at\n{NEW_BRAND_ID},Oddity Works,"
            "2026-02-02T00:00:00Z\n",
            "categories": f"category_id,category_name,updated_at\n{NEW_CATEGORY_ID},Curiosities,"
            "2026-02-02T00:00:00Z\n",
            "products": PRODUCT_HEADER + f"{NEW_PRODUCT_ID},Brass Orrery,{NEW_BRAND_ID},"
            f"{NEW_CATEGORY_ID},120.00,2026-02-02T00:00:00Z\n",
            "customers": CUSTOMER_HEADER + f"{NEW_CUSTOMER_ID},Ada,Lovelace,ada@example.com,"
            "Female,Atlantis,Poseidonia,2026-02-02,2026-02-02T00:00:00Z\n",
            "orders": ORDER_HEADER
            + f"9000000001,{NEW_CUSTOMER_ID},{NEW_PRODUCT_ID},1,120.00,PayPal,Placed,"
            "2026-02-02T10:00:00Z,2026-02-02T10:00:00Z\n"
            + f"9000000002,{NEW_CUSTOMER_ID},{NEW_PRODUCT_ID},2,110.00,Credit Card,Placed,"
            "2026-02-02T11:00:00Z,2026-02-02T11:00:00Z\n"
            + cancellation(old_order, "2026-02-02T12:00:00Z"),
        },
    )


def write_moves_out(raw_root: str, old_order: dict[str, str]) -> None:
    """The product moves to brand 1 and category 1 and the customer to Germany (their old
    brand, category and country are left without orders); one of their orders is cancelled;
    the old order's cancellation is delivered again."""
    write_batch(
        raw_root,
        "2026-02-03",
        "b000101",
        {
            "products": PRODUCT_HEADER
            + f"{NEW_PRODUCT_ID},Brass Orrery,1,1,125.00,2026-02-03T00:00:00Z\n",
            "customers": CUSTOMER_HEADER + f"{NEW_CUSTOMER_ID},Ada,Lovelace,ada@example.com,"
            "Female,Germany,Berlin,2026-02-02,2026-02-03T00:00:00Z\n",
            "orders": ORDER_HEADER
            + f"9000000002,{NEW_CUSTOMER_ID},{NEW_PRODUCT_ID},2,110.00,Credit Card,Cancelled,"
            "2026-02-02T11:00:00Z,2026-02-03T08:00:00Z\n"
            + cancellation(old_order, "2026-02-02T12:00:00Z"),
        },
    )


# A customer not delivered yet when their first order arrives (an inferred member).
LATE_CUSTOMER_ID = 888888


def write_flip_back(raw_root: str) -> None:
    """Order 9000000002 (Placed, then Cancelled) is Placed again: its status flips a second
    time. A new order's customer has not been delivered: it counts under the inferred member's
    Unknown country and gender."""
    write_batch(
        raw_root,
        "2026-02-04",
        "b000102",
        {
            "orders": ORDER_HEADER
            + f"9000000002,{NEW_CUSTOMER_ID},{NEW_PRODUCT_ID},2,110.00,Credit Card,Placed,"
            "2026-02-02T11:00:00Z,2026-02-04T08:00:00Z\n"
            + f"9000000003,{LATE_CUSTOMER_ID},{NEW_PRODUCT_ID},1,125.00,PayPal,Placed,"
            "2026-02-04T09:00:00Z,2026-02-04T09:00:00Z\n",
        },
    )


def write_late_customer(raw_root: str) -> None:
    """The late customer is delivered, in Atlantis: their order leaves the Unknown country
    and gender (emptied, if no other order is there) and brings Atlantis back."""
    write_batch(
        raw_root,
        "2026-02-05",
        "b000103",
        {
            "customers": CUSTOMER_HEADER + f"{LATE_CUSTOMER_ID},Grace,Hopper,grace@example.com,"
            "Female,Atlantis,Poseidonia,2026-02-04,2026-02-05T00:00:00Z\n",
        },
    )


@pytest.fixture(scope="module")
def local_lakehouse(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    return make_lakehouse("local")


@pytest.fixture(scope="module")
def local_run(local_lakehouse: Lakehouse) -> dict[str, Stage]:
    """Three batches and a build; two more batches and a build; a build with no new files;
    a batch renaming a brand and a category and a build; a hand-written batch with new
    dimension rows, their orders and the cancellation of an old order, and a build; one moving
    them (emptying their old groups) and a build; one flipping an order's status back and
    ordering for a customer not delivered yet, and a build; the late customer's delivery and a
    build; a full refresh."""
    lakehouse = local_lakehouse
    stages: dict[str, Stage] = {}

    def build(step: str, *args: str) -> None:
        stages[step] = build_and_record(lakehouse, step, *args)

    generate(lakehouse, seed=SEED, batches=3, orders_per_batch=ORDERS_PER_BATCH)
    build("first")
    generate(lakehouse, seed=SEED, batches=2, orders_per_batch=ORDERS_PER_BATCH)
    build("second")
    build("no_new_files")
    write_renames(lakehouse.raw_root)
    build("renamed")
    old_order = oldest_placed_order(stages["renamed"])
    write_moves_in(lakehouse.raw_root, old_order)
    build("moved_in")
    write_moves_out(lakehouse.raw_root, old_order)
    build("moved_out")
    write_flip_back(lakehouse.raw_root)
    build("flipped_back")
    write_late_customer(lakehouse.raw_root)
    build("late_customer")
    build("full_refresh", "--full-refresh")
    return stages


STEPS = [
    "first",
    "second",
    "no_new_files",
    "renamed",
    "moved_in",
    "moved_out",
    "flipped_back",
    "late_customer",
    "full_refresh",
]


@pytest.mark.parametrize("step", STEPS)
def test_incremental_gold_equals_the_reference(local_run: dict[str, Stage], step: str) -> None:
    """After every step the incrementally built gold (nine marts and orders_enriched) equals the
    reference computation from the raw files (and the last step, a --full-refresh, equals the
    incremental gold before it: test_full_refresh_gives_the_incremental_silver_and_gold)."""
    stage = local_run[step]
    assert_same_kpis(stage.gold, stage.expected)
    assert len(stage.orders_enriched) == len(stage.expected_orders_enriched)
    for row, expected_row in zip(
        stage.orders_enriched, stage.expected_orders_enriched, strict=True
    ):
        assert row == expected_row


def group_keys(stage: Stage, relation: str, key: str) -> set[Any]:
    return {row[key] for row in stage.gold[relation]}


def total_orders(stage: Stage, relation: str, key: str, value: Any) -> int:
    return sum(row["total_orders"] for row in stage.gold[relation] if row[key] == value)


def test_new_groups_appear_and_emptied_groups_disappear(local_run: dict[str, Stage]) -> None:
    """The hand-written batches: the new country, brand and category get rows; once their
    customer and product moved, those rows are gone (the full refresh has none either)."""
    moved_in, moved_out = local_run["moved_in"], local_run["moved_out"]
    assert "Atlantis" in group_keys(moved_in, "kpis_by_country", "country")
    assert NEW_BRAND_ID in group_keys(moved_in, "kpis_by_brand", "brand_id")
    assert NEW_CATEGORY_ID in group_keys(moved_in, "kpis_by_category", "category_id")
    assert "Atlantis" not in group_keys(moved_out, "kpis_by_country", "country")
    assert NEW_BRAND_ID not in group_keys(moved_out, "kpis_by_brand", "brand_id")
    assert NEW_CATEGORY_ID not in group_keys(moved_out, "kpis_by_category", "category_id")
    customer = next(
        row for row in moved_out.gold["kpis_by_customer"] if row["customer_id"] == NEW_CUSTOMER_ID
    )
    assert (customer["country"], customer["cancelled_orders"]) == ("Germany", 1)


def test_a_status_flipped_twice_and_a_late_customer(local_run: dict[str, Stage]) -> None:
    """Order 9000000002: Placed, Cancelled, Placed again (its customer's and day's counts
    follow each flip). The late customer's order counts under Unknown until the customer is
    delivered, then under Atlantis; the Unknown groups it emptied are gone."""

    def customer(stage: Stage, customer_id: int) -> Row:
        return next(
            row for row in stage.gold["kpis_by_customer"] if row["customer_id"] == customer_id
        )

    counts = [
        (
            customer(local_run[step], NEW_CUSTOMER_ID)["placed_orders"],
            customer(local_run[step], NEW_CUSTOMER_ID)["cancelled_orders"],
        )
        for step in ("moved_in", "moved_out", "flipped_back")
    ]
    assert counts == [(2, 0), (1, 1), (2, 0)]
    flipped_back, late_customer = local_run["flipped_back"], local_run["late_customer"]
    assert (
        customer(flipped_back, LATE_CUSTOMER_ID)["country"],
        customer(late_customer, LATE_CUSTOMER_ID)["country"],
    ) == ("Unknown", "Atlantis")
    assert "Unknown" in group_keys(flipped_back, "kpis_by_country", "country")
    assert "Atlantis" not in group_keys(flipped_back, "kpis_by_country", "country")
    assert "Unknown" not in group_keys(late_customer, "kpis_by_country", "country")
    # the generator's customers may have the gender Unknown too: one order fewer there
    assert total_orders(late_customer, "kpis_by_gender", "gender", "Unknown") == (
        total_orders(flipped_back, "kpis_by_gender", "gender", "Unknown") - 1
    )
    atlantis = next(
        row for row in late_customer.gold["kpis_by_country"] if row["country"] == "Atlantis"
    )
    assert atlantis["total_orders"] == 1


def test_snapshots_keep_every_version_a_run_saw(local_run: dict[str, Stage]) -> None:
    """After every step, each snapshot holds one row per version of a member that the
    dimension held at the end of a step so far (its updated_at), valid until the member's next
    such version: though a run reads only the rows the dimension merged since the snapshot last
    ran, nothing seen is missed and nothing is captured twice."""
    for snapshot in SNAPSHOTS:
        seen: dict[Any, set[Any]] = {}
        for step in STEPS:
            for key, updated_at in local_run[step].dimension_versions[snapshot]:
                seen.setdefault(key, set()).add(updated_at)
            expected = set()
            for key, versions in seen.items():
                ordered = sorted(versions)
                expected |= {
                    (key, valid_from, valid_to)
                    for valid_from, valid_to in zip(ordered, [*ordered[1:], None], strict=True)
                }
            assert local_run[step].snapshots[snapshot] == expected, (snapshot, step)
        assert any(len(versions) > 1 for versions in seen.values()), snapshot


def test_an_old_cancellation_changes_its_old_day(local_run: dict[str, Stage]) -> None:
    renamed, moved_in, moved_out = (local_run[s] for s in ("renamed", "moved_in", "moved_out"))
    old_order = oldest_placed_order(renamed)
    order_date = dt.date.fromisoformat(old_order["ordered_at"][:10])

    def day(stage: Stage) -> Row:
        return next(row for row in stage.gold["kpis_daily"] if row["order_date"] == order_date)

    assert day(moved_in)["cancelled_orders"] == day(renamed)["cancelled_orders"] + 1
    assert day(moved_in)["total_orders"] == day(renamed)["total_orders"]
    # delivered again in the next batch: counted once
    assert day(moved_out) == day(moved_in)


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
    last, refreshed = local_run["late_customer"], local_run["full_refresh"]
    assert sorted(refreshed.silver_content) == sorted(last.silver_content)
    for relation, rows in refreshed.silver_content.items():
        assert rows == last.silver_content[relation], relation
    assert refreshed.gold == last.gold
    assert refreshed.orders_enriched == last.orders_enriched


# Corruptions of a built gold layer, each with the data tests that must catch it. Each KPI
# mart's invariants are one test, kpi_columns_are_consistent, and its agreement with
# orders_enriched another, kpi_mart_matches_orders_enriched (totals daily, every group in the
# full verification); the orders_enriched corruptions keep a proof that the pair and between
# tests can fail (each changes other rows or columns).
MATCHES = "kpi_mart_matches_orders_enriched"
CORRUPTIONS = {
    "insert into gold.kpis_overall select * from gold.kpis_overall": {
        ("expect_table_row_count_to_be_between", "kpis_overall"),
        (MATCHES, "kpis_overall"),
    },
    "update gold.kpis_by_country set cancellation_rate = 1.5"
    " where country = (select min(country) from gold.kpis_by_country)": {
        ("kpi_columns_are_consistent", "kpis_by_country"),
    },
    "update gold.kpis_by_brand set placed_orders = placed_orders + 1"
    " where brand_id = (select min(brand_id) from gold.kpis_by_brand)": {
        ("kpi_columns_are_consistent", "kpis_by_brand"),
        (MATCHES, "kpis_by_brand"),
    },
    "update gold.kpis_by_product set units_sold = 0"
    " where product_id = (select min(product_id) from gold.kpis_by_product"
    " where placed_orders > 0)": {
        ("kpi_columns_are_consistent", "kpis_by_product"),
        (MATCHES, "kpis_by_product"),
    },
    "update gold.kpis_by_customer set revenue = 0"
    " where customer_id = (select min(customer_id) from gold.kpis_by_customer"
    " where placed_orders > 0)": {
        ("kpi_columns_are_consistent", "kpis_by_customer"),
        (MATCHES, "kpis_by_customer"),
    },
    "update gold.kpis_by_category set units_sold = null"
    " where category_id = (select min(category_id) from gold.kpis_by_category)": {
        ("kpi_columns_are_consistent", "kpis_by_category"),
        (MATCHES, "kpis_by_category"),
    },
    "update gold.kpis_daily set lost_revenue = 0"
    " where order_date = (select min(order_date) from gold.kpis_daily"
    " where cancelled_orders > 0)": {
        ("kpi_columns_are_consistent", "kpis_daily"),
        (MATCHES, "kpis_daily"),
    },
    # a Placed order's unit price no longer gives its amount (the amount, which the KPIs sum,
    # is kept)
    "update gold.orders_enriched set unit_price = unit_price + 1"
    " where order_id = (select min(order_id) from gold.orders_enriched where status = 'Placed')": {
        ("expect_column_pair_values_to_be_equal", "orders_enriched"),
    },
    # a Cancelled order's quantity and unit price negated: both below their bounds, their
    # product (the amount) and the placed units the KPIs count unchanged
    "update gold.orders_enriched set quantity = -quantity, unit_price = -unit_price"
    " where order_id = (select min(order_id) from gold.orders_enriched"
    " where status = 'Cancelled')": {
        ("expect_column_values_to_be_between", "orders_enriched"),
    },
    # an order placed a second after its current version was written, on the same date
    "update gold.orders_enriched set ordered_at = updated_at + interval 1 second"
    " where order_id = (select min(order_id) from gold.orders_enriched"
    " where cast(updated_at + interval 1 second as date) = order_date)": {
        ("expect_column_pair_values_A_to_be_greater_than_B", "orders_enriched"),
    },
    # bronze_orders is a view over bronze_orders_checked, where the rows are stored
    "update bronze.bronze_orders_checked set _ingested_at = timestamp '2000-01-01 00:00:00'": {
        ("expect_row_values_to_have_recent_data", "bronze_orders"),
    },
    # a group key no longer matches orders_enriched's: only the check of every group sees it
    "update gold.kpis_by_payment_method set payment_method = ' ' || payment_method"
    " where payment_method = (select min(payment_method) from gold.kpis_by_payment_method)": {
        ("expect_column_values_to_match_regex", "kpis_by_payment_method"),
        (MATCHES, "kpis_by_payment_method"),
    },
}
# kpis_overall's revenue no longer the silver orders': the cross-layer check of the totals
OVERALL_CORRUPTION = "update gold.kpis_overall set revenue = revenue + 0.01"


def test_the_data_tests_catch_a_corrupted_gold(
    local_run: dict[str, Stage],
    local_lakehouse: Lakehouse,
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    """The gold data tests can fail: on a copy of the built lakehouse, each corruption makes
    exactly its tests fail or warn, and nothing else."""
    corrupted = make_lakehouse("corrupted", raw_root=local_lakehouse.raw_root)
    shutil.copy(local_lakehouse.duckdb_path, corrupted.duckdb_path)
    with duckdb.connect(str(corrupted.duckdb_path)) as connection:
        for statement in [*CORRUPTIONS, OVERALL_CORRUPTION]:
            connection.execute(statement)

    run_dbt(
        ["test", "--select", "models/gold", "test_name:expect_row_values_to_have_recent_data"],
        corrupted.env,
        expect_success=False,
    )

    target = Path(corrupted.env["DBT_TARGET_PATH"])
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = manifest["nodes"] | manifest["unit_tests"]
    results = dbt_results(corrupted)
    ran, failed = set(), set()
    for result in results:
        if not result["unique_id"].startswith(("test.", "unit_test.")):
            continue  # the on-run-start hook
        node = nodes[result["unique_id"]]
        assert result["status"] in ("pass", "fail", "warn"), (node["name"], result["message"])
        test_name = (node.get("test_metadata") or {}).get("name", node["name"])
        models = [parent.split(".")[-1] for parent in node["depends_on"]["nodes"]]
        test = (test_name, models[0] if len(models) == 1 else None)
        if test_name == MATCHES:  # a generic test that also reads orders_enriched
            test = (test_name, node["attached_node"].split(".")[-1])
        ran.add(test)
        if result["status"] != "pass":
            failed.add(test)
    cross_layer = {("assert_kpis_overall_match_fact_orders", None)}
    assert failed == set().union(*CORRUPTIONS.values()) | cross_layer
    # every mart's invariants and agreement were checked (also those of the marts left intact)
    assert {("kpi_columns_are_consistent", mart) for mart in GOLD_GRAINS} <= ran
    assert {(MATCHES, mart) for mart in GOLD_GRAINS} <= ran
    assert len(results) > 50


def test_rows_gold_took_in_are_checked_by_the_full_verification(
    local_run: dict[str, Stage],
    local_lakehouse: Lakehouse,
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    """fact_orders' row checks cover the rows gold has not taken in yet (macro unconsumed), under
    `dbt build` and `dbt test` alike; the full verification (`make verify`: `--vars
    '{full_verification: true}'`) checks every row. An old row broken after gold took it in
    passes a build and `dbt test`; the full verification fails exactly its check."""
    scoped = make_lakehouse("scoped", raw_root=local_lakehouse.raw_root)
    shutil.copy(local_lakehouse.duckdb_path, scoped.duckdb_path)
    with duckdb.connect(str(scoped.duckdb_path)) as connection:
        connection.execute(
            "update silver.fact_orders set payment_method = 'Bitcoin'"
            " where order_id = (select min(order_id) from silver.fact_orders)"
        )

    selection = ["--select", "fact_orders", "--indirect-selection", "cautious"]
    for command in ("build", "test"):
        run_dbt([command, *selection], scoped.env)
        tests = [r for r in dbt_results(scoped) if r["unique_id"].startswith("test.")]
        assert any("expect_column_values_to_be_in_set_fact_orders" in r["unique_id"] for r in tests)
        assert all(r["status"] == "pass" for r in tests), command

    run_dbt(
        ["test", *selection, "--vars", "{full_verification: true}"],
        scoped.env,
        expect_success=False,
    )
    failed = {r["unique_id"].split(".")[2] for r in dbt_results(scoped) if r["status"] == "fail"}
    assert len(failed) == 1, failed
    assert next(iter(failed)).startswith("expect_column_values_to_be_in_set_fact_orders_"), failed


# Corruptions of fact_orders rows merged after gold's position (as a merge gold has not taken in
# yet would leave them), each with the daily check of the merge that must catch it.
NOT_IN_GOLD = "(select max(_as_of) + interval 1 second from gold.orders_enriched)"
MERGE_CORRUPTIONS = {
    f"update silver.fact_orders set updated_at = updated_at - interval 1 day,"
    f" _merged_at = {NOT_IN_GOLD}"
    " where order_id = (select min(order_id) from silver.fact_orders)": (
        "assert_fact_orders_merged_the_newest_version_of_the_batch"
    ),
    f"insert into silver.fact_orders select * replace ({NOT_IN_GOLD} as _merged_at)"
    " from silver.fact_orders where order_id = (select max(order_id) from silver.fact_orders)": (
        "assert_fact_orders_merged_keys_are_unique"
    ),
    f"update silver.fact_orders set order_amount = order_amount + 1, _merged_at = {NOT_IN_GOLD}"
    " where order_id ="
    " (select order_id from silver.fact_orders order by order_id limit 1 offset 1)": (
        "assert_fact_orders_derived_columns"
    ),
}


def test_the_daily_merge_checks_catch_a_corrupted_merge(
    local_run: dict[str, Stage],
    local_lakehouse: Lakehouse,
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    """The daily checks of fact_orders' merge can fail: on a copy of the built lakehouse, each
    corruption of rows gold has not taken in yet makes exactly its check fail."""
    corrupted = make_lakehouse("corrupted_merge", raw_root=local_lakehouse.raw_root)
    shutil.copy(local_lakehouse.duckdb_path, corrupted.duckdb_path)
    with duckdb.connect(str(corrupted.duckdb_path)) as connection:
        for statement in MERGE_CORRUPTIONS:
            connection.execute(statement)

    checks = sorted(MERGE_CORRUPTIONS.values())
    run_dbt(["test", "--select", *checks], corrupted.env, expect_success=False)
    statuses = {
        r["unique_id"].split(".")[-1]: r["status"]
        for r in dbt_results(corrupted)
        if r["unique_id"].startswith("test.")
    }
    assert statuses == dict.fromkeys(checks, "fail")


def test_the_cross_layer_check_catches_uncounted_orders_that_differ_from_silver(
    local_run: dict[str, Stage],
    local_lakehouse: Lakehouse,
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    """assert_uncounted_orders_match_silver can fail: on a copy of the built lakehouse, two
    orders that orders_enriched took in after every mart's position, one with another country,
    one without its product name (a null beside silver's value), are its two failures."""
    corrupted = make_lakehouse("corrupted_uncounted", raw_root=local_lakehouse.raw_root)
    shutil.copy(local_lakehouse.duckdb_path, corrupted.duckdb_path)
    after_every_mart = "(select max(_as_of) + interval 1 second from gold.orders_enriched)"
    with duckdb.connect(str(corrupted.duckdb_path)) as connection:
        for change, pick in (("country = 'Atlantis'", "min"), ("product_name = null", "max")):
            connection.execute(
                f"update gold.orders_enriched set {change}, _as_of = {after_every_mart}"
                f" where order_id = (select {pick}(order_id) from gold.orders_enriched)"
            )

    check = "assert_uncounted_orders_match_silver"
    run_dbt(["test", "--select", check], corrupted.env, expect_success=False)
    (result,) = [r for r in dbt_results(corrupted) if r["unique_id"].startswith("test.")]
    assert (result["status"], result["failures"]) == ("fail", 2), result
