"""KPI alerts fire exactly when their threshold is crossed; the mail names KPI, value, threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration import alerts, notify
from orchestration.run_record import PipelineRun


def _kpis(cancellation_rate: float, daily_revenue: list[str]) -> dict:
    day = dt.date(2026, 11, 1)
    return {
        "overall": {"cancellation_rate": cancellation_rate, "revenue": Decimal("1000.00")},
        "daily": [
            {
                "order_date": day + dt.timedelta(days=i),
                "revenue": Decimal(v),
                "cancellation_rate": 0.1,
            }
            for i, v in enumerate(daily_revenue)
        ],
    }


def _rules(tmp_path: Path, text: str) -> list[alerts.AlertRule]:
    path = tmp_path / "alerts.yml"
    path.write_text(text)
    return alerts.load_rules(path)


CANCELLATION = """
alerts:
  - name: too_many_cancellations
    kpi: cancellation_rate
    operator: ">"
    threshold: 0.15
"""
REVENUE_DROP = """
alerts:
  - name: revenue_drop
    kpi: revenue_change_day_over_day
    operator: "<"
    threshold: -0.30
"""


@pytest.mark.parametrize(("rate", "fires"), [(0.10, False), (0.15, False), (0.1501, True)])
def test_cancellation_rate_alert_fires_only_above_its_threshold(
    tmp_path: Path, rate: float, fires: bool
) -> None:
    fired = alerts.evaluate(_rules(tmp_path, CANCELLATION), _kpis(rate, ["10"]))
    assert [alert.rule.name for alert in fired] == (["too_many_cancellations"] if fires else [])
    if fires:
        assert fired[0].value == pytest.approx(rate)


@pytest.mark.parametrize(
    ("daily", "fires", "change"),
    [
        (["100.00", "70.00"], False, -0.30),  # exactly -30%: not below the threshold
        (["100.00", "69.99"], True, -0.3001),
        (["100.00", "150.00"], False, 0.5),
        (["100.00"], False, None),  # one day: no day-over-day value, nothing fires
    ],
)
def test_revenue_drop_alert_compares_the_last_two_days(
    tmp_path: Path, daily: list[str], fires: bool, change: float | None
) -> None:
    kpis = _kpis(0.1, daily)
    value = alerts.kpi_values(kpis)["revenue_change_day_over_day"]
    assert value == (pytest.approx(change) if change is not None else None)
    assert bool(alerts.evaluate(_rules(tmp_path, REVENUE_DROP), kpis)) is fires


def test_the_shipped_alert_config_is_valid() -> None:
    rules = alerts.load_rules(alerts.ALERTS_FILE)
    assert {rule.kpi for rule in rules} >= {"cancellation_rate", "revenue_change_day_over_day"}


def test_bad_alert_config_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown kpi"):
        _rules(tmp_path, CANCELLATION.replace("kpi: cancellation_rate", "kpi: vibes"))
    with pytest.raises(ValueError, match="operator"):
        _rules(tmp_path, CANCELLATION.replace('">"', '"!="'))


def test_alert_mail_names_kpi_value_and_threshold(tmp_path: Path, smtp_server) -> None:
    (fired,) = alerts.evaluate(_rules(tmp_path, CANCELLATION), _kpis(0.2345, ["10"]))
    run = PipelineRun("run-1", "lakehouse-local", dt.datetime.now(dt.UTC), tasks=[])
    config = notify.SmtpConfig.from_env()
    where = notify.send(notify.alert_message(config, run, fired), config, tmp_path, "alert")
    assert where.startswith("smtp://127.0.0.1:")
    (message,) = smtp_server.messages
    assert message["To"] == "analyst@example.com, ops@example.com"
    text = message["Subject"] + message.get_content()
    for expected in ("cancellation_rate", "0.2345", "0.15", "too_many_cancellations"):
        assert expected in text
