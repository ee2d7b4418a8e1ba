"""Helpers of the orchestration tests (the fixtures that use them are in conftest.py)."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from e2e.loopback import free_port

REPO = Path(__file__).resolve().parents[2]


class Inbox:
    """aiosmtpd handler that keeps every delivered message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def running_smtp_server() -> Iterator[tuple[Inbox, dict[str, str]]]:
    """A real SMTP server on 127.0.0.1 and the LAKEHOUSE_SMTP_* variables that point at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield (
            inbox,
            {
                "LAKEHOUSE_SMTP_HOST": "127.0.0.1",
                "LAKEHOUSE_SMTP_PORT": str(controller.port),
                "LAKEHOUSE_SMTP_STARTTLS": "false",  # loopback: no TLS
                "LAKEHOUSE_NOTIFY_TO": "analyst@example.com,ops@example.com",
            },
        )
    finally:
        controller.stop()


@dataclass
class PipelineRun:
    """A real `python -m orchestration run` in a subprocess, with its outputs under root."""

    root: Path
    env: dict[str, str]
    completed: subprocess.CompletedProcess[str]
    messages: list[EmailMessage]

    @property
    def duckdb_path(self) -> Path:
        return self.root / "lakehouse.duckdb"

    @property
    def dashboard_dir(self) -> Path:
        return self.root / "dashboard"

    def explain(self) -> str:
        output = self.completed
        return f"exit {output.returncode}\n{output.stdout[-6000:]}\n{output.stderr[-3000:]}"


def pipeline_env(root: Path) -> dict[str, str]:
    """The current environment with every lakehouse location moved under root."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAKEHOUSE_", "DBT_"))}
    env.update(
        LAKEHOUSE_DUCKDB_PATH=str(root / "lakehouse.duckdb"),
        LAKEHOUSE_RAW_ROOT=str(root / "raw"),
        LAKEHOUSE_DASHBOARD_DIR=str(root / "dashboard"),
        LAKEHOUSE_OUTBOX_DIR=str(root / "outbox"),
        LAKEHOUSE_DBT_STATE_DIR=str(root / "dbt-state"),
        DBT_TARGET_PATH=str(root / "target"),
        DBT_LOG_PATH=str(root / "logs"),
        PYTHONUNBUFFERED="1",
    )
    return env


def run_pipeline(root: Path, *args: str, extra_env: dict[str, str] | None = None) -> PipelineRun:
    """Run the local job against a real SMTP server on loopback; small data."""
    with running_smtp_server() as (inbox, smtp):
        env = {**pipeline_env(root), **smtp, **(extra_env or {})}
        completed = subprocess.run(
            [sys.executable, "-m", "orchestration", "run", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        return PipelineRun(root, env, completed, list(inbox.messages))


@contextlib.contextmanager
def running_dashboard_process(duckdb_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`python -m orchestration dashboard --port 0` over duckdb_path, in its own process (as a
    user runs it), its copy of gold in duckdb_path's folder /dashboard; yields its URL, once it
    serves, and the process."""
    env = {**pipeline_env(duckdb_path.parent), "LAKEHOUSE_DUCKDB_PATH": str(duckdb_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "orchestration", "dashboard", "--port", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = server.stdout.readline() if server.stdout else ""
        assert "http://127.0.0.1:" in first_line, f"the server did not start: {first_line!r}"
        lines = [server.stdout.readline() if server.stdout else ""]
        while "serving the copy" not in lines[-1]:  # published: it answers from now on
            assert lines[-1], f"the server stopped: {lines}"
            lines.append(server.stdout.readline() if server.stdout else "")
        yield first_line.split()[-3], server  # ">> the interactive dashboard: <url> (Ctrl-C stops)"
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def running_dashboard_server(duckdb_path: Path) -> Iterator[str]:
    """running_dashboard_process, its URL only."""
    with running_dashboard_process(duckdb_path) as (url, _):
        yield url


# Two alert rules for the pipeline run: one that every dataset crosses, one that none can.
TEST_ALERTS = """
alerts:
  - name: any_cancellation_rate
    kpi: cancellation_rate
    operator: ">="
    threshold: 0
  - name: impossible_cancellation_rate
    kpi: cancellation_rate
    operator: ">"
    threshold: 1
"""


REPO_ROOT = REPO


DBT = Path(sys.executable).with_name("dbt")


# Dummy connection settings: `dbt parse` and `dbt ls` never connect.
DATABRICKS_ENV = {
    "DATABRICKS_HOST": "dbc-00000000-0000.cloud.databricks.com",
    "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/0123456789abcdef",
    "DATABRICKS_TOKEN": "dapi-not-a-real-token",
    "DBT_HOST": "dbc-00000000-0000.cloud.databricks.com",
    "DBT_ACCESS_TOKEN": "dapi-not-a-real-token",
    "DBT_DEV_SCHEMA_PREFIX": "jdoe",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}


# The bundle's variables as a deployer passes them (`--var`), per target (see test_bundle.py).
BUNDLE_VARIABLES = {"warehouse_id": "0123456789abcdef", "raw_root": "s3://lakehouse-raw/raw"}


SERVICE_PRINCIPAL = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"


DEPLOY_VARIABLES: dict[str, dict[str, str]] = {
    "dev": BUNDLE_VARIABLES,
    "prod": {
        **BUNDLE_VARIABLES,
        "service_principal": SERVICE_PRINCIPAL,
        "ops_email": "lakehouse-ops@example.com",
        "kpi_destination_id": "3f8e2a6c-1b4d-4e5f-9a7b-0c1d2e3f4a5b",
    },
}


FAKE_USER = {"short_name": "jdoe", "userName": "jdoe@example.com"}


@dataclass(frozen=True)
class DbtParse:
    """One offline `dbt parse`: its arguments, profiles folder and target path; dbt's log
    events go to target_path/logs/dbt.log, one JSON object a line."""

    args: tuple[str, ...]
    profiles_dir: Path
    target_path: Path
    listed: list[str] = field(default_factory=list)  # `dbt ls` of the models, after the parse

    def command(self, *args: str) -> list[str]:
        paths = ["--target-path", str(self.target_path), "--profiles-dir", str(self.profiles_dir)]
        logs = ["--log-path", str(self.target_path / "logs"), "--log-format-file", "json"]
        return [str(DBT), *args, *paths, *logs]

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.target_path / "manifest.json").read_text())

    @property
    def events(self) -> list[dict[str, Any]]:
        """dbt's structured log events of the parse (and of the `dbt ls` after it, if any)."""
        return read_events(self.target_path / "logs" / "dbt.log")


def read_events(log_file: Path) -> list[dict[str, Any]]:
    """The events of a dbt.log written with `--log-format-file json`."""
    events = [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]
    assert events, f"{log_file} holds no events"
    return events


def dbt_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABRICKS_")}
    env.pop("LAKEHOUSE_TARGET", None)
    return {**env, **DATABRICKS_ENV, **extra}


def run_dbt_commands(commands: list[list[str]], env: dict[str, str]) -> list[str]:
    """Run dbt commands at once (each its own process: adapters keep global state), in the
    repository root; fail with the output of any that failed, else return their outputs."""
    processes = [
        subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for command in commands
    ]
    outputs, failures = [], []
    for command, process in zip(commands, processes, strict=True):
        output = process.communicate()[0].decode()
        outputs.append(output)
        if process.returncode != 0:
            failures.append(f"{' '.join(command)}:\n{output}")
    assert not failures, "\n\n".join(failures)
    return outputs


# Who deploys each target: a developer deploys dev; prod is deployed as its service principal
# (OAuth M2M from CI), whose SCIM userName is its application ID.
DEPLOYERS = {"dev": "jdoe@example.com", "prod": SERVICE_PRINCIPAL}


def validated_bundle(
    target: str, home: Path, variables: dict[str, str] | None = None
) -> dict[str, Any]:
    """The bundle as the real Databricks CLI resolves it for `target` (`databricks bundle
    validate -o json`, against the stand-in workspace, deployed by DEPLOYERS[target])."""
    from orchestration.tests.databricks_cli import run_cli, stand_in_workspace, var_flags

    with stand_in_workspace(DEPLOYERS[target]) as workspace:
        run = run_cli(
            workspace,
            "bundle",
            "validate",
            "-t",
            target,
            "-o",
            "json",
            *var_flags(variables or DEPLOY_VARIABLES[target]),
            home=home,
        )
    assert run.returncode == 0, run.stderr
    return run.json()


def job_dbt_task(bundle: dict[str, Any]) -> tuple[Path, list[str]]:
    """The job's profiles folder in this repository and its dbt commands, from a validated
    bundle: the CLI translates project_directory to the workspace folder of the synced files
    (the repository root); profiles_directory stays relative to the project."""
    job = bundle["resources"]["jobs"]["lakehouse_job"]
    dbt_task = next(task["dbt_task"] for task in job["tasks"] if "dbt_task" in task)
    synced = Path(bundle["workspace"]["file_path"])
    project = REPO_ROOT / Path(dbt_task["project_directory"]).relative_to(synced)
    return project / dbt_task["profiles_directory"], dbt_task["commands"]


# The options of a job command that configure the project and its profile (what `dbt parse`
# takes); the others (--select, --state, --output, ...) only choose what a command runs.
PROJECT_OPTIONS = ("--target", "--vars")


def command_options(command: str) -> tuple[str, ...]:
    """`dbt build --select x --target y --vars ...` -> ('--target', 'y', '--vars', '...')."""
    words = shlex.split(command)
    assert words[0] == "dbt", command
    options: list[str] = []
    for index, word in enumerate(words):
        if word in PROJECT_OPTIONS:
            options += [word, words[index + 1]]
    return tuple(options)
