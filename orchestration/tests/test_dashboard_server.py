"""The dashboard server (`python -m orchestration dashboard`) over a small warehouse, in its own
process on a free loopback port, asked over HTTP as the page asks it.

Its answers are the KPIs of the orders the filters keep (checked against plain Python over the
same rows); filter values are bound parameters (a quote or SQL text is just a value); a bad
request gets a 400 that says why; the page and plotly.js come from the server; and the server
never holds the warehouse's lock: a writer can open the file while it runs, and while the writer
has it, the server answers 503 with a message instead of waiting or failing the writer.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from plotly.offline import get_plotlyjs

from orchestration.dashboard import CHARTS, TOP_N
from orchestration.tests.helpers import running_dashboard_server

# 600 orders over 5 days: 3 countries (one with a quote in its name), 3 payment methods,
# 40 customers, 30 products of 6 brands and 4 categories; every 7th order cancelled.
ORDERS_ENRICHED = """
create schema gold;
create table gold.orders_enriched as
select
    i as order_id,
    date '2026-03-01' + cast(i % 5 as integer) as order_date,
    case when i % 7 = 0 then 'Cancelled' else 'Placed' end as status,
    i % 7 = 0 as is_cancelled,
    (['Credit Card', 'PayPal', 'Cash on Delivery'])[1 + i % 3] as payment_method,
    cast(1 + i % 4 as integer) as quantity,
    cast(1 + (i % 50) * 1.25 as decimal(18, 2)) as unit_price,
    cast((1 + i % 4) * (1 + (i % 50) * 1.25) as decimal(18, 2)) as order_amount,
    1 + i % 30 as product_id,
    'Product ' || (1 + i % 30) as product_name,
    'Brand ' || (1 + i % 30 % 6) as brand_name,
    'Category ' || (1 + i % 30 % 4) as category_name,
    1 + i % 40 as customer_id,
    (['France', 'Germany', 'Cote d''Ivoire'])[1 + i % 40 % 3] as country,
    (['Female', 'Male'])[1 + i % 40 % 2] as gender
from range(1, 601) as numbers (i)
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dashboard-server") / "lakehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(ORDERS_ENRICHED)
    return path


@pytest.fixture(scope="module")
def server(warehouse: Path) -> Iterator[str]:
    with running_dashboard_server(warehouse) as url:
        yield url


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def ask(server: str, query: list[tuple[str, str]] | str) -> tuple[int, dict[str, Any]]:
    text = query if isinstance(query, str) else urllib.parse.urlencode(query)
    status, body = get(f"{server}api/answer?{text}")
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
    }


def test_an_answer_is_the_kpis_of_the_orders_the_filters_keep(server: str, warehouse: Path):
    status, answer = ask(
        server,
        [
            ("from", "2026-03-02"),
            ("to", "2026-03-04"),
            ("country", "Cote d'Ivoire"),
            ("payment_method", "PayPal"),
            ("payment_method", "Credit Card"),
        ],
    )
    assert status == 200, answer
    kept = [
        row
        for row in orders(warehouse)
        if "2026-03-02" <= row["order_date"].isoformat() <= "2026-03-04"
        and row["country"] == "Cote d'Ivoire"
        and row["payment_method"] in ("PayPal", "Credit Card")
    ]
    assert 0 < len(kept) < 600
    assert answer["tiles"] == pytest.approx(totals(kept))
    # the top customers by revenue: ranked by the server, largest first, ties by label
    by_customer: dict[str, list[dict[str, Any]]] = {}
    for row in kept:
        by_customer.setdefault(f"#{row['customer_id']} ({row['country']})", []).append(row)
    revenue = sorted(((-totals(group)["revenue"], label) for label, group in by_customer.items()))[
        :TOP_N
    ]
    top = answer["charts"]["top-customers"]
    assert top["labels"] == [label for _, label in revenue]
    assert top["values"] == pytest.approx([-value for value, _ in revenue])
    assert set(answer["charts"]) == {chart["id"] for chart in CHARTS}


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
            assert not any(drawn.get(key) for key in ("labels", "x", "z")), chart
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
        ("country", "malformed query string"),
    ],
)
def test_a_bad_request_gets_a_400_with_the_reason(server: str, query: str, reason: str) -> None:
    status, answer = ask(server, query)
    assert status == 400
    assert reason in answer["error"]


def test_the_page_and_plotly_js_come_from_the_server(server: str) -> None:
    status, page = get(server)
    assert status == 200
    html = page.decode()
    assert '<script src="/plotly.min.js"></script>' in html
    assert "https://" not in html and "cdn" not in html.lower()
    assert '<option value="Cote d&#39;Ivoire">' in html  # the filter choices, escaped
    status, script = get(f"{server}plotly.min.js")
    assert status == 200 and script.decode() == get_plotlyjs()
    status, missing = get(f"{server}nothing-here")
    assert status == 404 and b"no such page" in missing


def test_the_server_never_holds_the_warehouse_lock(tmp_path: Path) -> None:
    path = tmp_path / "lakehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(ORDERS_ENRICHED)
    with running_dashboard_server(path) as url:
        assert ask(url, "")[0] == 200
        # a writer (this process; the server is another one) opens the file while it serves
        with duckdb.connect(str(path)) as writer:
            writer.execute("create table gold.written_while_serving as select 1 as one")
            status, answer = ask(url, "")
            assert status == 503
            assert "is being written" in answer["error"] and "try again" in answer["error"]
            status, page = get(url)
            assert status == 503 and b"is being written" in page
        status, answer = ask(url, "")
        assert status == 200 and answer["tiles"]["total_orders"] == 600
