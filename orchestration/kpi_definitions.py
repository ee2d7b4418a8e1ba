"""The KPIs of both dashboards, taken from their one definition: the dbt semantic model and
metrics of `models/gold/_gold__metrics.yml` (with the descriptions of
`models/gold/_gold__docs.md`), which MetricFlow answers and the KPI marts equal.

From the definitions come the KPI list (names, labels, formats, descriptions, in the order of the
metrics) and the SQL of every dashboard answer: each measure's expression gives what one order
adds (`order_contributions_sql`), each metric sums its measure, or divides two sums for a ratio
metric (`group_columns_sql`). Everything in the dashboard that names, computes or formats a KPI
reads it from here: the answer queries (templates/dashboard_*.sql.j2), the charts and tiles of
the page, the KPI table and its CSV, and the PDF report. A metric added to the definitions is on
the dashboard.

The Lakeview dashboard's dataset (`lakeview_query_lines`: one row per order with the semantic
model's entities and dimensions, and per simple metric its measure's expression, which the widgets
sum) and the KPI table of docs/kpis.md (`docs_table_lines`) are generated from the same
definitions: `python -m orchestration.kpi_definitions` writes both, and tests fail when they
differ (orchestration/tests/test_kpi_definitions.py, test_dashboard_lakeview.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import yaml

from orchestration.settings import PROJECT_DIR

DEFINITIONS = PROJECT_DIR / "models" / "gold" / "_gold__metrics.yml"
LAKEVIEW = PROJECT_DIR / "orchestration" / "resources" / "lakehouse_kpis.lvdash.json"
KPI_DOC = PROJECT_DIR / "docs" / "kpis.md"
TABLE_START = "<!-- the KPI table: written by `python -m orchestration.kpi_definitions` -->"
TABLE_END = "<!-- end of the KPI table -->"
DOC_BLOCKS = PROJECT_DIR / "models" / "gold" / "_gold__docs.md"
# the SQL type of a simple metric's sum by its format (the marts' contract types)
TYPES = {"count": "bigint", "money": "decimal(38, 2)"}


@dataclass(frozen=True)
class Kpi:
    name: str  # the metric: the column of the gold marts and of every dashboard answer
    label: str  # how a person reads it
    kind: str  # "money" (2 decimals), "count" (an integer) or "rate" (a fraction of 1)
    description: str


def _doc_blocks() -> dict[str, str]:
    """The doc blocks of the gold folder ({% docs name %} ... {% enddocs %}), as plain text."""
    blocks = re.findall(
        r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}", DOC_BLOCKS.read_text(), flags=re.S
    )
    return {name: " ".join(text.split()) for name, text in blocks}


def _description(text: str, docs: dict[str, str]) -> str:
    return re.sub(r"{{\s*doc\('(\w+)'\)\s*}}", lambda match: docs[match.group(1)], text).strip()


def _load() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The orders semantic model and the metrics, as written."""
    definitions = yaml.safe_load(DEFINITIONS.read_text())
    (orders,) = definitions["semantic_models"]
    return orders, definitions["metrics"]


ORDERS, METRICS = _load()
MEASURES = ORDERS["measures"]
_DOCS = _doc_blocks()
KPIS = tuple(
    Kpi(
        name=metric["name"],
        label=metric["label"],
        kind=metric["config"]["meta"]["format"],
        description=_description(metric["description"], _DOCS),
    )
    for metric in METRICS
)
BY_NAME = {kpi.name: kpi for kpi in KPIS}
NAMES = tuple(kpi.name for kpi in KPIS)
_MEASURE_OF = {
    metric["name"]: metric["type_params"]["measure"]["name"]
    for metric in METRICS
    if metric["type"] == "simple"
}


def order_contributions_sql() -> str:
    """The select-list items that give each order's contribution to every measure (a column named
    after the measure), from the columns of orders_enriched the expressions read."""
    return ",\n".join(f"{measure['expr']} as {measure['name']}" for measure in MEASURES)


def group_columns_sql() -> str:
    """The aggregates that give a group's KPIs (every name of NAMES) from those contributions: a
    simple metric sums its measure (0 for no orders), a ratio metric divides the sums of its
    numerator's and denominator's measures, a double (no value when the denominator is 0)."""
    columns = []
    for metric in METRICS:
        if metric["type"] == "simple":
            total = f"coalesce(sum({_MEASURE_OF[metric['name']]}), 0)"
            sql_type = TYPES[metric["config"]["meta"]["format"]]
            columns.append(f"cast({total} as {sql_type}) as {metric['name']}")
        elif metric["type"] == "ratio":
            numerator = f"sum({_MEASURE_OF[metric['type_params']['numerator']]})"
            denominator = f"sum({_MEASURE_OF[metric['type_params']['denominator']]})"
            columns.append(
                f"cast({numerator} as double) / nullif(cast({denominator} as double), 0)"
                f" as {metric['name']}"
            )
        else:
            raise ValueError(f"metric {metric['name']}: type {metric['type']} is not supported")
    return ",\n".join(columns)


def measure_of(metric: str) -> dict[str, Any]:
    """The measure a simple metric sums."""
    return next(measure for measure in MEASURES if measure["name"] == _MEASURE_OF[metric])


def lakeview_query_lines() -> list[str]:
    """The Lakeview dataset's query: one row per order of orders_enriched with the semantic
    model's entities and dimensions, and per simple metric what the order adds to it (its
    measure's expression, named after the metric: the widgets SUM it, and a ratio metric is the
    ratio of two such sums)."""
    keys = [entity.get("expr") or entity["name"] for entity in ORDERS["entities"]]
    attributes = [dimension["name"] for dimension in ORDERS["dimensions"]]
    additive = [
        f"  {measure_of(metric['name'])['expr']} as {metric['name']}"
        for metric in METRICS
        if metric["type"] == "simple"
    ]
    columns = [*(f"  {column}" for column in [*keys, *attributes]), *additive]
    return [
        "-- one row per current order and what it adds to each KPI: written by\n",
        "-- `python -m orchestration.kpi_definitions` after models/gold/_gold__metrics.yml\n",
        "select\n",
        *(
            column + (",\n" if number < len(columns) - 1 else "\n")
            for number, column in enumerate(columns)
        ),
        "from orders_enriched\n",
    ]


def formula(metric: dict[str, Any]) -> str:
    """How a metric is computed, as the docs say it."""
    if metric["type"] == "simple":
        return f"sum over the orders of `{measure_of(metric['name'])['expr']}`"
    params = metric["type_params"]
    return f"`{params['numerator']} / {params['denominator']}` (ratio)"


def docs_table_lines() -> list[str]:
    """The KPI table of docs/kpis.md: every metric with its label, its formula and definition."""
    lines = ["| metric | label | formula | definition |", "|---|---|---|---|"]
    for metric, kpi in zip(METRICS, KPIS, strict=True):
        lines.append(f"| `{kpi.name}` | {kpi.label} | {formula(metric)} | {kpi.description} |")
    return lines


def write_generated() -> None:
    """Write the generated query into the Lakeview dashboard's dataset and the KPI table into
    docs/kpis.md (between its markers)."""
    dashboard = json.loads(LAKEVIEW.read_text())
    (dataset,) = dashboard["datasets"]
    dataset["queryLines"] = lakeview_query_lines()
    LAKEVIEW.write_text(json.dumps(dashboard, indent=2) + "\n")
    text = KPI_DOC.read_text()
    before, rest = text.split(TABLE_START + "\n", 1)
    _, after = rest.split(TABLE_END, 1)
    table = "\n".join(docs_table_lines())
    KPI_DOC.write_text(f"{before}{TABLE_START}\n{table}\n{TABLE_END}{after}")


def value(name: str, raw: Any) -> float | int:
    """A KPI value from the database as a JSON number: money and rates as floats, counts as
    integers (None, for a group that has no orders, as 0)."""
    if raw is None:
        raw = 0
    return int(raw) if BY_NAME[name].kind == "count" else float(raw)


def csv_value(name: str, raw: Any) -> str:
    """A KPI value as CSV text: money with its two decimals, a rate in full precision."""
    kind = BY_NAME[name].kind
    if raw is None:
        return ""
    if kind == "money":
        return f"{Decimal(str(raw)):.2f}"
    return str(int(raw)) if kind == "count" else repr(float(raw))


def for_page() -> list[dict[str, str]]:
    """The KPI list as the page's script reads it."""
    return [asdict(kpi) for kpi in KPIS]


if __name__ == "__main__":
    write_generated()
    print(f"wrote {LAKEVIEW.relative_to(PROJECT_DIR)} (dataset) and the KPI table of docs/kpis.md")
