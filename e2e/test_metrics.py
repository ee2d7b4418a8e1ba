"""The KPIs are defined once, as dbt semantic models and metrics (models/gold/_gold__metrics.yml):
every KPI mart equals MetricFlow's answer at its grain, for every KPI column it has, so a mart's
formula cannot drift from the definition; the saved queries answer.

MetricFlow runs in this process (dbt-metricflow's CLI configuration, as `mf query` runs), over a
built local lakehouse. `mf` reads the semantic manifest from <project>/target, so the project is
copied and parsed there.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from e2e.helpers import (
    PROJECT_DIR,
    Lakehouse,
    generate,
    patched_environ,
    run_dbt,
)

SEED = 5
GOLD = "gold"


@pytest.fixture(scope="module")
def lakehouse(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    """A built lakehouse (three batches, with later cancellations and repricings) and a copy of
    the project parsed against it, whose target/ holds the semantic manifest `mf` reads."""
    lakehouse = make_lakehouse("metrics")
    generate(lakehouse, seed=SEED, batches=3, orders_per_batch=600)
    run_dbt(["build"], lakehouse.env)
    project = lakehouse.root / "project"
    ignore = shutil.ignore_patterns(".venv", ".git", "data", "target", "logs", "*.duckdb")
    shutil.copytree(PROJECT_DIR, project, ignore=ignore)
    lakehouse.env["DBT_TARGET_PATH"] = str(project / "target")
    run_dbt(["parse"], lakehouse.env, project_dir=project)
    return lakehouse


@pytest.fixture(scope="module")
def marts(lakehouse: Lakehouse) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """Every KPI mart's columns and rows (read before MetricFlow's adapter opens the file)."""
    tables = {}
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        for mart in mart_grains(lakehouse):
            cursor = connection.execute(f"select * from {GOLD}.{mart}")
            columns = [description[0] for description in cursor.description]
            rows = cursor.fetchall()
            tables[mart] = (columns, [dict(zip(columns, row, strict=True)) for row in rows])
    return tables


@pytest.fixture(scope="module")
def orders_enriched(lakehouse: Lakehouse) -> Any:
    """gold.orders_enriched as an Arrow table (read before MetricFlow's adapter opens the file)."""
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        return connection.execute(f"select * from {GOLD}.orders_enriched").to_arrow_table()


@pytest.fixture(scope="module")
def metricflow(lakehouse: Lakehouse, marts: dict[str, Any], orders_enriched: Any) -> Iterator[Any]:
    """MetricFlow's engine over the lakehouse, as `mf query` builds it."""
    from dbt_metricflow.cli.cli_configuration import CLIConfiguration

    project = lakehouse.root / "project"
    with patched_environ(lakehouse.env):
        configuration = CLIConfiguration()
        configuration.setup(
            dbt_profiles_path=Path(lakehouse.env["DBT_PROFILES_DIR"]),
            dbt_project_path=project,
            configure_file_logging=False,
        )
        yield configuration.mf


@pytest.fixture(scope="module")
def semantic_manifest(lakehouse: Lakehouse) -> dict[str, Any]:
    return json.loads(
        (lakehouse.root / "project" / "target" / "semantic_manifest.json").read_text()
    )


def mart_grains(lakehouse: Lakehouse) -> dict[str, list[str]]:
    """Every KPI mart with its grain (its unique_key; none for kpis_overall), from the manifest."""
    manifest = json.loads((lakehouse.root / "project" / "target" / "manifest.json").read_text())
    marts = {}
    for node in manifest["nodes"].values():
        is_gold = node["resource_type"] == "model" and node["fqn"][1] == GOLD
        if is_gold and node["name"] != "orders_enriched":
            key = node["config"].get("unique_key") or []
            marts[node["name"]] = [key] if isinstance(key, str) else key
    return marts


def group_by_names(grain: list[str], semantic_manifest: dict[str, Any]) -> list[str]:
    """MetricFlow's names of a mart's grain columns: an entity for a key (product_id -> product),
    else a dimension of the orders semantic model (order__country, order__order_date__day)."""
    (orders,) = semantic_manifest["semantic_models"]
    entities = {entity["expr"] or entity["name"]: entity["name"] for entity in orders["entities"]}
    dimensions = {dimension["name"]: dimension["type"] for dimension in orders["dimensions"]}
    names = []
    for column in grain:
        if column in entities:
            names.append(entities[column])
        elif dimensions.get(column) == "time":
            names.append(f"order__{column}__day")
        else:
            assert column in dimensions, f"grain column {column} is not in the semantic model"
            names.append(f"order__{column}")
    return names


def metricflow_rows(metricflow: Any, metrics: list[str], group_by: list[str]) -> list[dict]:
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    result = metricflow.query(
        MetricFlowQueryRequest.create(metric_names=metrics, group_by_names=group_by)
    )
    table = result.result_df
    return [dict(zip(table.column_names, row, strict=True)) for row in table.rows]


def same_value(mart_value: Any, metric_value: Any) -> bool:
    """A mart's value and MetricFlow's: money to the cent (MetricFlow may answer decimals as
    floats), rates to 1e-12, counts exactly."""
    if isinstance(mart_value, float) or isinstance(metric_value, float):
        if isinstance(mart_value, Decimal):
            return Decimal(repr(metric_value)).quantize(mart_value) == mart_value
        return math.isclose(mart_value, metric_value, rel_tol=0, abs_tol=1e-12)
    return mart_value == metric_value


def as_key(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def test_every_mart_equals_the_metrics_at_its_grain(
    lakehouse: Lakehouse,
    marts: dict[str, tuple[list[str], list[dict[str, Any]]]],
    metricflow: Any,
    semantic_manifest: dict[str, Any],
) -> None:
    """For each KPI mart, MetricFlow's answer for the mart's KPI columns (every column that is a
    metric) grouped by the mart's grain is the mart, row by row and value by value."""
    metric_names = {metric["name"] for metric in semantic_manifest["metrics"]}
    grains = mart_grains(lakehouse)
    assert len(grains) == 9
    for mart, grain in grains.items():
        columns, mart_rows = marts[mart]
        metrics = [column for column in columns if column in metric_names]
        assert len(metrics) >= 7, (mart, columns)
        names = group_by_names(grain, semantic_manifest)
        answers = metricflow_rows(metricflow, metrics, names)
        by_key = {tuple(as_key(row[name]) for name in names): row for row in answers}
        assert len(by_key) == len(answers) == len(mart_rows), mart
        for mart_row in mart_rows:
            answer = by_key[tuple(mart_row[column] for column in grain)]
            for metric in metrics:
                assert same_value(mart_row[metric], answer[metric]), (
                    mart,
                    metric,
                    mart_row,
                    answer,
                )


def test_the_saved_queries_answer(lakehouse: Lakehouse, metricflow: Any) -> None:
    """Every saved query of the definitions runs and answers rows (the views of the seed)."""
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    saved_queries = json.loads(
        (lakehouse.root / "project" / "target" / "semantic_manifest.json").read_text()
    )["saved_queries"]
    assert len(saved_queries) >= 10
    for saved_query in saved_queries:
        result = metricflow.query(
            MetricFlowQueryRequest.create(saved_query_name=saved_query["name"])
        )
        assert result.result_df.rows, saved_query["name"]


METRIC_VIEW_DDL = re.compile(
    r"create or replace view (?P<name>\S+)\s+with metrics\s+language yaml\s+as \$\$\n"
    r"(?P<yaml>.*?)\$\$",
    flags=re.S,
)


def test_the_databricks_metric_view_answers_like_the_marts(
    lakehouse: Lakehouse,
    marts: dict[str, tuple[list[str], list[dict[str, Any]]]],
    orders_enriched: Any,
    tmp_path: Path,
) -> None:
    """The Unity Catalog metric view orders_enriched's post-hook creates on Databricks, printed
    by dbt-databricks for the prod target without connecting: every metric of the definitions is
    one of its measures, every entity and dimension one of its dimensions; and its measure
    expressions (MEASURE() of another measure expanded), evaluated over orders_enriched grouped
    by each mart's grain, are the mart. What stays unproven offline: Databricks accepting the
    YAML and answering MEASURE() queries (docs/databricks.md)."""
    project = lakehouse.root / "project"
    shutil.copy(project / "profiles.yml.example", tmp_path / "profiles.yml")
    env = {
        **lakehouse.env,
        "DBT_PROFILES_DIR": str(tmp_path),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DATABRICKS_HOST": "example.cloud.databricks.com",
        "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/offline",
        "DATABRICKS_TOKEN": "offline",
    }
    printed = run_dbt(
        ["run-operation", "print_gold_metric_view", "--target", "prod"], env, project_dir=project
    ).stdout
    ddl = METRIC_VIEW_DDL.search(printed)
    assert ddl, printed
    assert ddl["name"] == "`lakehouse`.`gold`.`kpi_metrics`"
    view = yaml.safe_load(ddl["yaml"])
    assert view["version"] == 1.1
    assert view["source"] == "`lakehouse`.`gold`.`orders_enriched`"
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    (orders,) = manifest["semantic_models"].values()
    measures = {measure["name"]: measure["expr"] for measure in view["measures"]}
    assert set(measures) == {metric["name"] for metric in manifest["metrics"].values()}
    dimensions = [dimension["name"] for dimension in view["dimensions"]]
    assert dimensions == [entity["expr"] or entity["name"] for entity in orders["entities"]] + [
        dimension["name"] for dimension in orders["dimensions"]
    ]
    expanded = {
        name: re.sub(r"MEASURE\((\w+)\)", lambda match: f"({measures[match[1]]})", expr)
        for name, expr in measures.items()
    }
    connection = duckdb.connect()
    connection.register("orders_enriched", orders_enriched)
    grains = mart_grains(lakehouse)
    assert len(grains) == 9
    for mart, grain in grains.items():
        columns, mart_rows = marts[mart]
        assert set(grain) <= set(dimensions), (mart, grain)
        kpis = [column for column in columns if column in expanded]
        assert len(kpis) >= 7, (mart, columns)
        selected = ", ".join([*grain, *(f"{expanded[kpi]} as {kpi}" for kpi in kpis)])
        group_by = f"group by {', '.join(grain)}" if grain else ""
        cursor = connection.execute(f"select {selected} from orders_enriched {group_by}")
        names = [description[0] for description in cursor.description]
        answers = {
            tuple(row[: len(grain)]): dict(zip(names, row, strict=True))
            for row in cursor.fetchall()
        }
        assert len(answers) == len(mart_rows), mart
        for mart_row in mart_rows:
            answer = answers[tuple(mart_row[column] for column in grain)]
            for kpi in kpis:
                assert same_value(mart_row[kpi], answer[kpi]), (mart, kpi, mart_row, answer)


RECIPE = re.compile(
    r"<!-- recipe: (?P<path>\S+)(?: \| in: \"(?P<within>[^\"]+)\")?"
    r" \| insert before: \"(?P<anchor>[^\"]+)\" -->\n(?P<indent> *)```\w*\n(?P<code>.*?)```",
    flags=re.S,
)


def recipe_steps() -> list[dict[str, str]]:
    """The code blocks of docs/extending.md's "A new KPI", each with the file it goes in, the
    line it goes before and the block of the file (a model's YAML entry) that line is in."""
    text = (PROJECT_DIR / "docs" / "extending.md").read_text()
    section = text.split("## A new KPI\n", 1)[1].split("\n## ", 1)[0]
    steps = [match.groupdict() for match in RECIPE.finditer(section)]
    for step in steps:  # a block is indented as a list item of the doc, its fence too
        indent = len(step.pop("indent"))
        step["code"] = "".join(line[indent:] for line in step["code"].splitlines(keepends=True))
    return steps


def apply_step(project: Path, step: dict[str, str]) -> None:
    """Insert a step's code before its anchor line (within the named block, if any)."""
    path = project / step["path"]
    text = path.read_text()
    start = text.index(step["within"]) if step["within"] else 0
    at = text.index(step["anchor"], start)
    path.write_text(text[:at] + step["code"] + text[at:])


def test_docs_recipe_for_a_kpi_on_a_grain_works_on_an_existing_warehouse(
    lakehouse: Lakehouse, metricflow: Any
) -> None:
    """docs/extending.md's recipe, applied literally to a copy of the project over the built
    warehouse: the metric's definition and at most two other files change, a plain `dbt build`
    applies it (the column added, the mart recomputed in place), and the mart's new column is
    MetricFlow's answer by brand; the local dashboard has the metric."""
    from orchestration import kpi_definitions
    from orchestration.tasks import release_duckdb

    release_duckdb()  # the MetricFlow queries above hold the warehouse
    project = lakehouse.root / "project"
    steps = recipe_steps()
    assert len(steps) == 2
    for step in steps:
        apply_step(project, step)
    touched = {step["path"] for step in steps} - {"models/gold/_gold__metrics.yml"}
    assert len(touched) <= 2, touched

    run_dbt(["build"], lakehouse.env, project_dir=project)
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        brands = connection.execute(
            "select brand_name, revenue, placed_orders, average_order_value from gold.kpis_by_brand"
        ).fetchall()
    answers = {
        row["order__brand_name"]: row["average_order_value"]
        for row in metricflow_rows(metricflow, ["average_order_value"], ["order__brand_name"])
    }
    release_duckdb()
    assert len(answers) == len(brands) > 5
    for brand, revenue, placed_orders, average_order_value in brands:
        assert math.isclose(average_order_value, float(revenue) / placed_orders, rel_tol=1e-12)
        assert same_value(average_order_value, answers[brand])
    assert "average_order_value" in kpi_definitions.NAMES
