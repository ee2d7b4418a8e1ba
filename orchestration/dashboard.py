"""The local KPI dashboard: one self-contained HTML file (inline SVG charts) and its PDF snapshot.

It reads the gold relations only, plus the ops run records for pipeline health, and is refreshed
by the runner only after a successful `dbt build`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined

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
    """The latest runs, the tasks of the latest run and its rows per layer (ops schema)."""
    if not _has_table(con, "ops", "pipeline_runs"):
        return {"runs": [], "tasks": [], "layers": []}
    runs = _rows(con, "select * from ops.pipeline_runs order by started_at desc limit 8")
    if not runs:
        return {"runs": [], "tasks": [], "layers": []}
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
    return {"runs": runs, "tasks": tasks, "layers": layers}


def _bars(rows: list[dict[str, Any]], label: str, value: str) -> list[tuple[str, float]]:
    return [(str(row[label]), float(row[value])) for row in rows]


def build_charts(kpis: dict[str, Any], health: dict[str, Any]) -> dict[str, Any]:
    days = [row["order_date"] for row in kpis["daily"]]
    customers = [
        (f"#{row['customer_id']} ({row['country']})", float(row["revenue"]))
        for row in kpis["by_customer"]
    ]
    products = [(str(row["product_name"]), float(row["revenue"])) for row in kpis["by_product"]]
    return {
        "daily": charts.line_chart(
            days,
            {
                "Revenue": [float(row["revenue"]) for row in kpis["daily"]],
                "Lost revenue": [float(row["lost_revenue"]) for row in kpis["daily"]],
            },
            title="Revenue and lost revenue per day",
        ),
        "category": charts.bar_chart(
            _bars(kpis["by_category"], "category_name", "revenue"), title="Revenue by category"
        ),
        "brand": charts.bar_chart(
            _bars(kpis["by_brand"], "brand_name", "revenue"), title="Revenue by brand"
        ),
        "country": charts.bar_chart(
            _bars(kpis["by_country"], "country", "revenue"), title="Revenue by country"
        ),
        "gender": charts.bar_chart(
            _bars(kpis["by_gender"], "gender", "revenue"), title="Revenue by gender"
        ),
        "product": charts.bar_chart(products, title="Top products by revenue"),
        "customer": charts.bar_chart(customers, title="Top customers by revenue"),
        "payment": charts.bar_chart(
            _bars(kpis["by_payment_method"], "payment_method", "cancellation_rate"),
            title="Cancellation rate by payment method",
            fmt=charts.percent,
            color=charts.PALETTE[1],
        ),
        "layers": charts.bar_chart(
            _bars(health["layers"], "layer", "row_count"),
            title="Rows per layer (last run)",
            fmt=lambda value: f"{value:,.0f}",
            color=charts.PALETTE[2],
        ),
    }


def render_html(duckdb_path: Path, generated_at: dt.datetime) -> str:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        kpis = load_kpis(con)
        health = load_pipeline_health(con)
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    return environment.get_template("dashboard.html.j2").render(
        kpis=kpis,
        health=health,
        charts=build_charts(kpis, health),
        money=charts.money,
        percent=charts.percent,
        generated_at=generated_at,
        data_through=kpis["daily"][-1]["order_date"] if kpis["daily"] else None,
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
