"""The runner: a failing task stops its dependants, is mailed, recorded, and exits non-zero.

These tests inject executors to stay fast; test_pipeline.py runs the real DAG end to end.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration import tasks
from orchestration.__main__ import main
from orchestration.job import Task, load_job
from orchestration.runner import run_job
from orchestration.settings import Settings


def _ok_generate(task: Task, settings: Settings) -> tasks.Outcome:
    return tasks.Outcome("1 batch", [("raw (this run)", "generated csv rows", 42)])


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

    executors = {"generate": _ok_generate, "dbt_task": _failing_dbt, "dashboard_task": dashboard}
    settings = Settings.from_env()
    run = run_job(load_job(), settings, executors)

    assert run.status == "failed"
    assert dashboard_calls == []  # never refreshed over bad data
    status = {task.key: task.status for task in run.tasks}
    assert status == {
        "generate": "success",
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

    executors = {"generate": crash, "dbt_task": _failing_dbt, "dashboard_task": _failing_dbt}
    run = run_job(load_job(), Settings.from_env(), executors)
    assert [task.status for task in run.tasks] == ["failed", "skipped", "skipped", "success"]
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
