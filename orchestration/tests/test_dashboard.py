"""The dashboard of a real pipeline run, in real headless Chromium (Debian's, driven by playwright).

The interactive page is served by `python -m orchestration dashboard` (its own process, a free
loopback port) over the run's warehouse, opened, then filtered the way a user does (a date
range, a country, a payment method; then a category, a gender and an end date). In every state,
every tile and every chart shows the numbers that the independent reference oracle
(e2e/reference_kpis.py: plain Python over the raw CSV files, sharing no code with dbt, the server
or the page) computes for that slice. The page requests nothing but that loopback server and
logs no console error. The static snapshot the run wrote (index.html, printed to the mailed PDF)
shows the unfiltered numbers with no request at all. Screenshots of every state are kept in
data/test-artifacts/ (LAKEHOUSE_TEST_ARTIFACTS).
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from playwright.sync_api import Page, sync_playwright

from e2e.reference_kpis import Row, enriched_orders, kpis
from orchestration.charts import money, percent
from orchestration.dashboard import CHARTS, CHROMIUM
from orchestration.tests.helpers import running_dashboard_server

REPO = Path(__file__).resolve().parents[2]
MONEY_TOLERANCE = 0.005
RATE_TOLERANCE = 1e-12

pytestmark = pytest.mark.browser

# What every drawn chart holds: its plotly traces as plain lists.
CHART_TRACES = """
() => Object.fromEntries(Array.from(document.querySelectorAll('.plot'), div => [
    div.id.replace(/^chart-/, ''),
    {
        traces: (div.data || []).map(t => ({name: t.name || null, x: t.x || null,
                                           y: t.y || null, z: t.z || null})),
        drawn: div.querySelectorAll('.main-svg').length,
        width: div.getBoundingClientRect().width,
        height: div.getBoundingClientRect().height,
    },
]))
"""
TILES = ("revenue", "orders", "units-sold", "cancellation-rate", "lost-revenue")

# The oracle's order rows, as the page's chart dimensions.
KEYS: dict[str, Callable[[Row], str]] = {
    "day": lambda order: order["order_date"].isoformat(),
    "country": lambda order: order["country"],
    "payment_method": lambda order: order["payment_method"],
    "gender": lambda order: order["gender"],
    "brand": lambda order: order["brand_name"],
    "category": lambda order: order["category_name"],
    "product": lambda order: f"{order['product_name']} (#{order['product_id']})",
    "customer": lambda order: f"#{order['customer_id']} ({order['country']})",
}
MEASURES: dict[str, Callable[[Row], float]] = {
    "revenue": lambda k: float(k["revenue"]),
    "lost_revenue": lambda k: float(k["lost_revenue"]),
    "total_orders": lambda k: k["total_orders"],
    "cancelled_orders": lambda k: k["cancelled_orders"],
    "cancellation_rate": lambda k: k["cancellation_rate"],
}


def grouped(orders: list[Row], key: Callable[[Row], str]) -> dict[str, Row]:
    groups: dict[str, list[Row]] = {}
    for order in orders:
        groups.setdefault(key(order), []).append(order)
    return {label: kpis(group) for label, group in groups.items()}


def ranked(orders: list[Row], dimension: str, measure: str, top: int | None) -> list[tuple]:
    """(label, value), largest first, ties by label; the first `top` only."""
    items = [
        (label, MEASURES[measure](values))
        for label, values in grouped(orders, KEYS[dimension]).items()
    ]
    items.sort(key=lambda item: (-item[1], item[0]))
    return items[:top] if top else items


def expected_chart(chart: dict[str, Any], orders: list[Row]) -> list[dict[str, Any]]:
    """The chart's traces as the oracle computes them for the slice."""
    measure = chart["measures"][0]
    if chart["kind"] == "line":
        days = grouped(orders, KEYS["day"])
        ordered = sorted(days)
        return [
            {"x": ordered, "y": [MEASURES[name](days[day]) for day in ordered]}
            for name in chart["measures"]
        ]
    if chart["kind"] == "heatmap":
        rows = [label for label, _ in ranked(orders, chart["dimension"], measure, chart["top"])]
        columns = sorted({KEYS[chart["columns"]](order) for order in orders})
        cells = grouped(
            orders, lambda order: (KEYS[chart["dimension"]](order), KEYS[chart["columns"]](order))
        )
        z = [
            [
                MEASURES[measure](cells[(row, column)]) if (row, column) in cells else 0
                for column in columns
            ]
            for row in rows
        ]
        return [{"x": columns, "y": rows, "z": z}]
    items = ranked(orders, chart["dimension"], measure, chart["top"])
    return [{"y": [label for label, _ in items], "x": [value for _, value in items]}]


def assert_close(actual: list, expected: list, what: str, tolerance: float) -> None:
    assert len(actual) == len(expected), f"{what}: {len(actual)} values, expected {len(expected)}"
    for position, (value, wanted) in enumerate(zip(actual, expected, strict=True)):
        if isinstance(wanted, list):
            assert_close(value, wanted, f"{what}[{position}]", tolerance)
        else:
            assert math.isclose(value, wanted, rel_tol=0, abs_tol=tolerance), (
                f"{what}[{position}]: {value} != {wanted}"
            )


def read_state(page: Page, name: str, artifacts: Path) -> dict[str, Any]:
    page.screenshot(path=artifacts / f"dashboard-{name}.png", full_page=True)
    return {
        "charts": page.evaluate(CHART_TRACES),
        "tiles": {
            tile: {
                "text": page.inner_text(f"#tile-{tile} .value"),
                "value": float(page.get_attribute(f"#tile-{tile}", "data-value")),
            }
            for tile in TILES
        },
        "summary": page.inner_text("#filter-summary"),
        "error": page.inner_text("#filter-error"),
    }


def slices(orders: list[Row]) -> dict[str, dict[str, Any]]:
    """The filter states the test sets, as (page actions, the oracle's predicate)."""
    days = sorted({order["order_date"] for order in orders})
    country = Counter(order["country"] for order in orders).most_common(1)[0][0]
    payment = Counter(order["payment_method"] for order in orders).most_common(1)[0][0]
    category = Counter(order["category_name"] for order in orders).most_common(1)[0][0]
    assert len(days) >= 3, "the pipeline fixture makes three days of orders"
    return {
        "all": {"set": {}, "keep": lambda order: True},
        "dates-country-payment": {
            "set": {"date-from": days[1], "country": [country], "payment_method": [payment]},
            "keep": lambda order: (
                order["order_date"] >= days[1]
                and order["country"] == country
                and order["payment_method"] == payment
            ),
        },
        "category-gender-until": {
            "set": {"date-to": days[-2], "category": [category], "gender": ["Female", "Male"]},
            "keep": lambda order: (
                order["order_date"] <= days[-2]
                and order["category_name"] == category
                and order["gender"] in ("Female", "Male")
            ),
        },
    }


ANSWERED = "() => document.body.dataset.answered === document.body.dataset.asked"


def apply_filters(page: Page, settings: dict[str, Any]) -> None:
    """Set the filters like a user, then wait for the server's answer to the last change."""
    page.click("#filter-reset")
    for control, value in settings.items():
        if control.startswith("date-"):
            page.fill(f"#filter-{control}", value.isoformat())
        else:
            page.select_option(f"#filter-{control}", label=value)
    page.wait_for_function(ANSWERED)


def open_page(playwright: Any, url: str, log: dict[str, list[str]]) -> tuple[Any, Page]:
    """Chromium on url, every request and console error recorded in log."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda request: log["requests"].append(request.url))
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: log["errors"].append(str(error)))
    page.goto(url, wait_until="networkidle")
    page.wait_for_function(ANSWERED)
    return browser, page


@pytest.fixture(scope="module")
def reference_orders(pipeline: Any) -> list[Row]:
    assert pipeline.completed.returncode == 0, pipeline.explain()
    return enriched_orders(str(pipeline.root / "raw"))


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = Path(os.environ.get("LAKEHOUSE_TEST_ARTIFACTS", REPO / "data" / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def page_states(pipeline: Any, reference_orders: list[Row], artifacts: Path) -> dict[str, Any]:
    """The served page in each filter state of slices(), plus every request and console error."""
    log: dict[str, list[str]] = {"requests": [], "errors": []}
    states: dict[str, Any] = {}
    with running_dashboard_server(pipeline.duckdb_path) as url, sync_playwright() as playwright:
        browser, page = open_page(playwright, url, log)
        try:
            states["health"] = page.inner_text("#pipeline-health")
            states["freshness"] = page.inner_text("#freshness")
            for name, state in slices(reference_orders).items():
                apply_filters(page, state["set"])
                states[name] = read_state(page, name, artifacts)
        finally:
            browser.close()
    return {**states, **log, "url": url, "artifacts": artifacts}


@pytest.fixture(scope="module")
def snapshot_state(pipeline: Any, artifacts: Path) -> dict[str, Any]:
    """The static snapshot the run wrote (index.html), opened from its file."""
    log: dict[str, list[str]] = {"requests": [], "errors": []}
    url = (pipeline.dashboard_dir / "index.html").as_uri()
    with sync_playwright() as playwright:
        browser, page = open_page(playwright, url, log)
        try:
            state = read_state(page, "snapshot", artifacts)
            state["disabled"] = page.eval_on_selector_all(
                "#filters input, #filters select, #filters button",
                "els => els.map(e => e.disabled)",
            )
            state["note"] = page.inner_text("header")
        finally:
            browser.close()
    return {**state, **log, "url": url}


def assert_shows_the_oracle_numbers(shown: dict[str, Any], orders: list[Row], state: str) -> None:
    """Every tile and every chart of a page state equals the oracle's for the orders."""
    assert shown["error"] == "", shown["error"]
    totals = kpis(orders)
    tiles = shown["tiles"]
    assert tiles["orders"] == {
        "text": f"{totals['total_orders']:,}",
        "value": totals["total_orders"],
    }
    assert tiles["units-sold"]["value"] == totals["units_sold"]
    for tile, kpi, fmt in (
        ("revenue", "revenue", money),
        ("lost-revenue", "lost_revenue", money),
        ("cancellation-rate", "cancellation_rate", percent),
    ):
        assert_close([tiles[tile]["value"]], [float(totals[kpi])], tile, MONEY_TOLERANCE)
        assert tiles[tile]["text"] == fmt(float(totals[kpi])), tile

    assert set(shown["charts"]) == {chart["id"] for chart in CHARTS}
    for chart in CHARTS:
        drawn = shown["charts"][chart["id"]]
        assert drawn["drawn"] >= 1 and drawn["width"] > 200 and drawn["height"] > 100, chart["id"]
        expected = expected_chart(chart, orders)
        assert len(drawn["traces"]) == len(expected), chart["id"]
        tolerance = RATE_TOLERANCE if "cancellation_rate" in chart["measures"] else MONEY_TOLERANCE
        for trace, wanted in zip(drawn["traces"], expected, strict=True):
            what = f"{state} {chart['id']}"
            assert len(wanted.get("y", [])) > 0, f"{what}: the oracle has no data"
            if chart["kind"] == "bar":
                assert trace["y"] == wanted["y"], f"{what}: labels"
                assert_close(trace["x"], wanted["x"], what, tolerance)
            elif chart["kind"] == "line":
                assert trace["x"] == wanted["x"], f"{what}: days"
                assert_close(trace["y"], wanted["y"], what, tolerance)
            else:
                assert (trace["x"], trace["y"]) == (wanted["x"], wanted["y"]), what
                assert_close(trace["z"], wanted["z"], what, tolerance)


@pytest.mark.parametrize("state", ["all", "dates-country-payment", "category-gender-until"])
def test_tiles_and_every_chart_show_the_oracle_numbers_for_the_slice(
    page_states: dict[str, Any], reference_orders: list[Row], state: str
) -> None:
    keep = slices(reference_orders)[state]["keep"]
    orders = [order for order in reference_orders if keep(order)]
    assert len(orders) > 0, f"slice {state} is empty: pick another"
    if state != "all":
        assert len(orders) < len(reference_orders), f"slice {state} filters nothing"
    assert_shows_the_oracle_numbers(page_states[state], orders, state)
    assert "answered in" in page_states[state]["summary"]


def test_the_filters_change_every_tile(page_states: dict[str, Any]) -> None:
    everything = page_states["all"]["tiles"]
    for state in ("dates-country-payment", "category-gender-until"):
        for tile, shown in page_states[state]["tiles"].items():
            if tile != "cancellation-rate":  # a rate may coincide; the amounts cannot
                assert shown["value"] < everything[tile]["value"], (state, tile)


def test_the_page_requests_only_its_loopback_server_and_logs_no_error(
    page_states: dict[str, Any],
) -> None:
    requests = page_states["requests"]
    outside = [url for url in requests if not url.startswith(page_states["url"])]
    assert outside == [] and page_states["url"].startswith("http://127.0.0.1:")
    paths = {url.removeprefix(page_states["url"]).split("?")[0] for url in requests}
    assert paths == {"", "plotly.min.js", "api/answer"}  # the page, plotly.js, the answers
    assert sum("api/answer?" in url for url in requests) >= 3  # one per filter state at least
    assert page_states["errors"] == []
    for state in ("all", "dates-country-payment", "category-gender-until"):
        assert (page_states["artifacts"] / f"dashboard-{state}.png").stat().st_size > 10_000


def test_the_snapshot_shows_all_orders_with_no_request_and_filters_off(
    snapshot_state: dict[str, Any], reference_orders: list[Row], pipeline: Any
) -> None:
    assert_shows_the_oracle_numbers(snapshot_state, reference_orders, "snapshot")
    assert snapshot_state["requests"] == [snapshot_state["url"]]  # the file, nothing else
    assert snapshot_state["errors"] == []
    assert snapshot_state["disabled"] and all(snapshot_state["disabled"])
    assert "make dashboard" in snapshot_state["note"]
    # plotly.js (about 4.8 MB) and the answer: its size does not grow with the orders
    assert (pipeline.dashboard_dir / "index.html").stat().st_size < 6_000_000


def test_freshness_and_pipeline_health_show_the_last_run(
    page_states: dict[str, Any], pipeline: Any
) -> None:
    with duckdb.connect(str(pipeline.duckdb_path), read_only=True) as con:
        last_day = con.execute("select max(order_date) from gold.orders_enriched").fetchone()[0]
        run_id = con.execute(
            "select run_id from ops.pipeline_runs order by started_at desc limit 1"
        ).fetchone()[0]
    assert str(last_day) in page_states["freshness"]
    assert run_id in page_states["health"]
    assert "dbt_build" in page_states["health"] and "success" in page_states["health"]


def test_the_pdf_snapshot_is_a_real_pdf(pipeline: Any) -> None:
    pdf = (pipeline.dashboard_dir / "dashboard.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2
    assert len(pdf) > 50_000  # charts and text, not an empty page
