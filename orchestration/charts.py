"""Number formats shared by the dashboard, the mail and the alerts, and the one server-side SVG
chart of the dashboard (rows per layer of the last run: pipeline health, not filtered).

The KPI charts are interactive: drawn in the page by plotly.js (see dashboard.py). The page's
script formats money and rates exactly like money() and percent() here.
"""

from __future__ import annotations

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
