"""Email notifications: through SMTP when LAKEHOUSE_SMTP_HOST is set, else .eml files in the outbox.

A mail the SMTP server does not take (down, refusing, timing out after SMTP_TIMEOUT_SECONDS) is
kept as an .eml file in <outbox>/pending and sent first by the next delivery; nothing is lost.

Environment: LAKEHOUSE_SMTP_HOST, LAKEHOUSE_SMTP_PORT (default 587 with STARTTLS, else 25),
LAKEHOUSE_SMTP_USER, LAKEHOUSE_SMTP_PASSWORD, LAKEHOUSE_SMTP_STARTTLS (default true),
LAKEHOUSE_SMTP_SENDER, LAKEHOUSE_NOTIFY_TO (comma-separated; default: the job's literal
email_notifications addresses, else lakehouse-team@localhost).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.charts import money, percent
from orchestration.job import Job

if TYPE_CHECKING:
    from orchestration.alerts import FiredAlert
    from orchestration.run_record import PipelineRun

DEFAULT_RECIPIENT = "lakehouse-team@localhost"
# How long one SMTP connection may wait for the server (connect and each command).
SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SmtpConfig:
    host: str | None  # None: write .eml files to the outbox instead of sending
    port: int
    user: str | None
    password: str | None
    starttls: bool
    sender: str
    recipients: tuple[str, ...]

    @classmethod
    def from_env(cls, job: Job | None = None) -> SmtpConfig:
        starttls = os.environ.get("LAKEHOUSE_SMTP_STARTTLS", "true").lower() in ("1", "true", "yes")
        recipients = [a.strip() for a in os.environ.get("LAKEHOUSE_NOTIFY_TO", "").split(",")]
        if not any(recipients) and job is not None:
            recipients = [
                address
                for addresses in job.email_notifications.values()
                for address in (addresses if isinstance(addresses, list) else [addresses])
                if isinstance(address, str) and "@" in address and "${" not in address
            ]
        return cls(
            host=os.environ.get("LAKEHOUSE_SMTP_HOST") or None,
            port=int(os.environ.get("LAKEHOUSE_SMTP_PORT", "587" if starttls else "25")),
            user=os.environ.get("LAKEHOUSE_SMTP_USER") or None,
            password=os.environ.get("LAKEHOUSE_SMTP_PASSWORD") or None,
            starttls=starttls,
            sender=os.environ.get("LAKEHOUSE_SMTP_SENDER", "lakehouse@localhost"),
            recipients=tuple(dict.fromkeys(a for a in recipients if a)) or (DEFAULT_RECIPIENT,),
        )


def _message(config: SmtpConfig, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="lakehouse.local")
    message.set_content(body)
    return message


def kpi_summary(kpis: dict[str, Any]) -> str:
    """A few lines: the headline KPIs of gold.kpis_overall and the last order date."""
    overall = kpis["overall"]
    through = kpis["daily"][-1]["order_date"] if kpis["daily"] else "no orders yet"
    return (
        f"Revenue:           {money(float(overall['revenue']))}\n"
        f"Orders:            {overall['total_orders']:,} "
        f"({overall['placed_orders']:,} placed, {overall['cancelled_orders']:,} cancelled)\n"
        f"Cancellation rate: {percent(overall['cancellation_rate'])}\n"
        f"Lost revenue:      {money(float(overall['lost_revenue']))}\n"
        f"Data through:      {through}"
    )


def quarantine_headline(run: PipelineRun) -> str:
    """'16 rows of 1,215 read (1.3%), 5 files': the size of what the run quarantined."""
    share = run.quarantined_row_share
    files = len({(count.entity, count.reason) for count in run.quarantine if count.files})
    read = run.rows_loaded + run.rows_quarantined
    return (
        f"{run.rows_quarantined:,} rows of {read:,} read"
        + (f" ({percent(share)})" if share is not None else "")
        + f", {sum(count.files for count in run.quarantine):,} files in {files} groups"
    )


def quarantine_lines(run: PipelineRun) -> list[str]:
    """One line per entity and reason: counts and reasons only, never a row's values."""
    return [
        f"{count.entity}: {count.rows:,} rows, {count.files:,} files: {count.reason}"
        for count in run.quarantine
    ]


# DuckDB's CSV errors quote the offending line ("Original Line: ..."): a customer's name and
# email must not travel by mail.
_RAW_LINE = re.compile(r"(?im)^(\s*original line:).*$")


def redact_raw_values(text: str) -> str:
    """An error text without the raw CSV lines the engine quoted in it."""
    return _RAW_LINE.sub(r"\1 <redacted: raw row values stay in the warehouse>", text)


def success_message(
    config: SmtpConfig,
    run: PipelineRun,
    kpis: dict[str, Any] | None,
    pdf: Path | None,
    unread: str = "",
) -> EmailMessage:
    """The KPI summary, with the dashboard PDF refreshed by this run attached (if any); without
    KPIs (None) the mail says why they could not be read."""
    summary = kpi_summary(kpis) if kpis is not None else f"The KPIs could not be read: {unread}"
    body = (
        f"The lakehouse job {run.job_name} (run {run.run_id}) succeeded "
        f"in {run.duration_seconds:.0f}s.\n\n{summary}\n\n"
        + ("The dashboard is attached as a PDF.\n" if pdf else "")
        + (
            f"\nQuarantined by this run: {quarantine_headline(run)}\n"
            + "".join(f"  {line}\n" for line in quarantine_lines(run))
            + "The rows are in bronze.bronze_quarantine.\n"
            if run.quarantine
            else ""
        )
    )
    message = _message(config, f"[lakehouse] {run.job_name} succeeded: run {run.run_id}", body)
    if pdf is not None:
        message.add_attachment(
            pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name
        )
    return message


def failure_message(config: SmtpConfig, run: PipelineRun, log_dir: Path) -> EmailMessage:
    failed = run.failed_task
    if failed is None:
        raise ValueError("failure_message needs a run with a failed task")
    skipped = [task.key for task in run.tasks if task.status == "skipped"]
    body = (
        f"The lakehouse job {run.job_name} (run {run.run_id}) FAILED.\n\n"
        f"Failed task: {failed.key} ({failed.type})\n"
        f"Not run because of it: {', '.join(skipped) or 'none'}\n\n"
        f"Error:\n{redact_raw_values(failed.error.strip())}\n\n"
        "Logs: the console output of `python -m orchestration run`, "
        f"dbt's log {log_dir / 'dbt.log'} and the run record in the warehouse "
        "(ops.pipeline_task_runs).\n"
    )
    return _message(config, f"[lakehouse] {run.job_name} FAILED at task {failed.key}", body)


def alert_message(config: SmtpConfig, run: PipelineRun, fired: FiredAlert) -> EmailMessage:
    body = (
        f"KPI alert {fired.rule.name} after run {run.run_id} of {run.job_name}:\n\n"
        f"{fired.describe()}\n\n{fired.rule.description}\n"
    )
    return _message(config, f"[lakehouse] KPI alert: {fired.describe()}", body)


def send(message: EmailMessage, config: SmtpConfig, outbox_dir: Path, name: str) -> str:
    """Send through SMTP, or write outbox/<name>.eml when no server is set; say where it went.
    Raises OSError or smtplib.SMTPException when the server does not take it."""
    if config.host is None:
        outbox_dir.mkdir(parents=True, exist_ok=True)
        path = outbox_dir / f"{name}.eml"
        path.write_bytes(bytes(message))
        return str(path)
    with smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config.starttls:
            smtp.starttls()
        if config.user:
            smtp.login(config.user, config.password or "")
        smtp.send_message(message)
    return f"smtp://{config.host}:{config.port} to {message['To']}"


def pending_dir(outbox_dir: Path) -> Path:
    """Where mails the SMTP server did not take wait for the next delivery."""
    return outbox_dir / "pending"


@dataclass
class Delivery:
    """What a delivery did: where each mail went, what it kept for the next one, and why."""

    sent: list[str] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    error: str = ""


def deliver(messages: dict[str, EmailMessage], config: SmtpConfig, outbox_dir: Path) -> Delivery:
    """Send the mails kept by earlier deliveries (oldest first, each removed once sent), then
    `messages` (name -> message). At the first mail the server does not take, that mail and
    every one after it is kept in pending_dir(outbox_dir): one unreachable server costs one
    timeout, not one per mail."""
    delivery = Delivery()
    waiting = [
        (path.stem, email.message_from_bytes(path.read_bytes(), policy=email.policy.default), path)
        for path in sorted(pending_dir(outbox_dir).glob("*.eml"), key=lambda p: p.stat().st_mtime)
    ]
    queue = [*waiting, *((name, message, None) for name, message in messages.items())]
    for index, (name, message, kept_at) in enumerate(queue):
        try:
            delivery.sent.append(send(message, config, outbox_dir, name))  # type: ignore[arg-type]
        except (OSError, smtplib.SMTPException) as error:
            delivery.error = f"{type(error).__name__}: {error}"
            folder = pending_dir(outbox_dir)
            folder.mkdir(parents=True, exist_ok=True)
            for later_name, later_message, later_kept_at in queue[index:]:
                path = later_kept_at or folder / f"{later_name}.eml"
                if later_kept_at is None:
                    path.write_bytes(bytes(later_message))  # type: ignore[arg-type]
                delivery.kept.append(path)
            return delivery
        if kept_at is not None:
            kept_at.unlink()
    return delivery
