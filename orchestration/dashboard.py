"""The local KPI dashboard: one self-contained, interactive HTML file and its PDF snapshot.

The page carries gold `orders_enriched` pre-aggregated at the finest grain its filters need
(order date x country x payment method x gender x product x status; a product carries its brand
and category) as dictionary-encoded columns, plus the same for the customer charts (customer x
order date x payment method x product x status). A small script in the page filters those rows
and aggregates them for the tiles and every chart, drawn with plotly.js, which is inlined from
the plotly wheel: no network, no server. It also reads the ops run records for pipeline health,
and is refreshed by the runner only after a successful `dbt build`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from orchestration import charts

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
# The customer charts carry one row per customer x day x payment method x product x status:
# about one row per order. Above this many rows the page keeps the most active customers only
# (and says so), so that it stays small at 10 M orders.
CUSTOMER_ROWS_LIMIT = 250_000
UNKNOWN = "(unknown)"


@dataclass(frozen=True)
class DashboardFiles:
    html: Path
    pdf: Path


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
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
    run_id = runs[0]["run_id"].replace("'", "''")
    tasks = _rows(
        con,
        f"select * from ops.pipeline_task_runs where run_id = '{run_id}' order by task_order",
    )
    layers = _rows(
        con,
        "select layer, sum(row_count) as row_count from ops.pipeline_layer_rows"
        f" where run_id = '{run_id}' group by layer order by min(layer_order)",
    )
    quarantine = (
        _rows(
            con,
            "select entity, reason, rows_quarantined, files_quarantined"
            f" from ops.pipeline_quarantine where run_id = '{run_id}' order by entity, reason",
        )
        if _has_table(con, "ops", "pipeline_quarantine")
        else []
    )
    return {"runs": runs, "tasks": tasks, "layers": layers, "quarantine": quarantine}


class _Codes:
    """Dictionary encoding: each distinct value gets the index of its place in sorted order."""

    def __init__(self, values: list[Any]) -> None:
        self.values = sorted({UNKNOWN if value is None else value for value in values})
        self.index = {value: position for position, value in enumerate(self.values)}

    def __call__(self, value: Any) -> int:
        return self.index[UNKNOWN if value is None else value]


def _cents(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


def load_slices(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """gold.orders_enriched, pre-aggregated for the page's filters and charts (see the module)."""
    products = _rows(
        con,
        "select product_id, any_value(product_name) as product_name,"
        " any_value(brand_name) as brand_name, any_value(category_name) as category_name"
        " from gold.orders_enriched group by product_id order by product_id",
    )
    customers = _rows(
        con,
        "select customer_id, any_value(country) as country, any_value(gender) as gender,"
        " count(*) as orders from gold.orders_enriched group by customer_id"
        " order by orders desc, customer_id",
    )
    measures = (
        "count(*) as orders, sum(quantity) as units, sum(order_amount) as amount"
        " from gold.orders_enriched"
    )
    orders = con.execute(
        "select order_date, country, payment_method, gender, product_id, is_cancelled, "
        f"{measures} group by all order by all"
    ).fetchall()
    customer_orders = con.execute(
        "select customer_id, order_date, payment_method, product_id, is_cancelled, "
        f"{measures} group by all order by all"
    ).fetchall()

    # the most active customers whose rows fit in CUSTOMER_ROWS_LIMIT (all of them if they fit)
    rows_per_customer: dict[int, int] = {}
    for row in customer_orders:
        rows_per_customer[row[0]] = rows_per_customer.get(row[0], 0) + 1
    shown, total_rows = [], 0
    for customer in customers:
        total_rows += rows_per_customer[customer["customer_id"]]
        if total_rows > CUSTOMER_ROWS_LIMIT:
            break
        shown.append(customer)
    shown.sort(key=lambda customer: customer["customer_id"])
    customer_index = {customer["customer_id"]: i for i, customer in enumerate(shown)}
    customer_orders = [row for row in customer_orders if row[0] in customer_index]

    days = _Codes([row[0].isoformat() for row in orders])
    countries = _Codes([row[1] for row in orders] + [c["country"] for c in shown])
    payments = _Codes([row[2] for row in orders])
    genders = _Codes([row[3] for row in orders] + [c["gender"] for c in shown])
    brands = _Codes([product["brand_name"] for product in products])
    categories = _Codes([product["category_name"] for product in products])
    product_index = {product["product_id"]: i for i, product in enumerate(products)}
    return {
        "dims": {
            "day": days.values,
            "country": countries.values,
            "payment_method": payments.values,
            "gender": genders.values,
            "brand": brands.values,
            "category": categories.values,
        },
        "products": {
            "id": [product["product_id"] for product in products],
            "name": [product["product_name"] or UNKNOWN for product in products],
            "brand": [brands(product["brand_name"]) for product in products],
            "category": [categories(product["category_name"]) for product in products],
        },
        "customers": {
            "id": [customer["customer_id"] for customer in shown],
            "country": [countries(customer["country"]) for customer in shown],
            "gender": [genders(customer["gender"]) for customer in shown],
            "shown": len(shown),
            "total": len(customers),
        },
        "orders": {
            "day": [days(row[0].isoformat()) for row in orders],
            "country": [countries(row[1]) for row in orders],
            "payment_method": [payments(row[2]) for row in orders],
            "gender": [genders(row[3]) for row in orders],
            "product": [product_index[row[4]] for row in orders],
            "cancelled": [int(row[5]) for row in orders],
            "orders": [row[6] for row in orders],
            "units": [row[7] for row in orders],
            "cents": [_cents(row[8]) for row in orders],
        },
        "customer_orders": {
            "customer": [customer_index[row[0]] for row in customer_orders],
            "day": [days(row[1].isoformat()) for row in customer_orders],
            "payment_method": [payments(row[2]) for row in customer_orders],
            "product": [product_index[row[3]] for row in customer_orders],
            "cancelled": [int(row[4]) for row in customer_orders],
            "orders": [row[5] for row in customer_orders],
            "units": [row[6] for row in customer_orders],
            "cents": [_cents(row[7]) for row in customer_orders],
        },
    }


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


# What the page draws. The page's script computes every chart from the filtered rows; the
# browser test computes the same charts straight from silver with SQL.
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
        "customers", "orders-by-country", "Orders by customer country", "bar", "country", "orders"
    ),
    _chart("customers", "orders-by-gender", "Orders by customer gender", "bar", "gender", "orders"),
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


def render_html(duckdb_path: Path, generated_at: dt.datetime) -> str:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        slices = load_slices(con)
        health = load_pipeline_health(con)
    layers = [(str(row["layer"]), float(row["row_count"])) for row in health["layers"]]
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    days = slices["dims"]["day"]
    return environment.get_template("dashboard.html.j2").render(
        data=_script_json({**slices, "charts": CHARTS}),
        plotly_js=Markup(get_plotlyjs()),
        charts=CHARTS,
        pages=PAGES,
        dims=slices["dims"],
        health=health,
        layers_chart=charts.bar_chart(
            layers,
            title="Rows per layer (last run)",
            fmt=lambda value: f"{value:,.0f}",
            color=charts.PALETTE[2],
        ),
        generated_at=generated_at,
        data_from=days[0] if days else None,
        data_through=days[-1] if days else None,
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


def refresh(duckdb_path: Path, out_dir: Path) -> DashboardFiles:
    """Rebuild index.html from gold (+ ops) and print dashboard.pdf next to it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / "index.html"
    partial = out_dir / "index.html.tmp"
    partial.write_text(render_html(duckdb_path, dt.datetime.now(dt.UTC)), encoding="utf-8")
    partial.replace(html)  # never leave a half-written dashboard behind
    return DashboardFiles(html=html, pdf=print_pdf(html, out_dir / "dashboard.pdf"))
