"""A small SVG chart builder: the dashboard's charts, drawn server-side, no JavaScript, no network.

Every chart is an ``<svg class="chart" data-points="N">`` element; N is the number of data
points drawn, which the browser test checks is above zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'

Formatter = Callable[[float], str]


def money(value: float) -> str:
    """1234567.8 -> '$1.23M'; short labels for axes and bars."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"${value / limit:.2f}{suffix}"
    return f"${value:,.2f}"


def percent(value: float) -> str:
    return f"{value:.1%}"


def empty_chart(message: str) -> Markup:
    return Markup(
        f'<svg class="chart" data-points="0" viewBox="0 0 480 60" role="img">'
        f'<text x="10" y="35" {FONT} fill="#6b7280">{escape(message)}</text></svg>'
    )


def bar_chart(
    items: Sequence[tuple[str, float]], *, title: str, fmt: Formatter = money, color: str = ""
) -> Markup:
    """Horizontal bars, one per (label, value), in the given order."""
    if not items:
        return empty_chart(f"{title}: no data")
    label_width, bar_width, row, top = 190, 230, 24, 8
    height = top + row * len(items) + 4
    largest = max(max(value for _, value in items), 1e-12)
    parts = [
        f'<svg class="chart" data-points="{len(items)}" viewBox="0 0 {label_width + bar_width + 90}'
        f' {height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for index, (label, value) in enumerate(items):
        y = top + index * row
        width = max(bar_width * value / largest, 1 if value > 0 else 0)
        short = label if len(label) <= 25 else label[:24] + "…"
        fill = color or PALETTE[0]
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" {FONT}>{escape(short)}'
            f"<title>{escape(label)}</title></text>"
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{width:.1f}"'
            f' height="{row - 7}" rx="2" fill="{fill}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></rect>"
            f'<text x="{label_width + width + 5:.1f}" y="{y + 15}" {FONT} fill="#374151">'
            f"{escape(fmt(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    days: Sequence[dt.date],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    fmt: Formatter = money,
) -> Markup:
    """One line per series over the days, with a y axis from zero and a legend."""
    if not days:
        return empty_chart(f"{title}: no data")
    width, height, left, right, top, bottom = 960, 300, 70, 30, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    largest = max(max((max(values) for values in series.values()), default=0), 1e-12)

    def x(i: int) -> float:
        return left + (plot_w * i / (len(days) - 1) if len(days) > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + plot_h * (1 - value / largest)

    points = len(days) * len(series)
    parts = [
        f'<svg class="chart" data-points="{points}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for step in range(5):  # horizontal grid and y labels
        value = largest * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}"'
            f' stroke="#e5e7eb"/><text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end"'
            f" {FONT}>{escape(fmt(value))}</text>"
        )
    label_every = max(1, len(days) // 8)
    for i, day in enumerate(days):
        if i % label_every == 0 or i == len(days) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" {FONT}>'
                f"{day:%b %d}</text>"
            )
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2"'
            f' points="{path}"/>'
        )
        for i, value in enumerate(values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" fill="{color}"><title>'
                f"{escape(name)} {days[i]:%Y-%m-%d}: {escape(fmt(value))}</title></circle>"
            )
        parts.append(
            f'<rect x="{left + index * 150}" y="6" width="12" height="12" fill="{color}"/>'
            f'<text x="{left + index * 150 + 16}" y="16" {FONT}>{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
