"""The dashboard's own copy of gold, and of the pipeline health: what the local server reads, so
that it never opens the warehouse. A DuckDB file has one writer and no reader beside it: a
server that read the warehouse would make a `dbt build` that starts meanwhile fail on the file's
lock.

The job's dashboard task publishes both after every successful build (publish):

- `gold-<time>.duckdb`: the columns of gold.orders_enriched the dashboard reads (COLUMNS), in a
  new DuckDB file named after its publication time; then `published.json`, replaced atomically,
  names it with the date range and the filter values of its orders. The server reads
  published.json at each request and opens a new copy when there is one; a copy stays on disk
  until the publication after next, so the answers in flight finish on the one they started.
- `pipeline_health.json`: the ops run records the page shows (publish_health). The runner
  publishes it again after it records every run's final status, failed runs included.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

MANIFEST = "published.json"
HEALTH = "pipeline_health.json"
COPY_PREFIX = "gold-"
KEEP_COPIES = 2  # the new copy and the one before it (answers in flight may still read it)
# What the dashboard reads of gold.orders_enriched, selected by name (gold may gain columns).
COLUMNS = (
    "order_id",
    "order_date",
    "status",
    "quantity",
    "order_amount",
    "payment_method",
    "product_id",
    "product_name",
    "brand_id",
    "brand_name",
    "category_id",
    "category_name",
    "customer_id",
    "country",
    "gender",
)
# The filters' values listed in published.json: parameter -> orders_enriched column.
FILTER_COLUMNS = {
    "country": "country",
    "category": "category_name",
    "brand": "brand_name",
    "payment_method": "payment_method",
    "gender": "gender",
}


class NothingPublished(RuntimeError):
    """No copy of gold has been published yet (the pipeline has not refreshed the dashboard)."""


@dataclass(frozen=True)
class Publication:
    """One published copy: its file and what published.json says about its orders."""

    path: Path
    published_at: dt.datetime
    first_day: dt.date | None  # the first and last order date (None: no orders)
    last_day: dt.date | None
    options: dict[str, list[str]]  # filter parameter -> every value, sorted
    orders: int

    @classmethod
    def from_manifest(cls, folder: Path, manifest: dict[str, Any]) -> Publication:
        def day(value: str | None) -> dt.date | None:
            return dt.date.fromisoformat(value) if value else None

        return cls(
            path=folder / manifest["copy"],
            published_at=dt.datetime.fromisoformat(manifest["published_at"]),
            first_day=day(manifest["first_day"]),
            last_day=day(manifest["last_day"]),
            options=manifest["options"],
            orders=manifest["orders"],
        )


def _write_json(path: Path, value: Any) -> None:
    """Write JSON atomically: readers see the old file or the new one, never half of one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(value, indent=1, default=str), encoding="utf-8")
    partial.replace(path)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(warehouse: Path, folder: Path, now: dt.datetime | None = None) -> Publication:
    """Copy what the dashboard reads of gold from the warehouse (opened read-only, for the time
    of the copy) into a new file in folder, then point published.json at it."""
    now = now or dt.datetime.now(dt.UTC)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{COPY_PREFIX}{now:%Y%m%dT%H%M%S%f}Z.duckdb"
    partial = folder / f".{name}.partial"
    partial.unlink(missing_ok=True)
    columns = ", ".join(COLUMNS)
    lists = ", ".join(
        f"list_sort(list(distinct {column}) filter (where {column} is not null)) as {name}"
        for name, column in FILTER_COLUMNS.items()
    )
    try:
        with duckdb.connect(str(partial)) as con:
            con.execute(f"attach {_sql_literal(str(warehouse))} as warehouse (read_only)")
            con.execute("create schema gold")
            # sorted by date: a date range reads only the row groups of its days
            con.execute(
                f"create table gold.orders_enriched as select {columns}"
                " from warehouse.gold.orders_enriched order by order_date, order_id"
            )
            con.execute("detach warehouse")
            cursor = con.execute(
                "select min(order_date), max(order_date), count(*),"
                f" {lists} from gold.orders_enriched"
            )
            first_day, last_day, orders, *values = cursor.fetchone()
            con.execute("checkpoint")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(folder / name)
    manifest = {
        "copy": name,
        "published_at": now.isoformat(),
        "source": str(warehouse),
        "first_day": first_day and first_day.isoformat(),
        "last_day": last_day and last_day.isoformat(),
        "orders": orders,
        "options": {
            parameter: list(found or [])
            for parameter, found in zip(FILTER_COLUMNS, values, strict=True)
        },
    }
    _write_json(folder / MANIFEST, manifest)
    for old in sorted(folder.glob(f"{COPY_PREFIX}*.duckdb"))[:-KEEP_COPIES]:
        old.unlink(missing_ok=True)
    return Publication.from_manifest(folder, manifest)


def publish_health(warehouse: Path, folder: Path) -> dict[str, Any]:
    """Publish the pipeline health (the latest runs, the tasks, rows per layer and quarantine
    of the latest run) from the warehouse's ops records as pipeline_health.json."""
    from orchestration.dashboard import load_pipeline_health

    with duckdb.connect(str(warehouse), read_only=True) as con:
        health = load_pipeline_health(con)
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / HEALTH, health)
    return read_health(folder)


def read_health(folder: Path) -> dict[str, Any]:
    """The published pipeline health, timestamps as datetimes (empty when none was published)."""
    path = folder / HEALTH
    if not path.is_file():
        return {"runs": [], "tasks": [], "layers": [], "quarantine": []}
    health = json.loads(path.read_text(encoding="utf-8"))
    for row in health["runs"] + health["tasks"]:
        for key in ("started_at", "finished_at"):
            if row.get(key):
                row[key] = dt.datetime.fromisoformat(row[key])
    return health


class PublishedGold:
    """The server's reader of the latest published copy: one read-only connection per copy,
    a cursor per answer; a newer copy is opened as soon as published.json names it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None  # published.json's (inode, mtime)
        self._publication: Publication | None = None
        self._connection: duckdb.DuckDBPyConnection | None = None

    def current(self) -> tuple[Publication, duckdb.DuckDBPyConnection]:
        manifest = self.folder / MANIFEST
        try:
            stat = manifest.stat()
        except FileNotFoundError:
            raise NothingPublished(str(manifest)) from None
        with self._lock:
            if self._seen != (stat.st_ino, stat.st_mtime_ns) or self._connection is None:
                publication = Publication.from_manifest(
                    self.folder, json.loads(manifest.read_text(encoding="utf-8"))
                )
                if self._publication is None or publication.path != self._publication.path:
                    # the previous connection is closed when its last cursor is released
                    self._connection = duckdb.connect(str(publication.path), read_only=True)
                self._publication, self._seen = publication, (stat.st_ino, stat.st_mtime_ns)
            assert self._publication is not None and self._connection is not None
            return self._publication, self._connection

    @contextlib.contextmanager
    def cursor(self) -> Iterator[tuple[Publication, duckdb.DuckDBPyConnection]]:
        """The latest publication and a cursor over its copy, closed after the answer."""
        publication, connection = self.current()
        cursor = connection.cursor()
        try:
            yield publication, cursor
        finally:
            cursor.close()
