"""The Databricks Asset Bundle, checked by the real Databricks CLI per target.

`make databricks-cli` builds the CLI at the pinned version from its Go module; the tests run
`databricks bundle validate` and `bundle summary` against a stand-in of the workspace API on
loopback (orchestration/tests/databricks_cli.py: who the deployer is, and the bundle folder),
with the variables a deployer passes. What the CLI resolves (target overrides, variables,
development-mode presets, run_as, top-level permissions, path translation) is then loaded into
the official `databricks-bundles` classes, which reject unknown fields and bad enum values.
What only a workspace can tell is listed in docs/databricks.md.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from databricks.bundles.dashboards import Dashboard
from databricks.bundles.jobs import Job

from orchestration.tests.databricks_cli import (
    BUNDLE_ROOT,
    CLI,
    REPO_ROOT,
    run_cli,
    stand_in_workspace,
    var_flags,
)
from orchestration.tests.helpers import DEPLOY_VARIABLES, DEPLOYERS, SERVICE_PRINCIPAL

TARGETS = ("dev", "prod")
DEV_USER = DEPLOYERS["dev"]
# The levels of top-level `permissions` (the CLI's apply_bundle_permissions.go).
TOP_LEVEL_PERMISSION_LEVELS = {"CAN_MANAGE", "CAN_VIEW", "CAN_RUN"}
# Fields the CLI adds to a job when it deploys it (not part of the job's own definition).
DEPLOYMENT_FIELDS = ("deployment", "edit_mode", "format")
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-databricks-cli.sh"


def job_body(job: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in job.items() if key not in DEPLOYMENT_FIELDS}


def load_job(bundles: dict[str, Any], target: str, key: str = "lakehouse_job") -> Job:
    return Job.from_dict(job_body(bundles[target]["resources"]["jobs"][key]))


def tasks_by_key(job: Job) -> dict[str, Any]:
    return {task.task_key: task for task in job.tasks}


def cli(target: str, *args: str, home: Path, deployer: str | None = None, **kwargs: Any):
    with stand_in_workspace(deployer or DEPLOYERS[target]) as workspace:
        run = run_cli(workspace, *args, home=home, **kwargs)
    return run, workspace


def test_the_cli_is_the_pinned_version_and_satisfies_the_bundle():
    """The CLI built by `make databricks-cli` is the version the setup pins, and it satisfies
    the bundle's databricks_cli_version (the CLI itself refuses the bundle otherwise)."""
    pinned = re.search(r"^version=(\S+)$", INSTALL_SCRIPT.read_text(), re.MULTILINE)
    assert pinned, INSTALL_SCRIPT
    version = subprocess.run([str(CLI), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"Databricks CLI v{pinned.group(1)}"
    constraint = yaml.safe_load((BUNDLE_ROOT / "databricks.yml").read_text())["bundle"][
        "databricks_cli_version"
    ]
    minimum = re.fullmatch(r">=\s*(\d+)\.(\d+)\.(\d+)", constraint)
    assert minimum, constraint
    installed = tuple(int(part) for part in pinned.group(1).split("."))
    # dashboards' dataset_catalog / dataset_schema are new in v0.281.0
    assert installed >= tuple(int(part) for part in minimum.groups()) >= (0, 281, 0)


@pytest.mark.parametrize("target", TARGETS)
def test_validate_accepts_each_target_with_nothing_to_warn(target, tmp_path):
    run, workspace = cli(
        target,
        "bundle",
        "validate",
        "-t",
        target,
        *var_flags(DEPLOY_VARIABLES[target]),
        home=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "Validation OK!" in run.stdout, run.stdout
    # no warning or recommendation (the stand-in's host metadata line aside)
    problems = [
        line
        for line in run.stderr.splitlines()
        if re.match(r"(Warning|Recommendation|Error)", line)
    ]
    assert not problems, run.stderr
    # validating asks only who deploys and makes the bundle folder: nothing is deployed
    asked = {path for _, path in workspace.calls}
    assert asked <= {
        "/.well-known/databricks-config",
        "/api/2.0/preview/scim/v2/Me",
        "/api/2.0/workspace/get-status",
        "/api/2.0/workspace/mkdirs",
    } | {path for path in asked if path.startswith("/api/2.0/permissions/directories/")}, asked


@pytest.mark.parametrize("target", TARGETS)
def test_summary_names_every_resource_of_each_target(target, tmp_path):
    """`bundle summary` (nothing deployed yet: no ids or URLs) lists the two jobs and the
    dashboard under the target's names."""
    run, _ = cli(
        target,
        "bundle",
        "summary",
        "-t",
        target,
        "-o",
        "json",
        *var_flags(DEPLOY_VARIABLES[target]),
        home=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    summary = run.json()
    jobs = {key: job["name"] for key, job in summary["resources"]["jobs"].items()}
    prefix = "[dev jdoe] " if target == "dev" else ""
    assert jobs == {
        "lakehouse_job": f"{prefix}lakehouse-{target}",
        "lakehouse_verify": f"{prefix}lakehouse-verify-{target}",
    }
    dashboards = summary["resources"]["dashboards"]
    assert set(dashboards) == {"lakehouse_kpis"}
    assert all("id" not in job for job in summary["resources"]["jobs"].values())


@pytest.mark.parametrize("variable", ["notification_emails", "dashboard_subscribers"])
def test_the_cli_refuses_a_complex_variable_in_var_or_the_environment(variable, tmp_path):
    """Lists cannot be passed as --var or BUNDLE_VAR_<name> (bundle/config/root.go,
    bundle/config/mutator/set_variables.go): the bundle sets them per target instead."""
    value = "ops@example.com"  # a list's one entry, as a deployer would try it
    prod = var_flags(DEPLOY_VARIABLES["prod"])
    flag, _ = cli("prod", "bundle", "validate", "-t", "prod", *prod, f"--var={variable}={value}",
                  home=tmp_path)  # fmt: skip
    assert flag.returncode != 0
    assert f"setting variables of complex type via --var flag is not supported: {variable}" in (
        flag.stderr
    )
    environment, _ = cli(
        "prod",
        "bundle",
        "validate",
        "-t",
        "prod",
        *prod,
        env={f"BUNDLE_VAR_{variable}": value},
        home=tmp_path,
    )
    assert environment.returncode != 0
    assert "not supported for complex variable" in environment.stderr, environment.stderr


@pytest.mark.parametrize(
    ("target", "missing"),
    [(target, name) for target in TARGETS for name in sorted(DEPLOY_VARIABLES[target])],
)
def test_a_deploy_without_a_required_variable_is_refused(target, missing, tmp_path):
    """Every variable a deployer passes is required: prod names its service principal, the ops
    address and the KPI mailing list's notification destination."""
    passed = {k: v for k, v in DEPLOY_VARIABLES[target].items() if k != missing}
    run, _ = cli(target, "bundle", "validate", "-t", target, *var_flags(passed), home=tmp_path)
    assert run.returncode != 0
    assert f"no value assigned to required variable {missing}" in run.stderr, run.stderr


def test_databricks_yml_targets_and_variables():
    config = yaml.safe_load((BUNDLE_ROOT / "databricks.yml").read_text())
    assert set(config["targets"]) == set(TARGETS)
    assert config["targets"]["dev"]["mode"] == "development"
    assert config["targets"]["dev"].get("default") is True
    assert config["targets"]["prod"]["mode"] == "production"
    for name, spec in config["variables"].items():
        assert spec.get("description"), f"variable {name} needs a description"
        if spec.get("type") == "complex":  # never passed on the command line: set per target
            assert all(name in config["targets"][t]["variables"] for t in TARGETS), name
    required = {name for name, spec in config["variables"].items() if "default" not in spec}
    for target in TARGETS:
        in_target = set(config["targets"][target].get("variables", {}))
        assert required - in_target == set(DEPLOY_VARIABLES[target]), target


@pytest.mark.parametrize("target", TARGETS)
def test_every_job_loads_into_the_bundle_classes(target, bundles):
    jobs = bundles[target]["resources"]["jobs"]
    assert set(jobs) == {"lakehouse_job", "lakehouse_verify"}
    for key in jobs:
        job = load_job(bundles, target, key)  # raises on unknown fields and bad enum values
        assert job.schedule is not None and job.schedule.quartz_cron_expression
        assert job.schedule.timezone_id == "UTC"
        notifications = job.email_notifications
        assert notifications is not None
        expected = {"dev": [DEV_USER], "prod": [DEPLOY_VARIABLES["prod"]["ops_email"]]}[target]
        assert notifications.on_failure == expected
        if key == "lakehouse_job":  # the weekly verification mails failures only
            assert notifications.on_success == expected


@pytest.mark.parametrize("target", TARGETS)
def test_job_tasks_run_dbt_then_refresh_the_dashboard(target, bundles):
    job = load_job(bundles, target)
    tasks = tasks_by_key(job)
    assert set(tasks) == {"prepare_dbt_state", "dbt_build", "refresh_dashboard"}

    prepare = tasks["prepare_dbt_state"]
    assert not prepare.depends_on
    python = prepare.spark_python_task
    files = bundles[target]["workspace"]["file_path"]
    assert python.python_file == f"{files}/orchestration/dbt_state.py"
    assert python.parameters[0] == "--state-path"
    state_path = python.parameters[1]
    catalog = {"dev": "lakehouse_dev", "prod": "lakehouse"}[target]
    # the state of the last successful build: the developer's own in dev; in prod the same
    # whoever deployed
    expected = {"dev": "dev_jdoe", "prod": "prod"}[target]
    assert state_path == f"/Volumes/{catalog}/ops/dbt_state/{expected}"

    dbt = tasks["dbt_build"]
    assert [dependency.task_key for dependency in dbt.depends_on] == ["prepare_dbt_state"]
    assert dbt.environment_key in {environment.environment_key for environment in job.environments}
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
    # the CLI translates the project folder to the synced repository root
    assert dbt.dbt_task.project_directory == files
    assert (REPO_ROOT / dbt.dbt_task.profiles_directory / "profiles.yml").is_file()

    refresh = tasks["refresh_dashboard"]
    assert [dependency.task_key for dependency in refresh.depends_on] == ["dbt_build"]
    assert refresh.run_if.value == "ALL_SUCCESS"
    dashboard_task = refresh.dashboard_task
    assert str(dashboard_task.dashboard_id) == "${resources.dashboards.lakehouse_kpis.id}"
    assert dashboard_task.warehouse_id == DEPLOY_VARIABLES[target]["warehouse_id"]
    assert dashboard_task.subscription is not None
    subscribers = [s.as_dict() for s in dashboard_task.subscription.subscribers]
    # dev: the developer; prod: the KPI mailing list as a notification destination
    assert (
        subscribers
        == {
            "dev": [{"user_name": DEV_USER}],
            "prod": [{"destination_id": DEPLOY_VARIABLES["prod"]["kpi_destination_id"]}],
        }[target]
    )


def test_the_synced_files_hold_the_project_and_not_git_ignored_profiles():
    """The CLI uploads the sync root (the repository, `sync.paths: [..]`) without git-ignored
    files: the dbt project and the job's profiles must not be ignored."""
    profiles = REPO_ROOT / "orchestration" / "dbt_profiles" / "profiles.yml"
    for path in (profiles, REPO_ROOT / "dbt_project.yml"):
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", str(path)], cwd=REPO_ROOT, check=False
        )
        assert ignored.returncode == 1, f"{path} is git-ignored and would not be deployed"
    profile = yaml.safe_load(profiles.read_text())
    project_profile = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["profile"]
    assert set(profile[project_profile]["outputs"]) == set(TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_every_dashboard_loads_into_the_bundle_classes(target, bundles):
    dashboards = bundles[target]["resources"]["dashboards"]
    assert set(dashboards) == {"lakehouse_kpis"}
    body = {k: v for k, v in dashboards["lakehouse_kpis"].items() if k != "serialized_dashboard"}
    dashboard = Dashboard.from_dict(body)
    expected_catalog = {"dev": "lakehouse_dev", "prod": "lakehouse"}[target]
    expected_schema = {"dev": "jdoe_gold", "prod": "gold"}[target]
    assert dashboard.dataset_catalog == expected_catalog
    assert dashboard.dataset_schema == expected_schema
    assert dashboard.warehouse_id == DEPLOY_VARIABLES[target]["warehouse_id"]
    # the CLI read the dashboard file it deploys
    serialized = json.loads(dashboards["lakehouse_kpis"]["serialized_dashboard"])
    assert serialized == load_dashboard()
    # Viewers query with their own credentials (the CLI defaults embed_credentials to false,
    # and refuses it with a run_as identity other than the deployer).
    assert not dashboard.embed_credentials


def load_dashboard() -> dict[str, Any]:
    return json.loads((BUNDLE_ROOT / "resources" / "lakehouse_kpis.lvdash.json").read_text())


def locked_versions() -> dict[str, str]:
    """`name==version` lines of requirements.lock."""
    lines = (REPO_ROOT / "requirements.lock").read_text().splitlines()
    pins = (line.split("==") for line in lines if "==" in line and not line.startswith("#"))
    return {name.strip().lower(): version.strip() for name, version in pins}


# What the serverless environment must pin, all at requirements.lock's versions: dbt and its
# adapter, and the libraries of theirs whose versions would otherwise float.
PINNED_PACKAGES = {
    "dbt-core",
    "dbt-databricks",
    "dbt-adapters",
    "dbt-common",
    "databricks-sql-connector",
}


@pytest.mark.parametrize("job_key", ["lakehouse_job", "lakehouse_verify"])
def test_the_jobs_install_the_locked_versions(job_key, bundles):
    """One source of truth: every package of a job's environment is pinned to the version
    requirements.lock installs locally (and every test here runs with)."""
    job = load_job(bundles, "prod", job_key)
    (environment,) = job.environments
    dependencies = environment.spec.dependencies
    locked = locked_versions()
    pinned = {}
    for dependency in dependencies:
        name, separator, version = dependency.partition("==")
        assert separator, f"{dependency} is not pinned"
        pinned[name.lower()] = version
    assert set(pinned) == PINNED_PACKAGES
    assert pinned == {name: locked[name] for name in PINNED_PACKAGES}


def test_the_weekly_verification_runs_the_history_wide_tests_and_never_beside_the_daily_job(
    bundles,
):
    """The checks whose scope is all of history leave the daily build for a weekly job, which
    starts two hours before the daily job and is stopped before it starts (timeout)."""
    verify = load_job(bundles, "prod", "lakehouse_verify")
    daily = load_job(bundles, "prod")
    (task,) = verify.tasks
    (command,) = task.dbt_task.commands
    assert command.split()[:4] == ["dbt", "test", "--selector", "full_verification"]
    assert verify.schedule.quartz_cron_expression == "0 0 4 ? * SUN"
    assert daily.schedule.quartz_cron_expression == "0 0 6 * * ?"
    assert verify.timeout_seconds <= 2 * 3600 - 10 * 60
    assert daily.timeout_seconds <= 22 * 3600  # and the daily run is over before 04:00
    assert verify.schedule.pause_status.value == "UNPAUSED"
    assert load_job(bundles, "dev", "lakehouse_verify").schedule.pause_status.value == "PAUSED"


def test_dev_schedules_are_paused_and_prod_runs_daily(bundles):
    """`mode: development` pauses a schedule only when the job sets no pause_status
    (apply_presets.go); prod's presets unpause it."""
    base = yaml.safe_load((BUNDLE_ROOT / "resources" / "lakehouse_job.yml").read_text())
    assert "pause_status" not in base["resources"]["jobs"]["lakehouse_job"]["schedule"]
    dev, prod = load_job(bundles, "dev"), load_job(bundles, "prod")
    assert dev.schedule.pause_status.value == "PAUSED"
    assert prod.schedule.pause_status.value == "UNPAUSED"
    assert dev.name == "[dev jdoe] lakehouse-dev"
    assert prod.name == "lakehouse-prod"


def test_prod_runs_as_the_service_principal_and_dev_as_the_deployer(bundles):
    dev, prod = load_job(bundles, "dev"), load_job(bundles, "prod")
    assert dev.run_as is None
    assert prod.run_as is not None
    assert prod.run_as.service_principal_name == SERVICE_PRINCIPAL
    assert prod.run_as.user_name is None


def principal(permission: dict[str, Any]) -> tuple[str, str]:
    (key,) = [key for key in permission if key != "level"]
    return key, permission[key]


def test_prod_permissions(bundles):
    """Deployers (and the service principal) manage the job, the dashboard and the root folder;
    analysts read the dashboard and have no permission on the job, so they run nothing; the
    root folder is not writable by all users (the CLI warns for /Workspace/Shared)."""
    bundle = bundles["prod"]
    for permission in bundle["permissions"]:
        assert permission["level"] in TOP_LEVEL_PERMISSION_LEVELS, permission
    deployers = ("group_name", "lakehouse_deployers")
    managers = {deployers, ("service_principal_name", SERVICE_PRINCIPAL)}
    assert {principal(p) for p in bundle["permissions"] if p["level"] == "CAN_MANAGE"} == managers
    analysts = ("group_name", "analysts")

    job = load_job(bundles, "prod")
    job_levels = {principal(p.as_dict()): p.level.value for p in job.permissions}
    # the deploying identity, the service principal, owns the job it runs as
    assert job_levels == {
        deployers: "CAN_MANAGE",
        ("service_principal_name", SERVICE_PRINCIPAL): "IS_OWNER",
    }
    assert analysts not in job_levels

    raw_dashboard = bundle["resources"]["dashboards"]["lakehouse_kpis"]
    dashboard_levels = {principal(p): p["level"] for p in raw_dashboard["permissions"]}
    assert dashboard_levels == {**dict.fromkeys(managers, "CAN_MANAGE"), analysts: "CAN_READ"}

    root = bundle["workspace"]["root_path"]
    assert root == f"/Workspace/Users/{SERVICE_PRINCIPAL}/.bundle/lakehouse/prod"
    assert ("group_name", "users") not in {principal(p) for p in bundle["permissions"]}


def test_dev_deployments_belong_to_the_developer(bundles):
    """No top-level permissions in dev: the job, the dashboard and ~/.bundle are the
    deployer's alone (the analysts read prod's dashboard)."""
    bundle = bundles["dev"]
    assert "permissions" not in bundle
    assert bundle["workspace"]["root_path"] == f"/Workspace/Users/{DEV_USER}/.bundle/lakehouse/dev"
    for kind in ("jobs", "dashboards"):
        for resource in bundle["resources"][kind].values():
            assert "permissions" not in resource
