"""What every tile, chart and KPI table of the dashboard should show, computed independently.

From the reference oracle's enriched orders (e2e/reference_kpis.py: plain Python over the raw
CSV files, sharing no code with dbt, the server or the page). Only the rules of the page are
taken from orchestration.dashboard, as inputs (which chart ranks what, its top N, the minimum
orders for a rate); every number is computed here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any

from e2e.reference_kpis import Row, kpis
from orchestration.dashboard import MIN_ORDERS_FOR_RATE

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
# The filters of the page: parameter -> the order's value.
FILTER_KEYS = {
    name: KEYS[name] for name in ("country", "category", "brand", "payment_method", "gender")
}
# The KPI table's groupings: name -> the key columns of an order.
TABLE_KEYS = {
    "brand": ("brand_id", "brand_name"),
    "category": ("category_id", "category_name"),
    "product": ("product_id", "product_name", "brand_name", "category_name"),
    "country": ("country",),
    "payment_method": ("payment_method",),
    "gender": ("gender",),
    "customer": ("customer_id", "country", "gender"),
}
MONEY_TOLERANCE = 0.005


def value(kpi: Row, measure: str) -> float:
    return float(kpi[measure])


def grouped(orders: Iterable[Row], key: Callable[[Row], Any]) -> dict[Any, Row]:
    groups: dict[Any, list[Row]] = {}
    for order in orders:
        groups.setdefault(key(order), []).append(order)
    return {label: kpis(group) for label, group in groups.items()}


def keep(
    orders: Iterable[Row], start: dt.date, end: dt.date, chosen: dict[str, list[str]]
) -> list[Row]:
    """The orders of a filter state: a date range and, per filter, the values kept."""
    return [
        order
        for order in orders
        if start <= order["order_date"] <= end
        and all(FILTER_KEYS[name](order) in values for name, values in chosen.items() if values)
    ]


def covered_days(all_orders: list[Row], start: dt.date, end: dt.date) -> list[str]:
    """Every day of the range that the data covers (from its first to its last order date)."""
    first = max(start, min(order["order_date"] for order in all_orders))
    last = min(end, max(order["order_date"] for order in all_orders))
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def ranked(groups: dict[str, Row], measure: str) -> list[tuple[str, Row]]:
    """Largest first, ties by label."""
    return sorted(groups.items(), key=lambda item: (-value(item[1], measure), item[0]))


def expected_chart(chart: dict[str, Any], orders: list[Row], days: list[str]) -> dict[str, Any]:
    """What a chart of the page (its spec from the page's data) draws for the orders."""
    measure = chart["measures"][0]
    if chart["kind"] == "line":
        by_day = grouped(orders, KEYS["day"])
        return {
            "x": days,
            "y": {
                m: [value(by_day[day], m) if day in by_day else 0 for day in days]
                for m in chart["measures"]
            },
        }
    groups = grouped(orders, KEYS[chart["dimension"]])
    if chart["kind"] == "heatmap":
        rows = [label for label, kpi in ranked(groups, measure) if value(kpi, measure) > 0]
        rows = rows[: chart["top"]]
        columns = sorted({KEYS[chart["columns"]](order) for order in orders})
        cells = grouped(
            orders, lambda order: (KEYS[chart["dimension"]](order), KEYS[chart["columns"]](order))
        )
        return {
            "x": columns,
            "y": rows,
            "z": [
                [value(cells[(r, c)], measure) if (r, c) in cells else None for c in columns]
                for r in rows
            ],
        }
    if measure == "cancellation_rate":
        enough = {k: v for k, v in groups.items() if v["total_orders"] >= MIN_ORDERS_FOR_RATE}
        items = ranked(enough, measure)
        few = sorted(k for k, v in groups.items() if v["total_orders"] < MIN_ORDERS_FOR_RATE)
    else:
        items = ranked(groups, measure)
        few = []
        if chart["top"]:
            items = [(k, v) for k, v in items if value(v, measure) > 0][: chart["top"]]
    return {
        "labels": [label for label, _ in items],
        "values": [value(kpi, measure) for _, kpi in items],
        "counts": [(kpi["cancelled_orders"], kpi["total_orders"]) for _, kpi in items],
        "not_ranked": few,
    }


def expected_table(orders: list[Row], by: str) -> dict[tuple[Any, ...], Row]:
    """The KPI table's rows: key columns -> KPIs."""
    columns = TABLE_KEYS[by]
    return grouped(orders, lambda order: tuple(order[column] for column in columns))


def close(actual: float | None, wanted: float | None, tolerance: float = MONEY_TOLERANCE) -> bool:
    if actual is None or wanted is None:
        return actual is wanted
    return math.isclose(actual, wanted, rel_tol=0, abs_tol=tolerance)
