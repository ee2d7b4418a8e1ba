"""Driving the dashboard's page in Chromium as a person does, and reading what it shows (for the
browser tests)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from playwright.sync_api import Browser, Page

BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# What every chart of the page holds: its plotly traces as plain lists, or its message.
CHARTS_SHOWN = """
() => Object.fromEntries(DATA.charts.map((chart) => {
    const div = document.getElementById('chart-' + chart.id);
    const card = document.getElementById('card-' + chart.id);
    return [chart.id, {
        spec: chart,
        hidden: div.hidden,
        width: div.getBoundingClientRect().width,
        message: card.querySelector('.message').textContent,
        notRanked: card.querySelector('.not-ranked').textContent,
        traces: (div.data || []).map((t) => ({x: t.x || null, y: t.y || null, z: t.z || null,
            customdata: t.customdata || null, text: t.text || null, meta: t.meta || null})),
        bars: Array.from(div.querySelectorAll('.bars path'), (bar) => {
            const box = bar.getBoundingClientRect();
            return {left: box.left, right: box.right, width: box.width};
        }),
    }];
}))
"""
TILES = {
    "revenue": "revenue",
    "orders": "total_orders",
    "units-sold": "units_sold",
    "cancellation-rate": "cancellation_rate",
    "lost-revenue": "lost_revenue",
}
SETTLED = (
    "() => document.body.dataset.pending !== '1'"
    " && document.body.dataset.answered === document.body.dataset.asked"
)


class Visit:
    """A page in a fresh context, with every request, failed request and console error."""

    def __init__(self, browser: Browser, address: str, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(address, wait_until="load")
        settle(self.page)

    def close(self) -> None:
        self.context.close()


def settle(page: Page) -> None:
    page.wait_for_function(SETTLED)


def css_string(value: str) -> str:
    return json.dumps(value)  # a CSS string literal


def choose(page: Page, parameter: str, values: list[str]) -> None:
    """Tick values in a filter's searchable list, as a person does (search, then tick)."""
    page.click(f"#filter-{parameter} > summary")
    for value in values:
        page.fill(f"#filter-{parameter} input[type=search]", value)
        page.check(f"#filter-{parameter} input[type=checkbox][value={css_string(value)}]")
    page.fill(f"#filter-{parameter} input[type=search]", "")
    page.keyboard.press("Escape")


def set_dates(page: Page, start: dt.date | None, end: dt.date | None) -> None:
    if start:
        page.fill("#filter-date-from", start.isoformat())
    if end:
        page.fill("#filter-date-to", end.isoformat())


def read(page: Page) -> dict[str, Any]:
    return {
        "charts": page.evaluate(CHARTS_SHOWN),
        "tiles": {
            tile: {
                "text": page.inner_text(f"#tile-{tile} .value"),
                "detail": page.inner_text(f"#tile-{tile} [data-detail]"),
                "value": page.get_attribute(f"#tile-{tile}", "data-value"),
            }
            for tile in TILES
        },
        "summary": page.inner_text("#filter-summary"),
        "changes": {tile: page.inner_text(f"#tile-{tile} .change") for tile in TILES},
        "error": page.inner_text("#filter-error"),
        "notice": page.inner_text("#notice"),
        "url": page.url,
    }
