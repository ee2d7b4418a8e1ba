"""The whole DAG for real (generate -> dbt build -> dashboard -> notify), small data.

A run over a raw zone with an order that breaks a value rule succeeds and reports the quarantined
row everywhere an operator looks (console, ops, dashboard, mail), without its values. No raw file
or value can fail a build (bronze quarantines it), so a failing dbt data test comes from a
warehouse corrupted after a run (a file's record in bronze no longer matches its rows): the next
run fails at dbt_build, the dashboard is not refreshed, the failure mail names the task and the
test, the exit code is 1.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from lambda_generator.core import generate_batches
from orchestration import alerts
from orchestration.dashboard import load_kpis
from orchestration.tests.helpers import REPO, pipeline_env


def test_the_run_succeeds_and_says_where_everything_is(pipeline: Any) -> None:
    assert pipeline.completed.returncode == 0, pipeline.explain()
    out = pipeline.completed.stdout
    for task in ("generate", "dbt_build", "refresh_dashboard", "notify"):
        assert any(line.split()[:2] == [task, "success"] for line in out.splitlines()), task
    assert "Completed successfully" in out  # dbt's own progress is visible
    assert f"dashboard:     {pipeline.dashboard_dir / 'index.html'}" in out
    assert f"PDF snapshot:  {pipeline.dashboard_dir / 'dashboard.pdf'}" in out
    assert "interactive:   `make dashboard` serves the filterable dashboard on http" in out
    assert "notification:  smtp://127.0.0.1:" in out
    assert "Revenue:" in out and "Cancellation rate:" in out


def test_the_run_is_recorded_in_the_ops_schema(pipeline: Any) -> None:
    assert pipeline.completed.returncode == 0, pipeline.explain()
    with duckdb.connect(str(pipeline.duckdb_path), read_only=True) as con:
        (run_id, status, seconds) = con.execute(
            "select run_id, status, duration_seconds from ops.pipeline_runs"
        ).fetchone()
        tasks = con.execute(
            "select task_key, status, duration_seconds from ops.pipeline_task_runs"
            " where run_id = ? order by task_order",
            [run_id],
        ).fetchall()
        layers = dict(
            con.execute(
                "select relation, row_count from ops.pipeline_layer_rows where run_id = ?",
                [run_id],
            ).fetchall()
        )
        fact_orders = con.execute("select count(*) from silver.fact_orders").fetchone()[0]
        kpis_orders = con.execute("select total_orders from gold.kpis_overall").fetchone()[0]
    assert status == "success" and seconds > 0
    assert [task[:2] for task in tasks] == [
        ("generate", "success"),
        ("prepare_dbt_state", "success"),
        ("dbt_build", "success"),
        ("refresh_dashboard", "success"),
        ("notify", "success"),
    ]
    assert all(task[2] >= 0 for task in tasks)
    assert layers["fact_orders"] == fact_orders == kpis_orders > 0
    assert layers["generated csv rows"] > fact_orders  # orders plus the dimension rows


def test_the_success_mail_carries_the_kpis_and_the_pdf(pipeline: Any) -> None:
    assert pipeline.completed.returncode == 0, pipeline.explain()
    (success,) = [m for m in pipeline.messages if "succeeded" in m["Subject"]]
    assert success["To"] == "analyst@example.com, ops@example.com"
    (attachment,) = list(success.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == (pipeline.dashboard_dir / "dashboard.pdf").read_bytes()
    with duckdb.connect(str(pipeline.duckdb_path), read_only=True) as con:
        orders = con.execute("select total_orders from gold.kpis_overall").fetchone()[0]
    body = success.get_body(preferencelist=("plain",)).get_content()
    assert f"Orders:            {orders:,}" in body


def test_alert_mails_fire_exactly_for_the_crossed_thresholds(pipeline: Any) -> None:
    assert pipeline.completed.returncode == 0, pipeline.explain()
    fired = [m["Subject"] for m in pipeline.messages if "KPI alert" in m["Subject"]]
    assert len(fired) == 1 and "any_cancellation_rate" in fired[0], fired
    assert len(pipeline.messages) == 2  # the success mail and that one alert


def test_alert_thresholds_on_the_real_gold_numbers(pipeline: Any, tmp_path: Path) -> None:
    with duckdb.connect(str(pipeline.duckdb_path), read_only=True) as con:
        kpis = load_kpis(con)
    rate = alerts.kpi_values(kpis)["cancellation_rate"]
    assert rate is not None and 0 < rate < 1
    rules = tmp_path / "alerts.yml"
    for threshold, fires in ((rate, False), (rate - 1e-9, True), (rate + 0.01, False)):
        rule = f"{{name: r, kpi: cancellation_rate, operator: '>', threshold: {threshold!r}}}"
        rules.write_text(f"alerts:\n  - {rule}\n")
        assert bool(alerts.evaluate(alerts.load_rules(rules), kpis)) is fires, threshold


def _add_order_with_unknown_payment_method(raw_root: Path) -> str:
    """A well-formed order whose payment method is not one the raw contract accepts; returns
    the customer's email on that order's customer row (which must never reach a mail)."""
    (source,) = sorted(raw_root.glob("orders/ingest_date=*/orders_*.csv"))[:1]
    header, first, *_ = source.read_text().splitlines()
    row = dict(zip(header.split(","), next(csv.reader([first])), strict=True))
    row["order_id"] = str(10**12 + 1)
    row["payment_method"] = "Bitcoin"
    bad = source.parent / "orders_b999999.csv"
    with bad.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header.split(","))
        writer.writeheader()
        writer.writerow(row)
    return row["order_id"]


def test_a_failing_dbt_test_stops_the_dashboard_and_exits_non_zero(
    tmp_path: Path, pipeline_runner: Callable[..., Any]
) -> None:
    first = pipeline_runner(tmp_path, "--batches", "1", "--orders-per-batch", "200")
    assert first.completed.returncode == 0, first.explain()
    # a second batch that only bronze took in (a build selecting bronze alone); the record of
    # its orders file then no longer counts the file's rows: the data test that every data row
    # is loaded or quarantined (over the files silver has not taken in) fails from now on
    generate_batches(str(tmp_path / "raw"), seed=42, batches=1, orders_per_batch=200)
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [dbt, "build", "--select", "models/bronze", "--project-dir", REPO, "--profiles-dir", REPO],
        env=pipeline_env(tmp_path),
        check=True,
        capture_output=True,
    )
    with duckdb.connect(str(first.duckdb_path)) as con:
        (corrupted,) = con.execute(
            "update bronze.bronze_orders_checked set _file_data_rows = _file_data_rows + 1"
            " where _source_row_number = 0"
            " and _ingested_at = (select max(_ingested_at) from bronze.bronze_orders_checked)"
        ).fetchone()
    assert corrupted == 1
    for snapshot in ("index.html", "dashboard.pdf"):
        (tmp_path / "dashboard" / snapshot).unlink()

    run = pipeline_runner(tmp_path, "--batches", "1", "--orders-per-batch", "200")

    assert run.completed.returncode == 1, run.explain()
    assert not (tmp_path / "dashboard" / "index.html").exists()
    assert not (tmp_path / "dashboard" / "dashboard.pdf").exists()
    (failure,) = run.messages
    body = failure.get_content()
    assert "dbt_build" in failure["Subject"]
    assert "Failed task: dbt_build" in body
    assert "assert_every_data_row_is_loaded_or_quarantined" in body
    assert "Not run because of it: refresh_dashboard" in body
    with duckdb.connect(str(run.duckdb_path), read_only=True) as con:
        recorded = con.execute(
            "select status, failed_task from ops.pipeline_runs order by started_at"
        ).fetchall()
    assert recorded == [("success", None), ("failed", "dbt_build")]


def test_a_quarantined_row_is_reported_and_the_run_goes_on(
    tmp_path: Path, pipeline_runner: Callable[..., Any]
) -> None:
    """No row stops the pipeline: the run succeeds, and the run summary, ops, the dashboard's
    pipeline-health panel and the success mail say what was quarantined, with counts, the file
    and the reason, never the row's values."""
    raw_root = tmp_path / "raw"
    generate_batches(str(raw_root), seed=42, batches=1, orders_per_batch=200)
    order_id = _add_order_with_unknown_payment_method(raw_root)

    run = pipeline_runner(tmp_path, "--batches", "1", "--orders-per-batch", "200")

    assert run.completed.returncode == 0, run.explain()
    reason = "payment_method is not one of the payment methods the shop accepts"
    assert f"orders: 1 rows, 1 files: {reason}" in run.completed.stdout
    with duckdb.connect(str(run.duckdb_path), read_only=True) as con:
        recorded = con.execute(
            "select entity, reason, rows_quarantined, files_quarantined"
            " from ops.pipeline_quarantine"
        ).fetchall()
        in_fact = con.execute(
            f"select count(*) from silver.fact_orders where order_id = {order_id}"
        ).fetchone()
    assert recorded == [("orders", reason, 1, 1)]
    assert in_fact == (0,)
    html = (tmp_path / "dashboard" / "index.html").read_text()
    panel = html[html.index('id="quarantine"') :]
    assert reason in panel[:2000]
    (success,) = [message for message in run.messages if "succeeded" in message["Subject"]]
    body = success.get_body(preferencelist=("plain",)).get_content()
    assert "Quarantined by this run: 1 rows of" in body and reason in body
    assert "Bitcoin" not in body and order_id not in body


def test_the_dbt_docs_are_generated_as_one_static_file(pipeline: Any) -> None:
    assert pipeline.completed.returncode == 0, pipeline.explain()
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration", "docs"],
        cwd=Path(__file__).resolve().parents[2],
        env=pipeline.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    static = pipeline.root / "target" / "static_index.html"
    assert f"dbt docs (static, works offline): {static}" in completed.stdout
    html = static.read_text()
    assert "model.lakehouse.kpis_overall" in html  # the manifest is inlined: no server needed
