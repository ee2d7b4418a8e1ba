"""Load the bundle's job definition: the single source of truth for the pipeline's DAG.

The Databricks job (resources/lakehouse_job.yml) lists tasks with their type (``dbt_task``,
``dashboard_task``), their ``depends_on`` and ``run_if``, and job-level ``email_notifications``.
Locally the runner prepends one local-only task, ``generate`` (the Lambda's core, which runs on
a schedule in production), and runs every other task in topological order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BUNDLE_ROOT = Path(__file__).resolve().parent
JOB_FILE = BUNDLE_ROOT / "resources" / "lakehouse_job.yml"
TASK_TYPES = ("spark_python_task", "dbt_task", "dashboard_task")
GENERATE_TASK = "generate"
LOCAL_TARGET = "local"  # what ${bundle.target} means in the job's name when run locally


class JobDefinitionError(ValueError):
    """The job YAML cannot be run locally (unknown task type, cycle, missing dependency)."""


@dataclass(frozen=True)
class Task:
    key: str
    type: str  # "generate" (local only), "spark_python_task", "dbt_task" or "dashboard_task"
    spec: dict[str, Any] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    run_if: str = "ALL_SUCCESS"


@dataclass(frozen=True)
class Job:
    name: str
    tasks: tuple[Task, ...]  # in execution (topological) order
    email_notifications: dict[str, Any]


def load_job(path: Path = JOB_FILE) -> Job:
    """Read the job from the bundle YAML and return its tasks in execution order."""
    document = yaml.safe_load(Path(path).read_text())
    jobs = (document.get("resources") or {}).get("jobs") or {}
    if len(jobs) != 1:
        raise JobDefinitionError(f"{path}: expected exactly one job, found {len(jobs)}")
    job_key, definition = next(iter(jobs.items()))
    tasks = [_parse_task(raw, path) for raw in definition.get("tasks") or []]
    # The local-only first task: what the scheduled Lambda does in production.
    roots = [task for task in tasks if not task.depends_on]
    generate = Task(key=GENERATE_TASK, type=GENERATE_TASK)
    tasks = [generate] + [
        Task(task.key, task.type, task.spec, (GENERATE_TASK,), task.run_if)
        if task in roots
        else task
        for task in tasks
    ]
    return Job(
        name=str(definition.get("name", job_key)).replace("${bundle.target}", LOCAL_TARGET),
        tasks=tuple(topological_order(tasks)),
        email_notifications=definition.get("email_notifications") or {},
    )


def _parse_task(raw: dict[str, Any], path: Path) -> Task:
    key = raw["task_key"]
    types = [name for name in raw if name.endswith("_task")]
    if len(types) != 1 or types[0] not in TASK_TYPES:
        raise JobDefinitionError(
            f"{path}: task {key!r} has type {types}; the local runner executes {TASK_TYPES}"
        )
    run_if = raw.get("run_if", "ALL_SUCCESS")
    if run_if != "ALL_SUCCESS":
        raise JobDefinitionError(f"{path}: task {key!r}: run_if {run_if} is not supported locally")
    depends_on = tuple(item["task_key"] for item in raw.get("depends_on") or [])
    return Task(key=key, type=types[0], spec=raw[types[0]], depends_on=depends_on, run_if=run_if)


def topological_order(tasks: list[Task]) -> list[Task]:
    """Order tasks so each comes after its dependencies (stable: YAML order breaks ties)."""
    by_key = {task.key: task for task in tasks}
    if len(by_key) != len(tasks):
        raise JobDefinitionError("duplicate task_key in the job")
    for task in tasks:
        missing = [key for key in task.depends_on if key not in by_key]
        if missing:
            raise JobDefinitionError(f"task {task.key!r} depends on unknown task(s) {missing}")
    ordered: list[Task] = []
    done: set[str] = set()
    while len(ordered) < len(tasks):
        ready = [t for t in tasks if t.key not in done and set(t.depends_on) <= done]
        if not ready:
            cycle = sorted(task.key for task in tasks if task.key not in done)
            raise JobDefinitionError(f"the job's tasks form a cycle: {cycle}")
        ordered.append(ready[0])
        done.add(ready[0].key)
    return ordered
