"""The Databricks targets, offline: dbt-databricks parses the project for `dev` and `prod`
(profiles.yml.example, and the bundle job's own arguments with orchestration/dbt_profiles), and
the Databricks-only configs land on the right models and on no other engine.

Dummy credentials: `dbt parse` and `dbt ls` never connect. What a warehouse would still have to
prove (the SQL running, grants, masks, MERGE) is listed in the README.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from orchestration.bundle import BUNDLE_ROOT, resolved_resources

CATALOGS = {"dev": "lakehouse_dev", "prod": "lakehouse"}
LAYERS = ("bronze", "silver", "gold")
PII_COLUMNS = {"first_name", "last_name", "email"}
FAKE_USER = {"short_name": "jdoe", "userName": "jdoe@example.com"}
BUNDLE_VARIABLES = {"warehouse_id": "0123456789abcdef", "raw_root": "s3://lakehouse-raw/raw"}


def models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]


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
    assert clustering["kpis_daily"] == ["order_date"]
    assert clustering["kpis_by_product"] == ["category_name", "brand_name"]
    assert clustering["kpis_by_customer"] == ["country"]
    # the dashboards' filters (at most 4 clustering keys): the date range first
    assert clustering["orders_enriched"] == [
        "order_date",
        "country",
        "category_name",
        "payment_method",
    ]
    fact_orders = nodes["fact_orders"]["config"]
    assert fact_orders["materialized"] == "incremental"
    assert fact_orders["incremental_strategy"] == "merge"
    assert fact_orders["unique_key"] == "order_id"
    assert fact_orders["matched_condition"] == (
        "DBT_INTERNAL_DEST.updated_at <= DBT_INTERNAL_SOURCE.updated_at"
    )
    # Customer PII is masked in silver and in the customer snapshot (which copies it).
    manifest = dbt_parses[target].manifest
    snapshots = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "snapshot"
    }
    for node in (nodes["dim_customers"], snapshots["customers_snapshot"]):
        hooks = [hook["sql"] for hook in node["config"]["post-hook"]]
        assert any("mask_pii_columns(['first_name', 'last_name', 'email'])" in h for h in hooks)


def test_no_databricks_config_reaches_duckdb(dbt_parses):
    for node in models(dbt_parses["local"].manifest):
        config = node["config"]
        assert config.get("file_format") != "delta", node["name"]
        assert not config.get("tblproperties"), node["name"]
        assert not config.get("grants"), node["name"]
        assert not config.get("liquid_clustered_by"), node["name"]
        assert not config.get("matched_condition"), node["name"]
        assert node["schema"] == layer(node), node["name"]


def test_no_customer_pii_is_documented_in_gold(dbt_parses):
    for node in models(dbt_parses["prod"].manifest):
        if layer(node) == "gold":
            assert node["columns"], f"{node['name']} documents no columns"
            assert not set(node["columns"]) & PII_COLUMNS, node["name"]


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_the_job_writes_where_the_dashboard_reads(target, dbt_parses):
    """The job's exact dbt arguments with its own profiles: the catalog and gold schema dbt
    writes to are the ones the bundle's dashboard reads (dataset_catalog / dataset_schema)."""
    manifest = dbt_parses[f"job-{target}"].manifest
    resources = resolved_resources(target, variables=BUNDLE_VARIABLES, current_user=FAKE_USER)
    dashboard = resources["dashboards"]["lakehouse_kpis"]
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
    assert exposures["local_kpi_dashboard"]["url"] == "data/dashboard/index.html"
