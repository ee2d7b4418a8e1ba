"""Run the job's DAG locally: tasks in order, progress on the console, a run record, notifications.

A failed task stops its dependants (run_if ALL_SUCCESS): they are marked skipped, the dashboard
is not refreshed over bad data, the failure mail names the task, and the run's status is failed.
A mail the SMTP server does not take is kept for the next run (a delivery warning, not a failed
run); a record the locked warehouse does not take is kept for the next run too.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import traceback
import uuid

import duckdb

from orchestration import alerts, dashboard_copy, notify
from orchestration.dashboard import load_kpis
from orchestration.job import Job
from orchestration.run_record import (
    LOCK_WAIT_SECONDS,
    PipelineRun,
    TaskRun,
    close_abandoned_runs,
    connect_with_retry,
    keep_pending_record,
    read_quarantine,
    record_run,
)
from orchestration.settings import Settings
from orchestration.tasks import EXECUTORS, Executor, TaskError

NOTIFY_STEP = "notify"


def _record(settings: Settings, run: PipelineRun, *, final: bool = False) -> None:
    """Write the run's record. While the run goes on, a locked warehouse skips it (the final
    record catches up); the final record waits LOCK_WAIT_SECONDS, then is kept as a file that
    the next run's first record moves into ops."""
    try:
        record_run(settings.duckdb_path, run, wait_seconds=LOCK_WAIT_SECONDS if final else 0)
    except duckdb.Error as error:
        if not final:
            print(f"   (progress not recorded now, the warehouse is busy: {error})", flush=True)
            return
        kept = keep_pending_record(settings.duckdb_path, run)
        print(
            f"!! run {run.run_id} not written to {settings.duckdb_path} after waiting"
            f" {LOCK_WAIT_SECONDS:.0f}s ({error}); its record is kept in {kept} and the next"
            " run writes it to ops",
            flush=True,
        )


def _publish_health(settings: Settings) -> None:
    """The dashboard's pipeline health, with the run's final status (failed runs included)."""
    try:
        dashboard_copy.publish_health(settings.duckdb_path, settings.dashboard_dir)
    except (duckdb.Error, OSError) as error:
        print(f"!! pipeline health not published for the dashboard: {error}", flush=True)


def _read_quarantine(settings: Settings, run: PipelineRun) -> None:
    """What this run's bronze quarantined and loaded (after the dbt task), for the record, the
    summary, the mail and the alerts."""
    try:
        run.quarantine, run.rows_loaded = read_quarantine(settings.duckdb_path, run.started_at)
    except duckdb.Error as error:
        print(f"!! quarantine of run {run.run_id} not read: {error}", flush=True)


def export_environment(settings: Settings) -> None:
    """dbt (in this process) reads the warehouse and raw zone locations from the environment."""
    os.environ["LAKEHOUSE_DUCKDB_PATH"] = str(settings.duckdb_path)
    os.environ["LAKEHOUSE_RAW_ROOT"] = settings.raw_root
    os.environ["LAKEHOUSE_TARGET"] = settings.dbt_target


def run_job(
    job: Job,
    settings: Settings,
    executors: dict[str, Executor] | None = None,
) -> PipelineRun:
    """Execute the job's tasks in order, then notify; the returned run says what happened."""
    executors = executors or EXECUTORS
    export_environment(settings)
    started = dt.datetime.now(dt.UTC)
    run = PipelineRun(
        run_id=f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}",
        job_name=job.name,
        started_at=started,
        tasks=[TaskRun(task.key, task.type) for task in job.tasks]
        + [TaskRun(NOTIFY_STEP, "email_notifications")],
    )
    by_key = {task.key: task for task in run.tasks}
    print(f"== run {run.run_id} of {job.name}: {' -> '.join(t.key for t in job.tasks)}", flush=True)
    try:
        closed = close_abandoned_runs(settings.duckdb_path, run.run_id)
        if closed:
            print(f"   closed {closed} earlier run(s) left running by a stopped runner", flush=True)
    except duckdb.Error as error:
        print(f"!! earlier runs not checked in {settings.duckdb_path}: {error}", flush=True)
    try:
        _run_tasks(job, settings, executors, run, by_key)
        run.status = "failed" if run.failed_task else "success"
        _notify(job, settings, run, by_key[NOTIFY_STEP])
        if by_key[NOTIFY_STEP].status == "failed":
            run.status = "failed"
    except BaseException as error:  # Ctrl-C or a crash of the runner itself: still a final status
        for task in run.tasks:
            if task.status == "running":
                task.status, task.error = "failed", f"interrupted: {type(error).__name__}"
        run.status = "failed"
        raise
    finally:
        run.finished_at = dt.datetime.now(dt.UTC)
        _record(settings, run, final=True)
        _publish_health(settings)
    print_summary(run)
    return run


def _run_tasks(
    job: Job,
    settings: Settings,
    executors: dict[str, Executor],
    run: PipelineRun,
    by_key: dict[str, TaskRun],
) -> None:
    """The job's tasks in order; a task whose upstream did not succeed (or succeed with a
    warning) is skipped."""
    for number, task in enumerate(job.tasks, start=1):
        task_run = by_key[task.key]
        blocked = [
            key for key in task.depends_on if by_key[key].status not in ("success", "warning")
        ]
        if blocked:
            task_run.status = "skipped"
            task_run.summary = f"not run: upstream {', '.join(blocked)} did not succeed"
            print(f"[{number}/{len(job.tasks)}] -- {task.key} skipped ({task_run.summary})")
            continue
        print(f"[{number}/{len(job.tasks)}] >> {task.key} ({task.type}) running ...", flush=True)
        task_run.status, task_run.started_at = "running", dt.datetime.now(dt.UTC)
        _record(settings, run)  # the dashboard shows the run as it is while it refreshes
        clock = time.perf_counter()
        try:
            outcome = executors[task.type](task, settings)
        except Exception as error:
            task_run.status = "failed"
            if isinstance(error, TaskError):
                task_run.error = str(error)
            elif isinstance(error, duckdb.Error):
                task_run.error = f"{type(error).__name__}: {error}"
            else:  # unexpected: keep the whole traceback
                task_run.error = traceback.format_exc()
            print(f"    FAILED: {task_run.error}", flush=True)
        else:
            task_run.status, task_run.summary = "success", outcome.summary
            if outcome.warning:
                task_run.status, task_run.error = "warning", outcome.warning
            run.layer_rows += outcome.layer_rows
        task_run.duration_seconds = time.perf_counter() - clock
        print(f"    {task_run.status} in {task_run.duration_seconds:.1f}s {task_run.summary}")
        if task.type == "dbt_task":
            _read_quarantine(settings, run)
        _record(settings, run)


def _read_kpis(settings: Settings) -> tuple[dict | None, str]:
    """Gold's KPIs for the success mail, waiting LOCK_WAIT_SECONDS for a locked warehouse; None
    and the reason when they cannot be read."""
    try:
        with connect_with_retry(
            settings.duckdb_path, read_only=True, wait_seconds=LOCK_WAIT_SECONDS
        ) as con:
            return load_kpis(con), ""
    except duckdb.Error as error:
        return None, f"{type(error).__name__}: {error}"


def _notify(job: Job, settings: Settings, run: PipelineRun, step: TaskRun) -> None:
    """Job-level email_notifications: success mail (KPIs + PDF) and KPI alerts, or failure mail.
    Mails kept by an earlier run go first; a mail the SMTP server does not take is kept for the
    next run and the step ends with a delivery warning (the run's status is its data's)."""
    event = "on_success" if run.status == "success" else "on_failure"
    if event not in job.email_notifications:
        step.status, step.summary = "skipped", f"no {event} notification in the job"
        return
    print(f"[notify] >> sending the {event} notification ...", flush=True)
    step.status, step.started_at = "running", dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    try:
        config = notify.SmtpConfig.from_env(job)
        if run.status == "success":
            kpis, unread = _read_kpis(settings)
            refreshed = any(t.type == "dashboard_task" and t.status == "success" for t in run.tasks)
            pdf = settings.dashboard_dir / "dashboard.pdf" if refreshed else None
            messages = {"success": notify.success_message(config, run, kpis, pdf, unread)}
            if kpis is not None:
                kpis["quarantined_row_share"] = run.quarantined_row_share
                for fired in alerts.evaluate(alerts.load_rules(), kpis):
                    print(f"    ALERT {fired.describe()}", flush=True)
                    messages[f"alert-{fired.rule.name}"] = notify.alert_message(config, run, fired)
        else:
            messages = {"failure": notify.failure_message(config, run, settings.dbt_log_dir)}
        delivery = notify.deliver(
            {f"{run.run_id}-{kind}": message for kind, message in messages.items()},
            config,
            settings.outbox_dir,
        )
        run.messages = [*delivery.sent, *(f"kept for the next run: {p}" for p in delivery.kept)]
        step.status, step.summary = "success", "; ".join(run.messages)
        if delivery.kept:
            step.status = "warning"
            step.error = (
                f"delivery warning: the SMTP server {config.host}:{config.port} did not take"
                f" {len(delivery.kept)} mail(s) ({delivery.error}); kept in"
                f" {notify.pending_dir(settings.outbox_dir)}, sent first by the next run"
            )
            print(f"    WARNING: {step.error}", flush=True)
    except Exception:
        step.status, step.error = "failed", traceback.format_exc()
        print(f"    FAILED: {step.error}", flush=True)
    step.duration_seconds = time.perf_counter() - clock
    print(f"    {step.status} in {step.duration_seconds:.1f}s {step.summary}", flush=True)


def print_summary(run: PipelineRun) -> None:
    width = max(len(task.key) for task in run.tasks)
    print(f"\n== run {run.run_id}: {run.status.upper()} in {run.duration_seconds:.1f}s")
    print(f"   {'task':<{width}}  {'status':<8}  {'seconds':>8}")
    for task in run.tasks:
        seconds = f"{task.duration_seconds:.1f}" if task.duration_seconds is not None else "-"
        print(f"   {task.key:<{width}}  {task.status:<8}  {seconds:>8}")
    if run.layer_rows:
        totals: dict[str, int] = {}
        for layer, _, rows in run.layer_rows:
            totals[layer] = totals.get(layer, 0) + rows
        print("   rows per layer: " + ", ".join(f"{layer} {n:,}" for layer, n in totals.items()))
    if run.quarantine:
        print(f"   quarantined this run ({notify.quarantine_headline(run)}):")
        for line in notify.quarantine_lines(run):
            print(f"     {line}")
    for task in run.tasks:
        if task.status == "warning":
            print(f"   warning: {task.key}: {task.error}")
    failed = run.failed_task
    if failed:
        print(f"   failed task: {failed.key}\n   error: {failed.error.strip()}")
    print(flush=True)
