"""The bundle job's first run in an empty warehouse, offline on local Apache Spark.

The job's tasks, exactly as the real Databricks CLI resolves them for `dev` (`bundle validate`
against a stand-in workspace, with `raw_root` pointing at a small generated raw zone and
`dbt_state_path` at an empty folder): the prepare_dbt_state script, then
the dbt commands (`dbt source freshness`, `dbt build --select source_status:fresher+ ...`, `dbt
source freshness --target-path <state>`), run in order with the job's profile on a fresh `spark`
warehouse that holds no schema yet (Delta, ANSI mode on, UTC); then the same tasks once more
with no new raw file, which builds nothing. The profile is the job's own
(orchestration/dbt_profiles) plus the `spark` output of profiles.yml.example, the offline
stand-in for Databricks (dbt-databricks falls back to the same `spark__` macros, except the
raw zone, read by path there); only `--target` changes. In dbt 1.11 `source freshness` runs the
project's hooks: this proves the hooks it runs touch nothing that a first `dbt build` has not
created yet. test_databricks_targets.py proves the Databricks side: the hooks there stage
nothing, no SQL registers a table over the raw zone, and the gold grants are post-hooks of the
gold models.
"""

from __future__ import annotations

import datetime as dt
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from e2e.helpers import SPARK_JARS
from orchestration.tests.helpers import (
    BUNDLE_VARIABLES,
    DBT,
    REPO_ROOT,
    dbt_env,
    job_dbt_task,
    read_events,
    validated_bundle,
)

# The module fixture runs the job twice on Spark (six dbt commands, each with its JVM start).
pytestmark = [pytest.mark.spark, pytest.mark.timeout(2700)]

STAND_IN_TARGET = "spark"
START_DATE = dt.date(2026, 1, 5)


@dataclass(frozen=True)
class CommandRun:
    """One job command, as run: its words, its result, dbt's log events and the schemas of the
    warehouse afterwards."""

    words: list[str]
    completed: subprocess.CompletedProcess[str]
    events: list[dict[str, Any]]
    schemas_after: list[str]
    warehouse: Path

    def explain(self) -> str:
        output = self.completed.stdout + self.completed.stderr
        return f"{' '.join(self.words[:3])}: exit {self.completed.returncode}\n{output[-6000:]}"

    def nodes_run(self) -> int:
        """How many nodes (models, tests, ...) the command ran."""
        return sum(1 for event in self.events if event["info"]["name"] == "NodeFinished")

    def hooks_run(self) -> list[str]:
        """The project hooks dbt ran, e.g. lakehouse.on-run-start.0."""
        return [
            event["data"]["statement"]
            for event in self.events
            if event["info"]["name"] == "LogHookStartLine"
        ]


def job_profile_with_spark(folder: Path, bundle: dict[str, Any]) -> Path:
    """The job's profiles.yml with profiles.yml.example's `spark` output added."""
    profiles_dir, _ = job_dbt_task(bundle)
    profiles = yaml.safe_load((profiles_dir / "profiles.yml").read_text())
    example = yaml.safe_load((REPO_ROOT / "profiles.yml.example").read_text())
    (profile,) = profiles.values()
    profile["outputs"][STAND_IN_TARGET] = example["lakehouse"]["outputs"][STAND_IN_TARGET]
    (folder / "profiles.yml").write_text(yaml.safe_dump(profiles, sort_keys=False))
    return folder


def spark_schemas(warehouse: Path) -> list[str]:
    """The schemas of the local Spark warehouse (one `<name>.db` folder each)."""
    return sorted(path.name.removesuffix(".db") for path in warehouse.glob("*.db"))


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> list[CommandRun]:
    from lambda_generator.core import generate_batches

    root = tmp_path_factory.mktemp("job-first-run")
    raw_root = root / "raw"
    generate_batches(str(raw_root), seed=8, batches=1, orders_per_batch=200, start_date=START_DATE)
    state = root / "dbt-state"
    variables = {**BUNDLE_VARIABLES, "raw_root": str(raw_root), "dbt_state_path": str(state)}
    # the job as the real Databricks CLI resolves it for dev (bundle validate, stand-in workspace)
    bundle = validated_bundle("dev", root / "cli-home", variables)
    job = bundle["resources"]["jobs"]["lakehouse_job"]
    (prepare,) = [task["spark_python_task"] for task in job["tasks"] if "spark_python_task" in task]
    (dbt_task,) = [task["dbt_task"] for task in job["tasks"] if "dbt_task" in task]
    profiles_dir = job_profile_with_spark(root, bundle)
    warehouse = root / "spark-warehouse"
    env = dbt_env(LAKEHOUSE_SPARK_WAREHOUSE=str(warehouse), LAKEHOUSE_SPARK_JARS=str(SPARK_JARS))
    # the CLI translates the script to its synced copy in the workspace: the same file here
    synced = Path(bundle["workspace"]["file_path"])
    script = REPO_ROOT / Path(prepare["python_file"]).relative_to(synced)

    runs: list[CommandRun] = []
    # the job twice: the first run builds everything, the second finds no new raw file
    commands = ["prepare", *dbt_task["commands"], "prepare", *dbt_task["commands"]]
    for index, command in enumerate(commands):
        if command == "prepare":
            subprocess.run([sys.executable, str(script), *prepare["parameters"]], check=True)
            continue
        words = shlex.split(command)
        words[words.index("--target") + 1] = STAND_IN_TARGET
        logs = root / f"logs-{index}"
        target = root / f"target-{index}"
        if words[1] == "build":  # dbt compares the state with the freshness just written
            shutil.copytree(root / f"target-{index - 1}", target)
        paths = ["--profiles-dir", str(profiles_dir)]
        if "--target-path" not in words:  # the last command writes the state folder itself
            paths += ["--target-path", str(target)]
        paths += ["--log-path", str(logs), "--log-format-file", "json"]
        completed = subprocess.run(
            [str(DBT), *words[1:], *paths],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        runs.append(
            CommandRun(
                words,
                completed,
                read_events(logs / "dbt.log"),
                spark_schemas(warehouse),
                warehouse,
            )
        )
        if completed.returncode != 0:
            break
    return runs


def test_the_job_commands_succeed_in_order_on_an_empty_warehouse(first_run):
    words = [run.words[:3] for run in first_run]
    one_run = [["dbt", "source", "freshness"], ["dbt", "build", "--select"]]
    one_run.append(["dbt", "source", "freshness"])
    assert words == one_run * 2, first_run[-1].explain()
    assert "--target-path" in first_run[2].words
    for run in first_run:
        assert run.completed.returncode == 0, run.explain()


def test_a_second_run_with_no_new_file_builds_nothing(first_run):
    first_build, second_build = (run for run in first_run if run.words[1] == "build")
    assert first_build.nodes_run() > 100
    assert second_build.nodes_run() == 0, second_build.explain()


def test_freshness_runs_only_hooks_that_create_what_they_touch(first_run):
    """Freshness runs the on-run-start hook (it stages the raw sources as session views: no
    table, no schema over the raw zone) and nothing else: no on-run-end hook, and no schema
    exists after it."""
    freshness = first_run[0]
    assert freshness.completed.returncode == 0, freshness.explain()
    assert freshness.hooks_run() == ["lakehouse.on-run-start.0"]
    assert freshness.schemas_after == []
    hook_results = [
        event["data"]["status"]
        for event in freshness.events
        if event["info"]["name"] == "LogHookEndLine"
    ]
    assert hook_results == ["success"]


def test_the_build_after_freshness_creates_every_layer(first_run):
    build = first_run[1]
    assert build.words[:2] == ["dbt", "build"]
    assert build.completed.returncode == 0, build.explain()
    assert build.hooks_run() == ["lakehouse.on-run-start.0"]
    assert set(build.schemas_after) == {"bronze", "silver", "gold", "snapshots"}


def test_the_first_run_wrote_delta(first_run):
    """The job's commands wrote Delta: every table of the warehouse has a Delta log (the
    incremental merges, the snapshots and the gold strategy ran as Delta MERGEs)."""
    build = first_run[1]
    tables = [path for schema in build.warehouse.glob("*.db") for path in schema.iterdir()]
    assert {table.parent.name for table in tables} == {
        f"{schema}.db" for schema in ("bronze", "silver", "gold", "snapshots")
    }
    assert len(tables) > 20
    for table in tables:
        assert (table / "_delta_log").is_dir(), table
