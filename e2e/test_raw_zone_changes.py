"""No single file stops the pipeline, and bronze is the system of record (e2e, DuckDB).

The raw root has glob characters in its path (``[``, ``]``, ``*``, ``?``) and dbt runs without
root's power to read any file, as a pipeline's user does. Next to two generated batches the raw
zone holds a file without read permission, a symbolic link to a file and one to a folder, and
two ``.csv.gz`` files that are not complete gzip streams: each is a file record with its reason,
`dbt source freshness` passes for all five entities, every other file loads. A file that
vanishes between the listing and the read is recorded; a loaded file deleted, or rewritten with
the same size and modification time, is recorded with a warning and bronze keeps what it
loaded, through a `--full-refresh` too; a deliberate reload reads the raw zone as it is.

The problem files repeat rows already delivered, so gold is the same whether they load or not
and the reference (e2e.reference_kpis) decides what gold must be.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest

from e2e.helpers import DBT, PROJECT_DIR, Lakehouse, assert_same_kpis, generate, read_gold
from e2e.reference_kpis import expected_kpis
from lakehouse_duckdb.raw_files import LINK_TO_FILE, LINK_TO_FOLDER

PROBLEM_DAY = "ingest_date=2026-03-05"
# Root may read any file whatever its permissions; a pipeline's user may not. As root, dbt runs
# without the capabilities that override file permissions, so a file without read permission is
# as unreadable as it is in production.
NO_READ_OVERRIDE = (
    [
        "setpriv",
        "--inh-caps=-dac_override,-dac_read_search",
        "--bounding-set=-dac_override,-dac_read_search",
    ]
    if os.geteuid() == 0
    else []
)


def dbt(args: list[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` without the power to read unreadable files; fails with dbt's output."""
    started = time.monotonic()
    result = subprocess.run(
        [*NO_READ_OVERRIDE, str(DBT), *args],
        cwd=PROJECT_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    print(f">> dbt {' '.join(args)}: exit {result.returncode} in {time.monotonic() - started:.1f}s")
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
    return result


def query(lakehouse: Lakehouse, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def ledger(lakehouse: Lakehouse, file_name: str) -> list[tuple[Any, ...]]:
    """(file_status, file_reason) of every record of one file name, oldest first."""
    return query(
        lakehouse,
        "select file_status, file_reason from bronze.bronze_files"
        f" where file_path like '%/{file_name}' order by _ingested_at",
    )


def source_freshness(lakehouse: Lakehouse) -> dict[str, dict[str, Any]]:
    """Run `dbt source freshness`; its result per raw source."""
    dbt(["source", "freshness"], lakehouse.env)
    sources = json.loads((Path(lakehouse.env["DBT_TARGET_PATH"]) / "sources.json").read_text())
    return {result["unique_id"].split(".")[-1]: result for result in sources["results"]}


def write_problem_files(raw: Path, elsewhere: Path) -> None:
    """Files that cannot be loaded, each holding rows of a delivered orders file."""
    delivered = sorted((raw / "orders").glob("ingest_date=*/orders_b*.csv"))[0]
    rows = delivered.read_bytes()
    folder = raw / "orders" / PROBLEM_DAY
    folder.mkdir(parents=True)
    unreadable = folder / "orders_unreadable.csv"
    unreadable.write_bytes(rows)
    unreadable.chmod(0)
    elsewhere.mkdir()
    (elsewhere / "orders_target.csv").write_bytes(rows)
    (folder / "orders_link.csv").symlink_to(elsewhere / "orders_target.csv")
    (elsewhere / "folder").mkdir()
    (elsewhere / "folder" / "orders_in_linked_folder.csv").write_bytes(rows)
    (raw / "orders" / "ingest_date=2026-03-06").symlink_to(elsewhere / "folder")
    (folder / "orders_garbage.csv.gz").write_bytes(rows)
    compressed = gzip.compress(rows)
    (folder / "orders_truncated.csv.gz").write_bytes(compressed[: len(compressed) // 2])


@pytest.fixture(scope="module")
def zone(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lakehouse = make_lakehouse("raw-zone")
    raw = lakehouse.root / "raw [zone] *?" / "raw"
    lakehouse.raw_root = str(raw)
    lakehouse.env["LAKEHOUSE_RAW_ROOT"] = str(raw)
    generate(lakehouse, seed=21, batches=2, orders_per_batch=200)
    write_problem_files(raw, lakehouse.root / "elsewhere")
    freshness = source_freshness(lakehouse)
    assert {name: result["status"] for name, result in freshness.items()} == dict.fromkeys(
        ("brands", "categories", "products", "customers", "orders"), "pass"
    )
    dbt(["build"], lakehouse.env)
    return lakehouse


def test_each_file_that_cannot_be_loaded_is_a_record_with_its_reason(zone: Lakehouse) -> None:
    assert ledger(zone, "orders_unreadable.csv") == [
        ("unreadable", "cannot be read: permission denied")
    ]
    assert ledger(zone, "orders_link.csv") == [("unreadable", LINK_TO_FILE)]
    assert ledger(zone, "ingest_date=2026-03-06") == [("unreadable", LINK_TO_FOLDER)]
    assert ledger(zone, "orders_in_linked_folder.csv") == []
    ((status, reason),) = ledger(zone, "orders_garbage.csv.gz")
    assert status == "unreadable" and reason.startswith("not a complete gzip stream:")
    ((status, reason),) = ledger(zone, "orders_truncated.csv.gz")
    assert status == "unreadable" and reason.startswith("not a complete gzip stream:")
    quarantined = query(
        zone,
        "select _source_file, reject_reason from bronze.bronze_quarantine"
        " where _source_row_number = 0",
    )
    assert len(quarantined) == 5
    assert all(reason for _, reason in quarantined)


def test_every_other_file_loads_every_row(zone: Lakehouse) -> None:
    """The generated files, under a root with glob characters: each is loaded, row for row (its
    lines counted here), and gold equals the reference."""
    raw = Path(zone.raw_root)
    generated = sorted(raw.glob("*/ingest_date=*/*_b*.csv"))
    assert len(generated) == 10
    loaded = dict(
        query(
            zone,
            "select source_file, rows_loaded from bronze.bronze_file_ledger"
            " where file_status = 'new' and file_reason is null",
        )
    )
    assert loaded == {
        path.relative_to(raw).as_posix(): len(path.read_text().splitlines()) - 1
        for path in generated
    }
    assert_same_kpis(read_gold(zone.duckdb_path), expected_kpis(zone.raw_root))


def test_a_file_that_vanishes_between_the_listing_and_the_read(zone: Lakehouse) -> None:
    """The ledger lists a new batch; one of its files is deleted before the checked tables read
    it: that file is recorded as not read, every other file loads, and the next run records
    that it vanished."""
    generate(zone, seed=21, batches=1, orders_per_batch=200)
    dbt(["run", "--select", "bronze_files"], zone.env)
    newest = max(Path(zone.raw_root).glob("orders/ingest_date=*/orders_b*.csv"))
    newest.unlink()
    dbt(["build", "--exclude", "bronze_files"], zone.env)
    assert query(
        zone,
        "select _source_row_number, reject_reason from bronze.bronze_quarantine"
        f" where _source_file like '%/{newest.name}'",
    ) == [(0, "file could not be read: it vanished or was replaced after it was listed")]
    customers = max(Path(zone.raw_root).glob("customers/ingest_date=*/customers_b*.csv"))
    assert query(
        zone,
        "select count(*) from bronze.bronze_customers"
        f" where _source_file like '%/{customers.name}'",
    ) == [(len(customers.read_text().splitlines()) - 1,)]
    dbt(["build"], zone.env)
    assert ledger(zone, newest.name) == [
        ("new", None),
        ("vanished", "file vanished from the raw zone: bronze keeps what it loaded from it"),
    ]
    assert_same_kpis(read_gold(zone.duckdb_path), expected_kpis(zone.raw_root))


def test_bronze_keeps_what_it_loaded_when_raw_files_vanish_or_change(
    zone: Lakehouse, tmp_path: Path
) -> None:
    """A loaded file deleted and another rewritten with the same size and modification time:
    freshness sees both, the build records both with a warning, gold keeps what was loaded,
    and so does `dbt build --full-refresh`, which rebuilds silver and gold from bronze."""
    raw = Path(zone.raw_root)
    loaded = shutil.copytree(raw, tmp_path / "as-loaded", symlinks=True)
    gold = read_gold(zone.duckdb_path)
    before = source_freshness(zone)["orders"]["max_loaded_at"]
    deleted, rewritten = sorted(raw.glob("orders/ingest_date=*/orders_b*.csv"))[:2]
    deleted.unlink()
    status = rewritten.stat()
    text = rewritten.read_text()
    changed = text.replace(',"Placed",', ',"Cancel",', 1)
    assert changed != text and len(changed) == len(text)
    rewritten.write_text(changed)
    os.utime(rewritten, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert rewritten.stat().st_size == status.st_size
    assert rewritten.stat().st_mtime_ns == status.st_mtime_ns

    assert source_freshness(zone)["orders"]["max_loaded_at"] > before
    dbt(["build"], zone.env)
    assert ledger(zone, deleted.name)[-1] == (
        "vanished",
        "file vanished from the raw zone: bronze keeps what it loaded from it",
    )
    assert ledger(zone, rewritten.name)[-1] == (
        "changed",
        "file changed after it was loaded: its first load stands",
    )
    checksums = query(
        zone,
        "select file_size, modified_at, file_checksum from bronze.bronze_files"
        f" where file_path like '%/{rewritten.name}' order by _ingested_at",
    )
    assert checksums[0][:2] == checksums[1][:2] and checksums[0][2] != checksums[1][2]
    assert read_gold(zone.duckdb_path) == gold

    dbt(["build", "--full-refresh"], zone.env)
    assert read_gold(zone.duckdb_path) == gold
    assert_same_kpis(gold, expected_kpis(str(loaded)))
    assert query(
        zone,
        f"select count(*) > 0 from bronze.bronze_orders where _source_file like '%/{deleted.name}'",
    ) == [(True,)]


def test_a_deliberate_reload_reads_the_raw_zone_as_it_is(zone: Lakehouse, tmp_path: Path) -> None:
    """`--full-refresh` with the var reload_bronze rebuilds bronze from the files raw holds now:
    the deleted file's rows are gone, the rewritten file loads its new content. (The reference
    reads the raw zone as the pipeline's user sees it: without the file it may not read.)"""
    dbt(["build", "--full-refresh", "--vars", "{reload_bronze: true}"], zone.env)
    assert query(
        zone, "select count(*) from bronze.bronze_files where file_status = 'vanished'"
    ) == [(0,)]
    readable = shutil.copytree(
        zone.raw_root,
        tmp_path / "readable",
        symlinks=True,
        ignore=shutil.ignore_patterns("orders_unreadable.csv"),
    )
    assert_same_kpis(read_gold(zone.duckdb_path), expected_kpis(str(readable)))
