"""The DAG comes from the bundle's job YAML: order, dependencies, task types, local dbt args."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration.job import JOB_FILE, JobDefinitionError, load_job
from orchestration.settings import Settings
from orchestration.tasks import TaskError, local_dbt_args


def _write_job(path: Path, tasks: list[dict]) -> Path:
    job = {"name": "t", "email_notifications": {"on_failure": ["a@example.com"]}, "tasks": tasks}
    path.write_text(yaml.safe_dump({"resources": {"jobs": {"t": job}}}))
    return path


def test_bundle_job_runs_generate_then_dbt_then_dashboard() -> None:
    job = load_job(JOB_FILE)
    raw = yaml.safe_load(JOB_FILE.read_text())["resources"]["jobs"]["lakehouse_job"]
    assert job.tasks[0].key == "generate"
    # every task of the YAML is there, after generate, each after its dependencies
    assert {task.key for task in job.tasks[1:]} == {task["task_key"] for task in raw["tasks"]}
    position = {task.key: index for index, task in enumerate(job.tasks)}
    for task in job.tasks:
        assert all(position[dependency] < position[task.key] for dependency in task.depends_on)
    types = [task.type for task in job.tasks]
    assert types.index("dbt_task") < types.index("dashboard_task")
    assert set(job.email_notifications) >= {"on_success", "on_failure"}


def test_tasks_are_ordered_by_depends_on_not_by_yaml_order(tmp_path: Path) -> None:
    path = _write_job(
        tmp_path / "job.yml",
        [
            {"task_key": "c", "depends_on": [{"task_key": "b"}], "dashboard_task": {}},
            {"task_key": "b", "depends_on": [{"task_key": "a"}], "dbt_task": {"commands": []}},
            {"task_key": "a", "dbt_task": {"commands": []}},
        ],
    )
    job = load_job(path)
    assert [task.key for task in job.tasks] == ["generate", "a", "b", "c"]
    assert job.tasks[1].depends_on == ("generate",)  # roots run after the local generate task


@pytest.mark.parametrize(
    ("tasks", "error"),
    [
        (
            [
                {"task_key": "a", "depends_on": [{"task_key": "b"}], "dbt_task": {}},
                {"task_key": "b", "depends_on": [{"task_key": "a"}], "dbt_task": {}},
            ],
            "cycle",
        ),
        ([{"task_key": "a", "depends_on": [{"task_key": "zz"}], "dbt_task": {}}], "unknown"),
        ([{"task_key": "a", "notebook_task": {}}], "local runner executes"),
        ([{"task_key": "a", "run_if": "ALL_DONE", "dbt_task": {}}], "not supported"),
    ],
)
def test_unrunnable_jobs_are_rejected_with_a_clear_error(
    tmp_path: Path, tasks: list[dict], error: str
) -> None:
    with pytest.raises(JobDefinitionError, match=error):
        load_job(_write_job(tmp_path / "job.yml", tasks))


def test_dbt_commands_lose_their_databricks_only_flags() -> None:
    settings = Settings.from_env()
    command = (
        "dbt build --target ${bundle.target} --select tag:gold "
        """--vars '{"catalog": "${var.catalog}"}' --profiles-dir orchestration/dbt_profiles"""
    )
    args = local_dbt_args(command, settings)
    project = str(settings.project_dir)
    assert args == [
        "build",
        "--select",
        "tag:gold",
        "--project-dir",
        project,
        "--profiles-dir",
        project,
    ]
    with pytest.raises(TaskError, match="has no local value"):
        local_dbt_args("dbt build --select ${var.selector}", settings)
    with pytest.raises(TaskError, match="not a dbt command"):
        local_dbt_args("python -m something", settings)
