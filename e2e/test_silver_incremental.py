"""Silver on the local target: incremental merges that read the batch, not history, and
late-arriving dimension members (inferred members replaced by the delivered rows).

Gold is compared with the independent computation (reference_kpis) after every build.
"""

from __future__ import annotations

from collections.abc import Callable
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
    read_relations,
    run_dbt,
)
from e2e.reference_kpis import expected_kpis

SEED = 11
ORDERS_PER_BATCH = 400


def compiled_fact_orders(lakehouse: Lakehouse) -> str:
    target = Path(lakehouse.env["DBT_TARGET_PATH"])
    return (target / "compiled/lakehouse/models/silver/fact_orders.sql").read_text()


def query(lakehouse: Lakehouse, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def rows_read_by_incremental_fact_orders(lakehouse: Lakehouse) -> int:
    """The number of bronze rows the incremental fact_orders select reads: compiles the model
    (its watermark is queried at compile time, as in a run) and counts its bronze_orders CTE."""
    run_dbt(["compile", "--select", "fact_orders"], lakehouse.env)
    sql = compiled_fact_orders(lakehouse)
    assert "_ingested_at >" in sql, "fact_orders did not compile as an incremental run"
    head, final = sql.rsplit("select * from final", 1)
    assert not final.strip()
    ((count,),) = query(lakehouse, head + "select count(*) from bronze_orders")
    return count


def assert_gold_matches_the_oracle(lakehouse: Lakehouse) -> None:
    assert_same_kpis(read_gold(lakehouse.duckdb_path), expected_kpis(lakehouse.raw_root))


# ---------------------------------------------------------------- bulk load, then one batch


@pytest.fixture(scope="module")
def bulk_then_batch(make_lakehouse: Callable[..., Lakehouse]) -> dict[str, Any]:
    """Four batches and a build (every bronze row of the bulk load gets the same _ingested_at);
    one more batch: what the incremental fact_orders would read, then the build."""
    lakehouse = make_lakehouse("bulk")
    recorded: dict[str, Any] = {"lakehouse": lakehouse}
    generate(lakehouse, seed=SEED, batches=4, orders_per_batch=ORDERS_PER_BATCH)
    run_dbt(["build"], lakehouse.env)
    assert_gold_matches_the_oracle(lakehouse)
    recorded["bulk_rows"] = query(lakehouse, "select count(*) from bronze.bronze_orders")[0][0]
    recorded["read_with_nothing_new"] = rows_read_by_incremental_fact_orders(lakehouse)

    generate(lakehouse, seed=SEED, batches=1, orders_per_batch=ORDERS_PER_BATCH)
    # load the new batch into bronze only, then see what the incremental select would read
    run_dbt(["run", "--select", "models/bronze"], lakehouse.env)
    recorded["batch_rows"] = query(
        lakehouse,
        "select count(*) from bronze.bronze_orders"
        " where _ingested_at = (select max(_ingested_at) from bronze.bronze_orders)",
    )[0][0]
    recorded["read_for_the_batch"] = rows_read_by_incremental_fact_orders(lakehouse)
    run_dbt(["build"], lakehouse.env)
    recorded["merged_in_the_batch_run"] = query(
        lakehouse,
        "select count(*) from silver.fact_orders"
        " where _merged_at = (select max(_merged_at) from silver.fact_orders)",
    )[0][0]
    assert_gold_matches_the_oracle(lakehouse)
    recorded["read_after_the_batch"] = rows_read_by_incremental_fact_orders(lakehouse)
    recorded["silver"] = read_relations(
        lakehouse.duckdb_path, "silver", exclude_columns=("_merged_at",)
    )
    run_dbt(["build", "--full-refresh"], lakehouse.env)
    assert_gold_matches_the_oracle(lakehouse)
    recorded["silver_refreshed"] = read_relations(
        lakehouse.duckdb_path, "silver", exclude_columns=("_merged_at",)
    )
    return recorded


def test_the_incremental_fact_orders_reads_only_the_new_batch(
    bulk_then_batch: dict[str, Any],
) -> None:
    recorded = bulk_then_batch
    assert 0 < recorded["batch_rows"] < recorded["bulk_rows"]
    # nothing ingested since the bulk load's merge: nothing read (not the bulk load again)
    assert recorded["read_with_nothing_new"] == 0
    # exactly the new batch's bronze rows, none of the bulk load's
    assert recorded["read_for_the_batch"] == recorded["batch_rows"]
    # the run merged the batch's new orders and cancellations, not the table again
    assert 0 < recorded["merged_in_the_batch_run"] <= recorded["batch_rows"]
    assert recorded["read_after_the_batch"] == 0


def test_the_incremental_silver_equals_a_full_refresh(bulk_then_batch: dict[str, Any]) -> None:
    assert bulk_then_batch["silver_refreshed"] == bulk_then_batch["silver"]


# ---------------------------------------------------------------- late-arriving members

ORDERS_HEADER = (
    "order_id,customer_id,product_id,quantity,unit_price,payment_method,status,ordered_at,"
    "updated_at\n"
)
# Step 1: orders of a customer (900001) and a product (900001) not delivered yet, and a product
# (900002) whose brand (9001) and category (9001) are not delivered yet, with an order.
EARLY = {
    "orders": ORDERS_HEADER
    + "990000001,900001,900001,2,10.00,PayPal,Placed,2026-02-01T10:00:00Z,2026-02-01T10:00:00Z\n"
    + "990000002,900001,900002,1,25.50,PayPal,Placed,2026-02-01T11:00:00Z,2026-02-01T11:00:00Z\n"
    + "990000003,1,900001,1,10.00,Credit Card,Placed,2026-02-01T12:00:00Z,"
    "2026-02-01T12:00:00Z\n",
    "products": "product_id,product_name,brand_id,category_id,unit_price,updated_at\n"
    '900002,"Late Kite",9001,9001,25.50,2026-02-01T00:00:00Z\n',
}
# Step 2: the members arrive, with updated_at older than the orders (and than the inferred
# members' merge), and one of the earlier orders is cancelled.
LATE = {
    "customers": "customer_id,first_name,last_name,email,gender,country,city,signup_date,"
    "updated_at\n"
    "900001,Ada,Late,ada@example.org,Female,Iceland,Reykjavik,2025-01-01,2025-01-01T00:00:00Z\n",
    "products": "product_id,product_name,brand_id,category_id,unit_price,updated_at\n"
    '900001,"Late Ball",1,1,10.00,2025-01-01T00:00:00Z\n',
    "brands": 'brand_id,brand_name,updated_at\n9001,"Late Brand",2025-01-01T00:00:00Z\n',
    "categories": 'category_id,category_name,updated_at\n9001,"Late Category",'
    "2025-01-01T00:00:00Z\n",
    "orders": ORDERS_HEADER
    + "990000001,900001,900001,2,10.00,PayPal,Cancelled,2026-02-01T10:00:00Z,"
    "2026-02-02T09:00:00Z\n",
}


def write_batch(raw_root: str, ingest_date: str, files: dict[str, str]) -> None:
    for entity, text in files.items():
        folder = Path(raw_root) / entity / f"ingest_date={ingest_date}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{entity}_late_{ingest_date}.csv").write_text(text)


INFERRED = (
    "select 'customer', customer_id, country from silver.dim_customers where is_inferred"
    " union all select 'product', product_id, product_name || '/' || brand_name || '/'"
    " || category_name from silver.dim_products where is_inferred"
    " union all select 'brand', brand_id, brand_name from silver.dim_brands where is_inferred"
    " union all select 'category', category_id, category_name from silver.dim_categories"
    " where is_inferred order by 1, 2"
)


def waiting_test_status(lakehouse: Lakehouse) -> str:
    (status,) = [
        result["status"]
        for result in dbt_results(lakehouse)
        if result["unique_id"].endswith(".assert_no_inferred_member_is_waiting")
    ]
    return status


@pytest.fixture(scope="module")
def late_members(make_lakehouse: Callable[..., Lakehouse]) -> dict[str, Any]:
    lakehouse = make_lakehouse("late")
    recorded: dict[str, Any] = {"lakehouse": lakehouse}
    generate(lakehouse, seed=SEED, batches=1, orders_per_batch=ORDERS_PER_BATCH)
    run_dbt(["build"], lakehouse.env)
    recorded["before"] = query(lakehouse, INFERRED)

    write_batch(lakehouse.raw_root, "2026-02-01", EARLY)
    run_dbt(["build"], lakehouse.env)
    recorded["early_gold"] = read_gold(lakehouse.duckdb_path)
    recorded["early_expected"] = expected_kpis(lakehouse.raw_root)
    recorded["early_inferred"] = query(lakehouse, INFERRED)
    recorded["early_waiting_test"] = waiting_test_status(lakehouse)

    write_batch(lakehouse.raw_root, "2026-02-02", LATE)
    run_dbt(["build"], lakehouse.env)
    recorded["late_gold"] = read_gold(lakehouse.duckdb_path)
    recorded["late_expected"] = expected_kpis(lakehouse.raw_root)
    recorded["late_inferred"] = query(lakehouse, INFERRED)
    recorded["late_waiting_test"] = waiting_test_status(lakehouse)
    recorded["silver"] = read_relations(
        lakehouse.duckdb_path, "silver", exclude_columns=("_merged_at",)
    )

    run_dbt(["build", "--full-refresh"], lakehouse.env)
    recorded["refreshed_gold"] = read_gold(lakehouse.duckdb_path)
    recorded["silver_refreshed"] = read_relations(
        lakehouse.duckdb_path, "silver", exclude_columns=("_merged_at",)
    )
    return recorded


def test_early_orders_count_against_inferred_members(late_members: dict[str, Any]) -> None:
    assert late_members["before"] == []
    assert late_members["early_inferred"] == [
        ("brand", 9001, "Unknown brand 9001"),
        ("category", 9001, "Unknown category 9001"),
        ("customer", 900001, "Unknown"),
        ("product", 900001, "Unknown product 900001/Unknown brand/Unknown category"),
    ]
    # the build stays green; the waiting members are a warning
    assert late_members["early_waiting_test"] == "warn"
    assert_same_kpis(late_members["early_gold"], late_members["early_expected"])
    products = {row["product_id"]: row for row in late_members["early_gold"]["kpis_by_product"]}
    assert products[900001]["product_name"] == "Unknown product 900001"
    assert products[900002]["brand_name"] == "Unknown brand 9001"


def test_delivered_members_replace_the_inferred_ones(late_members: dict[str, Any]) -> None:
    assert late_members["late_inferred"] == []
    assert late_members["late_waiting_test"] == "pass"
    assert_same_kpis(late_members["late_gold"], late_members["late_expected"])
    products = {row["product_id"]: row for row in late_members["late_gold"]["kpis_by_product"]}
    assert products[900001]["product_name"] == "Late Ball"
    assert (products[900002]["brand_name"], products[900002]["category_name"]) == (
        "Late Brand",
        "Late Category",
    )
    customers = {row["customer_id"]: row for row in late_members["late_gold"]["kpis_by_customer"]}
    assert customers[900001]["country"] == "Iceland"
    # nothing is left under the unknown brand once the product arrived
    assert -1 not in {row["brand_id"] for row in late_members["late_gold"]["kpis_by_brand"]}


def test_late_members_full_refresh_gives_the_same_silver_and_gold(
    late_members: dict[str, Any],
) -> None:
    assert late_members["silver_refreshed"] == late_members["silver"]
    assert late_members["refreshed_gold"] == late_members["late_gold"]
