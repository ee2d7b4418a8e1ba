"""Bronze as the ingestion boundary, with the files real sources deliver (e2e.hostile_corpus).

The raw root has a quote and a space in its path and dbt runs in a non-UTC time zone. After each
build: the build is green, every good row is in bronze and silver, every bad row or file is in
the quarantine with its reason, nothing else is loaded, the ledger accounts for every file, and
gold equals the independent computation (which applies the raw contract's rules itself).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from e2e.helpers import Lakehouse, assert_same_kpis, generate, read_gold, run_dbt
from e2e.hostile_corpus import (
    ORDER_COLUMNS,
    Expectations,
    first_ids,
    order_line,
    write,
    write_hostile_files,
)
from e2e.reference_kpis import expected_kpis

NON_UTC = {"TZ": "America/New_York"}


def query(lakehouse: Lakehouse, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def hostile(make_lakehouse: Callable[..., Lakehouse]) -> tuple[Lakehouse, Expectations]:
    lakehouse = make_lakehouse("hostile", extra_env=NON_UTC)
    raw = lakehouse.root / "o'brien raw" / "raw"
    lakehouse.raw_root = str(raw)
    lakehouse.env["LAKEHOUSE_RAW_ROOT"] = str(raw)
    generate(lakehouse, seed=11, batches=2, orders_per_batch=300)
    expect = write_hostile_files(raw, *first_ids(raw))
    run_dbt(["build"], lakehouse.env)
    return lakehouse, expect


def test_good_rows_load_by_header_name(hostile: tuple[Lakehouse, Expectations]) -> None:
    lakehouse, expect = hostile
    loaded = query(
        lakehouse,
        "select order_id, customer_id, product_id, quantity from bronze.bronze_orders"
        " where order_id >= 910000000 order by order_id",
    )
    assert loaded == [
        (order_id, *values) for order_id, values in sorted(expect.loaded_orders.items())
    ]
    in_silver = query(
        lakehouse, "select order_id from silver.fact_orders where order_id >= 910000000 order by 1"
    )
    assert in_silver == [(order_id,) for order_id in sorted(expect.loaded_orders)]
    customers = query(
        lakehouse,
        "select customer_id, country, city from bronze.bronze_customers"
        " where _source_file like '%customers_swapped.csv'",
    )
    assert customers == [
        (customer_id, *place) for customer_id, place in expect.loaded_customers.items()
    ]


def test_timestamps_are_utc_whatever_the_time_zone(hostile: tuple[Lakehouse, Expectations]) -> None:
    lakehouse, _ = hostile
    rows = query(
        lakehouse,
        "select order_id, cast(ordered_at as varchar), cast(updated_at as varchar)"
        " from bronze.bronze_orders where order_id in (910000120, 910000121) order by 1",
    )
    assert rows == [
        (910000120, "2026-03-01 00:00:00", "2026-03-01 00:00:00"),
        (910000121, "2026-03-01 10:00:00", "2026-03-01 10:00:00"),
    ]


def test_every_bad_row_and_file_is_quarantined_with_its_reason(
    hostile: tuple[Lakehouse, Expectations],
) -> None:
    lakehouse, expect = hostile
    quarantined = query(
        lakehouse,
        "select _source_file, _source_row_number, reject_reason from bronze.bronze_quarantine",
    )
    by_row = {
        (source_file.rsplit("/", 1)[-1], row_number): reason
        for source_file, row_number, reason in quarantined
    }
    for key, fragment in expect.rejected_rows.items():
        assert key in by_row, f"{key} is not in the quarantine"
        assert fragment in by_row[key], f"{key}: {by_row[key]!r} lacks {fragment!r}"
    for file_name, fragment in expect.rejected_files.items():
        reasons = [reason for (name, _), reason in by_row.items() if name == file_name]
        assert reasons, f"{file_name} is not in the quarantine"
        assert all(fragment in reason for reason in reasons), f"{file_name}: {reasons}"
    # nothing is quarantined that the corpus did not expect (generated files are clean)
    expected_files = {name for name, _ in expect.rejected_rows} | set(expect.rejected_files)
    assert {name for name, _ in by_row} == expected_files


def test_the_ledger_accounts_for_every_file(hostile: tuple[Lakehouse, Expectations]) -> None:
    lakehouse, _ = hostile
    raw = Path(lakehouse.raw_root)
    on_disk = sorted(
        path.as_posix().removeprefix(raw.as_posix() + "/")
        for entity in ("brands", "categories", "products", "customers", "orders")
        for path in (raw / entity).rglob("*")
        if path.is_file()
    )
    ledger = query(
        lakehouse,
        "select source_file, file_path, file_status from bronze.bronze_file_ledger order by 1",
    )
    listed = sorted(
        path if status == "new" else file_path.removeprefix(raw.as_posix() + "/")
        for path, file_path, status in ledger
    )
    assert listed == on_disk
    statuses = {Path(path).name: status for path, _, status in ledger}
    assert statuses["orders_upper.CSV"] == "misplaced"
    assert statuses["orders_nested.csv"] == "misplaced"
    assert statuses["orders_no_partition.csv"] == "misplaced"
    # the per-file reconciliation test of the build passed; check its arithmetic once here too
    counts = query(
        lakehouse,
        "select rows_loaded, rows_quarantined from bronze.bronze_file_ledger"
        " where source_file like '%orders_ragged.csv'",
    )
    assert counts == [(2, 3)]


def test_gold_equals_the_reference_on_the_good_rows(
    hostile: tuple[Lakehouse, Expectations],
) -> None:
    lakehouse, _ = hostile
    assert_same_kpis(read_gold(lakehouse.duckdb_path), expected_kpis(lakehouse.raw_root))


def test_late_future_and_rewritten_files(hostile: tuple[Lakehouse, Expectations]) -> None:
    """A late file in an old partition and a file in a future partition load on the next run;
    a loaded file rewritten in place is reported and its first load stands; a build with
    nothing new changes nothing; later batches still load."""
    lakehouse, expect = hostile
    raw = Path(lakehouse.raw_root)
    customer_id, product_id = first_ids(raw)
    before = query(lakehouse, "select count(*) from bronze.bronze_orders_checked")

    run_dbt(["build"], lakehouse.env)
    assert query(lakehouse, "select count(*) from bronze.bronze_orders_checked") == before
    gold_before = read_gold(lakehouse.duckdb_path)

    def line(order_id: int, quantity: str = "1") -> str:
        values = dict.fromkeys(ORDER_COLUMNS, "")
        values |= {
            "order_id": str(order_id),
            "customer_id": str(customer_id),
            "product_id": str(product_id),
            "quantity": quantity,
            "unit_price": "5.00",
            "payment_method": "PayPal",
            "status": "Placed",
            "ordered_at": "2026-01-05T08:00:00Z",
            "updated_at": "2026-01-05T08:00:00Z",
        }
        return order_line(values)

    header = ",".join(ORDER_COLUMNS)
    oldest = sorted((raw / "orders").glob("ingest_date=*"))[0]
    write(oldest / "orders_late.csv", f"{header}\n{line(920000001)}\n")
    write(
        raw / "orders" / "ingest_date=2099-01-01" / "orders_future.csv",
        f"{header}\n{line(920000002)}\n",
    )
    permuted = next((raw / "orders").glob("*/orders_permuted.csv"))
    original = permuted.read_bytes()
    permuted.write_text(f"{header}\n{line(910000001, quantity='7')}\n")

    run_dbt(["build"], lakehouse.env)
    assert query(
        lakehouse,
        "select order_id from bronze.bronze_orders"
        " where order_id between 920000000 and 929999999 order by 1",
    ) == [(920000001,), (920000002,)]
    assert query(
        lakehouse, "select quantity from bronze.bronze_orders where order_id = 910000001"
    ) == [(expect.loaded_orders[910000001][2],)]
    changed = query(
        lakehouse,
        "select reject_reason from bronze.bronze_quarantine"
        " where _source_file like '%orders_permuted.csv'",
    )
    assert changed and all("changed after it was loaded" in reason for (reason,) in changed)
    assert gold_before != read_gold(lakehouse.duckdb_path)

    # the first load stands: put the original bytes back (a second change, also reported) and
    # the reference, reading the files as they are now, agrees with gold
    permuted.write_bytes(original)
    generate(lakehouse, seed=11, batches=1, orders_per_batch=300)
    run_dbt(["build"], lakehouse.env)
    newest = max((raw / "orders").glob("ingest_date=2026-*/orders_b*.csv"))
    assert query(
        lakehouse,
        "select count(*) > 0 from bronze.bronze_orders"
        f" where _source_file = 'orders/{newest.parent.name}/{newest.name}'",
    ) == [(True,)]
    assert_same_kpis(read_gold(lakehouse.duckdb_path), expected_kpis(lakehouse.raw_root))


def test_a_file_landing_mid_run_waits_for_the_next_run(
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    """The set of files a run loads is fixed by the ledger when bronze_files runs: a file that
    lands after that is not read by the run's later models, and the next run takes it whole."""
    lakehouse = make_lakehouse("race")
    generate(lakehouse, seed=5, batches=1, orders_per_batch=200)
    raw = Path(lakehouse.raw_root)
    run_dbt(["build"], lakehouse.env)
    generate(lakehouse, seed=5, batches=1, orders_per_batch=200)
    run_dbt(["run", "--select", "bronze_files"], lakehouse.env)
    # lands after the ledger listed the files: a copy of an orders batch under a new name
    latest = sorted((raw / "orders").glob("*/*.csv"))[-1]
    shutil.copy(latest, latest.with_name("orders_landed_mid_run.csv"))
    run_dbt(["build", "--exclude", "bronze_files"], lakehouse.env)
    landed = "select count(*) from bronze.bronze_orders where _source_file like '%mid_run%'"
    assert query(lakehouse, landed) == [(0,)]
    assert query(
        lakehouse, "select count(*) from bronze.bronze_files where source_file like '%mid_run%'"
    ) == [(0,)]
    run_dbt(["build"], lakehouse.env)
    rows_in_file = len(latest.read_text().splitlines()) - 1
    assert query(lakehouse, landed) == [(rows_in_file,)]
    # same rows twice (at-least-once delivery): gold still counts each order once
    assert_same_kpis(read_gold(lakehouse.duckdb_path), expected_kpis(lakehouse.raw_root))
