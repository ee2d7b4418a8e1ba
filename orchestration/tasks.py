"""Local executors, one per task type: generate (local only), dbt_task, dashboard_task."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration import dashboard
from orchestration.job import Task
from orchestration.settings import Settings

LAYERS = ("bronze", "silver", "snapshots", "gold")


class TaskError(RuntimeError):
    """A task failed; the message says why (shown on the console and in the failure mail)."""


@dataclass
class Outcome:
    summary: str  # one line for the console and the run record
    layer_rows: list[tuple[str, str, int]] = field(default_factory=list)  # (layer, relation, rows)
    warning: str = ""  # the task did its work but something needs a look (status "warning")


Executor = Callable[[Task, Settings], Outcome]


def run_generate(task: Task, settings: Settings) -> Outcome:
    """Write the next raw batch(es), as the scheduled Lambda does in production."""
    from lambda_generator.core import BatchSummary, generate_batches

    done: list[BatchSummary] = []

    def progress(summary: BatchSummary) -> None:
        done.append(summary)
        counts = ", ".join(f"{entity} {count:,}" for entity, count in summary.rows.items())
        print(
            f"    batch {len(done)}/{settings.batches} {summary.batch_id}"
            f" ({summary.ingest_date}): {counts} rows in {summary.seconds:.1f}s",
            flush=True,
        )

    summaries = generate_batches(
        settings.raw_root,
        seed=settings.seed,
        batches=settings.batches,
        orders_per_batch=settings.orders_per_batch,
        progress=progress,
    )
    rows = sum(sum(summary.rows.values()) for summary in summaries)
    return Outcome(
        summary=f"{len(summaries)} batch(es), {rows:,} raw rows ingested into {settings.raw_root}",
        layer_rows=[("raw (this run)", "generated csv rows", rows)],
    )


# Flags of the job's commands that only make sense on Databricks, each followed by a value:
# the bundle target, the bundle variables passed as dbt vars, the job's own profiles folder.
# Locally the target is LAKEHOUSE_TARGET, the vars come from the environment (dbt_project.yml)
# and the profiles are the repository's profiles.yml.
DATABRICKS_ONLY_FLAGS = ("--target", "-t", "--vars", "--profiles-dir")


def local_variables(settings: Settings) -> dict[str, str]:
    """The bundle variables of the job's tasks that have a local value."""
    return {"${var.dbt_state_path}": str(settings.dbt_state_dir)}


def localize(word: str, settings: Settings) -> str:
    """A word of a job task with its bundle variables replaced by their local values."""
    for variable, value in local_variables(settings).items():
        word = word.replace(variable, value)
    if "${" in word:
        raise TaskError(f"bundle variable in {word!r} has no local value")
    return word


def job_dbt_args(command: str, settings: Settings) -> list[str]:
    """A job command (`dbt build --target ${bundle.target} --vars ...`) as the arguments after
    `dbt` that run it here: Databricks-only flags dropped, bundle variables localized."""
    words = shlex.split(command)
    if not words or words[0] != "dbt":
        raise TaskError(f"not a dbt command: {command!r}")
    args: list[str] = []
    remaining = iter(words[1:])
    for word in remaining:
        if word in DATABRICKS_ONLY_FLAGS:
            next(remaining, None)
        elif word.split("=", 1)[0] in DATABRICKS_ONLY_FLAGS:
            continue
        else:
            args.append(localize(word, settings))
    return args


def local_dbt_args(command: str, settings: Settings) -> list[str]:
    """A job command as local dbtRunner args (job_dbt_args plus this checkout's project and
    profiles). The target is the profile's default, LAKEHOUSE_TARGET (set by
    export_environment), not a --target flag: dbt's partial parsing keys on the flag, so the
    runner and a plain `dbt build` share one parse instead of each re-parsing the project."""
    project = str(settings.project_dir)
    return [*job_dbt_args(command, settings), "--project-dir", project, "--profiles-dir", project]


def release_duckdb() -> None:
    """Close the DuckDB database that dbt-duckdb keeps open in this process (frees the file)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def describe_dbt_failure(result: object) -> str:
    """The failed nodes (tests, models, freshness checks) of a dbtRunner result, one per line."""
    lines = []
    for node_result in getattr(getattr(result, "result", None), "results", None) or []:
        status = str(getattr(node_result.status, "value", node_result.status))
        if status in ("error", "fail", "runtime error"):
            node = node_result.node
            lines.append(f"{node.resource_type} {node.name} {status}: {node_result.message}")
    exception = getattr(result, "exception", None)
    if exception is not None:
        lines.append(f"{type(exception).__name__}: {exception}")
    return "\n".join(lines) or "dbt reported a failure (see the dbt log)"


def run_dbt(task: Task, settings: Settings) -> Outcome:
    """Run the task's dbt commands in order with dbtRunner; dbt prints its own progress."""
    from dbt.cli.main import dbtRunner

    commands = task.spec.get("commands") or []
    if not commands:
        raise TaskError(f"dbt_task {task.key!r} has no commands")
    # The project is parsed once for the task's commands (dbt re-parses in every invocation
    # otherwise, partially at best).
    # --no-write-json: the manifest is kept in memory; each command writes its own artifacts
    parsed = dbtRunner().invoke(
        ["parse", "--quiet", "--no-write-json", *local_dbt_args("dbt", settings)]
    )
    if not parsed.success:
        raise TaskError(f"`dbt parse` failed:\n{describe_dbt_failure(parsed)}")
    nodes = 0
    for command in commands:
        args = local_dbt_args(command, settings)
        shown = f"dbt {' '.join(args[: args.index('--project-dir')])}"
        print(f"    $ {shown}", flush=True)
        try:
            result = dbtRunner(manifest=parsed.result).invoke(args)
        finally:
            release_duckdb()
        if not result.success:
            raise TaskError(f"`{shown}` failed:\n{describe_dbt_failure(result)}")
        nodes += len(getattr(result.result, "results", None) or [])
    try:
        layer_rows = count_layer_rows(settings.duckdb_path)
    except duckdb.Error as error:  # another process took the warehouse right after dbt
        return Outcome(summary=f"{nodes} dbt nodes without failure; rows not counted: {error}")
    totals = {layer: sum(n for name, _, n in layer_rows if name == layer) for layer in LAYERS}
    rows = ", ".join(f"{layer} {count:,} rows" for layer, count in totals.items())
    return Outcome(summary=f"{nodes} dbt nodes without failure; {rows}", layer_rows=layer_rows)


def count_layer_rows(duckdb_path: Path) -> list[tuple[str, str, int]]:
    """Rows of every table in the bronze, silver, snapshots and gold schemas."""
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        # filtered here, not with a list parameter: binding a Python list makes DuckDB import
        # pandas (1.6 s of every run)
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' order by table_schema, table_name"
        ).fetchall()
        counts = [
            (schema, name, con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0])
            for schema, name in tables
            if schema in LAYERS
        ]
    return sorted(counts, key=lambda row: LAYERS.index(row[0]))


def run_python_file(task: Task, settings: Settings) -> Outcome:
    """A spark_python_task of the job (a standard-library script in orchestration/), run here
    with its parameters, bundle variables replaced by their local values."""
    spec = task.spec
    script = (settings.project_dir / "orchestration" / "resources" / spec["python_file"]).resolve()
    parameters = [localize(str(parameter), settings) for parameter in spec.get("parameters", [])]
    print(f"    $ python {script.relative_to(settings.project_dir)} {' '.join(parameters)}")
    completed = subprocess.run(
        [sys.executable, str(script), *parameters], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise TaskError(f"{script.name} failed:\n{completed.stdout}{completed.stderr}")
    warnings = [line for line in completed.stderr.splitlines() if line.startswith("WARNING")]
    for line in warnings:
        print(f"    {line}", flush=True)
    return Outcome(
        summary=completed.stdout.strip().splitlines()[-1] if completed.stdout else "",
        warning="\n".join(warnings),
    )


def run_dashboard(task: Task, settings: Settings) -> Outcome:
    files = dashboard.refresh(settings.duckdb_path, settings.dashboard_dir)
    return Outcome(summary=f"{files.html} and {files.pdf.name} ({files.pdf.stat().st_size:,} B)")


EXECUTORS: dict[str, Executor] = {
    "generate": run_generate,
    "spark_python_task": run_python_file,
    "dbt_task": run_dbt,
    "dashboard_task": run_dashboard,
}
