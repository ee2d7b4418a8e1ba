"""The runner heals: a broken dbt state, a mail server down, a warehouse locked by another process.

Real runs of the local job (`python -m orchestration run`, one small batch each) over one raw
zone, in order, with a real SMTP server on loopback that is down for one of them:

A. a first run;
B. sources.json truncated and the SMTP server down: the state is replaced by a baseline rebuilt
   from the warehouse, with a warning; the data tasks succeed, the success mail is kept in the
   outbox, and the run is recorded as a success with a delivery warning;
C. sources.json ahead of the clock and the SMTP server up: the state is replaced, the new batch
   loads (it is not skipped), the kept mail is sent first, then this run's;
D. another process holds the warehouse for the whole run: dbt cannot open it, the run fails, is
   mailed, and its record is kept beside the warehouse after a bounded wait;
E. the lock is gone: the run completes and writes D's record to ops.

After C and E gold equals the reference computed from the raw files. The fast tests at the end
check the same parts alone: the state's verdicts, the delivery order, the pending records.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import duckdb
import pytest
from aiosmtpd.controller import Controller

from e2e.helpers import assert_same_kpis, read_gold
from e2e.loopback import free_port
from e2e.reference_kpis import expected_kpis
from orchestration import dbt_state, notify
from orchestration.run_record import (
    LOCK_WAIT_SECONDS,
    PipelineRun,
    TaskRun,
    keep_pending_record,
    pending_records_dir,
    record_run,
)
from orchestration.tests.helpers import REPO, Inbox, pipeline_env

RUN = [sys.executable, "-m", "orchestration", "run"]


@dataclass
class RunSequence:
    """One raw zone and warehouse, the SMTP port its runs mail to, and what each run did."""

    root: Path
    smtp_port: int
    inbox: Inbox = field(default_factory=Inbox)
    runs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    delivered: dict[str, list[EmailMessage]] = field(default_factory=dict)
    pending: dict[str, list[str]] = field(default_factory=dict)
    gold_equals_reference: dict[str, bool] = field(default_factory=dict)

    @property
    def duckdb_path(self) -> Path:
        return self.root / "lakehouse.duckdb"

    @property
    def state(self) -> Path:
        return self.root / "dbt-state" / "sources.json"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def run(self, name: str) -> subprocess.CompletedProcess[str]:
        env = pipeline_env(self.root) | {
            "LAKEHOUSE_SMTP_HOST": "127.0.0.1",
            "LAKEHOUSE_SMTP_PORT": str(self.smtp_port),
            "LAKEHOUSE_SMTP_STARTTLS": "false",
            "LAKEHOUSE_NOTIFY_TO": "ops@example.com",
            "LAKEHOUSE_ALERTS_FILE": str(self.root / "alerts.yml"),
        }
        before = len(self.inbox.messages)
        completed = subprocess.run(
            [*RUN, "--batches", "1", "--orders-per-batch", "100", "--seed", "7"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        self.runs[name] = completed
        self.delivered[name] = self.inbox.messages[before:]
        self.pending[name] = sorted(p.name for p in notify.pending_dir(self.outbox).glob("*.eml"))
        return completed

    def explain(self, name: str) -> str:
        completed = self.runs[name]
        output = f"{completed.stdout[-5000:]}\n{completed.stderr[-2000:]}"
        return f"run {name}: exit {completed.returncode}\n{output}"

    def tasks(self, name: str) -> dict[str, tuple[str, str, str]]:
        """task_key -> (status, summary, error) of the named run (the n-th recorded run)."""
        order = list(self.runs).index(name)
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            run_id = con.execute(
                "select run_id from ops.pipeline_runs order by started_at limit 1 offset ?",
                [order],
            ).fetchone()[0]
            rows = con.execute(
                "select task_key, status, summary, error from ops.pipeline_task_runs"
                " where run_id = ? order by task_order",
                [run_id],
            ).fetchall()
        return {key: (status, summary, error) for key, status, summary, error in rows}

    def runs_recorded(self) -> list[tuple[str, str | None]]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.execute(
                "select status, failed_task from ops.pipeline_runs order by started_at"
            ).fetchall()


@pytest.fixture(scope="module")
def healing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunSequence]:
    sequence = RunSequence(tmp_path_factory.mktemp("heals"), free_port())
    (sequence.root / "alerts.yml").write_text("alerts: []\n")
    server = Controller(sequence.inbox, hostname="127.0.0.1", port=sequence.smtp_port)

    def gold_check(name: str) -> None:
        assert_same_kpis(read_gold(sequence.duckdb_path), expected_kpis(str(sequence.root / "raw")))
        sequence.gold_equals_reference[name] = True

    server.start()
    sequence.run("A")
    server.stop()  # B: nothing listens on the port

    text = sequence.state.read_text()
    sequence.state.write_text(text[: len(text) // 2])
    sequence.run("B")

    server = Controller(sequence.inbox, hostname="127.0.0.1", port=sequence.smtp_port)
    server.start()
    try:
        state = json.loads(sequence.state.read_text())
        for result in state["results"]:
            result["max_loaded_at"] = "2099-01-01T00:00:00+00:00"
        sequence.state.write_text(json.dumps(state))
        sequence.run("C")
        gold_check("C")

        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True);"
                " sys.stdin.read(); c.close()",
                str(sequence.duckdb_path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        try:
            sequence.run("D")
            sequence.pending["D-records"] = sorted(
                p.name for p in pending_records_dir(sequence.duckdb_path).glob("*.json")
            )
        finally:
            assert holder.stdin is not None
            holder.stdin.close()
            holder.wait(timeout=30)
        sequence.run("E")
        gold_check("E")
        yield sequence
    finally:
        server.stop()


def test_a_first_run_succeeds_and_is_mailed(healing: RunSequence) -> None:
    assert healing.runs["A"].returncode == 0, healing.explain("A")
    assert [m["Subject"].split(":")[0] for m in healing.delivered["A"]] == [
        "[lakehouse] lakehouse-local succeeded"
    ]


def test_a_truncated_state_is_replaced_by_a_baseline_from_the_warehouse(
    healing: RunSequence,
) -> None:
    assert healing.runs["B"].returncode == 0, healing.explain("B")
    status, summary, error = healing.tasks("B")["prepare_dbt_state"]
    assert status == "warning"
    assert f"dbt state {healing.state.parent}: replaced (dbt cannot read it" in summary
    assert "rebuilt from the ledger in" in summary
    assert error.startswith("WARNING: ") and "could not be used" in error
    assert len(list(healing.state.parent.glob("sources.json.invalid-*"))) == 2  # B's and C's
    assert healing.tasks("B")["dbt_build"][0] == "success"


def test_a_mail_the_smtp_server_does_not_take_is_kept_and_sent_by_the_next_run(
    healing: RunSequence,
) -> None:
    """B's data tasks succeed and B is recorded as a success with a delivery warning; its mail
    waits in the outbox; C sends it first, then its own."""
    assert healing.runs_recorded()[1] == ("success", None)
    status, _, error = healing.tasks("B")["notify"]
    assert status == "warning"
    assert "did not take 1 mail(s)" in error and "sent first by the next run" in error
    assert healing.delivered["B"] == []
    (kept,) = healing.pending["B"]
    assert kept.endswith("-success.eml")
    assert healing.runs["C"].returncode == 0, healing.explain("C")
    subjects = [message["Subject"] for message in healing.delivered["C"]]
    assert len(subjects) == 2 and all("succeeded" in subject for subject in subjects)
    assert kept.removesuffix("-success.eml") in subjects[0]
    assert healing.pending["C"] == []
    assert healing.tasks("C")["notify"][0] == "success"


def test_a_state_ahead_of_the_clock_does_not_skip_new_files(healing: RunSequence) -> None:
    status, summary, _ = healing.tasks("C")["prepare_dbt_state"]
    assert status == "warning" and "ahead of the clock" in summary
    newest = max((healing.root / "raw").glob("orders/ingest_date=*/orders_b*.csv"))
    assert healing.runs["C"].returncode == 0, healing.explain("C")
    with duckdb.connect(str(healing.duckdb_path), read_only=True) as con:
        loaded = con.execute(
            "select count(*) from bronze.bronze_orders where _source_file like ?",
            [f"%{newest.parent.name}/{newest.name}"],
        ).fetchone()[0]
    assert loaded == len(newest.read_text().splitlines()) - 1
    assert healing.gold_equals_reference["C"]


def test_a_locked_warehouse_fails_the_run_with_a_record_and_the_next_run_completes(
    healing: RunSequence,
) -> None:
    completed = healing.runs["D"]
    assert completed.returncode == 1, healing.explain("D")
    assert f"after waiting {LOCK_WAIT_SECONDS:.0f}s" in completed.stdout
    assert len(healing.pending["D-records"]) == 1  # D's record, kept while the lock was held
    (failure,) = healing.delivered["D"]
    assert "FAILED at task dbt_build" in failure["Subject"]
    assert "lock" in failure.get_content().lower()
    assert healing.runs["E"].returncode == 0, healing.explain("E")
    assert healing.runs_recorded() == [
        ("success", None),
        ("success", None),
        ("success", None),
        ("failed", "dbt_build"),
        ("success", None),
    ]
    assert list(pending_records_dir(healing.duckdb_path).glob("*.json")) == []
    assert healing.gold_equals_reference["E"]


# The parts alone, fast.


def _ledger(duckdb_path: Path, recorded: dict[str, dt.datetime]) -> None:
    with duckdb.connect(str(duckdb_path)) as con:
        con.execute("create schema bronze")
        con.execute("create table bronze.bronze_files (entity varchar, _ingested_at timestamp)")
        con.executemany("insert into bronze.bronze_files values (?, ?)", list(recorded.items()))


@pytest.mark.parametrize(
    "content",
    ["", "{", '{"metadata": {}}', "[1, 2]", "not json at all"],
    ids=["empty", "truncated", "not dbt's schema", "a list", "not json"],
)
def test_a_state_dbt_cannot_read_is_replaced(
    content: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded_at = dt.datetime(2026, 3, 1, 6, 0, 0)
    _ledger(tmp_path / "w.duckdb", {"orders": loaded_at, "brands": loaded_at})
    monkeypatch.setenv("LAKEHOUSE_DUCKDB_PATH", str(tmp_path / "w.duckdb"))
    state = tmp_path / "state"
    state.mkdir()
    (state / "sources.json").write_text(content)
    outcome = dbt_state.prepare_state(state)
    assert outcome.startswith("replaced (dbt cannot read it")
    (aside,) = state.glob("sources.json.invalid-*")
    assert aside.read_text() == content
    assert dbt_state.state_problem(state / "sources.json", dt.datetime.now(dt.UTC)) is None
    results = json.loads((state / "sources.json").read_text())["results"]
    assert {r["unique_id"]: r["max_loaded_at"] for r in results} == {
        "source.lakehouse.raw.brands": "2026-03-01T06:00:00+00:00",
        "source.lakehouse.raw.orders": "2026-03-01T06:00:00+00:00",
    }
    assert dbt_state.prepare_state(state) == "kept"


def test_the_state_is_checked_against_dbts_own_schema_of_sources_json() -> None:
    """The schema beside dbt_state.py is the one the pinned dbt generates for the artifact its
    freshness command writes and --state reads (so a dbt upgrade that changes it fails here)."""
    from dbt.artifacts.schemas.freshness import FreshnessExecutionResultArtifact

    assert json.loads(dbt_state.SOURCES_SCHEMA.read_text()) == json.loads(
        json.dumps(FreshnessExecutionResultArtifact.json_schema())
    )


def test_a_state_of_another_schema_version_is_replaced(tmp_path: Path) -> None:
    state = tmp_path / "state"
    dbt_state.prepare_state(state)
    baseline = json.loads((state / "sources.json").read_text())
    assert dbt_state.state_problem(state / "sources.json", dt.datetime.now(dt.UTC)) is None
    baseline["metadata"]["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/sources/v2.json"
    (state / "sources.json").write_text(json.dumps(baseline))
    problem = dbt_state.state_problem(state / "sources.json", dt.datetime.now(dt.UTC))
    assert problem is not None and problem.startswith("dbt cannot read it") and "v2" in problem


def test_without_a_readable_warehouse_the_baseline_has_no_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_DUCKDB_PATH", str(tmp_path / "missing.duckdb"))
    outcome = dbt_state.prepare_state(tmp_path / "state")
    assert outcome == "baseline written, no result: every source counts as fresher"
    assert json.loads((tmp_path / "state" / "sources.json").read_text())["results"] == []


def test_a_state_ahead_of_the_clock_is_replaced(tmp_path: Path) -> None:
    state = tmp_path / "state"
    dbt_state.prepare_state(state)
    baseline = json.loads((state / "sources.json").read_text())
    now = dt.datetime.now(dt.UTC)
    baseline["results"] = [
        _result("orders", now + dt.timedelta(hours=1)),
        _result("brands", now - dt.timedelta(hours=1)),
    ]
    (state / "sources.json").write_text(json.dumps(baseline))
    problem = dbt_state.state_problem(state / "sources.json", now)
    assert problem is not None and "ahead of the clock" in problem and "raw.orders" in problem
    baseline["results"] = baseline["results"][1:]
    (state / "sources.json").write_text(json.dumps(baseline))
    assert dbt_state.state_problem(state / "sources.json", now) is None


def _result(entity: str, loaded_at: dt.datetime) -> dict[str, Any]:
    return {
        "unique_id": f"source.lakehouse.raw.{entity}",
        "max_loaded_at": loaded_at.isoformat(),
        "snapshotted_at": loaded_at.isoformat(),
        "max_loaded_at_time_ago_in_s": 0,
        "status": "pass",
        "criteria": {"warn_after": {}, "error_after": {}, "filter": None},
        "adapter_response": {},
        "timing": [],
        "thread_id": "t",
        "execution_time": 0,
    }


def test_kept_mails_go_first_in_the_order_they_were_kept(tmp_path: Path) -> None:
    port = free_port()
    config = notify.SmtpConfig("127.0.0.1", port, None, None, False, "a@x", ("b@x",))

    def message(subject: str) -> EmailMessage:
        kept = EmailMessage()
        kept["Subject"], kept["From"], kept["To"] = subject, "a@x", "b@x"
        kept.set_content(subject)
        return kept

    first = notify.deliver({"one": message("one"), "two": message("two")}, config, tmp_path)
    assert first.sent == [] and [p.name for p in first.kept] == ["one.eml", "two.eml"]
    assert "ConnectionRefusedError" in first.error
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        second = notify.deliver({"three": message("three")}, config, tmp_path)
    finally:
        server.stop()
    assert [m["Subject"] for m in inbox.messages] == ["one", "two", "three"]
    assert second.kept == [] and not list(notify.pending_dir(tmp_path).glob("*"))


def test_a_kept_record_is_written_with_the_next_record(tmp_path: Path) -> None:
    path = tmp_path / "lakehouse.duckdb"
    started = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)
    kept = PipelineRun("kept", "job", started, [TaskRun("dbt_build", "dbt_task", "failed")])
    kept.tasks[0].error = "locked"
    kept.status, kept.finished_at = "failed", started + dt.timedelta(seconds=5)
    keep_pending_record(path, kept)
    later = PipelineRun("later", "job", started + dt.timedelta(hours=1), [], status="success")
    record_run(path, later)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(
            "select run_id, status, failed_task, error from ops.pipeline_runs order by 1"
        ).fetchall() == [
            ("kept", "failed", "dbt_build", "locked"),
            ("later", "success", None, None),
        ]
    assert list(pending_records_dir(path).glob("*")) == []
