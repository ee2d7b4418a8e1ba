"""The dashboard of a real pipeline run, in real headless Chromium (Debian's, driven by playwright).

The interactive page is served by `python -m orchestration dashboard` (its own process, a free
loopback port) over the run's warehouse, opened, then used the way a person does: filters set in
its searchable lists and date inputs, a preset, a click on a bar, a link shared and opened
again, the KPI table exported. In every state every tile and chart shows what the independent
reference oracle (e2e/reference_kpis.py: plain Python over the raw CSV files, sharing no code
with dbt, the server or the page; orchestration/tests/dashboard_oracle.py) computes for that
slice: an empty slice and a range outside the data say so instead of drawing axes, a sparse
slice draws its days without orders at zero. The page requests nothing but that loopback
server, logs no console error, meets WCAG AA contrast (axe-core) and works at 390 and 1,024 px.
The run's snapshot shows the unfiltered numbers with no request at all, and its PDF reads well on
paper (pdftoppm, pdftotext). Screenshots of every state are kept in data/test-artifacts/
(LAKEHOUSE_TEST_ARTIFACTS).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import io
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, sync_playwright

from e2e.reference_kpis import Row, enriched_orders, kpis
from orchestration.charts import money, percent
from orchestration.dashboard import CHROMIUM, MIN_ORDERS_FOR_RATE
from orchestration.tests import dashboard_oracle as oracle
from orchestration.tests.dashboard_page import (
    BROWSER_ARGS,
    TILES,
    Visit,
    choose,
    read,
    set_dates,
    settle,
)
from orchestration.tests.helpers import running_dashboard_server

REPO = Path(__file__).resolve().parents[2]
RATE_TOLERANCE = 1e-12
pytestmark = pytest.mark.browser


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
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def url(pipeline: Any) -> Iterator[str]:
    with running_dashboard_server(pipeline.duckdb_path) as address:
        yield address


def data_range(orders: list[Row]) -> tuple[dt.date, dt.date]:
    days = [order["order_date"] for order in orders]
    return min(days), max(days)


def assert_shows(
    shown: dict[str, Any],
    every: list[Row],
    start: dt.date,
    end: dt.date,
    chosen: dict[str, list[str]],
) -> None:
    """Every tile and chart of a page state equals the oracle's for the slice."""
    assert shown["error"] == "", shown["error"]
    orders = oracle.keep(every, start, end, chosen)
    totals = kpis(orders)
    tiles = shown["tiles"]
    for tile, kpi in TILES.items():
        assert oracle.close(
            float(tiles[tile]["value"]),
            float(totals[kpi]),
            RATE_TOLERANCE if kpi == "cancellation_rate" else oracle.MONEY_TOLERANCE,
        ), tile
    assert tiles["orders"]["text"] == f"{totals['total_orders']:,}"
    assert tiles["revenue"]["text"] == money(float(totals["revenue"]))
    assert tiles["lost-revenue"]["text"] == money(float(totals["lost_revenue"]))
    rate_text = percent(totals["cancellation_rate"]) if orders else "—"
    assert tiles["cancellation-rate"]["text"] == rate_text
    days = oracle.covered_days(every, start, end)
    for chart_id, drawn in shown["charts"].items():
        chart = drawn["spec"]
        wanted = oracle.expected_chart(chart, orders, days)
        what = f"{chart_id} over {len(orders)} orders"
        tolerance = RATE_TOLERANCE if chart["measures"][0] == "cancellation_rate" else 0.005
        if chart["kind"] == "line":
            if not orders:
                assert drawn["hidden"] and drawn["message"], what
                continue
            assert [trace["x"] for trace in drawn["traces"]] == [days] * len(chart["measures"])
            for trace, measure in zip(drawn["traces"], chart["measures"], strict=True):
                assert all(
                    oracle.close(a, b)
                    for a, b in zip(trace["y"], wanted["y"][measure], strict=True)
                ), what
        elif chart["kind"] == "heatmap":
            if not wanted["y"]:
                assert drawn["hidden"] and drawn["message"], what
                continue
            (trace,) = drawn["traces"]
            assert (trace["meta"]["x"], trace["meta"]["y"]) == (wanted["x"], wanted["y"]), what
            for got, expected in zip(trace["z"], wanted["z"], strict=True):
                assert all(oracle.close(a, b) for a, b in zip(got, expected, strict=True)), what
        else:
            not_ranked = drawn["notRanked"]
            for label in wanted["not_ranked"]:
                assert label in not_ranked, (what, label)
            if not wanted["labels"]:
                assert drawn["hidden"] and drawn["message"] and not drawn["traces"], what
                continue
            (trace,) = drawn["traces"]
            assert trace["customdata"] == wanted["labels"], what
            assert [html.unescape(label) for label in trace["y"]] == wanted["labels"], what
            assert all(
                oracle.close(a, b, tolerance)
                for a, b in zip(trace["x"], wanted["values"], strict=True)
            ), what
            if chart["measures"][0] in ("cancellation_rate", "cancelled_orders"):
                for text, (cancelled, total) in zip(trace["text"], wanted["counts"], strict=True):
                    assert f"{cancelled:,} of {total:,})" in text or f"of {total:,})" in text, what


def slices(orders: list[Row]) -> dict[str, dict[str, Any]]:
    """The filter states the tests set: dates and chosen values."""
    first, last = data_range(orders)
    second = first + dt.timedelta(days=1)
    country = Counter(order["country"] for order in orders).most_common(1)[0][0]
    payment = Counter(order["payment_method"] for order in orders).most_common(1)[0][0]
    category = Counter(order["category_name"] for order in orders).most_common(1)[0][0]
    # a sparse slice: a country and payment method with orders on the first and last day only
    pairs = _pairs_by_days(orders)
    sparse = next((pair for pair, days in sorted(pairs.items()) if days == {first, last}), None)
    assert sparse, "no country and payment method skip the middle day: pick another slice"
    return {
        "all": {"dates": (first, last), "chosen": {}},
        "dates-country-payment": {
            "dates": (second, last),
            "chosen": {"country": [country], "payment_method": [payment]},
        },
        "category-gender-until": {
            "dates": (first, last - dt.timedelta(days=1)),
            "chosen": {"category": [category], "gender": ["Female", "Male"]},
        },
        "sparse": {
            "dates": (first, last),
            "chosen": {"country": [sparse[0]], "payment_method": [sparse[1]]},
        },
    }


def _pairs_by_days(orders: list[Row]) -> dict[tuple[str, str], set[dt.date]]:
    pairs: dict[tuple[str, str], set[dt.date]] = {}
    for order in orders:
        pairs.setdefault((order["country"], order["payment_method"]), set()).add(
            order["order_date"]
        )
    return pairs


@pytest.fixture(scope="module")
def page_states(
    browser: Browser, url: str, reference_orders: list[Row], artifacts: Path
) -> dict[str, Any]:
    """The served page in each filter state of slices(), set through the page's own controls."""
    visit = Visit(browser, url)
    states: dict[str, Any] = {}
    try:
        states["health"] = visit.page.inner_text("#pipeline-health")
        states["freshness"] = visit.page.inner_text("#freshness")
        first, last = data_range(reference_orders)
        for name, state in slices(reference_orders).items():
            visit.page.click("#filter-reset")
            settle(visit.page)
            start, end = state["dates"]
            set_dates(visit.page, start if start != first else None, end if end != last else None)
            for parameter, values in state["chosen"].items():
                choose(visit.page, parameter, values)
            settle(visit.page)
            visit.page.screenshot(path=artifacts / f"dashboard-{name}.png", full_page=True)
            states[name] = read(visit.page)
    finally:
        visit.close()
    return {**states, "requests": visit.requests, "errors": visit.errors, "url": url}


@pytest.mark.parametrize(
    "state", ["all", "dates-country-payment", "category-gender-until", "sparse"]
)
def test_tiles_and_every_chart_show_the_oracle_numbers_for_the_slice(
    page_states: dict[str, Any], reference_orders: list[Row], state: str
) -> None:
    wanted = slices(reference_orders)[state]
    start, end = wanted["dates"]
    kept = oracle.keep(reference_orders, start, end, wanted["chosen"])
    assert 0 < len(kept) <= len(reference_orders)
    if state != "all":
        assert len(kept) < len(reference_orders), f"slice {state} filters nothing"
    assert_shows(page_states[state], reference_orders, start, end, wanted["chosen"])
    assert "answered in" in page_states[state]["summary"]


def test_a_sparse_slice_draws_its_days_without_orders_at_zero(
    page_states: dict[str, Any], reference_orders: list[Row]
) -> None:
    first, last = data_range(reference_orders)
    line = page_states["sparse"]["charts"]["revenue-per-day"]["traces"]
    days = [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    assert line[0]["x"] == days and len(days) >= 3
    assert line[0]["y"][1] == 0 and line[0]["y"][0] != 0  # the middle day: drawn, at zero


def test_an_empty_slice_and_a_range_outside_the_data_say_so(
    browser: Browser, url: str, reference_orders: list[Row], artifacts: Path
) -> None:
    first, last = data_range(reference_orders)
    taken = {(o["country"], o["payment_method"], o["order_date"]) for o in reference_orders}
    empty = next(
        (c, p)
        for c in sorted({o["country"] for o in reference_orders})
        for p in sorted({o["payment_method"] for o in reference_orders})
        if (c, p, first) not in taken
    )
    visit = Visit(
        browser,
        f"{url}?from={first}&to={first}&country={empty[0]}&payment_method={empty[1]}".replace(
            " ", "+"
        ),
    )
    try:
        shown = read(visit.page)
        visit.page.screenshot(path=artifacts / "dashboard-empty.png", full_page=True)
        assert_shows(
            shown,
            reference_orders,
            first,
            first,
            {"country": [empty[0]], "payment_method": [empty[1]]},
        )
        assert "No orders match these filters" in shown["notice"]
        assert shown["tiles"]["cancellation-rate"]["text"] == "—"
        assert all(t["detail"] == "no orders match" for t in shown["tiles"].values())
        for chart in shown["charts"].values():
            assert chart["hidden"] and chart["message"] and chart["traces"] == []
            assert "No orders match" in chart["message"]
        # the preset "Last month" ends before the data starts: nothing drawn, the data's range said
        visit.page.click("[data-preset=last-month]")
        settle(visit.page)
        shown = read(visit.page)
        visit.page.screenshot(path=artifacts / "dashboard-outside.png", full_page=True)
        assert f"the orders run from {first:%b} {first.day}" in shown["notice"]
        assert "No data for" in shown["notice"]
        for chart in shown["charts"].values():
            assert chart["hidden"] and "No data in this range" in chart["message"]
        # a range that starts before the data: what it covers is said
        visit.page.click("#filter-reset")
        settle(visit.page)
        visit.page.fill("#filter-date-from", (first - dt.timedelta(days=5)).isoformat())
        visit.page.fill("#filter-date-to", last.isoformat())
        settle(visit.page)
        shown = read(visit.page)
        assert "Only part of" in shown["notice"] and "covers" in shown["notice"]
        assert_shows(shown, reference_orders, first - dt.timedelta(days=5), last, {})
        assert visit.errors == []
    finally:
        visit.close()


def test_the_filter_state_is_in_the_url_and_survives_a_reload(
    browser: Browser, url: str, reference_orders: list[Row]
) -> None:
    first, last = data_range(reference_orders)
    state = slices(reference_orders)["dates-country-payment"]
    visit = Visit(browser, url)
    try:
        set_dates(visit.page, state["dates"][0], None)
        for parameter, values in state["chosen"].items():
            choose(visit.page, parameter, values)
        visit.page.check("#filter-compare")
        visit.page.select_option("#table-by", "category")
        settle(visit.page)
        before = read(visit.page)
        shared = visit.page.url
        assert f"from={state['dates'][0]}" in shared and "compare=previous" in shared
        assert "table=category" in shared
    finally:
        visit.close()
    again = Visit(browser, shared)  # a colleague opens the shared link
    try:
        after = read(again.page)
        assert (
            after["tiles"] == before["tiles"]
            and after["summary"].split(" (answered")[0]
            == (before["summary"].split(" (answered")[0])
        )
        assert again.page.input_value("#filter-date-from") == state["dates"][0].isoformat()
        assert again.page.is_checked("#filter-compare")
        assert again.page.input_value("#table-by") == "category"
        country = state["chosen"]["country"][0]
        assert again.page.inner_text("#filter-country > summary") == f"Country: {country}"
        again.page.reload()
        settle(again.page)
        assert read(again.page)["tiles"] == before["tiles"]
        assert_shows(after, reference_orders, state["dates"][0], last, state["chosen"])
        assert first < state["dates"][0]
    finally:
        again.close()


def test_a_click_on_a_bar_filters_by_it(
    browser: Browser, url: str, reference_orders: list[Row], artifacts: Path
) -> None:
    first, last = data_range(reference_orders)
    visit = Visit(browser, url)
    try:
        top = read(visit.page)["charts"]["revenue-by-country"]["traces"][0]["customdata"][0]
        bar = visit.page.locator("#chart-revenue-by-country .bars path").first
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        assert box
        middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        visit.page.mouse.move(*middle)  # plotly picks the point under the pointer
        visit.page.wait_for_selector("#chart-revenue-by-country .hoverlayer .hovertext")
        visit.page.mouse.click(*middle)
        settle(visit.page)
        shown = read(visit.page)
        visit.page.screenshot(path=artifacts / "dashboard-clicked.png", full_page=True)
        assert f"country={top.replace(' ', '+')}" in shown["url"]
        assert visit.page.inner_text("#filter-country > summary") == f"Country: {top}"
        assert_shows(shown, reference_orders, first, last, {"country": [top]})
    finally:
        visit.close()


def test_the_kpi_table_exports_the_oracle_numbers_as_csv(
    browser: Browser, url: str, reference_orders: list[Row], tmp_path: Path
) -> None:
    """By product: a product is its id (names are shared); every KPI equal to the oracle's."""
    visit = Visit(browser, url)
    try:
        visit.page.select_option("#table-by", "product")
        settle(visit.page)
        with visit.page.expect_download() as download:
            visit.page.click("#table-csv")
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        shown_rows = visit.page.locator("#kpi-table tbody tr").count()
    finally:
        visit.close()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    expected = oracle.expected_table(reference_orders, "product")
    assert path.name.startswith("kpis-by-product-")
    assert len(rows) == len(expected) and shown_rows == min(len(expected), 100)
    for row in rows:
        key = (int(row["product_id"]), row["product_name"], row["brand_name"], row["category_name"])
        wanted = expected[key]
        for name in ("total_orders", "placed_orders", "cancelled_orders", "units_sold"):
            assert int(row[name]) == wanted[name], (key, name)
        assert Decimal(row["revenue"]) == wanted["revenue"]
        assert Decimal(row["lost_revenue"]) == wanted["lost_revenue"]
        assert abs(float(row["cancellation_rate"]) - wanted["cancellation_rate"]) < RATE_TOLERANCE
    names = Counter(row["product_name"] for row in rows)
    assert len(names) <= len(rows)  # products sharing a name stay apart, by id


def test_typing_dates_is_debounced_and_a_stale_answer_is_cancelled(
    browser: Browser, url: str, reference_orders: list[Row]
) -> None:
    first, last = data_range(reference_orders)
    start, end = first + dt.timedelta(days=1), last - dt.timedelta(days=1)
    visit = Visit(browser, url)
    page = visit.page
    try:
        asked = len([r for r in visit.requests if "/api/answer" in r])
        page.focus("#filter-date-from")  # the month, then the day and the year
        page.keyboard.type(f"{start:%m%d%Y}")
        page.focus("#filter-date-to")
        page.keyboard.type(f"{end:%m%d%Y}")
        settle(page)
        typed = len([r for r in visit.requests if "/api/answer" in r]) - asked
        assert 1 <= typed <= 2, f"{typed} questions for two typed dates"
        # the server is slow to answer one question; a newer one is asked meanwhile
        held: list[Any] = []

        def wait_until_held(count: int) -> None:  # bounded: 30 s at most
            for _ in range(600):
                if len(held) >= count:
                    return
                page.wait_for_timeout(50)
            raise AssertionError(f"{len(held)} questions reached the server, not {count}")

        page.route("**/api/answer*", lambda route: held.append(route))
        choose(page, "gender", ["Female"])
        page.wait_for_function("() => document.body.dataset.loading === '1'")
        assert page.is_visible("#loading")
        wait_until_held(1)
        choose(page, "gender", ["Male"])
        wait_until_held(2)
        page.unroute("**/api/answer*")
        for route in held:
            with contextlib.suppress(Exception):  # the stale question was cancelled by the page
                route.continue_()
        settle(page)
        assert any(
            "gender=Female" in failed and "gender=Male" not in failed for failed in visit.failed
        )
        assert not page.is_visible("#loading")
        assert_shows(read(page), reference_orders, start, end, {"gender": ["Female", "Male"]})
        assert visit.errors == []
    finally:
        visit.close()


def test_after_an_error_no_stale_numbers_stay_and_the_message_is_for_a_person(
    browser: Browser, url: str
) -> None:
    visit = Visit(browser, url)
    try:
        assert read(visit.page)["tiles"]["orders"]["text"] != "—"
        visit.page.evaluate("() => { state.from = '2026-13-01'; changed(0); }")  # a bad link
        settle(visit.page)
        shown = read(visit.page)
        assert "`from` is not a date" in shown["error"]
        assert shown["summary"] == "Nothing shown for these filters." and shown["notice"] == ""
        assert all(
            tile["text"] == "—" and tile["value"] is None for tile in shown["tiles"].values()
        )
        for chart in shown["charts"].values():
            assert chart["hidden"] and chart["traces"] == [] and "Not available" in chart["message"]
        assert visit.page.locator("#kpi-table tbody tr").count() == 0
        assert not re.search(r"Traceback|/work/|\.py|pid|lock", shown["error"], re.IGNORECASE)
    finally:
        visit.close()


def test_the_page_requests_only_its_loopback_server_and_caches_plotly(
    page_states: dict[str, Any], browser: Browser, url: str
) -> None:
    requests = page_states["requests"]
    outside = [address for address in requests if not address.startswith(page_states["url"])]
    assert outside == [] and page_states["url"].startswith("http://127.0.0.1:")
    paths = {address.removeprefix(page_states["url"]).split("?")[0] for address in requests}
    assert paths == {"", "api/answer", "api/table", next(p for p in paths if "plotly" in p)}
    assert page_states["errors"] == []
    visit = Visit(browser, url)
    try:
        script = next(r for r in visit.requests if "plotly" in r)
        response = visit.page.request.get(script, headers={"Accept-Encoding": "gzip"})
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-encoding"] == "gzip"
    finally:
        visit.close()


@pytest.mark.parametrize("width", [390, 1024])
def test_the_layout_works_narrow_and_wide_with_aa_contrast(
    browser: Browser, url: str, width: int, artifacts: Path
) -> None:
    visit = Visit(browser, url + "?compare=previous", width=width)
    page = visit.page
    try:
        page.screenshot(path=artifacts / f"dashboard-{width}px.png", full_page=True)
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width
        for chart_id, chart in read(page)["charts"].items():
            if chart["spec"]["kind"] == "bar" and not chart["hidden"]:
                assert chart["bars"], chart_id
                for bar in chart["bars"]:  # every bar drawn, inside the screen
                    assert bar["width"] >= 1 or bar["right"] > bar["left"] - 1, chart_id
                    assert bar["left"] >= 0 and bar["right"] <= width, chart_id
                longest = max(bar["width"] for bar in chart["bars"])
                assert longest > chart["width"] / 4, (chart_id, longest, chart["width"])
        violations = (
            Axe()
            .run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
            .response["violations"]
        )
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
        # a section link lands below the sticky filter bar, not under it
        page.click("nav a[href='#kpi-table-section']")
        page.wait_for_timeout(200)
        heading = page.locator("#kpi-table-section").bounding_box()
        bar = page.evaluate(
            "() => getComputedStyle(document.getElementById('filters')).position === 'sticky'"
            " ? document.getElementById('filters').getBoundingClientRect().bottom : 0"
        )
        assert heading and heading["y"] >= bar - 1, (heading, bar)
        assert visit.errors == []
    finally:
        visit.close()


def test_the_snapshot_shows_all_orders_with_no_request_and_filters_off(
    browser: Browser, pipeline: Any, reference_orders: list[Row], artifacts: Path
) -> None:
    address = (pipeline.dashboard_dir / "index.html").as_uri()
    visit = Visit(browser, address)
    try:
        visit.page.screenshot(path=artifacts / "dashboard-snapshot.png", full_page=True)
        first, last = data_range(reference_orders)
        assert_shows(read(visit.page), reference_orders, first, last, {})
        disabled = visit.page.eval_on_selector_all(
            "#filters input, #filters button, #table-by", "els => els.map(e => e.disabled)"
        )
        assert disabled and all(disabled)
        assert visit.requests == [address] and visit.errors == []
        assert "snapshot" in visit.page.inner_text("header").lower()
        # plotly.js (about 4.8 MB) and the answers: its size does not grow with the orders
        assert (pipeline.dashboard_dir / "index.html").stat().st_size < 6_000_000
    finally:
        visit.close()


def test_freshness_and_pipeline_health_show_the_last_run(
    page_states: dict[str, Any], pipeline: Any
) -> None:
    with duckdb.connect(str(pipeline.duckdb_path), read_only=True) as con:
        last_day = con.execute("select max(order_date) from gold.orders_enriched").fetchone()[0]
        run_id, status = con.execute(
            "select run_id, status from ops.pipeline_runs order by started_at desc limit 1"
        ).fetchone()
    assert str(last_day) in page_states["freshness"]
    assert run_id in page_states["health"] and status == "success"
    assert "dbt_build" in page_states["health"] and "success" in page_states["health"]
    assert "running" not in page_states["health"] and "pending" not in page_states["health"]


def _pgm(path: Path) -> tuple[int, int, bytes]:
    """A binary PGM (pdftoppm -gray): width, height, pixels."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P5" and fields[3] == b"255"
    return int(fields[1]), int(fields[2]), fields[4]


def test_the_pdf_reads_well_on_paper(
    pipeline: Any, reference_orders: list[Row], artifacts: Path, tmp_path: Path
) -> None:
    """Every page rendered (pdftoppm) has content; no word runs off the paper (pdftotext's word
    boxes); every chart's labels and values are printed whole; the run's status is final; no
    command to run."""
    pdf = pipeline.dashboard_dir / "dashboard.pdf"
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(tmp_path / "page")], check=True)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(artifacts / "pdf-page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert 2 <= len(pages) <= 10
    for page in pages:
        width, height, pixels = _pgm(page)
        ink = sum(1 for value in pixels if value < 160) / (width * height)
        assert ink > 0.01, f"{page.name} is (nearly) blank: {ink:.4f}"
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', boxes)
    assert size
    page_width, page_height = float(size.group(1)), float(size.group(2))
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', boxes
    )
    assert len(words) > 500
    for x_min, y_min, x_max, y_max in words:
        assert float(x_min) >= 10 and float(x_max) <= page_width - 10, (x_min, x_max)
        assert float(y_min) >= 10 and float(y_max) <= page_height - 10, (y_min, y_max)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", html.unescape(text))
    first, last = data_range(reference_orders)
    days = oracle.covered_days(reference_orders, first, last)
    totals = kpis(reference_orders)
    assert money(float(totals["revenue"])) in text and f"{totals['total_orders']:,}" in text
    for chart_id in (
        "top-products",
        "cancellations-by-product",
        "revenue-by-brand",
        "cancellation-rate-by-payment-method",
        "top-customers",
    ):
        spec = next(c for c in page_evaluate_charts() if c["id"] == chart_id)
        wanted = oracle.expected_chart(spec, reference_orders, days)
        for label, value, (cancelled, total) in zip(
            wanted["labels"], wanted["values"], wanted["counts"], strict=True
        ):
            assert re.sub(r"\s+", "", label) in flat, (chart_id, label)
            if spec["measures"][0] == "cancellation_rate":
                assert f"{percent(value)}({cancelled:,}of{total:,})" in flat, (chart_id, label)
            elif spec["measures"][0] == "revenue":
                assert money(value) in flat, (chart_id, label)
        for label in wanted["not_ranked"]:
            assert re.sub(r"\s+", "", label) in flat
    assert "succeeded" in text and "running" not in text and "pending" not in text
    assert "make " not in text and "`" not in text
    assert f"fewer than {MIN_ORDERS_FOR_RATE} orders" in text or "at least" in text


def page_evaluate_charts() -> list[dict[str, Any]]:
    """The page's chart specs, as the page's script reads them."""
    from orchestration.dashboard import CHARTS

    return [json.loads(json.dumps(chart.__dict__)) for chart in CHARTS]
