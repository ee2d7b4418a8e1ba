"""The local KPI dashboard: a page served over the dashboard's copy of gold, its static snapshot
and the PDF report mailed after every successful run.

`python -m orchestration dashboard` (orchestration/dashboard_server.py) serves the page on
127.0.0.1. The page sends its filter state (an order date range, the previous period to compare
with, country, category, brand, payment method, gender) to the server, which answers with the
tiles, every chart's data and what each filter can still choose: DuckDB queries over the copy of
gold `orders_enriched` that the job's dashboard task publishes (orchestration/dashboard_copy.py),
never over the warehouse itself, so looking at the dashboard never blocks a build. The KPI
formulas are gold's own (orchestration/kpi_definitions.py). The browser only draws, with
plotly.js served from the installed plotly wheel: no network.

After a successful `dbt build` the runner's dashboard task (refresh) publishes the copy and the
pipeline health, writes the snapshot (the same page with the unfiltered answer embedded and
plotly.js inlined, filters off) and the PDF report for the success mail: a document laid out
for paper (report.html, printed by headless Chromium).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import functools
import io
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from orchestration import charts, dashboard_copy, kpi_definitions
from orchestration.dashboard_copy import Publication

TEMPLATES = Path(__file__).resolve().parent / "templates"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
TOP_N = 10
# A rate is ranked only for groups with at least this many orders: a country at 100% on one
# order does not top a chart. The groups below it are named under the chart, not ranked.
MIN_ORDERS_FOR_RATE = 30
# The filters: query parameter -> (the answer query's list parameter, orders_enriched column)
FILTERS = {
    "country": ("countries", "country"),
    "category": ("categories", "category_name"),
    "brand": ("brands", "brand_name"),
    "payment_method": ("payment_methods", "payment_method"),
    "gender": ("genders", "gender"),
}
# The KPI table's groupings: name -> (label, key columns of orders_enriched). The keys are the
# marts' grain keys, so a product is its id (two products can share a name).
TABLES = {
    "brand": ("Brand", ("brand_id", "brand_name")),
    "category": ("Category", ("category_id", "category_name")),
    "product": ("Product", ("product_id", "product_name", "brand_name", "category_name")),
    "country": ("Country", ("country",)),
    "payment_method": ("Payment method", ("payment_method",)),
    "gender": ("Gender", ("gender",)),
    "customer": ("Customer", ("customer_id", "country", "gender")),
    "brand_and_category": (
        "Brand and category",
        ("brand_id", "brand_name", "category_id", "category_name"),
    ),
}
COMPARE = "previous"  # the only comparison: `compare=previous`


class BadRequest(ValueError):
    """A filter request the dashboard cannot answer (HTTP 400), with the reason."""


@dataclass(frozen=True)
class DashboardFiles:
    html: Path
    pdf: Path


def _rows(con: duckdb.DuckDBPyConnection, sql: str, parameters: Any = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(sql, [schema, table]).fetchone()[0] > 0


def load_kpis(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The gold numbers the success mail and the alerts use (from the marts)."""
    overall = _rows(con, "select * from gold.kpis_overall")
    if len(overall) != 1:
        raise ValueError(f"gold.kpis_overall must have exactly one row, found {len(overall)}")
    top = f"order by revenue desc limit {TOP_N}"
    return {
        "overall": overall[0],
        "daily": _rows(con, "select * from gold.kpis_daily order by order_date"),
        "by_category": _rows(con, "select * from gold.kpis_by_category order by revenue desc"),
        "by_brand": _rows(con, f"select * from gold.kpis_by_brand {top}"),
        "by_country": _rows(con, f"select * from gold.kpis_by_country {top}"),
        "by_gender": _rows(con, "select * from gold.kpis_by_gender order by revenue desc"),
        "by_product": _rows(con, f"select * from gold.kpis_by_product {top}"),
        "by_customer": _rows(con, f"select * from gold.kpis_by_customer {top}"),
        "by_payment_method": _rows(
            con, "select * from gold.kpis_by_payment_method order by cancellation_rate desc"
        ),
    }


def load_pipeline_health(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The latest runs, the tasks of the latest run, its rows per layer and what it quarantined
    per entity and reason (ops schema of the warehouse)."""
    empty: dict[str, Any] = {"runs": [], "tasks": [], "layers": [], "quarantine": []}
    if not _has_table(con, "ops", "pipeline_runs"):
        return empty
    runs = _rows(con, "select * from ops.pipeline_runs order by started_at desc limit 8")
    if not runs:
        return empty
    run_id = [runs[0]["run_id"]]
    tasks = _rows(
        con, "select * from ops.pipeline_task_runs where run_id = ? order by task_order", run_id
    )
    layers = _rows(
        con,
        "select layer, sum(row_count) as row_count from ops.pipeline_layer_rows"
        " where run_id = ? group by layer order by min(layer_order)",
        run_id,
    )
    quarantine = (
        _rows(
            con,
            "select entity, reason, rows_quarantined, files_quarantined"
            " from ops.pipeline_quarantine where run_id = ? order by entity, reason",
            run_id,
        )
        if _has_table(con, "ops", "pipeline_quarantine")
        else []
    )
    return {"runs": runs, "tasks": tasks, "layers": layers, "quarantine": quarantine}


FINISHED = ("success", "failed", "skipped")


def settled_health(health: dict[str, Any]) -> dict[str, Any]:
    """The pipeline health as a document written during a run states it (the snapshot and the
    PDF, written by the run's dashboard task before its mail): the run in progress shows the
    tasks it has finished, and its status is theirs (the dashboard task runs only after every
    task before it succeeded); a task still running or pending is left out."""
    if not health["runs"] or health["runs"][0]["status"] != "running":
        return health
    tasks = [task for task in health["tasks"] if task["status"] in FINISHED]
    status = "failed" if any(task["status"] == "failed" for task in tasks) else "success"
    latest = {**health["runs"][0], "status": status}
    return {**health, "runs": [latest, *health["runs"][1:]], "tasks": tasks}


@dataclass(frozen=True)
class Period:
    """An order date range, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period a manager compares with: the same calendar months before, when the
        range is whole months; otherwise as many days, right before it."""
        whole_months = self.start.day == 1 and self.end.day == last_day_of_month(self.end).day
        if whole_months:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            index = self.start.year * 12 + self.start.month - 1 - months
            start = dt.date(index // 12, index % 12 + 1, 1)
            return Period(start, self.start - dt.timedelta(days=1))
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def covered(self, publication: Publication) -> Period | None:
        """The part of the range that the data covers (None: none of it)."""
        if publication.first_day is None or publication.last_day is None:
            return None
        start, end = max(self.start, publication.first_day), min(self.end, publication.last_day)
        return Period(start, end) if start <= end else None

    def describe(self, publication: Publication) -> dict[str, Any]:
        covered = self.covered(publication)
        coverage = "none" if covered is None else "full" if covered == self else "partial"
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "days": self.days,
            "coverage": coverage,
            "covered_from": covered and covered.start.isoformat(),
            "covered_to": covered and covered.end.isoformat(),
        }


def last_day_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Filters:
    """One filter state: an order date range (None: where the data starts / ends), whether to
    compare with the previous period and, per dimension, the values kept (none: all)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    compare: bool = False
    values: Mapping[str, Sequence[str]] = field(default_factory=dict)  # keys of FILTERS

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]], extra: Sequence[str] = ()) -> Filters:
        """From parsed query parameters (`from`, `to`: ISO dates; `compare=previous`; the
        FILTERS keys, repeated). `extra`: other parameters the caller reads itself."""
        known = ("from", "to", "compare", *FILTERS, *extra)
        unknown = sorted(set(query) - set(known))
        if unknown:
            raise BadRequest(
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(known)}"
            )
        single = {}
        for name in ("from", "to", "compare"):
            given = query.get(name, [])
            if len(given) > 1:
                raise BadRequest(f"`{name}` given {len(given)} times")
            single[name] = given[0] if given else None
        dates = {}
        for name in ("from", "to"):
            try:
                dates[name] = dt.date.fromisoformat(single[name]) if single[name] else None
            except ValueError:
                raise BadRequest(f"`{name}` is not a date (YYYY-MM-DD): {single[name]!r}") from None
        if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
            raise BadRequest(f"`from` ({dates['from']}) is after `to` ({dates['to']})")
        if single["compare"] not in (None, COMPARE):
            raise BadRequest(f"`compare` can only be {COMPARE!r}, not {single['compare']!r}")
        values = {name: list(query[name]) for name in FILTERS if query.get(name)}
        for name, chosen in values.items():
            if any(value == "" for value in chosen):
                raise BadRequest(f"`{name}` has an empty value")
        return cls(dates["from"], dates["to"], single["compare"] == COMPARE, values)

    def period(self, publication: Publication) -> Period:
        """The chosen range; an open end is where the data starts or ends (today without data)."""
        today = dt.datetime.now(dt.UTC).date()
        start = self.date_from or publication.first_day or self.date_to or today
        end = self.date_to or publication.last_day or start
        return Period(start, max(start, end))

    def parameters(self, publication: Publication) -> dict[str, Any]:
        """The bound parameters of the answer queries."""
        period = self.period(publication)
        previous = period.previous()
        lists = {name: list(self.values.get(key, [])) for key, (name, _) in FILTERS.items()}
        return {
            "date_from": period.start,
            "date_to": period.end,
            "compare": self.compare,
            "previous_from": previous.start,
            "previous_to": previous.end,
            "top": TOP_N,
            **lists,
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.date_from and self.date_from.isoformat(),
            "to": self.date_to and self.date_to.isoformat(),
            "compare": COMPARE if self.compare else None,
            **{name: list(values) for name, values in self.values.items()},
        }


@functools.cache
def _sql(template: str, **extra: str) -> str:
    """A query template with the KPI formulas of the definitions rendered in (kpi_definitions)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined)
    return environment.get_template(template).render(
        kpi_order_contributions=kpi_definitions.order_contributions_sql(),
        kpi_columns=kpi_definitions.group_columns_sql(),
        kpi_names=kpi_definitions.NAMES,
        **extra,
    )


def _query(
    con: duckdb.DuckDBPyConnection, template: str, parameters: dict[str, Any], **extra: str
) -> list[dict[str, Any]]:
    """Run a query template with the parameters it names (DuckDB refuses any other)."""
    sql = _sql(template, **extra)
    used = set(re.findall(r"\$([a-z_]+)", sql))
    return _rows(con, sql, {name: value for name, value in parameters.items() if name in used})


def _kpis(row: Mapping[str, Any]) -> dict[str, float | int]:
    return {name: kpi_definitions.value(name, row.get(name)) for name in kpi_definitions.NAMES}


@dataclass(frozen=True)
class Chart:
    """One chart of the page (and of the report): what it draws and how it ranks."""

    page: str
    id: str
    title: str
    kind: str  # bar (horizontal, ranked), line (per day, zero-filled) or heatmap
    dimension: str
    measures: tuple[str, ...]
    top: int | None = None  # bars / heatmap rows: only the largest `top`, none of them zero
    columns: str | None = None  # the heatmap's second dimension
    filter: str | None = None  # the filter a click on a bar toggles (FILTERS key)
    note: str = ""

    @property
    def measure(self) -> str:
        return self.measures[0]

    @property
    def is_rate(self) -> bool:
        return self.measure == "cancellation_rate"


def _bar(page: str, chart_id: str, title: str, dimension: str, measure: str, **more: Any) -> Chart:
    clickable = dimension if dimension in FILTERS else None
    return Chart(page, chart_id, title, "bar", dimension, (measure,), filter=clickable, **more)


RATE_NOTE = (
    f"Ranked among groups with at least {MIN_ORDERS_FOR_RATE} orders; each bar says how many of "
    "its orders were cancelled."
)
# What the page draws, page by page. answer() computes every chart for a filter state; the
# browser tests compute the same charts with the independent oracle (e2e/reference_kpis.py).
CHARTS = (
    Chart(
        "revenue",
        "revenue-per-day",
        "Revenue and lost revenue per day",
        "line",
        "day",
        ("revenue", "lost_revenue"),
        note="Every day of the range, days without orders at zero.",
    ),
    _bar("revenue", "revenue-by-category", "Revenue by category", "category", "revenue"),
    _bar(
        "revenue",
        "revenue-by-brand",
        f"Revenue by brand (top {TOP_N})",
        "brand",
        "revenue",
        top=TOP_N,
    ),
    _bar(
        "revenue",
        "revenue-by-country",
        f"Revenue by country (top {TOP_N})",
        "country",
        "revenue",
        top=TOP_N,
    ),
    _bar(
        "revenue",
        "revenue-by-payment-method",
        "Revenue by payment method",
        "payment_method",
        "revenue",
    ),
    _bar("revenue", "revenue-by-gender", "Revenue by gender", "gender", "revenue"),
    _bar(
        "revenue",
        "top-products",
        f"Top {TOP_N} products by revenue",
        "product",
        "revenue",
        top=TOP_N,
    ),
    Chart(
        "cancellations",
        "cancelled-orders-per-day",
        "Cancelled orders per day",
        "line",
        "day",
        ("cancelled_orders",),
        note="Every day of the range, days without orders at zero.",
    ),
    _bar(
        "cancellations",
        "cancellation-rate-by-payment-method",
        "Cancellation rate by payment method",
        "payment_method",
        "cancellation_rate",
        note=RATE_NOTE,
    ),
    _bar(
        "cancellations",
        "cancellations-by-product",
        f"Cancelled orders by product (top {TOP_N}), with their rate",
        "product",
        "cancelled_orders",
        top=TOP_N,
    ),
    _bar(
        "cancellations",
        "lost-revenue-by-product",
        f"Lost revenue by product (top {TOP_N})",
        "product",
        "lost_revenue",
        top=TOP_N,
    ),
    _bar(
        "cancellations",
        "cancellations-by-customer",
        f"Cancelled orders by customer and country (top {TOP_N})",
        "customer",
        "cancelled_orders",
        top=TOP_N,
    ),
    _bar(
        "cancellations",
        "cancellation-rate-by-country",
        "Cancellation rate by country",
        "country",
        "cancellation_rate",
        note=RATE_NOTE,
    ),
    Chart(
        "cancellations",
        "cancellations-by-brand-and-category",
        f"Cancelled orders by brand (top {TOP_N}) and category",
        "heatmap",
        "brand",
        ("cancelled_orders",),
        top=TOP_N,
        columns="category",
        note="Each cell: cancelled orders; its rate and lost revenue on hover. A blank cell: "
        "no orders.",
    ),
    _bar("customers", "orders-by-country", "Orders by customer country", "country", "total_orders"),
    _bar("customers", "orders-by-gender", "Orders by customer gender", "gender", "total_orders"),
    _bar(
        "customers",
        "top-customers",
        f"Top {TOP_N} customers by revenue (and country)",
        "customer",
        "revenue",
        top=TOP_N,
    ),
    _bar(
        "customers",
        "cancellation-rate-by-gender",
        "Cancellation rate by gender",
        "gender",
        "cancellation_rate",
        note=RATE_NOTE,
    ),
)
PAGES = {
    "revenue": "Revenue: what did we sell, when, where, to whom, paid how?",
    "cancellations": "Cancellations: what is cancelled, by whom, and what does it cost?",
    "customers": "Customers: where do orders come from, and who are the best customers?",
}


def _ranked(rows: list[dict[str, Any]], measure: str) -> list[dict[str, Any]]:
    """Largest first, ties by label."""
    return sorted(rows, key=lambda row: (-row[measure], row["label"]))


def _bar_item(row: dict[str, Any], measure: str) -> dict[str, Any]:
    return {
        "label": row["label"],
        "value": row[measure],
        "total_orders": row["total_orders"],
        "cancelled_orders": row["cancelled_orders"],
        "lost_revenue": row["lost_revenue"],
    }


def draw(chart: Chart, groups: dict[str, list[dict[str, Any]]], days: list[str]) -> dict[str, Any]:
    """One chart's data for the groups of the current period (dimension -> rows)."""
    if chart.kind == "line":
        by_day = {row["label"]: row for row in groups.get("day", [])}
        return {
            "x": days,
            "y": {m: [by_day[d][m] if d in by_day else 0 for d in days] for m in chart.measures},
        }
    rows = groups.get(chart.dimension, [])
    if chart.kind == "heatmap":
        top = [row for row in _ranked(rows, chart.measure) if row[chart.measure] > 0]
        brands = [row["label"] for row in top[: chart.top]]
        columns = sorted(row["label"] for row in groups.get(chart.columns or "", []))
        cells = {
            (row["label"], row["detail"]): row
            for row in groups.get(f"{chart.dimension}_and_{chart.columns}", [])
        }

        def matrix(measure: str) -> list[list[Any]]:
            return [
                [cells[(b, c)][measure] if (b, c) in cells else None for c in columns]
                for b in brands
            ]

        return {
            "x": columns,
            "y": brands,
            "z": matrix(chart.measure),
            "total_orders": matrix("total_orders"),
            "cancellation_rate": matrix("cancellation_rate"),
            "lost_revenue": matrix("lost_revenue"),
        }
    if chart.is_rate:
        ranked = _ranked(
            [r for r in rows if r["total_orders"] >= MIN_ORDERS_FOR_RATE], chart.measure
        )
        few = sorted(row["label"] for row in rows if row["total_orders"] < MIN_ORDERS_FOR_RATE)
        return {"items": [_bar_item(row, chart.measure) for row in ranked], "not_ranked": few}
    ranked = _ranked(rows, chart.measure)
    if chart.top:
        ranked = [row for row in ranked if row[chart.measure] > 0][: chart.top]
    return {"items": [_bar_item(row, chart.measure) for row in ranked], "not_ranked": []}


def _days(period: Period | None) -> list[str]:
    if period is None:
        return []
    return [(period.start + dt.timedelta(days=n)).isoformat() for n in range(period.days)]


def answer(
    con: duckdb.DuckDBPyConnection, publication: Publication, filters: Filters
) -> dict[str, Any]:
    """The tiles (and the previous period's), every chart of CHARTS and what each filter can
    still choose, for one filter state."""
    period = filters.period(publication)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in _query(con, "dashboard_answer.sql.j2", filters.parameters(publication)):
        row.update(_kpis(row))
        groups.setdefault((row["period"], row["dimension"]), []).append(row)
    current = {dimension: rows for (when, dimension), rows in groups.items() if when == "current"}
    (tiles,) = current["all"]
    previous = None
    if filters.compare:
        (previous_tiles,) = groups[("previous", "all")]
        previous = {
            "period": period.previous().describe(publication),
            "tiles": _kpis(previous_tiles),
        }
    days = _days(period.covered(publication))
    return {
        "filters": filters.as_json(),
        "period": period.describe(publication),
        "data": {
            "first_day": publication.first_day and publication.first_day.isoformat(),
            "last_day": publication.last_day and publication.last_day.isoformat(),
            "published_at": publication.published_at.isoformat(),
        },
        "tiles": _kpis(tiles),
        "previous": previous,
        "charts": {chart.id: draw(chart, current, days) for chart in CHARTS},
        "facets": facets(con, publication, filters),
    }


def facets(
    con: duckdb.DuckDBPyConnection, publication: Publication, filters: Filters
) -> dict[str, dict[str, int]]:
    """Per filter: each of its values -> the orders it keeps in the date range under the other
    filters (a value that would keep none is absent)."""
    found: dict[str, dict[str, int]] = {name: {} for name in FILTERS}
    for row in _query(con, "dashboard_facets.sql.j2", filters.parameters(publication)):
        if row["value"] is not None and row["orders"] > 0:
            found[row["parameter"]][row["value"]] = int(row["orders"])
    return found


def table(
    con: duckdb.DuckDBPyConnection, publication: Publication, filters: Filters, by: str
) -> dict[str, Any]:
    """The KPI table: every group of TABLES[by] with its KPIs in the range (and, when
    comparing, in the previous period), largest revenue first, ties by key."""
    if by not in TABLES:
        raise BadRequest(f"`by` must be one of {', '.join(TABLES)}, not {by!r}")
    label, keys = TABLES[by]
    parameters = filters.parameters(publication)
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in _query(con, "dashboard_table.sql.j2", parameters, keys=", ".join(keys)):
        key = tuple(row[column] for column in keys)
        entry = rows.setdefault(key, {"key": dict(zip(keys, key, strict=True)), "previous": None})
        entry["current" if row["period"] == "current" else "previous"] = _kpis(row)
    empty = _kpis({})
    for entry in rows.values():
        entry.setdefault("current", empty)
        if filters.compare and entry["previous"] is None:
            entry["previous"] = empty
    ordered = sorted(
        rows.values(),
        key=lambda entry: (-entry["current"]["revenue"], tuple(map(str, entry["key"].values()))),
    )
    period = filters.period(publication)
    return {
        "by": by,
        "label": label,
        "keys": list(keys),
        "filters": filters.as_json(),
        "period": period.describe(publication),
        "previous": period.previous().describe(publication) if filters.compare else None,
        "kpis": kpi_definitions.for_page(),
        "rows": ordered,
    }


def table_csv(result: dict[str, Any]) -> str:
    """The KPI table as CSV: the key columns, every KPI and, when comparing, every KPI of the
    previous period (`previous_<kpi>`)."""
    names = kpi_definitions.NAMES
    compare = result["previous"] is not None
    header = [*result["keys"], *names, *([f"previous_{n}" for n in names] if compare else [])]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in result["rows"]:
        values = [row["key"][key] for key in result["keys"]]
        values += [kpi_definitions.csv_value(n, row["current"][n]) for n in names]
        if compare:
            values += [kpi_definitions.csv_value(n, row["previous"][n]) for n in names]
        writer.writerow(values)
    return out.getvalue()


def _script_json(value: Any) -> Markup:
    """JSON for a <script type="application/json"> element (no '</' can close it early)."""
    return Markup(json.dumps(value, separators=(",", ":")).replace("</", "<\\/"))


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )


def _page_context(publication: Publication | None, health: dict[str, Any]) -> dict[str, Any]:
    layers = [(str(row["layer"]), float(row["row_count"])) for row in health["layers"]]
    return {
        "kpis": kpi_definitions.KPIS,
        "charts": CHARTS,
        "pages": PAGES,
        "tables": {name: label for name, (label, _) in TABLES.items()},
        "filters": [(key, key.replace("_", " ").capitalize()) for key in FILTERS],
        "options": publication.options if publication else {key: [] for key in FILTERS},
        "first_day": publication and publication.first_day,
        "last_day": publication and publication.last_day,
        "published_at": publication and publication.published_at,
        "health": health,
        "layers_chart": charts.bar_chart(
            layers,
            title="Rows per layer (last run)",
            fmt=lambda value: f"{value:,.0f}",
            color=charts.PALETTE[2],
        ),
        "min_orders": MIN_ORDERS_FOR_RATE,
    }


def _page_data(publication: Publication | None, snapshot: dict[str, Any] | None) -> Markup:
    return _script_json(
        {
            "charts": [chart.__dict__ for chart in CHARTS],
            "kpis": kpi_definitions.for_page(),
            "filters": list(FILTERS),
            "tables": list(TABLES),
            "min_orders": MIN_ORDERS_FOR_RATE,
            "snapshot": snapshot,
            "first_day": publication
            and publication.first_day
            and publication.first_day.isoformat(),
            "last_day": publication and publication.last_day and publication.last_day.isoformat(),
        }
    )


def render_page(
    publication: Publication | None,
    health: dict[str, Any],
    *,
    plotly_src: str | None = None,
    snapshot: dict[str, Any] | None = None,
) -> str:
    """The dashboard page. Served (plotly_src: the URL of plotly.js): asks the server for each
    filter state. The snapshot (snapshot: the unfiltered answer and table): no server, plotly.js
    inlined, the filters off."""
    return (
        _environment()
        .get_template("dashboard.html.j2")
        .render(
            interactive=snapshot is None,
            data=_page_data(publication, snapshot),
            plotly_src=plotly_src,
            plotly_js=None if snapshot is None else Markup(get_plotlyjs()),
            **_page_context(publication, health),
        )
    )


def bar_texts(chart: Chart, items: list[dict[str, Any]]) -> list[str]:
    """What a bar says (as the page's script does): a rate with its counts, cancelled orders with
    their rate, any other value formatted."""
    if chart.is_rate:
        return [
            f"{charts.percent(i['value'])} ({charts.count(i['cancelled_orders'])} of "
            f"{charts.count(i['total_orders'])})"
            for i in items
        ]
    if chart.measure == "cancelled_orders":
        return [
            f"{charts.count(i['value'])} "
            f"({charts.percent(i['cancelled_orders'] / i['total_orders'])}"
            f" of {charts.count(i['total_orders'])})"
            for i in items
        ]
    kind = kpi_definitions.BY_NAME[chart.measure].kind
    fmt = charts.money if kind == "money" else charts.count
    return [fmt(item["value"]) for item in items]


def report_chart(chart: Chart, data: dict[str, Any], width: int = charts.WIDTH) -> Markup:
    """One chart of the answer as SVG for the report."""
    if chart.kind == "line":
        colors = {"revenue": charts.PALETTE[0]}
        series = [
            (kpi_definitions.BY_NAME[m].label, data["y"][m], colors.get(m, charts.PALETTE[1]))
            for m in chart.measures
        ]
        kind = kpi_definitions.BY_NAME[chart.measure].kind
        fmt = charts.money if kind == "money" else charts.count
        return charts.day_chart(data["x"], series, title=chart.title, fmt=fmt)
    items = data["items"]
    color = charts.PALETTE[0] if chart.measure in ("revenue", "total_orders") else charts.PALETTE[1]
    return charts.bar_chart(
        [(item["label"], item["value"]) for item in items],
        title=chart.title,
        texts=bar_texts(chart, items),
        color=color,
        width=width,
        label_chars=34 if width >= charts.WIDTH else 22,
    )


def render_report(
    publication: Publication,
    health: dict[str, Any],
    result: dict[str, Any],
    brands: dict[str, Any],
    generated_at: dt.datetime,
) -> str:
    """The PDF report: the unfiltered answer laid out for A4 paper, charts drawn as SVG here."""
    return (
        _environment()
        .get_template("dashboard_report.html.j2")
        .render(
            answer=result,
            brands=brands,
            generated_at=generated_at,
            draw=report_chart,
            chart_by_id={chart.id: chart for chart in CHARTS},
            fmt={"money": charts.money, "percent": charts.percent, "count": charts.count},
            **_page_context(publication, settled_health(health)),
        )
    )


def print_pdf(html: Path, pdf: Path, chromium: str = CHROMIUM) -> Path:
    """Print the page to PDF with headless Chromium, offline, in a fresh profile."""
    if shutil.which(chromium) is None:
        raise FileNotFoundError(f"{chromium} not found: run `make system-deps`")
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="lakehouse-chromium-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=180)
    if completed.returncode != 0 or not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
        raise RuntimeError(
            f"chromium could not print {html} to PDF (exit {completed.returncode}): "
            f"{completed.stderr.strip()[-2000:]}"
        )
    return pdf


def _write(path: Path, text: str) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # never leave a half-written file behind
    return path


def refresh(duckdb_path: Path, out_dir: Path) -> DashboardFiles:
    """The job's dashboard task: publish the copy of gold and the pipeline health for the
    server, then write the snapshot (index.html) and the PDF report (dashboard.pdf)."""
    publication = dashboard_copy.publish(duckdb_path, out_dir)
    health = dashboard_copy.publish_health(duckdb_path, out_dir)
    now = dt.datetime.now(dt.UTC)
    with duckdb.connect(str(publication.path), read_only=True) as con:
        result = answer(con, publication, Filters())
        brands = table(con, publication, Filters(), "brand")
    snapshot = {"answer": result, "table": brands, "generated_at": now.isoformat()}
    html = _write(
        out_dir / "index.html", render_page(publication, settled_health(health), snapshot=snapshot)
    )
    report = _write(
        out_dir / "report.html", render_report(publication, health, result, brands, now)
    )
    return DashboardFiles(html=html, pdf=print_pdf(report, out_dir / "dashboard.pdf"))
