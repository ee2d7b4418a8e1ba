"""The dashboard server (`python -m orchestration dashboard`) over a small warehouse, in its own
process on a free loopback port, asked over HTTP (and real sockets) as the page and a hostile
client ask it.

Its answers are the KPIs of the orders the filters keep (checked against plain Python over the
same rows), with the previous period, zero-filled days, ranked rates and what each filter can
still choose; filter values are bound parameters (a quote or SQL text is just a value); a bad
request gets a 400 that says why; the page and plotly.js come from the server, plotly.js
compressed and cached; it answers only to loopback host names; 300 connections that never
finish their request cost it neither threads nor memory and do not delay a real request; it
never opens the warehouse while serving, so a writer can always take the file; and a brand or
category whose name is markup is shown as text, in a real browser.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import duckdb
import plotly
import pytest
from playwright.sync_api import sync_playwright
from plotly.offline import get_plotlyjs

from orchestration import dashboard_copy
from orchestration.dashboard import CHARTS, MIN_ORDERS_FOR_RATE, TOP_N, Period
from orchestration.dashboard_server import CONNECTION_LIMIT, PLOTLY_URL, THREADS
from orchestration.tests.helpers import running_dashboard_process

MARKUP_BRAND = '<b>Bold</b> & <a href="https://example.com/">a link</a>'
# 600 orders on the odd days 2026-03-01 .. 2026-03-09 (the even days have none): 3 countries
# (one with a quote in its name), 3 payment methods, 40 customers, 30 products of 6 brands (one
# named with markup) and 4 categories; every 7th order cancelled.
ORDERS_ENRICHED = f"""
create schema gold;
create table gold.orders_enriched as
select
    i as order_id,
    date '2026-03-01' + cast(2 * (i % 5) as integer) as order_date,
    timestamp '2026-03-01 10:00:00' as ordered_at,
    case when i % 7 = 0 then 'Cancelled' else 'Placed' end as status,
    i % 7 = 0 as is_cancelled,
    (['Credit Card', 'PayPal', 'Cash on Delivery'])[1 + i % 3] as payment_method,
    cast(1 + i % 4 as integer) as quantity,
    cast(1 + (i % 50) * 1.25 as decimal(18, 2)) as unit_price,
    cast((1 + i % 4) * (1 + (i % 50) * 1.25) as decimal(18, 2)) as order_amount,
    1 + i % 30 as product_id,
    'Product ' || (1 + i % 30) as product_name,
    1 + i % 30 % 6 as brand_id,
    case when i % 30 % 6 = 0 then '{MARKUP_BRAND}' else 'Brand ' || (1 + i % 30 % 6) end
        as brand_name,
    1 + i % 30 % 4 as category_id,
    'Category ' || (1 + i % 30 % 4) as category_name,
    1 + i % 40 as customer_id,
    (['France', 'Germany', 'Cote d''Ivoire'])[1 + i % 40 % 3] as country,
    (['Female', 'Male'])[1 + i % 40 % 2] as gender
from range(1, 601) as numbers (i)
"""
FIRST_DAY, LAST_DAY = dt.date(2026, 3, 1), dt.date(2026, 3, 9)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dashboard-server") / "lakehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(ORDERS_ENRICHED)
    return path


@pytest.fixture(scope="module")
def served(warehouse: Path) -> Iterator[tuple[str, Any]]:
    with running_dashboard_process(warehouse) as (url, process):
        yield url, process


@pytest.fixture(scope="module")
def server(served: tuple[str, Any]) -> str:
    return served[0]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def ask(server: str, query: list[tuple[str, str]] | str, path: str = "api/answer") -> tuple:
    text = query if isinstance(query, str) else urllib.parse.urlencode(query)
    status, body, _ = get(f"{server}{path}?{text}")
    return status, json.loads(body)


def orders(warehouse: Path) -> list[dict[str, Any]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute("select * from gold.orders_enriched")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    placed = [row for row in rows if row["status"] == "Placed"]
    cancelled = [row for row in rows if row["status"] == "Cancelled"]
    return {
        "total_orders": len(rows),
        "placed_orders": len(placed),
        "cancelled_orders": len(cancelled),
        "units_sold": sum(row["quantity"] for row in placed),
        "revenue": float(sum((row["order_amount"] for row in placed), Decimal(0))),
        "lost_revenue": float(sum((row["order_amount"] for row in cancelled), Decimal(0))),
        "cancellation_rate": len(cancelled) / len(rows) if rows else 0.0,
        "average_order_value": (
            float(sum((row["order_amount"] for row in placed), Decimal(0))) / len(placed)
            if placed
            else 0.0
        ),
    }


def draws_nothing(drawn: dict[str, Any]) -> bool:
    """A chart's data with nothing to draw: no bar, no day, no heatmap row."""
    y = drawn.get("y") or []
    return (
        not drawn.get("items")
        and not drawn.get("x")
        and not any(y.values() if isinstance(y, dict) else y)
    )


def between(rows: list[dict[str, Any]], start: str, end: str) -> list[dict[str, Any]]:
    return [row for row in rows if start <= row["order_date"].isoformat() <= end]


def test_an_answer_is_the_kpis_of_the_orders_the_filters_keep(server: str, warehouse: Path):
    status, answer = ask(
        server,
        [
            ("from", "2026-03-03"),
            ("to", "2026-03-07"),
            ("country", "Cote d'Ivoire"),
            ("payment_method", "PayPal"),
            ("payment_method", "Credit Card"),
        ],
    )
    assert status == 200, answer
    kept = [
        row
        for row in between(orders(warehouse), "2026-03-03", "2026-03-07")
        if row["country"] == "Cote d'Ivoire" and row["payment_method"] in ("PayPal", "Credit Card")
    ]
    assert 0 < len(kept) < 600
    assert answer["tiles"] == pytest.approx(totals(kept))
    assert answer["period"]["coverage"] == "full" and answer["previous"] is None
    # the top customers by revenue: ranked by the server, largest first, ties by label
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for row in kept:
        by_customer.setdefault(f"#{row['customer_id']} ({row['country']})", []).append(row)
    revenue = sorted((-totals(group)["revenue"], label) for label, group in by_customer.items())
    top = answer["charts"]["top-customers"]["items"]
    assert [item["label"] for item in top] == [label for _, label in revenue[:TOP_N]]
    assert [item["value"] for item in top] == pytest.approx([-v for v, _ in revenue[:TOP_N]])
    assert set(answer["charts"]) == {chart.id for chart in CHARTS}


def test_days_without_orders_are_zero_and_the_previous_period_is_compared(
    server: str, warehouse: Path
) -> None:
    status, answer = ask(
        server, [("from", "2026-03-05"), ("to", "2026-03-09"), ("compare", "previous")]
    )
    assert status == 200, answer
    line = answer["charts"]["revenue-per-day"]
    days = [f"2026-03-0{n}" for n in range(5, 10)]
    assert line["x"] == days  # every day, the even ones without orders
    rows = orders(warehouse)
    expected = [totals(between(rows, day, day))["revenue"] for day in days]
    assert line["y"]["revenue"] == pytest.approx(expected)
    assert expected[1] == expected[3] == 0 and expected[0] > 0
    previous = answer["previous"]
    assert previous["period"] == {
        "from": "2026-02-28",
        "to": "2026-03-04",
        "days": 5,
        "coverage": "partial",
        "covered_from": "2026-03-01",
        "covered_to": "2026-03-04",
    }
    assert previous["tiles"] == pytest.approx(totals(between(rows, "2026-02-28", "2026-03-04")))


def test_a_range_outside_the_data_says_so_and_draws_nothing(server: str) -> None:
    status, answer = ask(server, [("from", "2026-01-01"), ("to", "2026-01-31")])
    assert status == 200, answer
    assert answer["period"]["coverage"] == "none"
    assert answer["data"] == {**answer["data"], "first_day": "2026-03-01", "last_day": "2026-03-09"}
    assert answer["tiles"]["total_orders"] == 0
    for chart in CHARTS:
        assert draws_nothing(answer["charts"][chart.id]), chart.id


def test_rates_are_ranked_only_over_enough_orders_and_top_n_never_pads(
    server: str, warehouse: Path
) -> None:
    status, answer = ask(server, [("from", "2026-03-01"), ("to", "2026-03-01")])
    assert status == 200, answer
    kept = between(orders(warehouse), "2026-03-01", "2026-03-01")
    by_country: dict[str, list[dict[str, Any]]] = {}
    for row in kept:
        by_country.setdefault(row["country"], []).append(row)
    rate = answer["charts"]["cancellation-rate-by-country"]
    enough = {c for c, rows in by_country.items() if len(rows) >= MIN_ORDERS_FOR_RATE}
    assert {item["label"] for item in rate["items"]} == enough
    assert set(rate["not_ranked"]) == set(by_country) - enough
    for item in rate["items"]:
        group = totals(by_country[item["label"]])
        assert (item["cancelled_orders"], item["total_orders"]) == (
            group["cancelled_orders"],
            group["total_orders"],
        )
    cancelled_customers = {row["customer_id"] for row in kept if row["status"] == "Cancelled"}
    top = answer["charts"]["cancellations-by-customer"]["items"]
    assert len(top) == min(TOP_N, len(cancelled_customers)) and all(i["value"] > 0 for i in top)


def test_each_filter_lists_what_the_other_filters_leave(server: str, warehouse: Path) -> None:
    status, answer = ask(server, [("country", "France"), ("gender", "Female")])
    assert status == 200, answer
    rows = orders(warehouse)
    facets = answer["facets"]
    # the country list is narrowed by the gender, not by the country itself
    female = [row for row in rows if row["gender"] == "Female"]
    assert facets["country"] == {
        country: sum(row["country"] == country for row in female)
        for country in {row["country"] for row in female}
    }
    france = [row for row in rows if row["country"] == "France"]
    assert facets["gender"] == {
        g: sum(r["gender"] == g for r in france) for g in ("Female", "Male")
    }
    both = [row for row in france if row["gender"] == "Female"]
    assert facets["brand"] == {
        b: sum(r["brand_name"] == b for r in both) for b in {r["brand_name"] for r in both}
    }


def test_the_kpi_table_and_its_csv(server: str, warehouse: Path) -> None:
    query = [("by", "brand"), ("from", "2026-03-05"), ("to", "2026-03-09"), ("compare", "previous")]
    status, table = ask(server, query, "api/table")
    assert status == 200, table
    rows = orders(warehouse)
    current, previous = (
        between(rows, "2026-03-05", "2026-03-09"),
        between(rows, "2026-02-28", "2026-03-04"),
    )
    for row in table["rows"]:
        brand = row["key"]["brand_name"]
        assert row["current"] == pytest.approx(
            totals([r for r in current if r["brand_name"] == brand])
        )
        assert row["previous"] == pytest.approx(
            totals([r for r in previous if r["brand_name"] == brand])
        )
    status, body, headers = get(f"{server}api/table.csv?{urllib.parse.urlencode(query)}")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    assert "kpis-by-brand-2026-03-05-to-2026-03-09.csv" in headers["Content-Disposition"]
    lines = body.decode().splitlines()
    assert lines[0].startswith("brand_id,brand_name,revenue,total_orders,")
    assert "previous_revenue" in lines[0] and len(lines) == 1 + len(table["rows"])
    assert html.escape(MARKUP_BRAND) not in body.decode()  # the CSV holds the name as it is
    assert any(MARKUP_BRAND.replace('"', '""') in line for line in lines)


@pytest.mark.parametrize(
    "value",
    [
        "x' or '1'='1",
        "'; drop table gold.orders_enriched; --",
        "France' --",
        "%",
        "France, Germany",
    ],
)
def test_filter_values_are_bound_parameters(server: str, warehouse: Path, value: str) -> None:
    for parameter in ("country", "category", "brand", "payment_method", "gender"):
        status, answer = ask(server, [(parameter, value)])
        assert status == 200, answer
        assert answer["filters"][parameter] == [value]
        assert answer["tiles"]["total_orders"] == 0, (parameter, value)
        for chart, drawn in answer["charts"].items():
            if "x" in drawn and "items" not in drawn and isinstance(drawn["y"], dict):
                assert not any(any(values) for values in drawn["y"].values()), chart  # zeros
            else:
                assert draws_nothing(drawn), chart
    assert len(orders(warehouse)) == 600  # still there, untouched


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("from=yesterday", "`from` is not a date"),
        ("to=2026-13-01", "`to` is not a date"),
        ("from=2026-03-04&to=2026-03-01", "is after `to`"),
        ("from=2026-03-01&from=2026-03-02", "`from` given 2 times"),
        ("colour=red", "unknown parameter(s) colour"),
        ("country=", "`country` has an empty value"),
        ("compare=last-year", "`compare` can only be 'previous'"),
        ("country", "malformed query string"),
    ],
)
def test_a_bad_request_gets_a_400_with_the_reason(server: str, query: str, reason: str) -> None:
    status, answer = ask(server, query)
    assert status == 400
    assert reason in answer["error"]


def test_the_page_and_plotly_js_come_from_the_server_compressed_and_cached(server: str) -> None:
    status, page, headers = get(server)
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    text = page.decode()
    assert f'<script src="{PLOTLY_URL}"></script>' in text and plotly.__version__ in PLOTLY_URL
    for outside in ('src="http', 'href="http', "cdn."):  # nothing loaded from elsewhere
        assert outside not in text.lower()
    assert "connect-src 'self'" in headers["Content-Security-Policy"]
    assert 'value="Cote d&#39;Ivoire"' in text  # the filter choices, escaped
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;a href=" in text and MARKUP_BRAND not in text
    status, script, headers = get(f"{server}{PLOTLY_URL.lstrip('/')}", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(script).decode() == get_plotlyjs()
    assert len(script) < len(get_plotlyjs()) / 2
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    status, _, _ = get(f"{server}{PLOTLY_URL.lstrip('/')}", {"If-None-Match": headers["ETag"]})
    assert status == 304
    status, plain, _ = get(f"{server}{PLOTLY_URL.lstrip('/')}")
    assert status == 200 and plain.decode() == get_plotlyjs()
    status, missing, _ = get(f"{server}nothing-here")
    assert status == 404 and b"no such page" in missing


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1", 200),
        ("localhost", 200),
        ("LOCALHOST:8765", 200),
        ("[::1]:8765", 200),
        ("attacker.example", 421),
        ("attacker.example:8765", 421),
        ("127.0.0.1.attacker.example", 421),
        ("", 421),
    ],
)
def test_only_loopback_host_names_are_answered(server: str, host: str, status: int) -> None:
    """A page elsewhere that resolves its own name to 127.0.0.1 (DNS rebinding) sends its own
    name as Host: refused."""
    address = urllib.parse.urlsplit(server)
    connection = HTTPConnection(address.hostname, address.port, timeout=30)
    connection.putrequest("GET", "/api/answer", skip_host=True)
    if host:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == status, body
    if status != 200:
        assert b"loopback" in body


def _process(pid: int) -> dict[str, int]:
    """The threads and resident memory (kB) of a process, from /proc."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return {"threads": int(fields["Threads"]), "rss_kb": int(fields["VmRSS"].split()[0])}


def test_half_open_connections_cost_no_thread_and_do_not_block_an_answer(
    served: tuple[str, Any],
) -> None:
    """300 clients that open a connection and never finish their request (real sockets): the
    server keeps its bounded threads and its memory, and answers a real request meanwhile."""
    url, process = served
    address = urllib.parse.urlsplit(url)
    assert ask(url, "")[0] == 200  # warm: the copy opened, the page's query compiled
    before = _process(process.pid)
    sockets = []
    try:
        for _ in range(300):
            client = socket.create_connection((address.hostname, address.port), timeout=30)
            client.sendall(b"GET /api/answer HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
            sockets.append(client)
        assert CONNECTION_LIMIT > 300
        status, answer = ask(url, [("country", "France")])
        assert status == 200 and answer["tiles"]["total_orders"] > 0
        during = _process(process.pid)
    finally:
        for client in sockets:
            client.close()
    # waitress's bounded pool plus its main and DuckDB's own threads, not one per connection
    assert during["threads"] <= before["threads"] + THREADS
    assert during["threads"] < 100
    assert during["rss_kb"] - before["rss_kb"] < 64 * 1024


def test_the_server_never_opens_the_warehouse_while_serving(tmp_path: Path) -> None:
    """A writer takes the warehouse whenever it wants: the server answers from its copy; a new
    publication (the job's dashboard task) is what the next answer reads."""
    path = tmp_path / "lakehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(ORDERS_ENRICHED)
    with running_dashboard_process(path) as (url, _):
        assert ask(url, "")[1]["tiles"]["total_orders"] == 600
        # a writer (this process; the server is another one) holds the file while it serves
        with duckdb.connect(str(path)) as writer:
            writer.execute("delete from gold.orders_enriched where order_id > 500")
            for _ in range(3):
                status, answer = ask(url, "")
                assert status == 200 and answer["tiles"]["total_orders"] == 600
            assert get(url)[0] == 200
        dashboard_copy.publish(path, tmp_path / "dashboard")
        assert ask(url, "")[1]["tiles"]["total_orders"] == 500


def test_before_any_publication_the_error_is_for_a_person(tmp_path: Path) -> None:
    path = tmp_path / "lakehouse.duckdb"  # no warehouse, nothing published
    with running_dashboard_process(path) as (url, process):
        status, answer = ask(url, "")
        assert status == 503
        message = answer["error"]
        assert "no data yet" in message and "pipeline" in message
        for leak in (str(tmp_path), "duckdb", "lock", str(process.pid), "Traceback"):
            assert leak not in message
        status, page, _ = get(url)
        assert status == 200 and b"none yet" in page


def test_previous_period_of_whole_months_is_the_months_before() -> None:
    assert Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)).previous() == Period(
        dt.date(2026, 2, 1), dt.date(2026, 2, 28)
    )
    assert Period(dt.date(2026, 1, 1), dt.date(2026, 2, 28)).previous() == Period(
        dt.date(2025, 11, 1), dt.date(2025, 12, 31)
    )
    assert Period(dt.date(2026, 3, 5), dt.date(2026, 3, 11)).previous() == Period(
        dt.date(2026, 2, 26), dt.date(2026, 3, 4)
    )


@pytest.mark.browser
def test_markup_in_a_name_is_shown_as_text_in_every_chart(server: str, tmp_path: Path) -> None:
    """A brand named with tags: every chart label, the heatmap and the table show the tags as
    characters; no bold text and no link appear in any chart."""
    from orchestration.dashboard import CHROMIUM

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server + "?table=brand", wait_until="networkidle")
            page.wait_for_function(
                "() => document.body.dataset.answered === document.body.dataset.asked"
            )
            page.screenshot(path=tmp_path / "markup.png", full_page=True)
            found = page.evaluate(
                """() => {
                    const texts = (selector) => Array.from(
                        document.querySelectorAll(selector), (element) => element.textContent);
                    return {
                        links: document.querySelectorAll('.plot a, .plot [href]').length,
                        bold: Array.from(document.querySelectorAll('.plot tspan')).filter(
                            t => (t.getAttribute('style') || '').includes('bold')).length,
                        brandTicks: texts('#chart-revenue-by-brand .ytick text'),
                        heatmapTicks: texts(
                            '#chart-cancellations-by-brand-and-category .ytick text'),
                        tableCells: texts('#kpi-table td'),
                        tableLinks: document.querySelectorAll('#kpi-table a').length,
                    };
                }"""
            )
        finally:
            browser.close()
    assert found["links"] == 0 and found["bold"] == 0 and found["tableLinks"] == 0
    shown = [text for text in found["brandTicks"] if "Bold" in text]
    assert shown and all(text.startswith("<b>Bold</b> &") for text in shown), found["brandTicks"]
    assert any(text.startswith("<b>Bold</b> &") for text in found["heatmapTicks"])
    assert MARKUP_BRAND in found["tableCells"]
