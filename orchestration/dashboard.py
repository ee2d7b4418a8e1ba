"""The local KPI dashboard: a page served over the DuckDB warehouse, and its static snapshot.

`python -m orchestration dashboard` (orchestration/dashboard_server.py) serves the page on
127.0.0.1. The page sends its filters (date range, country, category, brand, payment method,
gender) to the server, which answers with the tiles and every chart's data: one DuckDB query
over gold `orders_enriched` (templates/dashboard_answer.sql.j2, every value a bound parameter),
grouped by every chart dimension at once, top-N ranked in SQL. The browser only draws, with
plotly.js served from the installed plotly wheel: no network. Each answer opens a short-lived
read-only connection, so the server never holds the warehouse's lock.

After a successful `dbt build` the runner's dashboard task writes the snapshot: the same page
with the unfiltered answer embedded and plotly.js inlined (filters off), and its PDF for the
success mail. Both show the pipeline health from the ops run records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from orchestration import charts
from orchestration.settings import PROJECT_DIR

TEMPLATES = Path(__file__).resolve().parent / "templates"
KPI_MACROS = PROJECT_DIR / "macros" / "gold"
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
MEASURES = (
    "total_orders",
    "placed_orders",
    "cancelled_orders",
    "units_sold",
    "revenue",
    "lost_revenue",
    "cancellation_rate",
)
MONEY = ("revenue", "lost_revenue")
# The filters: query parameter -> (the answer query's list parameter, orders_enriched column)
FILTERS = {
    "country": ("countries", "country"),
    "category": ("categories", "category_name"),
    "brand": ("brands", "brand_name"),
    "payment_method": ("payment_methods", "payment_method"),
    "gender": ("genders", "gender"),
}


class BadRequest(ValueError):
    """A filter request the dashboard cannot answer (HTTP 400), with the reason."""


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be read right now (HTTP 503): missing, not built, or being written."""


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
    """The gold numbers the dashboard, the success mail and the alerts use."""
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
    per entity and reason (ops schema)."""
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


@dataclass(frozen=True)
class Filters:
    """One filter state: an order date range and, per dimension, the values kept (none: all)."""

    date_from: dt.date = dt.date.min
    date_to: dt.date = dt.date.max
    values: Mapping[str, Sequence[str]] = field(default_factory=dict)  # keys of FILTERS

    @classmethod
    def from_query(cls, query: Mapping[str, Sequence[str]]) -> Filters:
        """From parsed query parameters (`from`, `to`: ISO dates; the FILTERS keys, repeated)."""
        unknown = sorted(set(query) - {"from", "to", *FILTERS})
        if unknown:
            raise BadRequest(
                f"unknown parameter(s) {', '.join(unknown)}; known: from, to, {', '.join(FILTERS)}"
            )
        dates = {}
        for name in ("from", "to"):
            given = query.get(name, [])
            if len(given) > 1:
                raise BadRequest(f"`{name}` given {len(given)} times")
            try:
                dates[name] = dt.date.fromisoformat(given[0]) if given else None
            except ValueError:
                raise BadRequest(f"`{name}` is not a date (YYYY-MM-DD): {given[0]!r}") from None
        date_from, date_to = dates["from"] or dt.date.min, dates["to"] or dt.date.max
        if date_from > date_to:
            raise BadRequest(f"`from` ({date_from}) is after `to` ({date_to})")
        values = {name: list(query[name]) for name in FILTERS if query.get(name)}
        for name, chosen in values.items():
            if any(value == "" for value in chosen):
                raise BadRequest(f"`{name}` has an empty value")
        return cls(date_from, date_to, values)

    def parameters(self) -> dict[str, Any]:
        """The answer query's bound parameters."""
        lists = {name: list(self.values.get(key, [])) for key, (name, _) in FILTERS.items()}
        return {"date_from": self.date_from, "date_to": self.date_to, "top": TOP_N, **lists}


@contextlib.contextmanager
def read_only(duckdb_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection: it never blocks a `dbt build` for longer than one
    answer, and a build that is writing the file makes it fail with a clear message."""
    if not duckdb_path.is_file():
        raise WarehouseUnavailable(f"no warehouse at {duckdb_path}: run `make demo` first")
    try:
        con = duckdb.connect(str(duckdb_path), read_only=True)
    except duckdb.IOException as error:
        raise WarehouseUnavailable(
            f"the warehouse {duckdb_path} is being written (a dbt build or a pipeline run): "
            f"try again in a moment ({str(error).splitlines()[0]})"
        ) from error
    try:
        if not _has_table(con, "gold", "orders_enriched"):
            raise WarehouseUnavailable(
                f"{duckdb_path} has no gold.orders_enriched: run `make demo`"
            )
        yield con
    finally:
        con.close()


def gold_macro_sql(name: str) -> str:
    """One of gold's KPI macros (macros/gold/<name>.sql, plain SQL), rendered with its defaults."""
    source = (KPI_MACROS / f"{name}.sql").read_text()
    macros = Environment(undefined=StrictUndefined).from_string(source)
    return str(getattr(macros.module, name)()).strip()


@functools.cache
def answer_sql() -> str:
    """The answer query, with gold's KPI formulas rendered in: what one order adds
    (kpi_order_contributions) and the sums and rate of a group (kpi_columns)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined)
    template = environment.get_template("dashboard_answer.sql.j2")
    return template.render(
        kpi_order_contributions=gold_macro_sql("kpi_order_contributions"),
        kpi_columns=gold_macro_sql("kpi_columns"),
    )


def _number(name: str, value: Any) -> float | int:
    return float(value) if name in MONEY or name == "cancellation_rate" else int(value)


def answer(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """The tiles and every chart of CHARTS for one filter state."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(con, answer_sql(), filters.parameters()):
        row.update({name: _number(name, row[name]) for name in MEASURES})
        groups.setdefault(row["dimension"], []).append(row)
    (tiles,) = groups["all"]

    def ranked(dimension: str, measure: str, top: int | None) -> list[dict[str, Any]]:
        rows = sorted(groups.get(dimension, []), key=lambda row: row[f"{measure}_rank"])
        return rows[:top] if top else rows

    drawn: dict[str, Any] = {}
    for chart in CHARTS:
        if chart["kind"] == "line":
            days = sorted(groups.get("day", []), key=lambda row: row["label"])
            drawn[chart["id"]] = {
                "x": [row["label"] for row in days],
                "y": {measure: [row[measure] for row in days] for measure in chart["measures"]},
            }
        elif chart["kind"] == "heatmap":
            (measure,) = chart["measures"]
            rows = [row["label"] for row in ranked(chart["dimension"], measure, chart["top"])]
            columns = sorted(row["label"] for row in groups.get(chart["columns"], []))
            cells = {
                (row["label"], row["column_label"]): row[measure]
                for row in groups.get(f"{chart['dimension']}_and_{chart['columns']}", [])
            }
            drawn[chart["id"]] = {
                "x": columns,
                "y": rows,
                "z": [[cells.get((row, column), 0) for column in columns] for row in rows],
            }
        else:
            (measure,) = chart["measures"]
            items = ranked(chart["dimension"], measure, chart["top"])
            drawn[chart["id"]] = {
                "labels": [row["label"] for row in items],
                "values": [row[measure] for row in items],
            }
    return {
        "filters": {
            "from": None if filters.date_from == dt.date.min else filters.date_from.isoformat(),
            "to": None if filters.date_to == dt.date.max else filters.date_to.isoformat(),
            **{name: list(values) for name, values in filters.values.items()},
        },
        "tiles": {name: tiles[name] for name in MEASURES},
        "charts": drawn,
    }


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The date range of the orders and every value each filter can take."""
    lists = ", ".join(
        f"list_sort(list(distinct {column})) as {name}" for name, (_, column) in FILTERS.items()
    )
    (row,) = _rows(
        con,
        f"select min(order_date) as first_day, max(order_date) as last_day, {lists}"
        " from gold.orders_enriched",
    )
    return row


def _chart(
    page: str,
    chart_id: str,
    title: str,
    kind: str,
    dimension: str,
    *measures: str,
    top: int | None = None,
    columns: str | None = None,
) -> dict[str, Any]:
    return {
        "page": page,
        "id": chart_id,
        "title": title,
        "kind": kind,  # bar (horizontal, largest first), line (per day) or heatmap
        "dimension": dimension,
        "columns": columns,  # the heatmap's second dimension
        "measures": list(measures),
        "top": top,  # bars: the largest `top` only; heatmap: its `top` rows
    }


# What the page draws. answer() computes every chart for a filter state; the browser test
# computes the same charts with the independent oracle (e2e/reference_kpis.py).
CHARTS = [
    _chart(
        "revenue",
        "revenue-per-day",
        "Revenue and lost revenue per day",
        "line",
        "day",
        "revenue",
        "lost_revenue",
    ),
    _chart("revenue", "revenue-by-category", "Revenue by category", "bar", "category", "revenue"),
    _chart(
        "revenue",
        "revenue-by-brand",
        f"Revenue by brand (top {TOP_N})",
        "bar",
        "brand",
        "revenue",
        top=TOP_N,
    ),
    _chart(
        "revenue",
        "revenue-by-country",
        f"Revenue by country (top {TOP_N})",
        "bar",
        "country",
        "revenue",
        top=TOP_N,
    ),
    _chart(
        "revenue",
        "revenue-by-payment-method",
        "Revenue by payment method",
        "bar",
        "payment_method",
        "revenue",
    ),
    _chart("revenue", "revenue-by-gender", "Revenue by gender", "bar", "gender", "revenue"),
    _chart(
        "revenue",
        "top-products",
        f"Top {TOP_N} products by revenue",
        "bar",
        "product",
        "revenue",
        top=TOP_N,
    ),
    _chart(
        "cancellations",
        "cancellation-rate-by-payment-method",
        "Cancellation rate by payment method",
        "bar",
        "payment_method",
        "cancellation_rate",
    ),
    _chart(
        "cancellations",
        "lost-revenue-per-day",
        "Lost revenue over time",
        "line",
        "day",
        "lost_revenue",
    ),
    _chart(
        "cancellations",
        "lost-revenue-by-product",
        f"Lost revenue by product (top {TOP_N})",
        "bar",
        "product",
        "lost_revenue",
        top=TOP_N,
    ),
    _chart(
        "cancellations",
        "lost-revenue-by-brand-and-category",
        f"Lost revenue by brand (top {TOP_N}) and category",
        "heatmap",
        "brand",
        "lost_revenue",
        top=TOP_N,
        columns="category",
    ),
    _chart(
        "cancellations",
        "cancellations-by-customer",
        f"Cancelled orders by customer and country (top {TOP_N})",
        "bar",
        "customer",
        "cancelled_orders",
        top=TOP_N,
    ),
    _chart(
        "cancellations",
        "cancellation-rate-by-country",
        "Cancellation rate by country",
        "bar",
        "country",
        "cancellation_rate",
    ),
    _chart(
        "customers",
        "orders-by-country",
        "Orders by customer country",
        "bar",
        "country",
        "total_orders",
    ),
    _chart(
        "customers",
        "orders-by-gender",
        "Orders by customer gender",
        "bar",
        "gender",
        "total_orders",
    ),
    _chart(
        "customers",
        "top-customers",
        f"Top {TOP_N} customers by revenue (and country)",
        "bar",
        "customer",
        "revenue",
        top=TOP_N,
    ),
    _chart(
        "customers",
        "cancellation-rate-by-gender",
        "Cancellation rate by gender",
        "bar",
        "gender",
        "cancellation_rate",
    ),
]
PAGES = {
    "revenue": "Revenue: what did we sell, when, where, to whom, paid how?",
    "cancellations": "Cancellations: what is cancelled, by whom, and what does it cost?",
    "customers": "Customers: where do orders come from, and who are the best customers?",
}


def _script_json(value: Any) -> Markup:
    """JSON for a <script type="application/json"> element (no '</' can close it early)."""
    return Markup(json.dumps(value, separators=(",", ":")).replace("</", "<\\/"))


def render_page(
    con: duckdb.DuckDBPyConnection, generated_at: dt.datetime, *, interactive: bool
) -> str:
    """The dashboard page. Interactive: served, asks the server for each filter state (plotly.js
    from /plotly.min.js). Otherwise the snapshot: the unfiltered answer embedded, plotly.js
    inlined, the filters off."""
    options = filter_options(con)
    health = load_pipeline_health(con)
    layers = [(str(row["layer"]), float(row["row_count"])) for row in health["layers"]]
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    return environment.get_template("dashboard.html.j2").render(
        interactive=interactive,
        data=_script_json(
            {
                "charts": CHARTS,
                "answer": None if interactive else answer(con, Filters()),
                "first_day": options["first_day"] and options["first_day"].isoformat(),
                "last_day": options["last_day"] and options["last_day"].isoformat(),
            }
        ),
        plotly_js=None if interactive else Markup(get_plotlyjs()),
        charts=CHARTS,
        pages=PAGES,
        options=options,
        filters=[(key, key.replace("_", " ").capitalize()) for key in FILTERS],
        health=health,
        layers_chart=charts.bar_chart(
            layers,
            title="Rows per layer (last run)",
            fmt=lambda value: f"{value:,.0f}",
            color=charts.PALETTE[2],
        ),
        generated_at=generated_at,
    )


def render_html(duckdb_path: Path, generated_at: dt.datetime) -> str:
    """The static snapshot of the dashboard (see render_page)."""
    with read_only(duckdb_path) as con:
        return render_page(con, generated_at, interactive=False)


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


def refresh(duckdb_path: Path, out_dir: Path) -> DashboardFiles:
    """Rebuild index.html from gold (+ ops) and print dashboard.pdf next to it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / "index.html"
    partial = out_dir / "index.html.tmp"
    partial.write_text(render_html(duckdb_path, dt.datetime.now(dt.UTC)), encoding="utf-8")
    partial.replace(html)  # never leave a half-written dashboard behind
    return DashboardFiles(html=html, pdf=print_pdf(html, out_dir / "dashboard.pdf"))
