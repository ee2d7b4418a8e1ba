"""The dashboard of a real pipeline run, in real headless Chromium (Debian's, driven by playwright).

Every chart renders with data, the page makes no network request and logs no console error, and
its numbers are gold's. A screenshot is kept in data/test-artifacts/ (LAKEHOUSE_TEST_ARTIFACTS).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
from playwright.sync_api import sync_playwright

from orchestration.charts import money, percent
from orchestration.dashboard import CHROMIUM

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

CHARTS = {
    "Revenue and lost revenue per day",
    "Revenue by category",
    "Revenue by brand",
    "Revenue by country",
    "Revenue by gender",
    "Top products by revenue",
    "Top customers by revenue",
    "Cancellation rate by payment method",
    "Rows per layer (last run)",
}
CHART_FACTS = """
els => els.map(svg => ({
    label: svg.getAttribute('aria-label'),
    points: Number(svg.dataset.points),
    marks: svg.querySelectorAll('rect.bar, circle').length,
    width: svg.getBoundingClientRect().width,
    height: svg.getBoundingClientRect().height,
}))
"""


@pytest.fixture(scope="module")
def page_facts(pipeline: Any) -> dict:
    assert pipeline.completed.returncode == 0, pipeline.explain()
    html = pipeline.dashboard_dir / "index.html"
    artifacts = Path(os.environ.get("LAKEHOUSE_TEST_ARTIFACTS", REPO / "data" / "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(html.as_uri(), wait_until="networkidle")
            facts = {
                "charts": page.eval_on_selector_all("svg.chart", CHART_FACTS),
                "tiles": {
                    tile: page.inner_text(f"#tile-{tile} .value")
                    for tile in ("revenue", "orders", "cancellation-rate", "lost-revenue")
                },
                "health": page.inner_text("#pipeline-health"),
                "freshness": page.inner_text("#freshness"),
                "url": html.as_uri(),
            }
            page.screenshot(path=artifacts / "dashboard.png", full_page=True)
        finally:
            browser.close()
    facts["requests"], facts["errors"] = requests, errors
    facts["screenshot"] = artifacts / "dashboard.png"
    return facts


def test_every_chart_renders_with_data(page_facts: dict) -> None:
    charts = {chart["label"].split(" (top")[0]: chart for chart in page_facts["charts"]}
    assert set(charts) == CHARTS
    for label, chart in charts.items():
        assert chart["points"] > 0, f"{label} has no data"
        assert chart["marks"] >= chart["points"], f"{label} draws fewer marks than data points"
        assert chart["width"] > 200 and chart["height"] > 40, f"{label} is not visible"


def test_the_page_makes_no_network_request_and_logs_no_error(page_facts: dict) -> None:
    assert page_facts["requests"] == [page_facts["url"]]  # the file itself, nothing else
    assert page_facts["errors"] == []
    assert page_facts["screenshot"].stat().st_size > 10_000


def test_the_tiles_show_gold_kpis_and_the_last_run(page_facts: dict, pipeline: Any) -> None:
    with duckdb.connect(str(pipeline.duckdb_path), read_only=True) as con:
        revenue, orders, rate, lost = con.execute(
            "select revenue, total_orders, cancellation_rate, lost_revenue from gold.kpis_overall"
        ).fetchone()
        last_day = con.execute("select max(order_date) from gold.kpis_daily").fetchone()[0]
        run_id = con.execute(
            "select run_id from ops.pipeline_runs order by started_at desc limit 1"
        ).fetchone()[0]
    assert orders > 0
    assert page_facts["tiles"] == {
        "revenue": money(float(revenue)),
        "orders": f"{orders:,}",
        "cancellation-rate": percent(rate),
        "lost-revenue": money(float(lost)),
    }
    assert str(last_day) in page_facts["freshness"]
    assert run_id in page_facts["health"]
    assert "dbt_build" in page_facts["health"] and "success" in page_facts["health"]


def test_the_pdf_snapshot_is_a_real_pdf(pipeline: Any) -> None:
    pdf = (pipeline.dashboard_dir / "dashboard.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 1
    assert len(pdf) > 20_000  # charts and text, not an empty page
