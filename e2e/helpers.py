"""Helpers of the end-to-end suite (the fixtures that use them are in conftest.py).

Every lakehouse a test builds lives in its own temporary folder: raw zone, DuckDB file, dbt
target and log paths and profiles, passed to dbt through the environment, so tests never touch
data/ nor each other.

    lakehouse = make_lakehouse("local")            # a Lakehouse in a fresh temp folder
    generate(lakehouse, seed=7, batches=3, orders_per_batch=2000)
    run_dbt(["build"], lakehouse.env)
    assert_same_rows(read_gold(lakehouse.duckdb_path), expected_kpis(lakehouse.raw_root))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from e2e.reference_kpis import (
    GOLD_GRAINS,
    KPI_COLUMNS,
    ORDERS_ENRICHED_COLUMNS,
    Row,
    grain_sort_key,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
# Delta Lake and the ANSI mode extension of the `spark` target (`make install`)
SPARK_JARS = PROJECT_DIR / ".cache" / "spark-jars"
DBT = Path(sys.executable).with_name("dbt")
START_DATE = dt.date(2026, 1, 5)
# `dbt build` of every model and snapshot, no data or unit test: what a build that is killed
# leaves behind is the same with its tests (they write nothing)
WITHOUT_TESTS = ("--exclude-resource-type", "test", "unit_test")


@dataclass
class Lakehouse:
    """One isolated lakehouse: its folders and the environment dbt runs with."""

    root: Path
    raw_root: str
    duckdb_path: Path
    env: dict[str, str] = field(default_factory=dict)


def lakehouse_env(root: Path, raw_root: str, extra: Mapping[str, str] | None = None) -> Lakehouse:
    """A Lakehouse in root: dbt profiles, target and logs there, the DuckDB file there."""
    root.mkdir(parents=True, exist_ok=True)
    profiles_dir = root / "profiles"
    profiles_dir.mkdir(exist_ok=True)
    shutil.copy(PROJECT_DIR / "profiles.yml.example", profiles_dir / "profiles.yml")
    duckdb_path = root / "lakehouse.duckdb"
    env = {
        "LAKEHOUSE_TARGET": "local",
        "LAKEHOUSE_RAW_ROOT": raw_root,
        "LAKEHOUSE_DUCKDB_PATH": str(duckdb_path),
        "LAKEHOUSE_SPARK_WAREHOUSE": str(root / "spark-warehouse"),
        "LAKEHOUSE_SPARK_JARS": str(SPARK_JARS),
        "DBT_PROFILES_DIR": str(profiles_dir),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(extra or {}),
    }
    return Lakehouse(root=root, raw_root=raw_root, duckdb_path=duckdb_path, env=env)


@contextlib.contextmanager
def patched_environ(env: Mapping[str, str]) -> Iterator[None]:
    """os.environ with env applied, restored afterwards (for in-process boto3 / generator)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_dbt(
    args: list[str],
    env: Mapping[str, str],
    *,
    expect_success: bool = True,
    project_dir: Path = PROJECT_DIR,
) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` in the project directory (or another copy of the project) with env on
    top of os.environ.

    Prints the command and its duration; a failure raises with the tail of dbt's output (the
    full log is in DBT_LOG_PATH)."""
    started = time.monotonic()
    print(f">> dbt {' '.join(args)}", flush=True)
    result = subprocess.run(
        [str(DBT), *args],
        cwd=project_dir,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"   done in {time.monotonic() - started:.1f}s (exit {result.returncode})", flush=True)
    if expect_success and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
        raise AssertionError(f"dbt {' '.join(args)} failed ({result.returncode}):\n{tail}")
    return result


def dbt_results(lakehouse: Lakehouse) -> list[dict[str, Any]]:
    """The node results of the lakehouse's last dbt command (its target's run_results.json)."""
    target = Path(lakehouse.env["DBT_TARGET_PATH"])
    return json.loads((target / "run_results.json").read_text())["results"]


def generate(lakehouse: Lakehouse, *, seed: int, batches: int, orders_per_batch: int) -> list[Any]:
    """Append batches to the lakehouse's raw zone with the generator (continuing its series)."""
    from lambda_generator.core import generate_batches

    with patched_environ(lakehouse.env):
        return generate_batches(
            lakehouse.raw_root,
            seed=seed,
            batches=batches,
            orders_per_batch=orders_per_batch,
            start_date=START_DATE,
        )


def read_relations(
    duckdb_path: Path, schema: str, *, exclude_columns: tuple[str, ...] = ()
) -> dict[str, list[tuple[Any, ...]]]:
    """Every table/view of a schema as its sorted rows (for before/after comparisons), without
    exclude_columns (e.g. silver's _merged_at, the time of the run that wrote the row)."""
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        columns: dict[str, list[str]] = {}
        for name, column in connection.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = ? order by table_name, ordinal_position",
            [schema],
        ).fetchall():
            if column not in exclude_columns:
                columns.setdefault(name, []).append(f'"{column}"')
        return {
            name: sorted(
                connection.execute(
                    f'select {", ".join(selected)} from "{schema}"."{name}"'
                ).fetchall(),
                key=repr,
            )
            for name, selected in columns.items()
        }


def read_gold(duckdb_path: Path) -> dict[str, list[Row]]:
    """Every gold relation of a DuckDB lakehouse as row dicts sorted by grain (same shape as
    reference_kpis.expected_kpis)."""
    gold: dict[str, list[Row]] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        for relation, grain in GOLD_GRAINS.items():
            held = connection.execute(f"select * from gold.{relation} limit 0").description
            held_columns = [description[0] for description in held]
            # the KPI columns, then the mart's position (_as_of), which the reference has not
            assert held_columns == [*grain, *KPI_COLUMNS, "_as_of"], f"{relation}: {held_columns}"
            columns = [*grain, *KPI_COLUMNS]
            cursor = connection.execute(f"select {', '.join(columns)} from gold.{relation}")
            rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
            gold[relation] = sorted(rows, key=lambda row, grain=grain: grain_sort_key(row, grain))
    return gold


def read_orders_enriched(duckdb_path: Path) -> list[Row]:
    """gold.orders_enriched as row dicts sorted by order_id: the columns the reference has (not
    the position and the previous versions)."""
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        columns = ORDERS_ENRICHED_COLUMNS
        cursor = connection.execute(
            f"select {', '.join(columns)} from gold.orders_enriched order by order_id"
        )
        return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]


def assert_same_kpis(actual: dict[str, list[Row]], expected: dict[str, list[Row]]) -> None:
    """Every gold relation equals the expected one, row by row and value by value (exact:
    Decimal money, and the rate is the same IEEE double division of two integers)."""
    assert sorted(actual) == sorted(expected)
    for relation, expected_rows in expected.items():
        actual_rows = actual[relation]
        assert len(actual_rows) == len(expected_rows), (
            f"{relation}: {len(actual_rows)} rows, expected {len(expected_rows)}"
        )
        for actual_row, expected_row in zip(actual_rows, expected_rows, strict=True):
            assert actual_row == expected_row, f"{relation}: {actual_row} != {expected_row}"


S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def killed_at(lakehouse: Lakehouse, node_name: str, command: list[str]) -> str:
    """Run `command` (dbt with --log-format json, or the job's build) and kill -9 it as soon as
    the node `node_name` starts, with every process it started (the runner's dbt, Spark's JVM),
    as a killed job loses its driver; returns the node that was started (node_name)."""
    process = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env={**os.environ, **lakehouse.env, "DBT_LOG_FORMAT": "json"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    started = None
    for line in process.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue  # the runner's own lines
        node = (event.get("data") or {}).get("node_info") or {}
        starting = event.get("info", {}).get("name") == "LogStartLine"
        if starting and node.get("node_name") == node_name:
            os.killpg(process.pid, signal.SIGKILL)
            started = node_name
            break
    process.stdout.close()
    process.wait()
    assert started, f"{node_name} never started"
    return started
