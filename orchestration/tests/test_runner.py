"""The runner: a failing task stops its dependants, is mailed, recorded, and exits non-zero.

These tests inject executors to stay fast; test_pipeline.py runs the real DAG end to end.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration import notify, tasks
from orchestration.__main__ import main
from orchestration.job import Task, load_job
from orchestration.run_record import (
    ABANDONED,
    LOCK_WAIT_SECONDS,
    PipelineRun,
    QuarantineCount,
    TaskRun,
    record_run,
)
from orchestration.runner import run_job
from orchestration.settings import Settings


def _ok_generate(task: Task, settings: Settings) -> tasks.Outcome:
    return tasks.Outcome("1 batch", [("raw (this run)", "generated csv rows", 42)])


def _ok_state(task: Task, settings: Settings) -> tasks.Outcome:
    return tasks.Outcome("dbt state kept")


def _failing_dbt(task: Task, settings: Settings) -> tasks.Outcome:
    raise tasks.TaskError(
        "`dbt build` failed:\ntest not_null_fact_orders_order_id fail: Got 3 results"
    )


def test_a_failed_task_stops_its_dependants_and_is_mailed_and_recorded(
    isolated_env: Path, smtp_server
) -> None:
    dashboard_calls: list[str] = []

    def dashboard(task: Task, settings: Settings) -> tasks.Outcome:
        dashboard_calls.append(task.key)
        return tasks.Outcome("refreshed")

    executors = {
        "generate": _ok_generate,
        "spark_python_task": _ok_state,
        "dbt_task": _failing_dbt,
        "dashboard_task": dashboard,
    }
    settings = Settings.from_env()
    run = run_job(load_job(), settings, executors)

    assert run.status == "failed"
    assert dashboard_calls == []  # never refreshed over bad data
    status = {task.key: task.status for task in run.tasks}
    assert status == {
        "generate": "success",
        "prepare_dbt_state": "success",
        "dbt_build": "failed",
        "refresh_dashboard": "skipped",
        "notify": "success",
    }
    assert not (isolated_env / "dashboard" / "index.html").exists()

    (message,) = smtp_server.messages
    body = message.get_content()
    assert "dbt_build" in message["Subject"]
    assert "Failed task: dbt_build" in body
    assert "not_null_fact_orders_order_id fail: Got 3 results" in body
    assert str(isolated_env / "logs" / "dbt.log") in body
    assert "refresh_dashboard" in body  # what did not run because of it

    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        recorded = con.execute(
            "select status, failed_task, error from ops.pipeline_runs where run_id = ?",
            [run.run_id],
        ).fetchone()
        task_rows = con.execute(
            "select task_key, status from ops.pipeline_task_runs where run_id = ?"
            " order by task_order",
            [run.run_id],
        ).fetchall()
        raw_rows = con.execute(
            "select row_count from ops.pipeline_layer_rows where run_id = ?", [run.run_id]
        ).fetchall()
    assert recorded[:2] == ("failed", "dbt_build")
    assert "not_null_fact_orders_order_id" in recorded[2]
    assert task_rows == list(status.items())
    assert raw_rows == [(42,)]


def test_an_unexpected_exception_is_a_failure_with_its_traceback(
    isolated_env: Path, smtp_server
) -> None:
    def crash(task: Task, settings: Settings) -> tasks.Outcome:
        raise ZeroDivisionError("boom")

    executors = {
        "generate": crash,
        "spark_python_task": _ok_state,
        "dbt_task": _failing_dbt,
        "dashboard_task": _failing_dbt,
    }
    run = run_job(load_job(), Settings.from_env(), executors)
    assert [task.status for task in run.tasks] == [
        "failed",
        "skipped",
        "skipped",
        "skipped",
        "success",
    ]
    assert "ZeroDivisionError: boom" in run.tasks[0].error
    (message,) = smtp_server.messages
    assert "generate" in message["Subject"]
    assert "ZeroDivisionError: boom" in message.get_content()


def test_the_cli_exits_non_zero_when_a_task_fails(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(tasks.EXECUTORS, "generate", _ok_generate)
    monkeypatch.setitem(tasks.EXECUTORS, "dbt_task", _failing_dbt)
    assert main(["run"]) == 1
    output = capsys.readouterr().out
    assert "FAILED" in output and "failed task: dbt_build" in output
    # no SMTP server configured: the failure mail is an .eml file in the outbox
    (eml,) = (isolated_env / "outbox").glob("*-failure.eml")
    assert "dbt_build" in eml.read_text()


def test_ctrl_c_still_ends_the_run_in_a_final_status(isolated_env: Path, smtp_server) -> None:
    def interrupted(task: Task, settings: Settings) -> tasks.Outcome:
        raise KeyboardInterrupt

    executors = {
        "generate": _ok_generate,
        "spark_python_task": _ok_state,
        "dbt_task": interrupted,
        "dashboard_task": _failing_dbt,
    }
    settings = Settings.from_env()
    with pytest.raises(KeyboardInterrupt):
        run_job(load_job(), settings, executors)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        runs = con.execute(
            "select status, finished_at is not null from ops.pipeline_runs"
        ).fetchall()
        dbt_task = con.execute(
            "select status, error from ops.pipeline_task_runs where task_key = 'dbt_build'"
        ).fetchone()
    assert runs == [("failed", True)]
    assert dbt_task == ("failed", "interrupted: KeyboardInterrupt")


def test_a_run_left_running_by_a_killed_runner_is_closed_by_the_next(
    isolated_env: Path, smtp_server
) -> None:
    settings = Settings.from_env()
    stale = PipelineRun("stale-run", "lakehouse-local", dt.datetime.now(dt.UTC), tasks=[])
    record_run(settings.duckdb_path, stale)  # what a runner killed mid-run leaves behind
    executors = {
        "generate": _ok_generate,
        "spark_python_task": _ok_state,
        "dbt_task": _failing_dbt,
        "dashboard_task": _failing_dbt,
    }
    run_job(load_job(), settings, executors)
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        statuses = dict(con.execute("select run_id, status from ops.pipeline_runs").fetchall())
        error = con.execute(
            "select error from ops.pipeline_runs where run_id = 'stale-run'"
        ).fetchone()
    assert set(statuses.values()) == {"failed"} and len(statuses) == 2
    assert error == (ABANDONED,)


def test_a_final_record_waits_for_the_warehouse_lock(tmp_path: Path) -> None:
    """Another process holds the DuckDB file's lock for a moment, shorter than the wait a run's
    final record allows: the record is written after it."""
    path = tmp_path / "lakehouse.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
            " print('locked', flush=True); time.sleep(2); c.close()",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    run = PipelineRun("waited", "lakehouse-local", dt.datetime.now(dt.UTC), tasks=[])
    run.status = "success"
    record_run(path, run, wait_seconds=LOCK_WAIT_SECONDS)
    holder.wait(timeout=30)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select status from ops.pipeline_runs").fetchall() == [("success",)]


def test_mails_carry_counts_and_reasons_never_raw_values() -> None:
    run = PipelineRun("run-q", "lakehouse-local", dt.datetime.now(dt.UTC), tasks=[])
    run.rows_loaded = 990
    run.quarantine = [
        QuarantineCount("orders", "quantity is not an integer from 1 to 10000", 8, 1),
        QuarantineCount("customers", "file is not valid UTF-8 text (first bad line 2)", 0, 1),
    ]
    config = notify.SmtpConfig.from_env()
    body = notify.success_message(config, run, _KPIS, None).get_content()
    assert "8 rows of 998 read (0.8%)" in body
    assert "orders: 8 rows, 1 files: quantity is not an integer from 1 to 10000" in body
    assert "customers: 0 rows, 1 files: file is not valid UTF-8 text" in body
    run.tasks = [tasks_run := TaskRun("dbt_build", "dbt_task", status="failed")]
    tasks_run.error = (
        "Invalid Input Error: CSV Error on Line: 2\nOriginal Line: 7,Ann,Lee,ann@example.com\n"
        "Expected Number of Columns: 9 Found: 4"
    )
    failure = notify.failure_message(config, run, Path("logs")).get_content()
    assert "ann@example.com" not in failure and "Ann" not in failure
    assert "CSV Error on Line: 2" in failure and "Expected Number of Columns" in failure


_KPIS = {
    "overall": {
        "revenue": 10,
        "total_orders": 1,
        "placed_orders": 1,
        "cancelled_orders": 0,
        "cancellation_rate": 0.0,
        "lost_revenue": 0,
    },
    "daily": [],
}
