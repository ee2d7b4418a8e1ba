"""Shared fixtures: a real SMTP server on loopback (aiosmtpd), isolated output locations, real
runs of the local pipeline, and offline `dbt parse` of the Databricks targets (dummy settings)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestration.tests.helpers import (
    REPO_ROOT,
    TEST_ALERTS,
    DbtParse,
    Inbox,
    PipelineRun,
    command_options,
    dbt_env,
    job_dbt_task,
    run_dbt_commands,
    run_pipeline,
    running_smtp_server,
    validated_bundle,
)


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with running_smtp_server() as (inbox, variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        yield inbox


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every location the runner writes to, under tmp_path."""
    for name, value in {
        "LAKEHOUSE_DUCKDB_PATH": tmp_path / "lakehouse.duckdb",
        "LAKEHOUSE_RAW_ROOT": tmp_path / "raw",
        "LAKEHOUSE_DASHBOARD_DIR": tmp_path / "dashboard",
        "LAKEHOUSE_OUTBOX_DIR": tmp_path / "outbox",
        "LAKEHOUSE_DBT_STATE_DIR": tmp_path / "dbt-state",
        "DBT_TARGET_PATH": tmp_path / "target",
        "DBT_LOG_PATH": tmp_path / "logs",
    }.items():
        monkeypatch.setenv(name, str(value))
    for name in ("LAKEHOUSE_SMTP_HOST", "LAKEHOUSE_NOTIFY_TO", "LAKEHOUSE_ALERTS_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def pipeline_runner() -> Callable[..., PipelineRun]:
    """run_pipeline, for tests that need a run of their own."""
    return run_pipeline


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """One successful run of the whole DAG on small data (3 daily batches of 300 orders)."""
    root = tmp_path_factory.mktemp("pipeline")
    alerts_file = root / "alerts.yml"
    alerts_file.write_text(TEST_ALERTS)
    return run_pipeline(
        root,
        "--batches",
        "3",
        "--orders-per-batch",
        "300",
        extra_env={"LAKEHOUSE_ALERTS_FILE": str(alerts_file)},
    )


@pytest.fixture(scope="session")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The bundle as the real Databricks CLI resolves it per target (`bundle validate -o json`
    against a stand-in workspace on loopback; see databricks_cli.py)."""
    home = tmp_path_factory.mktemp("cli-home")
    return {target: validated_bundle(target, home) for target in ("dev", "prod")}


@pytest.fixture(scope="session")
def dbt_parses(
    tmp_path_factory: pytest.TempPathFactory, bundles: dict[str, dict[str, Any]]
) -> dict[str, DbtParse]:
    """Offline `dbt parse` of the project, run concurrently once per session: every target of
    profiles.yml.example (`dev` / `prod` Databricks, `local` DuckDB, `spark`), and `job-dev` /
    `job-prod` with the bundle job's own arguments and profiles; then `dbt ls` for `dev` and
    `prod`."""
    example = tmp_path_factory.mktemp("profiles")
    shutil.copy(REPO_ROOT / "profiles.yml.example", example / "profiles.yml")
    parses = {
        target: DbtParse(("--target", target), example, tmp_path_factory.mktemp(f"dbt-{target}"))
        for target in ("dev", "prod", "local", "spark")
    }
    for target in ("dev", "prod"):
        profiles_dir, commands = job_dbt_task(bundles[target])
        options = {command_options(command) for command in commands}
        assert len(options) == 1, f"the job's dbt commands differ in their options: {options}"
        parses[f"job-{target}"] = DbtParse(
            options.pop(), profiles_dir, tmp_path_factory.mktemp(f"dbt-job-{target}")
        )
    engines = tmp_path_factory.mktemp("engines")
    env = dbt_env(
        LAKEHOUSE_DUCKDB_PATH=str(engines / "parse.duckdb"),
        LAKEHOUSE_SPARK_WAREHOUSE=str(engines / "spark-warehouse"),
    )
    run_dbt_commands([parse.command("parse", *parse.args) for parse in parses.values()], env)
    listed = ("dev", "prod")
    listings = run_dbt_commands(
        [
            parses[target].command(
                "ls", *parses[target].args, "--resource-type", "model", "--output", "name", "-q"
            )
            for target in listed
        ],
        env,
    )
    for target, output in zip(listed, listings, strict=True):
        parses[target].listed.extend(output.split())
    return parses


@pytest.fixture(scope="session")
def gold_relations(dbt_parses: dict[str, DbtParse]) -> set[str]:
    """Names of the gold models (the relations in the gold schema)."""
    nodes = dbt_parses["prod"].manifest["nodes"].values()
    names = {
        node["alias"]
        for node in nodes
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/gold/")
    }
    assert names, "no gold models found"
    return names
