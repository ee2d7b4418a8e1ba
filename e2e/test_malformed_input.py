"""Malformed raw input lands: the build still succeeds, every bad row is quarantined with a
reason, and the good rows of the same file reach bronze (and silver)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from e2e.conftest import Lakehouse, generate, run_dbt

HEADER = (
    "order_id,customer_id,product_id,quantity,unit_price,payment_method,status,ordered_at,"
    "updated_at\n"
)
GOOD_IDS = (900000001, 900000002)


def test_bad_rows_are_quarantined_and_good_rows_loaded(
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    lakehouse = make_lakehouse("malformed")
    generate(lakehouse, seed=3, batches=1, orders_per_batch=200)
    raw = Path(lakehouse.raw_root)
    customer_id, product_id = first_ids(raw)
    folder = raw / "orders" / "ingest_date=2026-03-01"
    folder.mkdir(parents=True)
    stamp = "2026-03-01T10:00:00Z"
    good = [
        f"{order_id},{customer_id},{product_id},2,9.99,Credit Card,Placed,{stamp},{stamp}\n"
        for order_id in GOOD_IDS
    ]
    bad = [
        # a quantity that is not a number
        f"900000003,{customer_id},{product_id},three,9.99,Credit Card,Placed,{stamp},{stamp}\n",
        # a price that is not a number
        f"900000004,{customer_id},{product_id},1,9.9.9,Credit Card,Placed,{stamp},{stamp}\n",
        # a column too few
        f"900000005,{customer_id},{product_id},1,Credit Card,Placed,{stamp},{stamp}\n",
    ]
    malformed = folder / "orders_malformed.csv"
    malformed.write_text(HEADER + good[0] + "".join(bad) + good[1], encoding="utf-8")
    (folder / "orders_empty.csv").write_text("", encoding="utf-8")

    run_dbt(["build"], lakehouse.env)

    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        quarantined = connection.execute(
            "select raw_values, reject_reason from bronze.bronze_quarantine"
            " where entity = 'orders' and _source_file like '%orders_malformed.csv'"
        ).fetchall()
        loaded = connection.execute(
            "select order_id from bronze.bronze_orders"
            " where _source_file like '%orders_malformed.csv' order by order_id"
        ).fetchall()
        in_silver = connection.execute(
            "select order_id from silver.fact_orders where order_id >= 900000000 order by 1"
        ).fetchall()
        from_empty_file = connection.execute(
            "select count(*) from bronze.bronze_orders where _source_file like '%orders_empty.csv'"
        ).fetchone()
    assert len(quarantined) == len(bad)
    assert all(reason for _, reason in quarantined), quarantined
    reasons = " | ".join(reason for _, reason in quarantined)
    assert "quantity" in reasons and "unit_price" in reasons, reasons
    assert loaded == [(order_id,) for order_id in GOOD_IDS]
    assert in_silver == loaded
    assert from_empty_file == (0,)


def first_ids(raw: Path) -> tuple[str, str]:
    """A customer id and a product id that exist in the generated raw zone."""
    customers = next((raw / "customers").glob("*/*.csv")).read_text().splitlines()
    products = next((raw / "products").glob("*/*.csv")).read_text().splitlines()
    return customers[1].split(",")[0], products[1].split(",")[0]
