"""The record of a pipeline run: what ran, how it ended, what the run quarantined.

The runner fills a PipelineRun as the job goes; ``record_run`` writes it to the warehouse's ops
schema (ops.pipeline_runs, ops.pipeline_task_runs, ops.pipeline_layer_rows,
ops.pipeline_quarantine), which the dashboard's pipeline-health panel reads. Every run ends with
a record, whatever holds the warehouse: its final record waits at most LOCK_WAIT_SECONDS for
another process's lock on the DuckDB file, then is kept as a JSON file beside the warehouse
(``<warehouse>.pending-runs/<run_id>.json``) that the next record written moves into ops. A run
that a killed process left ``running`` is closed as ``failed`` by the next run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

# The longest a run waits for another process's lock on the warehouse, for each of the two reads
# or writes that must not be skipped: the KPIs of the success mail and the run's final record.
LOCK_WAIT_SECONDS = 10.0
LOCK_RETRY_SECONDS = 0.5
ABANDONED = "the runner stopped before the run ended (killed, or its host went away)"


@dataclass
class TaskRun:
    key: str
    type: str
    status: str = "pending"  # pending, running, success, failed, skipped
    started_at: dt.datetime | None = None
    duration_seconds: float | None = None
    summary: str = ""
    error: str = ""


@dataclass(frozen=True)
class QuarantineCount:
    """Rows and files one run quarantined for one entity and reason."""

    entity: str
    reason: str
    rows: int
    files: int


@dataclass
class PipelineRun:
    run_id: str
    job_name: str
    started_at: dt.datetime
    tasks: list[TaskRun]
    status: str = "running"  # running, success, failed
    finished_at: dt.datetime | None = None
    layer_rows: list[tuple[str, str, int]] = field(default_factory=list)
    quarantine: list[QuarantineCount] = field(default_factory=list)
    rows_loaded: int = 0  # raw rows this run loaded into bronze
    messages: list[str] = field(default_factory=list)  # where notifications went

    @property
    def failed_task(self) -> TaskRun | None:
        return next((task for task in self.tasks if task.status == "failed"), None)

    @property
    def duration_seconds(self) -> float:
        end = self.finished_at or dt.datetime.now(dt.UTC)
        return (end - self.started_at).total_seconds()

    @property
    def rows_quarantined(self) -> int:
        return sum(count.rows for count in self.quarantine)

    @property
    def quarantined_row_share(self) -> float | None:
        """Quarantined rows over the rows this run read; None when it read none."""
        read = self.rows_loaded + self.rows_quarantined
        return self.rows_quarantined / read if read else None


def utc_naive(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment else None


OPS_DDL = """
create schema if not exists ops;
create table if not exists ops.pipeline_runs (
    run_id varchar, job_name varchar, started_at timestamp, finished_at timestamp,
    status varchar, duration_seconds double, failed_task varchar, error varchar
);
create table if not exists ops.pipeline_task_runs (
    run_id varchar, task_order integer, task_key varchar, task_type varchar, status varchar,
    started_at timestamp, duration_seconds double, summary varchar, error varchar
);
create table if not exists ops.pipeline_layer_rows (
    run_id varchar, layer_order integer, layer varchar, relation varchar, row_count bigint
);
create table if not exists ops.pipeline_quarantine (
    run_id varchar, entity varchar, reason varchar, rows_quarantined bigint,
    files_quarantined bigint
);
"""


def is_lock_error(error: BaseException) -> bool:
    """True for DuckDB's error when another process holds the database file's lock."""
    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def connect_with_retry(
    duckdb_path: Path, *, read_only: bool = False, wait_seconds: float = 0.0
) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse, waiting up to wait_seconds while another process holds
    its lock (then the lock error is raised)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(str(duckdb_path), read_only=read_only)
        except duckdb.IOException as error:
            if not is_lock_error(error) or time.monotonic() >= deadline:
                raise
            time.sleep(LOCK_RETRY_SECONDS)


def pending_records_dir(duckdb_path: Path) -> Path:
    """Where a run's final record waits when the warehouse is locked: beside the warehouse."""
    return duckdb_path.with_name(duckdb_path.name + ".pending-runs")


def _moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def run_to_json(run: PipelineRun) -> str:
    return json.dumps(dataclasses.asdict(run), default=lambda value: value.isoformat(), indent=1)


def run_from_json(text: str) -> PipelineRun:
    values: dict[str, Any] = json.loads(text)
    tasks = [
        TaskRun(**task | {"started_at": _moment(task["started_at"])}) for task in values["tasks"]
    ]
    return PipelineRun(
        **values
        | {
            "started_at": _moment(values["started_at"]),
            "finished_at": _moment(values["finished_at"]),
            "tasks": tasks,
            "layer_rows": [tuple(row) for row in values["layer_rows"]],
            "quarantine": [QuarantineCount(**count) for count in values["quarantine"]],
        }
    )


def keep_pending_record(duckdb_path: Path, run: PipelineRun) -> Path:
    """The run's record as a file, for the next record written to move into ops."""
    folder = pending_records_dir(duckdb_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.run_id}.json"
    path.write_text(run_to_json(run))
    return path


def record_run(duckdb_path: Path, run: PipelineRun, *, wait_seconds: float = 0.0) -> None:
    """Write (or rewrite) the run's record in the warehouse's ops schema, in one transaction,
    with the records earlier runs kept as files (which are then removed). Raises duckdb.Error
    when another process holds the warehouse's lock for longer than wait_seconds."""
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    pending = sorted(pending_records_dir(duckdb_path).glob("*.json"))
    with connect_with_retry(duckdb_path, wait_seconds=wait_seconds) as con:
        con.execute(OPS_DDL)
        con.execute("begin transaction")
        for path in pending:
            _write_record(con, run_from_json(path.read_text()))
        _write_record(con, run)
        con.execute("commit")
    for path in pending:
        path.unlink()


def _write_record(con: duckdb.DuckDBPyConnection, run: PipelineRun) -> None:
    """The run's rows in the ops tables, replacing any it had (inside the caller's transaction)."""
    failed = run.failed_task
    for table in (
        "pipeline_runs",
        "pipeline_task_runs",
        "pipeline_layer_rows",
        "pipeline_quarantine",
    ):
        con.execute(f"delete from ops.{table} where run_id = ?", [run.run_id])
    con.execute(
        "insert into ops.pipeline_runs values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run.run_id,
            run.job_name,
            utc_naive(run.started_at),
            utc_naive(run.finished_at),
            run.status,
            run.duration_seconds,
            failed.key if failed else None,
            failed.error if failed else None,
        ],
    )
    if run.tasks:
        con.executemany(
            "insert into ops.pipeline_task_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    run.run_id,
                    order,
                    task.key,
                    task.type,
                    task.status,
                    utc_naive(task.started_at),
                    task.duration_seconds,
                    task.summary,
                    task.error,
                ]
                for order, task in enumerate(run.tasks)
            ],
        )
    if run.layer_rows:
        con.executemany(
            "insert into ops.pipeline_layer_rows values (?, ?, ?, ?, ?)",
            [[run.run_id, order, *row] for order, row in enumerate(run.layer_rows)],
        )
    if run.quarantine:
        con.executemany(
            "insert into ops.pipeline_quarantine values (?, ?, ?, ?, ?)",
            [
                [run.run_id, count.entity, count.reason, count.rows, count.files]
                for count in run.quarantine
            ],
        )


def close_abandoned_runs(duckdb_path: Path, current_run_id: str) -> int:
    """Mark runs that a killed process left ``running`` as failed; returns how many."""
    if not duckdb_path.exists():
        return 0
    with connect_with_retry(duckdb_path) as con:  # never waits: the run goes on without it
        con.execute(OPS_DDL)
        closed = con.execute(
            "update ops.pipeline_runs set status = 'failed', error = ?,"
            " finished_at = coalesce(finished_at, started_at)"
            " where status = 'running' and run_id != ? returning run_id",
            [ABANDONED, current_run_id],
        ).fetchall()
    return len(closed)


# Rows and files the run quarantined, per entity and reason (records loaded since it started),
# and the rows it loaded into bronze: the bronze views over the checked tables.
QUARANTINE_SQL = """
select
    entity,
    reject_reason,
    count(*) filter (where _source_row_number > 0) as rows_quarantined,
    count(distinct _source_file) as files_quarantined
from bronze.bronze_quarantine
where _ingested_at >= ?
group by entity, reject_reason
order by entity, reject_reason
"""
LOADED_SQL = " union all ".join(
    f"select count(*) from bronze.bronze_{entity} where _ingested_at >= $since"
    for entity in ("brands", "categories", "products", "customers", "orders")
)


def read_quarantine(duckdb_path: Path, since: dt.datetime) -> tuple[list[QuarantineCount], int]:
    """What the bronze layer quarantined and loaded since `since` (the run's start)."""
    moment = utc_naive(since)
    with connect_with_retry(duckdb_path, read_only=True) as con:
        has_bronze = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'bronze' and table_name = 'bronze_file_ledger'"
        ).fetchone()
        if not has_bronze or not has_bronze[0]:
            return [], 0
        counts = [
            QuarantineCount(entity, reason, int(rows), int(files))
            for entity, reason, rows, files in con.execute(QUARANTINE_SQL, [moment]).fetchall()
        ]
        loaded = sum(rows for (rows,) in con.execute(LOADED_SQL, {"since": moment}).fetchall())
    return counts, loaded
