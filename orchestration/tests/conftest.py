"""Shared fixtures: a real SMTP server on loopback (aiosmtpd), isolated output locations, and
offline `dbt parse` of the Databricks targets (dummy connection settings)."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[2]


class Inbox:
    """aiosmtpd handler that keeps every delivered message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1; LAKEHOUSE_SMTP_* point at it (no STARTTLS on loopback)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("LAKEHOUSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LAKEHOUSE_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("LAKEHOUSE_SMTP_STARTTLS", "false")
    monkeypatch.setenv("LAKEHOUSE_NOTIFY_TO", "analyst@example.com,ops@example.com")
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every location the runner writes to, under tmp_path."""
    for name, value in {
        "LAKEHOUSE_DUCKDB_PATH": tmp_path / "lakehouse.duckdb",
        "LAKEHOUSE_RAW_ROOT": tmp_path / "raw",
        "LAKEHOUSE_DASHBOARD_DIR": tmp_path / "dashboard",
        "LAKEHOUSE_OUTBOX_DIR": tmp_path / "outbox",
        "DBT_TARGET_PATH": tmp_path / "target",
        "DBT_LOG_PATH": tmp_path / "logs",
    }.items():
        monkeypatch.setenv(name, str(value))
    for name in ("LAKEHOUSE_SMTP_HOST", "LAKEHOUSE_NOTIFY_TO", "LAKEHOUSE_ALERTS_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


REPO_ROOT = REPO
DBT = Path(sys.executable).with_name("dbt")
# Dummy connection settings: parse / ls / compile-free commands never connect.
DATABRICKS_ENV = {
    "DATABRICKS_HOST": "dbc-00000000-0000.cloud.databricks.com",
    "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/0123456789abcdef",
    "DATABRICKS_TOKEN": "dapi-not-a-real-token",
    "DBT_HOST": "dbc-00000000-0000.cloud.databricks.com",
    "DBT_ACCESS_TOKEN": "dapi-not-a-real-token",
    "DBT_DEV_SCHEMA_PREFIX": "jdoe",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}


def run_dbt(args: list[str], *, target_path: Path, profiles_dir: Path) -> None:
    """Run the dbt CLI from the repository root with dummy Databricks settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABRICKS_")}
    env.pop("LAKEHOUSE_TARGET", None)
    env.update(DATABRICKS_ENV)
    command = [
        str(DBT),
        *args,
        "--target-path",
        str(target_path),
        "--profiles-dir",
        str(profiles_dir),
    ]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def example_profiles_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """profiles.yml.example as a profiles.yml of its own (not the developer's copy)."""
    folder = tmp_path_factory.mktemp("profiles")
    shutil.copy(REPO_ROOT / "profiles.yml.example", folder / "profiles.yml")
    return folder


@pytest.fixture(scope="session")
def databricks_manifest(
    tmp_path_factory: pytest.TempPathFactory, example_profiles_dir: Path
) -> Callable[[str], dict[str, Any]]:
    """`dbt parse` for a Databricks target (offline), returning the parsed manifest."""
    cache: dict[str, dict[str, Any]] = {}

    def parse(target: str) -> dict[str, Any]:
        if target not in cache:
            target_path = tmp_path_factory.mktemp(f"dbt-{target}")
            run_dbt(
                ["parse", "--target", target],
                target_path=target_path,
                profiles_dir=example_profiles_dir,
            )
            cache[target] = json.loads((target_path / "manifest.json").read_text())
        return cache[target]

    return parse


@pytest.fixture(scope="session")
def gold_relations(databricks_manifest: Callable[[str], dict[str, Any]]) -> set[str]:
    """Names of the gold models (the relations in the gold schema)."""
    nodes = databricks_manifest("prod")["nodes"].values()
    names = {
        node["alias"]
        for node in nodes
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/gold/")
    }
    assert names, "no gold models found"
    return names
