"""Number formats shared by the dashboard, the mail and the alerts, and the charts drawn as SVG on
the server: the PDF report's charts (laid out for paper, no script) and the page's rows per layer
(pipeline health).

The page's interactive charts are drawn in the browser by plotly.js (see dashboard.py); its
script formats money and rates exactly like money() and percent() here. An SVG chart never cuts
a label: a long one wraps onto more lines, and the chart makes room for every value.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#1d4ed8", "#b91c1c", "#15803d", "#7e22ce", "#c2410c", "#0e7490")
INK, MUTED, GRID = "#111827", "#4b5563", "#d1d5db"
FONT = 'font-family="system-ui, DejaVu Sans, sans-serif" font-size="11"'
CHAR = 7.0  # the widest average character at font-size 11 (DejaVu Sans), in SVG units
WIDTH = 700  # the viewBox width: the report's text column at 96 dpi

Formatter = Callable[[float], str]


def money(value: float) -> str:
    """1234567.8 -> '$1.23M'; short labels for axes and bars."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"${value / limit:.2f}{suffix}"
    return f"${value:,.2f}"


def percent(value: float) -> str:
    return f"{value:.1%}"


def count(value: float) -> str:
    return f"{value:,.0f}"


def empty_chart(message: str) -> Markup:
    return Markup(
        f'<svg class="chart" data-points="0" viewBox="0 0 {WIDTH} 40" role="img">'
        f'<text x="0" y="24" {FONT} fill="{INK}">{escape(message)}</text></svg>'
    )


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    fmt: Formatter = money,
    color: str = "",
    texts: Sequence[str] | None = None,
    label_chars: int = 34,
    width: int = WIDTH,
) -> Markup:
    """Horizontal bars, one per (label, value), in the given order, each with its value (or its
    text from texts) after the bar. Labels wrap at label_chars; nothing is cut."""
    if not items:
        return empty_chart(f"{title}: no data")
    values = [value for _, value in items]
    shown = list(texts) if texts is not None else [fmt(value) for value in values]
    labels = [
        textwrap.wrap(label, label_chars, break_long_words=True) or [""] for label, _ in items
    ]
    label_width = min(label_chars, max(len(line) for lines in labels for line in lines)) * CHAR + 8
    value_width = max(len(text) for text in shown) * CHAR + 10
    bar_width = width - label_width - value_width
    largest = max(max(values), 1e-12)
    line_height, gap = 14, 8
    parts, y = [], 4
    for lines, value, text in zip(labels, values, shown, strict=True):
        height = line_height * len(lines) + gap
        middle = y + height / 2
        length = max(bar_width * value / largest, 1 if value > 0 else 0)
        first = middle - line_height * (len(lines) - 1) / 2 + 4
        spans = "".join(
            f'<tspan x="{label_width - 8:.1f}" y="{first + n * line_height:.1f}">'
            f"{escape(line)}</tspan>"
            for n, line in enumerate(lines)
        )
        parts.append(
            f'<text text-anchor="end" {FONT} fill="{INK}">{spans}</text>'
            f'<rect class="bar" x="{label_width:.1f}" y="{middle - 7:.1f}" width="{length:.1f}"'
            f' height="14" fill="{color or PALETTE[0]}"/>'
            f'<text x="{label_width + length + 5:.1f}" y="{middle + 4:.1f}" {FONT} fill="{INK}">'
            f"{escape(text)}</text>"
        )
        y += height
    return Markup(
        f'<svg class="chart" data-points="{len(items)}" viewBox="0 0 {width} {y + 4}" role="img"'
        f' aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )


def day_chart(
    days: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    title: str,
    fmt: Formatter = money,
    height: int = 190,
) -> Markup:
    """Lines over every day of a range, one per (name, values, colour), days without orders at
    zero; the y axis from 0 to the largest value, a date under the first day of every week."""
    if not days:
        return empty_chart(f"{title}: no days with data in the range")
    left, right, top, bottom = 64, 28, 22, 26
    inner_w, inner_h = WIDTH - left - right, height - top - bottom
    largest = max((max(values) for _, values, _ in series if values), default=0) or 1
    step = inner_w / max(len(days) - 1, 1)

    def x(index: int) -> float:
        return left + (index * step if len(days) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return top + inner_h * (1 - value / largest)

    parts = []
    for fraction in (0, 0.5, 1):
        level = y(largest * fraction)
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{level:.1f}" y2="{level:.1f}"'
            f' stroke="{GRID}"/><text x="{left - 6}" y="{level + 4:.1f}" text-anchor="end"'
            f' {FONT} fill="{MUTED}">{escape(fmt(largest * fraction))}</text>'
        )
    every = max(1, round(len(days) / 8))
    for index, day in enumerate(days):
        if index % every == 0 or (index == len(days) - 1 and len(days) <= 8):
            label = dt.date.fromisoformat(day).strftime("%b %d")
            anchor = "end" if x(index) > WIDTH - right - 20 else "middle"
            parts.append(
                f'<text x="{x(index):.1f}" y="{height - 8}" text-anchor="{anchor}" {FONT}'
                f' fill="{MUTED}">{label}</text>'
            )
    legend_x = left
    for name, values, color in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.8"/>'
            + "".join(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="1.8" fill="{color}"/>'
                for i, v in enumerate(values)
            )
            + f'<rect x="{legend_x}" y="4" width="10" height="10" fill="{color}"/>'
            f'<text x="{legend_x + 14}" y="13" {FONT} fill="{INK}">{escape(name)}</text>'
        )
        legend_x += 28 + len(name) * CHAR
    return Markup(
        f'<svg class="chart" data-points="{len(days)}" viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )
