"""The Databricks targets, offline: dbt-databricks parses the project for `dev` and `prod`
(profiles.yml.example, and the bundle job's own arguments with orchestration/dbt_profiles), and
the Databricks-only configs land on the right models and on no other engine.

Dummy credentials: `dbt parse` and `dbt ls` never connect. What a warehouse would still have to
prove (the SQL running, grants, masks, MERGE) is listed in the README.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pytest

from orchestration.tests.databricks_cli import BUNDLE_ROOT

CATALOGS = {"dev": "lakehouse_dev", "prod": "lakehouse"}
LAYERS = ("bronze", "silver", "gold")
PII_COLUMNS = {"first_name", "last_name", "email"}


def models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


def snapshots(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "snapshot"]


def layer(node: dict[str, Any]) -> str:
    return node["original_file_path"].split("/")[1]


def expected_schema(target: str, name: str) -> str:
    """generate_schema_name: exact in prod, `<profile schema>_<name>` in dev (jdoe here)."""
    return f"jdoe_{name}" if target == "dev" else name


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_parse_and_ls_offline(target, dbt_parses):
    parse = dbt_parses[target]
    manifest = parse.manifest
    assert manifest["metadata"]["adapter_type"] == "databricks"
    nodes = models(manifest)
    assert {layer(node) for node in nodes} == set(LAYERS)
    for node in nodes:
        assert node["database"] == CATALOGS[target], node["name"]
        assert node["schema"] == expected_schema(target, layer(node)), node["name"]
    assert sorted(parse.listed) == sorted(node["name"] for node in nodes)


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_databricks_configs(target, dbt_parses):
    nodes = {node["name"]: node for node in models(dbt_parses[target].manifest)}
    for node in nodes.values():
        config = node["config"]
        assert config["file_format"] == "delta", node["name"]
        assert config["tblproperties"]["delta.autoOptimize.optimizeWrite"] == "true"
        assert config["persist_docs"] == {"relation": True, "columns": True}
        # Analysts read gold and nothing else.
        expected_grants = {"select": ["analysts"]} if layer(node) == "gold" else {}
        assert config["grants"] == expected_grants, node["name"]
    clustering = {name: node["config"].get("liquid_clustered_by") for name, node in nodes.items()}
    # the marts on the grain keys their incremental runs delete and insert by
    assert clustering["kpis_daily"] == ["order_date"]
    assert clustering["kpis_by_product"] == ["product_id"]
    assert clustering["kpis_by_customer"] == ["customer_id"]
    # merged by order_id, sliced by the dashboards' filters (at most 4 clustering keys)
    assert clustering["orders_enriched"] == ["order_id", "order_date", "country", "category_name"]
    # the KPI metric view beside it, which the analysts may query (e2e/test_metrics.py renders it)
    hooks = [hook["sql"] for hook in nodes["orders_enriched"]["config"]["post-hook"]]
    assert hooks[-2:] == ["{{ gold_metric_view(this) }}", "{{ grant_metric_view_select(this) }}"]
    fact_orders = nodes["fact_orders"]["config"]
    assert fact_orders["materialized"] == "incremental"
    assert fact_orders["incremental_strategy"] == "merge"
    assert fact_orders["unique_key"] == "order_id"
    assert fact_orders["matched_condition"] == (
        "DBT_INTERNAL_DEST.updated_at <= DBT_INTERNAL_SOURCE.updated_at"
    )
    # Snapshots are tables too: the same Delta configs as the models.
    snapshot_nodes = {node["name"]: node for node in snapshots(dbt_parses[target].manifest)}
    assert snapshot_nodes
    for node in snapshot_nodes.values():
        config = node["config"]
        assert config["file_format"] == "delta", node["name"]
        assert config["tblproperties"] == nodes["kpis_daily"]["config"]["tblproperties"]
        assert config["persist_docs"] == {"relation": True, "columns": True}, node["name"]
    # Customer PII is masked in silver and in the customer snapshot (which copies it).
    for node in (nodes["dim_customers"], snapshot_nodes["customers_snapshot"]):
        hooks = [hook["sql"] for hook in node["config"]["post-hook"]]
        assert any("mask_pii_columns(['first_name', 'last_name', 'email'])" in h for h in hooks)


def test_no_databricks_config_reaches_duckdb(dbt_parses):
    manifest = dbt_parses["local"].manifest
    for node in models(manifest):
        config = node["config"]
        assert config.get("file_format") != "delta", node["name"]
        assert not config.get("tblproperties"), node["name"]
        assert not config.get("grants"), node["name"]
        assert not config.get("liquid_clustered_by"), node["name"]
        assert not config.get("matched_condition"), node["name"]
        assert node["schema"] == layer(node), node["name"]
    assert snapshots(manifest)
    for node in snapshots(manifest):
        config = node["config"]
        assert config.get("file_format") != "delta", node["name"]
        assert not config.get("tblproperties"), node["name"]
        assert not config.get("persist_docs"), node["name"]


def test_no_customer_pii_is_documented_in_gold(dbt_parses):
    for node in models(dbt_parses["prod"].manifest):
        if layer(node) == "gold":
            assert node["columns"], f"{node['name']} documents no columns"
            assert not set(node["columns"]) & PII_COLUMNS, node["name"]


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_the_job_writes_where_the_dashboard_reads(target, dbt_parses, bundles):
    """The job's exact dbt arguments with its own profiles: the catalog and gold schema dbt
    writes to are the ones the bundle's dashboard reads (dataset_catalog / dataset_schema)."""
    manifest = dbt_parses[f"job-{target}"].manifest
    dashboard = bundles[target]["resources"]["dashboards"]["lakehouse_kpis"]
    gold = [node for node in models(manifest) if layer(node) == "gold"]
    assert gold
    for node in gold:
        assert node["database"] == dashboard["dataset_catalog"] == CATALOGS[target]
        assert node["schema"] == dashboard["dataset_schema"]
    for node in models(manifest):
        assert node["schema"] == expected_schema(target, layer(node)), node["name"]


def test_dashboard_datasets_read_only_unqualified_gold_relations(gold_relations):
    """Unqualified names: the bundle's dataset_catalog / dataset_schema pick the target's gold."""
    dashboard = json.loads((BUNDLE_ROOT / "resources" / "lakehouse_kpis.lvdash.json").read_text())
    for dataset in dashboard["datasets"]:
        sql = " ".join(dataset["queryLines"])
        relations = set(re.findall(r"\b(?:from|join)\s+([`\w.]+)", sql, flags=re.IGNORECASE))
        assert relations, dataset["name"]
        assert relations <= gold_relations, (dataset["name"], relations - gold_relations)


def test_the_dashboards_are_exposures_at_the_end_of_the_lineage(dbt_parses, gold_relations):
    manifest = dbt_parses["prod"].manifest
    exposures = {node["name"]: node for node in manifest["exposures"].values()}
    assert set(exposures) == {"lakeview_kpi_dashboard", "local_kpi_dashboard"}
    gold_ids = {node["unique_id"] for node in models(manifest) if node["alias"] in gold_relations}
    for exposure in exposures.values():
        assert exposure["type"] == "dashboard"
    # Lakeview reads orders_enriched only; the local dashboard also the marts (the mail's KPIs).
    lakeview = exposures["lakeview_kpi_dashboard"]["depends_on"]["nodes"]
    assert lakeview == ["model.lakehouse.orders_enriched"]
    assert set(exposures["local_kpi_dashboard"]["depends_on"]["nodes"]) == gold_ids
    assert exposures["local_kpi_dashboard"]["url"] is None
    # The Lakeview dashboard's URL depends on the workspace: no URL rather than prose.
    assert exposures["lakeview_kpi_dashboard"]["url"] is None
    for exposure in exposures.values():
        url = exposure["url"]
        if url is not None:
            assert not re.search(r"[\s<>()]", url), url
            assert urlsplit(url).scheme in {"", "http", "https"}, url


def test_dbt_parse_warns_about_nothing(dbt_parses):
    """No deprecation (nor any other warning) on any target, with profiles.yml.example and
    with the job's exact arguments and profiles: dbt's structured log events of each parse."""
    assert {"dev", "prod", "local", "spark", "job-dev", "job-prod"} <= set(dbt_parses)
    for name, parse in dbt_parses.items():
        events = parse.events
        assert any(event["info"]["name"] == "CommandCompleted" for event in events), name
        warnings = [
            f"{event['info']['name']}: {event['info']['msg']}"
            for event in events
            if event["info"]["level"] in {"warn", "error"} or "Deprecation" in event["info"]["name"]
        ]
        assert not warnings, f"{name}:\n" + "\n".join(warnings)


def project_hooks(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """on-run-start / on-run-end: `dbt source freshness` runs them too (dbt 1.11's
    source_freshness_run_project_hooks defaults to true)."""
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "operation"]


def macro_closure(manifest: dict[str, Any], roots: list[str]) -> set[str]:
    """The macros `roots` call, transitively (dbt's depends_on.macros)."""
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        unique_id = pending.pop()
        if unique_id not in seen:
            seen.add(unique_id)
            pending.extend(manifest["macros"][unique_id]["depends_on"]["macros"])
    return seen


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_freshness_runs_no_hook_that_needs_a_built_relation(target, dbt_parses):
    """The job's first command, `dbt source freshness`, runs the project hooks before any
    `dbt build` created a schema. The only one is on-run-start's stage_raw_sources, whose
    Databricks variant stages nothing (the files are read by path); no project hook grants on
    (or reads) gold."""
    manifest = dbt_parses[f"job-{target}"].manifest
    hooks = project_hooks(manifest)
    assert [hook["raw_code"] for hook in hooks] == ["{{ stage_raw_sources() }}"]
    assert all("on-run-start" in hook["name"] for hook in hooks)
    called = macro_closure(manifest, [m for hook in hooks for m in hook["depends_on"]["macros"]])
    names = {manifest["macros"][unique_id]["name"] for unique_id in called}
    assert "databricks__stage_raw_source" in names and "grant_gold_schema_usage" not in names
    assert not {"spark__stage_raw_source", "duckdb__stage_raw_source"} & names


# SQL that would register a table (or a path-based view) over the raw zone: what Unity Catalog
# refuses (no binaryFile tables, no tables overlapping others) and the design forbids.
RAW_ZONE_DDL = re.compile(
    r"create\s+(or\s+replace\s+)?(global\s+)?(temporary\s+)?(external\s+)?(table|view)"
    r"[^;]*?\b(location|using\s+(binaryfile|csv|text|json))\b",
    flags=re.IGNORECASE | re.DOTALL,
)


def databricks_sql(manifest: dict[str, Any], roots: list[str]) -> dict[str, str]:
    """The Jinja SQL Databricks runs from roots (nodes' raw code and macros): dbt resolves each
    adapter.dispatch for the parsed target, so a dispatched macro's closure holds the variant
    dbt-databricks runs (databricks__, else spark__, else default__)."""
    sql = {}
    for unique_id in macro_closure(manifest, roots):
        macro = manifest["macros"][unique_id]
        if macro["package_name"] == "lakehouse":  # dbt-databricks' own create only dbt's tables
            sql[macro["name"]] = macro["macro_sql"]
    return sql


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_no_databricks_sql_registers_a_table_over_the_raw_zone(target, dbt_parses):
    """Everything the job runs on Databricks, read from dbt-databricks' parse of the job's exact
    commands: the project hook (`dbt source freshness` runs it too), the raw sources'
    loaded_at_query (the freshness itself), and every model, test and snapshot with the macros
    they call. None creates a table or view over the raw zone (`create ... location`, `using
    binaryFile`, `using csv`); the raw zone is read only by path, with read_files (binaryFile
    for the listing, csv for the rows, text for the reader-free count of data rows), which
    needs only READ FILES on its external location."""
    manifest = dbt_parses[f"job-{target}"].manifest
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in {"operation", "model", "test", "snapshot"}
    ]
    roots = [macro for node in nodes for macro in node["depends_on"]["macros"]]
    sources = [node for node in manifest["sources"].values() if node["source_name"] == "raw"]
    assert {source["loaded_at_query"] for source in sources} == {"{{ raw_files_loaded_at() }}"}
    roots.append("macro.lakehouse.raw_files_loaded_at")
    sql = databricks_sql(manifest, roots)
    texts = {**sql, **{node["unique_id"]: node["raw_code"] for node in nodes}}
    offending = {name: match.group(0) for name, text in texts.items()
                 if (match := RAW_ZONE_DDL.search(text))}  # fmt: skip
    assert not offending, offending
    # the raw zone is read by path, by the Databricks variants, and by nothing else
    readers = {name for name, text in sql.items() if "read_files(" in text}
    assert readers == {
        "databricks__raw_file_listing",
        "databricks__raw_file_rows",
        "databricks__raw_file_lines",
    }
    assert "format => 'binaryFile'" in sql["databricks__raw_file_listing"]
    assert "format => 'csv'" in sql["databricks__raw_file_rows"]
    assert "format => 'text'" in sql["databricks__raw_file_lines"]
    assert "_metadata.file_path" in sql["databricks__raw_file_rows"]
    assert not {"spark__raw_file_listing", "spark__stage_raw_source"} & set(sql)
    assert sql["databricks__stage_raw_source"].split("%}", 1)[1].split("{%")[0].strip() == ""
    # the raw schema is never created on Databricks (no on-run-start DDL at all), and dbt's
    # own tables are managed tables: no model or snapshot has a location
    assert not any("create_schema" in text for text in sql.values())
    for node in nodes:
        assert not node["config"].get("location_root"), node["unique_id"]


def test_the_rule_raw_zone_ddl_catches_the_old_staging(dbt_parses):
    """The pattern above finds what the project did before (and still does on local Spark, in
    session views): the Spark staging macro's external-table-like views."""
    spark = dbt_parses["spark"].manifest["macros"]["macro.lakehouse.spark__stage_raw_source"]
    assert RAW_ZONE_DDL.search(spark["macro_sql"])
    old = (
        "create table if not exists raw.orders__listing using binaryFile location 's3://b/orders/'"
    )
    assert RAW_ZONE_DDL.search(old)


def render_macro(manifest: dict[str, Any], name: str, dbt_vars: dict[str, str], **kwargs: Any):
    """A project macro's SQL with dbt-databricks' quoting (backticks) and the job's --vars."""

    class Adapter:
        @staticmethod
        def quote(identifier: str) -> str:
            return f"`{identifier}`"

    macro = manifest["macros"][f"macro.lakehouse.{name}"]["macro_sql"]
    template = jinja2.Environment().from_string(macro + "{{ " + name + "(**kwargs) }}")
    rendered = template.render(
        adapter=Adapter, var=lambda key, default=None: dbt_vars.get(key, default), kwargs=kwargs
    )
    return " ".join(rendered.split())


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_gold_grants_live_with_the_gold_models(target, dbt_parses):
    """USE SCHEMA on gold is a post-hook of each gold model (it runs once the model, hence
    its schema, exists), next to dbt's SELECT `grants`; nothing else gets grants."""
    parse = dbt_parses[f"job-{target}"]
    manifest = parse.manifest
    dbt_vars = json.loads(parse.args[parse.args.index("--vars") + 1])
    analysts = dbt_vars["analysts_group"]
    for node in models(manifest):
        hooks = [hook["sql"] for hook in node["config"]["post-hook"]]
        grants = "{{ grant_gold_schema_usage(this) }}" in hooks
        assert grants == (layer(node) == "gold"), node["name"]
        expected = {"select": [analysts]} if layer(node) == "gold" else {}
        assert node["config"]["grants"] == expected, node["name"]
        if grants:
            relation = {"database": node["database"], "schema": node["schema"]}
            sql = render_macro(
                manifest,
                "databricks__grant_gold_schema_usage",
                dbt_vars,
                relation=SimpleNamespace(**relation),
            )
            assert sql == (
                f"grant use schema on schema `{CATALOGS[target]}`."
                f"`{expected_schema(target, 'gold')}` to `{analysts}`"
            )
