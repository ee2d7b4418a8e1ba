"""The Databricks Asset Bundle loads into the official `databricks-bundles` classes, per target.

The classes reject unknown fields and wrong enum values, so a typo in the job or dashboard YAML
fails here instead of at `databricks bundle deploy`. `${var.*}`, `${bundle.*}` and
`${workspace.*}` references are resolved first, the way the Databricks CLI does for a target
(with a made-up current user); `${resources.*}` references stay strings (the classes accept them).
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
    resolved_resources,
    without_file,
)

REPO_ROOT = BUNDLE_ROOT.parent

TARGETS = ("dev", "prod")
# The variables a deployer must pass (`--var` or BUNDLE_VAR_<name>): they have no default.
REQUIRED_VARIABLES = {"warehouse_id": "0123456789abcdef", "raw_root": "s3://lakehouse-raw/raw"}
FAKE_USER = {"short_name": "jdoe", "userName": "jdoe@example.com"}
GRID_WIDTH = 6
WIDGET_TYPES = {
    "counter",
    "bar",
    "line",
    "table",
    "pie",
    "filter-multi-select",
    "filter-single-select",
    "filter-date-range-picker",
}


def resources_for(target: str) -> dict[str, dict[str, Any]]:
    return resolved_resources(target, variables=REQUIRED_VARIABLES, current_user=FAKE_USER)


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
    required = {name for name, spec in config["variables"].items() if "default" not in spec}
    overridden_everywhere = {
        name
        for name in required
        if all(name in config["targets"][target].get("variables", {}) for target in TARGETS)
    }
    # Everything without a default is either set per target or passed by the deployer.
    assert required - overridden_everywhere == set(REQUIRED_VARIABLES)
    for name, spec in config["variables"].items():
        assert spec.get("description"), f"variable {name} needs a description"
    # The catalog differs per environment.
    catalogs = {config["targets"][target]["variables"]["catalog"] for target in TARGETS}
    assert len(catalogs) == len(TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_every_job_loads_into_the_bundle_classes(target):
    jobs = resources_for(target)["jobs"]
    assert set(jobs) == {"lakehouse_job"}
    for key, raw in jobs.items():
        body = without_file(raw)
        assert unresolved_references(body) <= {"resources.dashboards.lakehouse_kpis.id"}, key
        job = Job.from_dict(body)  # raises on unknown fields and bad enum values
        assert job.schedule is not None and job.schedule.quartz_cron_expression
        assert job.schedule.timezone_id == "UTC"
        notifications = job.email_notifications
        assert notifications is not None
        if target == "dev":  # prod's addresses are deployment input (default: none)
            assert notifications.on_success == [FAKE_USER["userName"]]
            assert notifications.on_failure == [FAKE_USER["userName"]]


@pytest.mark.parametrize("target", TARGETS)
def test_job_tasks_run_dbt_then_refresh_the_dashboard(target):
    raw = resources_for(target)["jobs"]["lakehouse_job"]
    job = Job.from_dict(without_file(raw))
    tasks = {task.task_key: task for task in job.tasks}
    assert list(tasks) == ["dbt_build", "refresh_dashboard"]

    dbt = tasks["dbt_build"]
    assert dbt.depends_on == []
    assert dbt.environment_key in {environment.environment_key for environment in job.environments}
    environment = next(e for e in job.environments if e.environment_key == dbt.environment_key)
    pins = [dep for dep in environment.spec.dependencies if dep.startswith("dbt-databricks")]
    assert pins == ["dbt-databricks>=1.11,<1.12"], "pin the adapter the project is tested with"
    commands = dbt.dbt_task.commands
    assert [command.split()[:2] for command in commands] == [
        ["dbt", "source"],
        ["dbt", "build"],
    ]
    assert all(f"--target {target}" in command for command in commands)
    assert dbt.dbt_task.warehouse_id is None, "warehouse_id would replace our profiles"

    refresh = tasks["refresh_dashboard"]
    assert [dependency.task_key for dependency in refresh.depends_on] == ["dbt_build"]
    assert refresh.run_if.value == "ALL_SUCCESS"
    dashboard_task = refresh.dashboard_task
    assert str(dashboard_task.dashboard_id) == "${resources.dashboards.lakehouse_kpis.id}"
    assert dashboard_task.warehouse_id == REQUIRED_VARIABLES["warehouse_id"]
    assert dashboard_task.subscription is not None
    if target == "dev":
        subscribers = dashboard_task.subscription.subscribers
        assert [subscriber.user_name for subscriber in subscribers] == [FAKE_USER["userName"]]


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


def load_dashboard() -> dict[str, Any]:
    return json.loads((BUNDLE_ROOT / "resources" / "lakehouse_kpis.lvdash.json").read_text())


def dataset_relations(dataset: dict[str, Any]) -> set[str]:
    sql = " ".join(dataset["queryLines"])
    return set(re.findall(r"\b(?:from|join)\s+([`\w.]+)", sql, flags=re.IGNORECASE))


PAGE_TYPES = {"PAGE_TYPE_CANVAS", "PAGE_TYPE_GLOBAL_FILTERS"}
# The filters every widget follows: (field, filter widget type).
FILTERS = {
    "order_date": "filter-date-range-picker",
    "country": "filter-multi-select",
    "category_name": "filter-multi-select",
    "brand_name": "filter-multi-select",
    "payment_method": "filter-multi-select",
    "gender": "filter-multi-select",
}


def test_dashboard_json_has_the_lakeview_structure():
    dashboard = load_dashboard()
    assert set(dashboard) <= {"datasets", "pages", "uiSettings"}
    datasets = {dataset["name"]: dataset for dataset in dashboard["datasets"]}
    assert len(datasets) == len(dashboard["datasets"]), "dataset names must be unique"
    for dataset in datasets.values():
        assert dataset["displayName"]
        assert all(isinstance(line, str) for line in dataset["queryLines"])
        assert dataset_relations(dataset), f"{dataset['name']} reads no relation"

    widget_names: list[str] = []
    used_datasets: set[str] = set()
    assert dashboard["pages"]
    for page in dashboard["pages"]:
        assert page["name"] and page["displayName"]
        assert page["pageType"] in PAGE_TYPES
        assert page["layout"]
        for item in page["layout"]:
            widget, position = item["widget"], item["position"]
            widget_names.append(widget["name"])
            assert set(position) == {"x", "y", "width", "height"}
            assert all(isinstance(value, int) and value >= 0 for value in position.values())
            assert position["width"] >= 1 and position["x"] + position["width"] <= GRID_WIDTH
            if "multilineTextboxSpec" in widget:
                assert widget["multilineTextboxSpec"]["lines"]
                continue
            spec = widget["spec"]
            assert spec["widgetType"] in WIDGET_TYPES
            assert isinstance(spec["version"], int)
            queries = {query["name"]: query["query"] for query in widget["queries"]}
            for query in queries.values():
                assert query["datasetName"] in datasets, query["datasetName"]
                used_datasets.add(query["datasetName"])
                for field in query["fields"]:
                    assert field["name"] and field["expression"]
            for encoding in widget_encodings(spec):
                owner = queries[encoding.get("queryName", next(iter(queries)))]
                assert encoding["fieldName"] in {field["name"] for field in owner["fields"]}, (
                    f"{widget['name']}: {encoding['fieldName']} is not a field of its query"
                )
    assert len(widget_names) == len(set(widget_names)), "widget names must be unique"
    assert used_datasets == set(datasets), "every dataset is shown by some widget"


def widget_encodings(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every encoding that names a field, including the series of a multi-line y axis."""
    found = []
    for value in spec.get("encodings", {}).values():
        for encoding in value if isinstance(value, list) else [value]:
            if "fields" in encoding:  # y: {"scale": ..., "fields": [...]}
                found.extend(encoding["fields"])
            else:
                found.append(encoding)
    return found


def dashboard_widgets(dashboard: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """widget name -> (page type, widget), for every widget with queries."""
    return {
        item["widget"]["name"]: (page["pageType"], item["widget"])
        for page in dashboard["pages"]
        for item in page["layout"]
        if "queries" in item["widget"]
    }


def dataset_columns(dataset: dict[str, Any]) -> set[str]:
    """The output column names of a dataset query (`x`, `expression as x`)."""
    sql = " ".join(dataset["queryLines"])
    sql = re.sub(r"--[^\n]*", " ", sql)
    select_list = re.search(r"\bselect\b(.*)\bfrom\b", sql, flags=re.IGNORECASE | re.DOTALL)
    assert select_list, dataset["name"]
    columns = set()
    for item in re.split(r",(?![^(]*\))", select_list.group(1)):
        words = item.split()
        columns.add(words[-1].strip("`"))
    return columns


def test_every_dataset_reads_orders_enriched_and_carries_every_filter_field():
    dashboard = load_dashboard()
    for dataset in dashboard["datasets"]:
        assert dataset_relations(dataset) == {"orders_enriched"}, dataset["name"]
        assert set(FILTERS) <= dataset_columns(dataset), dataset["name"]


def test_every_filter_applies_to_every_dataset_on_every_page():
    """The filters sit on the global filters page, so they apply to every page; each one has a
    query on every dataset, so it filters every widget."""
    dashboard = load_dashboard()
    datasets = {dataset["name"] for dataset in dashboard["datasets"]}
    pages = {page["pageType"]: page for page in dashboard["pages"]}
    global_filters = pages["PAGE_TYPE_GLOBAL_FILTERS"]["layout"]
    filters = {}
    for item in global_filters:
        widget = item["widget"]
        fields = {encoding["fieldName"] for encoding in widget_encodings(widget["spec"])}
        assert len(fields) == 1, widget["name"]
        field = fields.pop()
        filters[field] = widget["spec"]["widgetType"]
        filtered = {query["query"]["datasetName"] for query in widget["queries"]}
        assert filtered == datasets, f"{widget['name']} does not filter {datasets - filtered}"
    assert filters == FILTERS
    for page_type, widget in dashboard_widgets(dashboard).values():
        if page_type == "PAGE_TYPE_CANVAS":
            assert not widget["spec"]["widgetType"].startswith("filter-"), widget["name"]


def test_counters_and_charts_aggregate_the_filtered_slice():
    """No widget shows a precomputed total: every counter and chart aggregates the dataset's
    rows (disaggregated false), so it is computed over whatever rows the filters leave."""
    dashboard = load_dashboard()
    for page_type, widget in dashboard_widgets(dashboard).values():
        if page_type != "PAGE_TYPE_CANVAS":
            continue
        for query in widget["queries"]:
            assert query["query"]["disaggregated"] is False, widget["name"]
            expressions = [field["expression"] for field in query["query"]["fields"]]
            assert any(re.match(r"(SUM|AVG|COUNT)\(", e) for e in expressions), widget["name"]


def test_dashboard_shows_the_requested_views():
    dashboard = load_dashboard()
    pages = {page["name"]: page for page in dashboard["pages"]}
    assert {"revenue", "cancellations", "customers"} <= set(pages)
    shown: dict[str, set[tuple[str, frozenset[str]]]] = {}
    for name, page in pages.items():
        for item in page["layout"]:
            widget = item["widget"]
            for query in widget.get("queries", []):
                fields = frozenset(field["expression"] for field in query["query"]["fields"])
                shown.setdefault(name, set()).add((widget["spec"]["widgetType"], fields))

    def has(page: str, widget_type: str, *expressions: str) -> bool:
        return any(
            kind == widget_type and set(expressions) <= fields
            for kind, fields in shown.get(page, set())
        )

    revenue, lost, rate = "SUM(`revenue`)", "SUM(`lost_revenue`)", "AVG(`cancelled_orders`)"
    assert has("revenue", "counter", revenue)
    assert has("revenue", "counter", "COUNT(`*`)")
    assert has("revenue", "line", "`order_date`", revenue)
    for dimension in ("category_name", "brand_name", "country", "payment_method", "gender"):
        assert has("revenue", "bar", f"`{dimension}`", revenue), dimension
    assert has("cancellations", "counter", rate)
    assert has("cancellations", "counter", lost)
    assert has("cancellations", "bar", "`payment_method`", rate)
    assert has("cancellations", "bar", "`product_name`", lost)
    assert has("cancellations", "bar", "`brand_name`", "`category_name`", lost)
    assert has("cancellations", "bar", "`customer_id`", "`country`", "SUM(`cancelled_orders`)")
    assert has("cancellations", "line", "`order_date`", lost)
    assert has("customers", "counter", "COUNT(DISTINCT `customer_id`)")
    assert has("customers", "bar", "`country`", "COUNT(DISTINCT `customer_id`)")
    assert has("customers", "bar", "`customer_id`", "`country`", revenue)


@pytest.mark.parametrize("missing", sorted(REQUIRED_VARIABLES))
def test_a_deploy_without_a_required_variable_is_refused(missing):
    passed = {name: value for name, value in REQUIRED_VARIABLES.items() if name != missing}
    with pytest.raises(BundleVariableError, match=missing):
        resolved_resources("prod", variables=passed, current_user=FAKE_USER)
