"""The KPIs of the local dashboard, defined in one place: their names, labels and kinds, and their
formulas.

The formulas are gold's own: `macros/gold/kpi_order_contributions.sql` (what one order adds to
the additive columns) and `macros/gold/kpi_columns.sql` (their sums and the cancellation rate),
rendered here with plain Jinja outside dbt, so the dashboard computes exactly what the marts
compute. Everything in the dashboard that names, computes or formats a KPI reads it from here:
the answer queries (templates/dashboard_*.sql.j2), the charts and tiles of the page, the KPI
table and its CSV, and the PDF report. To take the definitions from elsewhere (dbt's semantic
layer), change this module only.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from jinja2 import Environment, StrictUndefined

from orchestration.settings import PROJECT_DIR

KPI_MACROS = PROJECT_DIR / "macros" / "gold"


@dataclass(frozen=True)
class Kpi:
    name: str  # the column of the gold marts and of every dashboard answer
    label: str  # how a person reads it
    kind: str  # "money" (2 decimals), "count" (an integer) or "rate" (a fraction of 1)
    description: str


# In the order the KPI table and the CSV show them.
KPIS = (
    Kpi("revenue", "Revenue", "money", "quantity x unit price of the Placed orders"),
    Kpi("total_orders", "Orders", "count", "orders, whatever their current status"),
    Kpi("placed_orders", "Placed orders", "count", "orders whose current status is Placed"),
    Kpi("cancelled_orders", "Cancelled orders", "count", "orders whose status is Cancelled"),
    Kpi("cancellation_rate", "Cancellation rate", "rate", "cancelled orders / orders"),
    Kpi("lost_revenue", "Lost revenue", "money", "quantity x unit price of the Cancelled orders"),
    Kpi("units_sold", "Units sold", "count", "quantity of the Placed orders"),
)
BY_NAME = {kpi.name: kpi for kpi in KPIS}
NAMES = tuple(kpi.name for kpi in KPIS)


def _macro_sql(name: str) -> str:
    """One of gold's KPI macros (macros/gold/<name>.sql), rendered with its defaults."""
    source = (KPI_MACROS / f"{name}.sql").read_text()
    macros = Environment(undefined=StrictUndefined).from_string(source)
    return str(getattr(macros.module, name)()).strip()


@functools.cache
def order_contributions_sql() -> str:
    """The select-list items that give each order's contribution to the additive KPIs (it reads
    the order's `status`, `quantity` and `order_amount`)."""
    return _macro_sql("kpi_order_contributions")


@functools.cache
def group_columns_sql() -> str:
    """The aggregates that give a group's KPIs (every name of KPIS) from those contributions."""
    return _macro_sql("kpi_columns")


def value(name: str, raw: Any) -> float | int:
    """A KPI value from the database as a JSON number: money and rates as floats, counts as
    integers (None, for a group that has no orders, as 0)."""
    if raw is None:
        raw = 0
    return int(raw) if BY_NAME[name].kind == "count" else float(raw)


def csv_value(name: str, raw: Any) -> str:
    """A KPI value as CSV text: money with its two decimals, a rate in full precision."""
    kind = BY_NAME[name].kind
    if raw is None:
        return ""
    if kind == "money":
        return f"{Decimal(str(raw)):.2f}"
    return str(int(raw)) if kind == "count" else repr(float(raw))


def for_page() -> list[dict[str, str]]:
    """The KPI list as the page's script reads it."""
    return [asdict(kpi) for kpi in KPIS]
