"""The pipeline benchmark's correctness (its timings are never asserted): at a tiny scale the
floor script and dbt's gold agree after every step, the floor equals the end-to-end suite's
independent oracle, the comparison catches every kind of difference, and the report computes the
ratios of the issue's figures."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from bench import pipeline
from bench.pipeline import (
    FIRST,
    FIXED,
    FLOOR,
    GOLD_RELATIONS,
    NEW_BATCH,
    NO_OP,
    PLAIN_NO_OP,
    REFRESH,
    History,
    Scale,
    compare_relations,
    read_relations,
    report_lines,
    run_floor,
)
from e2e.reference_kpis import expected_kpis

TINY = Scale(small_batches=2, large_batches=3, orders_per_batch=300, new_batch_orders=200)


def as_row_dicts(relations: pipeline.Relations) -> dict[str, list[dict[str, object]]]:
    return {
        relation: sorted(
            (dict(zip(columns, row, strict=True)) for row in rows),
            key=repr,
        )
        for relation, (columns, rows) in relations.items()
    }


def test_floor_equals_dbt_gold_after_every_step(tmp_path: Path) -> None:
    history = pipeline.make_history("tiny", TINY.large_batches, tmp_path)
    # The steps that change gold (the no-op build and the fixed cost are timings only, and the
    # e2e suite proves that a build without new files changes nothing); bench_history raises
    # BenchError when gold differs from the floor after one of them.
    steps = (FLOOR, FIRST, NEW_BATCH, REFRESH)
    pipeline.bench_history(history, TINY, steps, pipeline.Clock())
    assert set(history.seconds) == set(steps)
    assert history.orders > 0

    # After the last step (full refresh, new batch included), once more, explicitly.
    _, floor = run_floor(history.raw_root)
    with duckdb.connect(str(history.duckdb_path), read_only=True) as connection:
        gold = read_relations(connection, "gold")
    assert compare_relations(floor, gold) == []
    assert all(rows for _, rows in floor.values())

    # The floor itself is right: it equals the e2e suite's plain-Python oracle.
    oracle = expected_kpis(history.raw_root)
    assert as_row_dicts(floor) == {
        relation: sorted(rows, key=repr) for relation, rows in oracle.items()
    }


def tiny_relations() -> pipeline.Relations:
    """Nine relations of one row each, in the gold shape."""
    kpis = [3, 2, 1, 4, Decimal("10.50"), Decimal("2.00"), 1 / 3]
    grains = {
        "kpis_by_product": ["product_id", "product_name", "brand_name", "category_name"],
        "kpis_by_category": ["category_id", "category_name"],
        "kpis_by_brand": ["brand_id", "brand_name"],
        "kpis_by_customer": ["customer_id", "country", "gender"],
        "kpis_by_country": ["country"],
        "kpis_by_gender": ["gender"],
        "kpis_by_payment_method": ["payment_method"],
        "kpis_daily": ["order_date"],
        "kpis_overall": [],
    }
    values = {
        "product_id": 1,
        "product_name": "Kettle",
        "brand_name": None,
        "category_name": "Home",
        "category_id": 2,
        "brand_id": 3,
        "customer_id": 4,
        "country": "Norway",
        "gender": "Female",
        "payment_method": "PayPal",
        "order_date": dt.date(2026, 1, 1),
    }
    return {
        relation: (
            [*grain, *pipeline.KPI_COLUMNS],
            [tuple([values[column] for column in grain] + kpis)],
        )
        for relation, grain in grains.items()
    }


@pytest.mark.parametrize(
    ("relation", "index", "value", "expected_problem"),
    [
        ("kpis_by_product", 10, 1 / 3 + 1e-9, "kpis_by_product: (1,"),  # rate beyond 1e-12
        ("kpis_daily", 5, Decimal("10.51"), "kpis_daily: ("),  # a cent of revenue
        ("kpis_overall", 0, 3.0, "kpis_overall: ("),  # a count as a double
        ("kpis_by_brand", 1, "Other", "kpis_by_brand: ("),  # a grain key
    ],
)
def test_comparison_finds_a_changed_value(
    relation: str, index: int, value: object, expected_problem: str
) -> None:
    floor = tiny_relations()
    gold = copy.deepcopy(floor)
    columns, rows = gold[relation]
    changed = list(rows[0])
    changed[index] = value
    gold[relation] = (columns, [tuple(changed)])
    problems = compare_relations(floor, gold)
    assert len(problems) == 1
    assert problems[0].startswith(expected_problem)


def test_comparison_finds_missing_rows_and_renamed_columns_and_tolerates_rate_rounding() -> None:
    floor = tiny_relations()
    gold = copy.deepcopy(floor)
    gold["kpis_by_gender"] = (gold["kpis_by_gender"][0], [])
    columns, rows = gold["kpis_by_country"]
    gold["kpis_by_country"] = (["nation", *columns[1:]], rows)
    columns, rows = gold["kpis_overall"]
    gold["kpis_overall"] = (columns, [(*rows[0][:-1], rows[0][-1] + 1e-13)])
    assert compare_relations(floor, gold) == [
        "kpis_by_country: columns ['nation', 'total_orders', 'placed_orders', 'cancelled_orders', "
        "'units_sold', 'revenue', 'lost_revenue', 'cancellation_rate'], expected ['country', "
        "'total_orders', 'placed_orders', 'cancelled_orders', 'units_sold', 'revenue', "
        "'lost_revenue', 'cancellation_rate']",
        "kpis_by_gender: 0 rows, expected 1",
    ]
    assert compare_relations(floor, floor) == []
    assert len(GOLD_RELATIONS) == 9


def test_report_gives_the_issue_ratios_for_the_issue_figures() -> None:
    """The issue's measured table (1 M and 10 M orders) gives its ratios: 8.9, 2.1, 0.48, 5.7, and
    the plain no-op builds (13.4 s, 22.8 s) 1.7."""
    small = History("small", 10, Path("small"), {}, orders=1_000_000)
    large = History("large", 88, Path("large"), {}, orders=10_000_000)
    small.seconds = {
        FLOOR: 0.63,
        FIRST: 15.05,
        NO_OP: 12.18,
        PLAIN_NO_OP: 13.4,
        NEW_BATCH: 12.89,
        FIXED: 4.58,
    }
    large.seconds = {
        FLOOR: 5.59,
        FIRST: 59.04,
        NO_OP: 25.39,
        PLAIN_NO_OP: 22.8,
        NEW_BATCH: 27.19,
        REFRESH: 57.01,
        FIXED: 4.45,
    }
    nodes = {"model.lakehouse.fact_orders": 1.1, "model.lakehouse.dim_date": 0.2}
    small.node_seconds = {step: dict(nodes) for step in (FIRST, NO_OP, PLAIN_NO_OP, NEW_BATCH)}
    large.node_seconds = {
        step: {"model.lakehouse.fact_orders": 6.8, "model.lakehouse.dim_date": 0.2}
        for step in (FIRST, NO_OP, PLAIN_NO_OP, NEW_BATCH)
    }
    ratios = {ratio.name: ratio for ratio in pipeline.ratios(small, large)}
    assert {name: round(ratio.value or 0, 2) for name, ratio in ratios.items()} == {
        "P2": 8.87,
        "P3a": 2.11,
        "P3b": 0.48,
        "P4": 5.71,
        "P5": 1.7,
    }
    assert {ratio.verdict for ratio in ratios.values()} == {"MISSED"}

    machine = {"date": "today", "machine": "here", "load_at_start": "0.20", "load_at_end": "0.90"}
    text = "\n".join(report_lines(small, large, TINY, machine))
    assert "WARNING" not in text
    busy = {**machine, "load_at_end": "3.50"}
    assert "WARNING: load average up to 3.50" in "\n".join(report_lines(small, large, TINY, busy))
    daily = pipeline.command_text(pipeline.daily_build_commands())
    assert f"| first build ({daily} on an empty warehouse) | 15.05 | 59.04 |" in text
    assert "| `dbt build --full-refresh` (bronze reloaded from raw) |  | 57.01 |" in text
    assert "| P4 | no-op build / dbt's fixed cost, large history | 5.71 | <= 1.5 | MISSED |" in text
    # fact_orders grew with history (1.1 -> 6.8 s), dim_date did not
    assert "    1.10 ->     6.80  model.lakehouse.fact_orders" in text
    assert "->     0.20  model.lakehouse.dim_date" not in text


def test_a_step_that_changes_nothing_counts_with_its_median_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """timed_dbt runs the step's commands `repeats` times and keeps the median run (its
    seconds and its node times) and every run's seconds."""
    history = pipeline.make_history("tiny", 1, tmp_path)
    runs = iter([(4.0, {"a": 4.0}), (1.0, {"a": 1.0}), (9.0, {"a": 9.0})])
    labels: list[str] = []

    def fake_run_step(_history, _args, label):
        labels.append(label)
        return next(runs)

    monkeypatch.setattr(pipeline, "run_step", fake_run_step)
    pipeline.timed_dbt(history, NO_OP, [["dbt", "build"]], pipeline.Clock(), repeats=3)
    assert history.seconds[NO_OP] == 4.0
    assert history.node_seconds[NO_OP] == {"a": 4.0}
    assert history.runs[NO_OP] == [4.0, 1.0, 9.0]
    assert labels == ["no-op-build-run-1", "no-op-build-run-2", "no-op-build-run-3"]
