"""KPI alerts: thresholds from a YAML file (alerts.yml), evaluated on the gold KPIs."""

from __future__ import annotations

import operator
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ALERTS_FILE = Path(__file__).resolve().parent / "alerts.yml"
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}

KPIS = (
    "cancellation_rate",
    "revenue",
    "revenue_change_day_over_day",
    "cancellation_rate_last_day",
    "quarantined_row_share",
)


@dataclass(frozen=True)
class AlertRule:
    name: str
    kpi: str
    operator: str
    threshold: float
    description: str = ""


@dataclass(frozen=True)
class FiredAlert:
    rule: AlertRule
    value: float

    def describe(self) -> str:
        return (
            f"{self.rule.kpi} = {self.value:.4g} {self.rule.operator} threshold "
            f"{self.rule.threshold:.4g} ({self.rule.name})"
        )


def kpi_values(kpis: dict[str, Any]) -> dict[str, float | None]:
    """The KPIs alerts can watch, from load_kpis(); None when there is not enough data."""
    overall, daily = kpis["overall"], kpis["daily"]
    change = None
    if len(daily) >= 2 and float(daily[-2]["revenue"]) > 0:
        # rounded so that a drop of exactly the threshold (70 after 100) is not a float artefact
        change = round(float(daily[-1]["revenue"]) / float(daily[-2]["revenue"]) - 1, 9)
    return {
        "cancellation_rate": float(overall["cancellation_rate"]),
        "revenue": float(overall["revenue"]),
        "revenue_change_day_over_day": change,
        "cancellation_rate_last_day": float(daily[-1]["cancellation_rate"]) if daily else None,
        # set by the runner: quarantined rows over the rows the run read (None: nothing read)
        "quarantined_row_share": kpis.get("quarantined_row_share"),
    }


def load_rules(path: Path | None = None) -> list[AlertRule]:
    """Read and validate the rules (LAKEHOUSE_ALERTS_FILE, default orchestration/alerts.yml)."""
    path = path or Path(os.environ.get("LAKEHOUSE_ALERTS_FILE", ALERTS_FILE))
    document = yaml.safe_load(path.read_text()) or {}
    rules = []
    for raw in document.get("alerts") or []:
        rule = AlertRule(
            name=raw["name"],
            kpi=raw["kpi"],
            operator=raw["operator"],
            threshold=float(raw["threshold"]),
            description=raw.get("description", ""),
        )
        if rule.operator not in OPERATORS:
            raise ValueError(f"{path}: alert {rule.name}: operator not in {list(OPERATORS)}")
        if rule.kpi not in KPIS:
            raise ValueError(f"{path}: alert {rule.name}: unknown kpi {rule.kpi!r}")
        rules.append(rule)
    return rules


def evaluate(rules: list[AlertRule], kpis: dict[str, Any]) -> list[FiredAlert]:
    """The rules whose threshold is crossed (rules whose KPI has no value yet do not fire)."""
    values = kpi_values(kpis)
    fired = []
    for rule in rules:
        value = values[rule.kpi]
        if value is not None and OPERATORS[rule.operator](value, rule.threshold):
            fired.append(FiredAlert(rule, value))
    return fired
