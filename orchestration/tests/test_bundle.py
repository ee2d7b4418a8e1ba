"""The Databricks Asset Bundle loads into the official `databricks-bundles` classes, per target.

The classes reject unknown fields and wrong enum values, so a typo in the job or dashboard YAML
fails here instead of at `databricks bundle deploy`. The bundle is first resolved for a target
the way the Databricks CLI does (orchestration/bundle.py: target overrides, variables with a
made-up current user, development-mode presets, run_as, top-level permissions);
`${resources.*}` references stay strings (the classes accept them).
What this cannot prove without a workspace: that the CLI accepts databricks.yml's top-level keys
(checked here by hand against the documented set) and that the API accepts the dashboard JSON.
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest
import yaml
from databricks.bundles.dashboards import Dashboard
from databricks.bundles.jobs import Job

from orchestration.bundle import (
    BUNDLE_ROOT,
    REFERENCE,
    BundleVariableError,
    load_bundle_config,
    resolved_bundle,
    resolved_resources,
    without_file,
)

REPO_ROOT = BUNDLE_ROOT.parent

TARGETS = ("dev", "prod")
# The variables a deployer must pass (`--var` or BUNDLE_VAR_<name>): no default, and no value
# in the target.
REQUIRED_VARIABLES = {"warehouse_id": "0123456789abcdef", "raw_root": "s3://lakehouse-raw/raw"}
SERVICE_PRINCIPAL = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"  # an application ID
PROD_SUBSCRIBERS = [{"user_name": "kpi-readers@example.com"}]
DEPLOY_VARIABLES: dict[str, dict[str, Any]] = {
    "dev": REQUIRED_VARIABLES,
    "prod": {
        **REQUIRED_VARIABLES,
        "service_principal": SERVICE_PRINCIPAL,
        "dashboard_subscribers": PROD_SUBSCRIBERS,
    },
}
FAKE_USER = {"short_name": "jdoe", "userName": "jdoe@example.com"}
# The CLI's levels for top-level `permissions` (apply_bundle_permissions.go, validatePermissions).
TOP_LEVEL_PERMISSION_LEVELS = {"CAN_MANAGE", "CAN_VIEW", "CAN_RUN"}


def resources_for(target: str) -> dict[str, dict[str, Any]]:
    return resolved_resources(target, variables=DEPLOY_VARIABLES[target], current_user=FAKE_USER)


def bundle_for(target: str) -> dict[str, Any]:
    return resolved_bundle(target, variables=DEPLOY_VARIABLES[target], current_user=FAKE_USER)


def unresolved_references(value: Any) -> set[str]:
    text = json.dumps(value, default=str)
    return {match.group(1) for match in REFERENCE.finditer(text)}


def test_databricks_yml_top_level_and_targets():
    config = yaml.safe_load((BUNDLE_ROOT / "databricks.yml").read_text())
    documented = {"bundle", "include", "sync", "variables", "targets", "workspace", "resources"}
    assert set(config) <= documented, set(config) - documented
    assert set(config["targets"]) == set(TARGETS)
    assert config["targets"]["dev"]["mode"] == "development"
    assert config["targets"]["dev"].get("default") is True
    assert config["targets"]["prod"]["mode"] == "production"
    # Keys of a target in the CLI's bundle JSON schema (bundle/schema/jsonschema.json, Target).
    target_keys = {"mode", "default", "workspace", "variables", "run_as", "permissions"}
    target_keys |= {"presets", "resources", "bundle", "sync", "artifacts", "git", "cluster_id"}
    for target in TARGETS:
        assert set(config["targets"][target]) <= target_keys, target
    required = {name for name, spec in config["variables"].items() if "default" not in spec}
    for target in TARGETS:
        # Everything without a default is either set by the target or passed by the deployer.
        in_target = set(config["targets"][target].get("variables", {}))
        assert required - in_target == set(DEPLOY_VARIABLES[target]), target
    for name, spec in config["variables"].items():
        assert spec.get("description"), f"variable {name} needs a description"
    # The catalog differs per environment.
    catalogs = {config["targets"][target]["variables"]["catalog"] for target in TARGETS}
    assert len(catalogs) == len(TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_every_job_loads_into_the_bundle_classes(target):
    jobs = resources_for(target)["jobs"]
    assert set(jobs) == {"lakehouse_job", "lakehouse_verify"}
    for key, raw in jobs.items():
        body = without_file(raw)
        assert unresolved_references(body) <= {"resources.dashboards.lakehouse_kpis.id"}, key
        job = Job.from_dict(body)  # raises on unknown fields and bad enum values
        assert job.schedule is not None and job.schedule.quartz_cron_expression
        assert job.schedule.timezone_id == "UTC"
        notifications = job.email_notifications
        assert notifications is not None
        if target == "dev":  # prod's addresses are deployment input (default: none)
            assert notifications.on_failure == [FAKE_USER["userName"]]
            if key == "lakehouse_job":  # the weekly verification mails failures only
                assert notifications.on_success == [FAKE_USER["userName"]]


@pytest.mark.parametrize("target", TARGETS)
def test_job_tasks_run_dbt_then_refresh_the_dashboard(target):
    raw = resources_for(target)["jobs"]["lakehouse_job"]
    job = Job.from_dict(without_file(raw))
    tasks = {task.task_key: task for task in job.tasks}
    assert list(tasks) == ["prepare_dbt_state", "dbt_build", "refresh_dashboard"]

    prepare = tasks["prepare_dbt_state"]
    assert prepare.depends_on == []
    python = prepare.spark_python_task
    assert python.python_file.endswith("dbt_state.py")
    assert python.parameters[0] == "--state-path"
    state_path = python.parameters[1]
    assert state_path.startswith("/Volumes/") and state_path.endswith(
        f"{target}_{FAKE_USER['short_name']}"
    )

    dbt = tasks["dbt_build"]
    assert [dependency.task_key for dependency in dbt.depends_on] == ["prepare_dbt_state"]
    assert dbt.environment_key in {environment.environment_key for environment in job.environments}
    environment = next(e for e in job.environments if e.environment_key == dbt.environment_key)
    pins = [dep for dep in environment.spec.dependencies if dep.startswith("dbt-databricks")]
    assert pins == [f"dbt-databricks=={locked_versions()['dbt-databricks']}"]
    commands = dbt.dbt_task.commands
    assert [command.split()[:3] for command in commands] == [
        ["dbt", "source", "freshness"],
        ["dbt", "build", "--select"],
        ["dbt", "source", "freshness"],
    ]
    # a build with nothing new builds nothing; the last command keeps the state for the next run
    build = " ".join(commands[1].split())
    assert "--select source_status:fresher+ --exclude tag:full_verification" in build
    assert f"--exclude-resource-type unit_test --state {state_path}" in build
    assert f"--target-path {state_path}" in commands[2]
    assert all(f"--target {target}" in command for command in commands)
    assert dbt.dbt_task.warehouse_id is None, "warehouse_id would replace our profiles"

    refresh = tasks["refresh_dashboard"]
    assert [dependency.task_key for dependency in refresh.depends_on] == ["dbt_build"]
    assert refresh.run_if.value == "ALL_SUCCESS"
    dashboard_task = refresh.dashboard_task
    assert str(dashboard_task.dashboard_id) == "${resources.dashboards.lakehouse_kpis.id}"
    assert dashboard_task.warehouse_id == REQUIRED_VARIABLES["warehouse_id"]
    assert dashboard_task.subscription is not None
    subscribers = [subscriber.user_name for subscriber in dashboard_task.subscription.subscribers]
    expected = {"dev": [FAKE_USER["userName"]], "prod": ["kpi-readers@example.com"]}[target]
    assert subscribers == expected


def test_job_paths_resolve_like_the_cli_does():
    """The CLI resolves a task's relative paths against the YAML file that holds them and
    requires them inside the sync root (bundle/config/mutator/translate_paths.go); the sync root
    is the common ancestor of the bundle root and `sync.paths` (sync_infer_root.go)."""
    config = load_bundle_config()
    sync_root = BUNDLE_ROOT
    for path in config["sync"]["paths"]:
        candidate = (BUNDLE_ROOT / path).resolve()
        if candidate in sync_root.parents:
            sync_root = candidate
    assert sync_root == REPO_ROOT

    job = config["resources"]["jobs"]["lakehouse_job"]
    dbt_task = next(task["dbt_task"] for task in job["tasks"] if "dbt_task" in task)
    project = (job["_file"].parent / dbt_task["project_directory"]).resolve()
    assert project == REPO_ROOT and (project / "dbt_project.yml").is_file()
    assert project.is_relative_to(sync_root)
    # profiles_directory is not rewritten by the CLI: it is relative to the project directory.
    profiles = project / dbt_task["profiles_directory"] / "profiles.yml"
    assert profiles.is_file()
    # The CLI does not upload git-ignored files: the job's profiles must not be ignored.
    for path in (profiles, project / "dbt_project.yml"):
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", str(path)], cwd=REPO_ROOT, check=False
        )
        assert ignored.returncode == 1, f"{path} is git-ignored and would not be deployed"
    profile = yaml.safe_load(profiles.read_text())
    project_profile = yaml.safe_load((project / "dbt_project.yml").read_text())["profile"]
    assert set(profile[project_profile]["outputs"]) == set(TARGETS)

    dashboard = config["resources"]["dashboards"]["lakehouse_kpis"]
    assert (dashboard["_file"].parent / dashboard["file_path"]).is_file()


@pytest.mark.parametrize("target", TARGETS)
def test_every_dashboard_loads_into_the_bundle_classes(target):
    dashboards = resources_for(target)["dashboards"]
    assert set(dashboards) == {"lakehouse_kpis"}
    raw = dashboards["lakehouse_kpis"]
    body = without_file(raw)
    assert unresolved_references(body) == set()
    dashboard = Dashboard.from_dict(body)
    expected_catalog = {"dev": "lakehouse_dev", "prod": "lakehouse"}[target]
    expected_schema = {"dev": f"{FAKE_USER['short_name']}_gold", "prod": "gold"}[target]
    assert dashboard.dataset_catalog == expected_catalog
    assert dashboard.dataset_schema == expected_schema
    assert dashboard.warehouse_id == REQUIRED_VARIABLES["warehouse_id"]
    # Viewers query with their own credentials (the CLI defaults embed_credentials to false,
    # and refuses it with a run_as identity other than the deployer).
    assert not dashboard.embed_credentials


@pytest.mark.parametrize(
    ("target", "missing"),
    [(target, name) for target in TARGETS for name in sorted(DEPLOY_VARIABLES[target])],
)
def test_a_deploy_without_a_required_variable_is_refused(target, missing):
    """A prod deploy must name its service principal and its dashboard subscribers: a prod
    subscription without subscribers cannot be deployed by omission."""
    passed = {k: v for k, v in DEPLOY_VARIABLES[target].items() if k != missing}
    with pytest.raises(BundleVariableError, match=missing):
        resolved_resources(target, variables=passed, current_user=FAKE_USER)


def locked_versions() -> dict[str, str]:
    """`name==version` lines of requirements.lock."""
    lines = (REPO_ROOT / "requirements.lock").read_text().splitlines()
    pins = (line.split("==") for line in lines if "==" in line and not line.startswith("#"))
    return {name.strip().lower(): version.strip() for name, version in pins}


def test_the_job_installs_the_locked_dbt_versions():
    """One source of truth: each package of the job's environment is pinned to the version
    requirements.lock installs locally (and every test here runs with)."""
    job = load_bundle_config()["resources"]["jobs"]["lakehouse_job"]
    (environment,) = job["environments"]
    dependencies = environment["spec"]["dependencies"]
    assert {dependency.split("==")[0] for dependency in dependencies} >= {"dbt-databricks"}
    locked = locked_versions()
    for dependency in dependencies:
        name, _, version = dependency.partition("==")
        assert version == locked[name.lower()], f"{dependency}: requirements.lock has {locked}"


def test_the_bundle_requires_a_cli_that_knows_its_fields():
    """Dashboards' dataset_catalog / dataset_schema exist from Databricks CLI v0.281.0 on (the
    CLI's commit b6349a4, first released in v0.281.0); older CLIs fail `bundle validate`."""
    config = load_bundle_config()
    assert "dataset_catalog" in config["resources"]["dashboards"]["lakehouse_kpis"]
    constraint = config["bundle"]["databricks_cli_version"]
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)\.(\d+)", constraint)
    assert match, constraint
    assert tuple(int(part) for part in match.groups()) >= (0, 281, 0)


def test_the_weekly_verification_runs_the_history_wide_tests():
    """The checks whose scope is all of history leave the daily build for a weekly job."""
    verify = Job.from_dict(without_file(resources_for("prod")["jobs"]["lakehouse_verify"]))
    (task,) = verify.tasks
    (command,) = task.dbt_task.commands
    assert command.split()[:4] == ["dbt", "test", "--selector", "full_verification"]
    assert verify.schedule.quartz_cron_expression == "0 0 4 ? * SUN"
    assert verify.schedule.pause_status.value == "UNPAUSED"
    dev = Job.from_dict(without_file(resources_for("dev")["jobs"]["lakehouse_verify"]))
    assert dev.schedule.pause_status.value == "PAUSED"
    environment = verify.environments[0]
    pins = [dep for dep in environment.spec.dependencies if dep.startswith("dbt-databricks")]
    assert pins == [f"dbt-databricks=={locked_versions()['dbt-databricks']}"]


def test_dev_schedules_are_paused_and_prod_runs_daily():
    """`mode: development` pauses a schedule only when the job sets no pause_status
    (apply_presets.go); prod's presets unpause it."""
    base = load_bundle_config()["resources"]["jobs"]["lakehouse_job"]
    assert "pause_status" not in base["schedule"], "an explicit status defeats dev's pause"
    dev = Job.from_dict(without_file(resources_for("dev")["jobs"]["lakehouse_job"]))
    prod = Job.from_dict(without_file(resources_for("prod")["jobs"]["lakehouse_job"]))
    assert dev.schedule.pause_status.value == "PAUSED"
    assert prod.schedule.pause_status.value == "UNPAUSED"
    assert dev.name == f"[dev {FAKE_USER['short_name']}] lakehouse-dev"
    assert prod.name == "lakehouse-prod"


def test_prod_runs_as_the_service_principal_and_dev_as_the_deployer():
    dev = Job.from_dict(without_file(resources_for("dev")["jobs"]["lakehouse_job"]))
    prod = Job.from_dict(without_file(resources_for("prod")["jobs"]["lakehouse_job"]))
    assert dev.run_as is None
    assert prod.run_as is not None
    assert prod.run_as.service_principal_name == SERVICE_PRINCIPAL
    assert prod.run_as.user_name is None


def principal(permission: dict[str, Any]) -> tuple[str, str]:
    (key,) = [key for key in permission if key != "level"]
    return key, permission[key]


def test_prod_permissions():
    """Deployers (and the service principal) manage the job, the dashboard and the root folder;
    analysts read the dashboard and have no permission on the job, so they run nothing; the
    root folder is not writable by all users (the CLI warns for /Workspace/Shared)."""
    bundle = bundle_for("prod")
    for permission in bundle["permissions"]:
        assert permission["level"] in TOP_LEVEL_PERMISSION_LEVELS, permission
    deployers = ("group_name", "lakehouse_deployers")
    managers = {deployers, ("service_principal_name", SERVICE_PRINCIPAL)}
    assert {principal(p) for p in bundle["permissions"] if p["level"] == "CAN_MANAGE"} == managers
    analysts = ("group_name", "analysts")

    job = Job.from_dict(without_file(bundle["resources"]["jobs"]["lakehouse_job"]))
    job_levels = {principal(p.as_dict()): p.level.value for p in job.permissions}
    assert job_levels == dict.fromkeys(managers, "CAN_MANAGE")
    assert analysts not in job_levels

    raw_dashboard = bundle["resources"]["dashboards"]["lakehouse_kpis"]
    dashboard = Dashboard.from_dict(without_file(raw_dashboard))
    dashboard_levels = {principal(p.as_dict()): p.level.value for p in dashboard.permissions}
    assert dashboard_levels == {**dict.fromkeys(managers, "CAN_MANAGE"), analysts: "CAN_READ"}

    root = bundle["workspace"]["root_path"]
    assert root == f"/Workspace/Users/{SERVICE_PRINCIPAL}/.bundle/lakehouse/prod"
    assert not root.startswith("/Workspace/Shared/")
    assert ("group_name", "users") not in {principal(p) for p in bundle["permissions"]}


def test_dev_deployments_belong_to_the_developer():
    """No top-level permissions in dev: the job, the dashboard and ~/.bundle are the
    deployer's alone (the analysts read prod's dashboard)."""
    bundle = bundle_for("dev")
    assert "permissions" not in bundle
    assert "root_path" not in bundle.get("workspace", {})
    for kind in ("jobs", "dashboards"):
        for resource in bundle["resources"][kind].values():
            assert "permissions" not in resource


@pytest.mark.parametrize("target", TARGETS)
def test_no_dashboard_subscription_without_subscribers(target):
    for job in resources_for(target)["jobs"].values():
        for task in job["tasks"]:
            subscription = task.get("dashboard_task", {}).get("subscription")
            if subscription is not None:
                assert subscription["subscribers"], (target, task["task_key"])
