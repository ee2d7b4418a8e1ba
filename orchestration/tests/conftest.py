"""Shared fixtures: a real SMTP server on loopback (aiosmtpd) and isolated output locations."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

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
