"""Exactly once, whatever fails, retries or is selected (docs/runbook.md).

Every case starts from a copy of one warehouse built by the job's daily build, with the day's
new batch waiting in the raw zone, breaks the next daily build the way an on-call engineer
meets it (kill -9 at a node, a failing check, a retry, a partial selection, a restore, a deploy
and its rollback), then recovers the way the runbook says (a plain `dbt build`, the job's next
run, `dbt retry`); gold and orders_enriched must then equal the independent reference computed
from the raw files, with no --full-refresh.

The cases run in a module fixture, two at a time (each is a chain of dbt processes); the tests
then check what each recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from e2e.helpers import (
    DBT,
    PROJECT_DIR,
    WITHOUT_TESTS,
    Lakehouse,
    assert_same_kpis,
    generate,
    killed_at,
    read_gold,
    read_orders_enriched,
    run_dbt,
)
from e2e.reference_kpis import Row, expected_kpis, expected_orders_enriched

SEED = 11
ORDERS_PER_BATCH = 400


@dataclass
class Reference:
    gold: dict[str, list[Row]]
    orders_enriched: list[Row]


@dataclass
class Outcome:
    """What a case left: the gold it ended with, and what it observed on the way."""

    gold: dict[str, list[Row]]
    orders_enriched: list[Row]
    observed: dict[str, Any] = field(default_factory=dict)


def outcome(lakehouse: Lakehouse, **observed: Any) -> Outcome:
    path = lakehouse.duckdb_path
    return Outcome(read_gold(path), read_orders_enriched(path), observed)


def job_build(lakehouse: Lakehouse, *, expect_success: bool = True) -> None:
    """The job's daily build as the local runner runs it (prepare the dbt state, `dbt source
    freshness`, `dbt build --select source_status:fresher+ ...`, record the freshness)."""
    result = subprocess.run(
        [sys.executable, "-m", "orchestration", "build"],
        cwd=PROJECT_DIR,
        env={**os.environ, **lakehouse.env},
        capture_output=True,
        text=True,
        check=False,
    )
    if expect_success and result.returncode != 0:
        raise AssertionError(f"the job's build failed:\n{result.stdout[-3000:]}{result.stderr}")


def daily_build_nodes(lakehouse: Lakehouse) -> list[str]:
    """The nodes of a plain `dbt build` that write data: its tables, incremental models and
    snapshots. (A view only stores its query, recreated whole by every run; a test writes
    nothing: a kill there is a kill between the writing nodes around it.)"""
    result = run_dbt(
        ["ls", "--resource-type", "model", "--resource-type", "snapshot", "--output", "json"],
        lakehouse.env,
    )
    nodes = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return sorted(node["name"] for node in nodes if node["config"]["materialized"] != "view")


def positions(lakehouse: Lakehouse) -> dict[str, Any]:
    """Each gold model's position (its greatest _as_of)."""
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.columns"
                " where table_schema = 'gold' and column_name = '_as_of'"
            ).fetchall()
        ]
        return {
            name: connection.execute(f"select max(_as_of) from gold.{name}").fetchone()[0]
            for name in tables
        }


def failed_tests(env: dict[str, str]) -> set[str]:
    """The tests the last dbt command of an environment failed (its target's run_results)."""
    results = json.loads((Path(env["DBT_TARGET_PATH"]) / "run_results.json").read_text())
    return {
        result["unique_id"].split(".")[2]
        for result in results["results"]
        if result["status"] in ("fail", "error")
    }


def copy_project(target: Path) -> Path:
    """A copy of the dbt project (what a deploy of another version of it would run)."""
    ignore = shutil.ignore_patterns(".venv", ".git", "data", "target", "logs", "*.duckdb")
    shutil.copytree(PROJECT_DIR, target, ignore=ignore)
    return target


def deployed(lakehouse: Lakehouse, project: Path) -> dict[str, str]:
    """The lakehouse's environment for another deployment of the project: its own dbt target
    folder (a deployment's artifacts and partial parse are its own), the same warehouse."""
    return {**lakehouse.env, "DBT_TARGET_PATH": str(project / "target")}


# ------------------------------------------------------------------------------------- cases


def kill_case(lakehouse: Lakehouse, node: str) -> Outcome:
    """kill -9 as `node` starts in the day's build of every model and snapshot (WITHOUT_TESTS),
    then a plain `dbt build`, which runs every test."""
    killed_at(lakehouse, node, [str(DBT), "build", *WITHOUT_TESTS])
    run_dbt(["build"], lakehouse.env)
    return outcome(lakehouse)


def job_kill_case(lakehouse: Lakehouse) -> Outcome:
    """kill -9 of the job's build once orders_enriched starts (silver committed, gold not), then
    the job's next run: its freshness state was not recorded, so it builds the DAG again."""
    killed_at(lakehouse, "orders_enriched", [sys.executable, "-m", "orchestration", "build"])
    job_build(lakehouse)
    return outcome(lakehouse)


# A wrong rule deployed with the day's build: fact_orders' statuses without Cancelled (the
# day's batch cancels orders).
WRONG_RULE = "value_set: [Placed, Cancelled]"


def failing_check_case(lakehouse: Lakehouse) -> Outcome:
    """A daily build with a failing error-level check on silver, `dbt test`, `dbt retry` and a
    rerun of the build before the fix (each red with the same failure, gold untouched), the rule
    fixed, a rerun of the build (green). `dbt retry` cannot be the rerun after the fix: a
    generic test's unique id follows its arguments, so the fixed check is another node."""
    project = copy_project(lakehouse.root / "project")
    yaml = project / "models" / "silver" / "_silver__models.yml"
    text = yaml.read_text()
    assert text.count(WRONG_RULE) == 1
    yaml.write_text(text.replace(WRONG_RULE, "value_set: [Placed]"))
    env = deployed(lakehouse, project)
    before = read_gold(lakehouse.duckdb_path)
    verdicts = []
    for command in (["build"], ["test"], ["retry"], ["build"]):
        run_dbt(command, env, expect_success=False, project_dir=project)
        verdicts.append(failed_tests(env))
    untouched = read_gold(lakehouse.duckdb_path) == before
    yaml.write_text(text)  # the rule fixed
    run_dbt(["build"], env, project_dir=project)
    return outcome(lakehouse, verdicts=verdicts, gold_untouched=untouched)


def report(lakehouse: Lakehouse) -> str:
    """The last line of `dbt run-operation report_positions` (the runbook's on-call view)."""
    result = run_dbt(["run-operation", "report_positions", "--quiet"], lakehouse.env)
    return result.stdout.strip().splitlines()[-1]


def selection_case(lakehouse: Lakehouse, selections: list[list[str]]) -> Outcome:
    """Each dbt command of `selections` in turn, then the plain daily `dbt build`."""
    for command in selections:
        run_dbt(command, lakehouse.env)
    after_selections = outcome(lakehouse, report=report(lakehouse))
    run_dbt(["build"], lakehouse.env)
    return outcome(
        lakehouse,
        after_selections=after_selections,
        positions=positions(lakehouse),
        report=report(lakehouse),
    )


def repeated_runs_case(lakehouse: Lakehouse, commands: list[list[str]]) -> Outcome:
    """The day's build, then the same models again: each command's gold is recorded."""
    after: dict[str, dict[str, list[Row]]] = {}
    for number, command in enumerate(commands):
        run_dbt(command, lakehouse.env)
        after[f"{number + 1}. dbt {' '.join(command)}"] = read_gold(lakehouse.duckdb_path)
    return outcome(lakehouse, after=after)


def restore_case(lakehouse: Lakehouse, backup: Path) -> Outcome:
    """The day's build, then gold restored to yesterday's backup (as a Delta RESTORE of the gold
    tables would do) while silver keeps the day, then the plain build again."""
    run_dbt(["build"], lakehouse.env)
    with duckdb.connect(str(lakehouse.duckdb_path)) as connection:
        connection.execute(f"attach '{backup}' as yesterday (read_only)")
        tables = connection.execute(
            "select table_name from information_schema.tables"
            " where table_catalog = 'yesterday' and table_schema = 'gold'"
            " and table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            connection.execute(f"delete from gold.{table}")
            connection.execute(f"insert into gold.{table} select * from yesterday.gold.{table}")
    restored = positions(lakehouse)
    run_dbt(["build"], lakehouse.env)
    return outcome(lakehouse, restored=restored)


# The version deployed before this one, in the rollback case: kpis_by_brand had one more column.
AVERAGE_ORDER_VALUE = """      - name: average_order_value
        description: Revenue per placed order.
        data_type: decimal(38,2)
"""


def rollback_case(lakehouse: Lakehouse) -> Outcome:
    """A deploy of a previous version of the project (kpis_by_brand with one more column,
    average_order_value) runs the day's build; then this version's build: each schema change
    applies itself to the existing warehouse."""
    previous = copy_project(lakehouse.root / "previous")
    yaml = previous / "models" / "gold" / "_gold__models.yml"
    text = yaml.read_text()
    start = text.index("\n  - name: kpis_by_brand\n")
    end = text.index("\n  - name: ", start + 1)
    block = text[start:end].replace(
        "      - *mart_as_of", AVERAGE_ORDER_VALUE + "      - *mart_as_of"
    )
    yaml.write_text(text[:start] + block + text[end:])
    model = previous / "models" / "gold" / "kpis_by_brand.sql"
    model.write_text(
        model.read_text().replace(
            "        max(_as_of) as _as_of\n",
            "        cast(sum(revenue) / nullif(sum(placed_orders), 0) as decimal(38, 2))\n"
            "            as average_order_value,\n"
            "        max(_as_of) as _as_of\n",
        )
    )
    run_dbt(["build"], deployed(lakehouse, previous), project_dir=previous)
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        previous_brands = connection.execute(
            "select brand_id, revenue, placed_orders, average_order_value from gold.kpis_by_brand"
        ).fetchall()
    run_dbt(["build"], lakehouse.env)
    return outcome(lakehouse, previous_brands=previous_brands)


# ----------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def history(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    """Three batches built by the job's daily build; the day's batch then lands, unloaded."""
    lakehouse = make_lakehouse("recovery-history", extra_env={})
    lakehouse.env["LAKEHOUSE_DBT_STATE_DIR"] = str(lakehouse.root / "dbt-state")
    generate(lakehouse, seed=SEED, batches=3, orders_per_batch=ORDERS_PER_BATCH)
    job_build(lakehouse)
    generate(lakehouse, seed=SEED, batches=1, orders_per_batch=ORDERS_PER_BATCH)
    return lakehouse


@pytest.fixture(scope="module")
def yesterday(history: Lakehouse) -> dict[str, list[Row]]:
    """Gold before the day's batch (what a model left out of a build keeps)."""
    return read_gold(history.duckdb_path)


@pytest.fixture(scope="module")
def reference(history: Lakehouse) -> Reference:
    return Reference(expected_kpis(history.raw_root), expected_orders_enriched(history.raw_root))


@pytest.fixture(scope="module")
def cases(
    history: Lakehouse, make_lakehouse: Callable[..., Lakehouse]
) -> dict[str, Outcome | BaseException]:
    """Every case on a fresh copy of the history, in two lanes running side by side. The cases of
    a lane reuse one lakehouse (the same paths, so dbt's partial parse carries from case to
    case); each case starts by copying the history's warehouse and dbt state into it."""
    backup = history.root / "yesterday.duckdb"
    shutil.copy(history.duckdb_path, backup)
    writing_nodes = daily_build_nodes(history)
    runs: dict[str, Callable[[Lakehouse], Outcome]] = {
        f"kill at {node}": (lambda lakehouse, node=node: kill_case(lakehouse, node))
        for node in writing_nodes
    }
    runs |= {
        "kill the job, run the job again": job_kill_case,
        "repeated runs": lambda lakehouse: repeated_runs_case(
            lakehouse,
            [
                ["build"],
                ["run", "--select", "kpis_by_brand"],
                ["run", "--select", "kpis_by_brand"],
                ["build", "--select", "orders_enriched+"],
                ["build", "--select", "orders_enriched+"],
                ["build"],
            ],
        ),
        "dbt build --select +kpis_daily": lambda lakehouse: selection_case(
            lakehouse, [["build", "--select", "+kpis_daily"]]
        ),
        "dbt run --exclude kpis_by_product": lambda lakehouse: selection_case(
            lakehouse, [["run", "--exclude", "kpis_by_product"]]
        ),
        "gold restored to yesterday": lambda lakehouse: restore_case(lakehouse, backup),
        # last: they run another copy of the project, which the next case would parse again
        "a failing check on silver": failing_check_case,
        "a rollback and forward again": rollback_case,
    }

    def lane(names: list[str], lane_name: str) -> dict[str, Outcome | BaseException]:
        lakehouse = make_lakehouse(f"recovery-lane-{lane_name}", raw_root=history.raw_root)
        state = lakehouse.root / "dbt-state"
        lakehouse.env["LAKEHOUSE_DBT_STATE_DIR"] = str(state)
        results: dict[str, Outcome | BaseException] = {}
        for name in names:
            shutil.copy(history.duckdb_path, lakehouse.duckdb_path)
            shutil.rmtree(state, ignore_errors=True)
            shutil.copytree(history.root / "dbt-state", state)
            for leftover in (lakehouse.root / "project", lakehouse.root / "previous"):
                shutil.rmtree(leftover, ignore_errors=True)
            print(f"== recovery case: {name}", flush=True)
            try:
                results[name] = runs[name](lakehouse)
            except BaseException as error:  # recorded, so that the other cases still run
                results[name] = error
        return results

    names = list(runs)
    with ThreadPoolExecutor(max_workers=2) as pool:
        lanes = pool.map(lane, [names[0::2], names[1::2]], ["a", "b"])
        return {name: result for results in lanes for name, result in results.items()}


def assert_is_the_reference(result: Outcome | BaseException, reference: Reference) -> Outcome:
    if isinstance(result, BaseException):
        raise result
    assert_same_kpis(result.gold, reference.gold)
    assert result.orders_enriched == reference.orders_enriched
    return result


# -------------------------------------------------------------------------------------- tests


# The cases run in one fixture, before the first test that needs them: a generous timeout.
pytestmark = pytest.mark.timeout(2400)


def test_a_kill_at_every_node_then_a_plain_build_gives_the_reference(
    cases: dict[str, Outcome | BaseException], history: Lakehouse, reference: Reference
) -> None:
    """kill -9 as each model or snapshot of the day's build starts (the earlier ones committed,
    the one starting and any other in flight lost), then a plain `dbt build`: gold is exact."""
    kills = sorted(name for name in cases if name.startswith("kill at "))
    assert kills == sorted(f"kill at {node}" for node in daily_build_nodes(history))
    assert len(kills) >= 23
    for name in kills:
        assert_is_the_reference(cases[name], reference)


def test_a_killed_job_is_caught_up_by_its_next_run(
    cases: dict[str, Outcome | BaseException], reference: Reference
) -> None:
    assert_is_the_reference(cases["kill the job, run the job again"], reference)


def test_a_failing_check_stays_red_until_the_rule_is_fixed(
    cases: dict[str, Outcome | BaseException], reference: Reference
) -> None:
    """The same check fails in the build, in `dbt test`, in `dbt retry` and in a rerun of the
    build; gold stays as it was (it waits for the check); once the rule is fixed, the next
    build catches gold up."""
    result = assert_is_the_reference(cases["a failing check on silver"], reference)
    first, *again = result.observed["verdicts"]
    assert len(first) == 1, first
    assert next(iter(first)).startswith("expect_column_values_to_be_in_set_fact_orders_status")
    assert again == [first, first, first]
    assert result.observed["gold_untouched"]


def test_a_repeated_run_counts_nothing_twice(
    cases: dict[str, Outcome | BaseException], reference: Reference
) -> None:
    """After the day's build, a mart run again (`dbt run --select kpis_by_brand`, twice), gold
    built again (`dbt build --select orders_enriched+`, twice) and the whole build again (a task
    retry) change nothing: gold is the reference after each of them."""
    result = assert_is_the_reference(cases["repeated runs"], reference)
    assert len(result.observed["after"]) == 6
    for command, gold in result.observed["after"].items():
        assert gold == reference.gold, command


@pytest.mark.parametrize(
    "case", ["dbt build --select +kpis_daily", "dbt run --exclude kpis_by_product"]
)
def test_what_a_selection_left_out_is_caught_up_by_the_next_build(
    cases: dict[str, Outcome | BaseException],
    reference: Reference,
    yesterday: dict[str, list[Row]],
    case: str,
) -> None:
    """A selection with the batch waiting: the selected marts take it in, those left out keep
    yesterday's totals (they do not miss the batch for good, they have not counted it yet); the
    next plain build catches them up, every gold model then at the same position."""
    result = assert_is_the_reference(cases[case], reference)
    after = result.observed["after_selections"]
    left_out = {
        relation for relation in reference.gold if after.gold[relation] != reference.gold[relation]
    }
    assert left_out  # the selection really left marts behind
    assert "kpis_daily" not in left_out
    for relation in left_out:
        assert after.gold[relation] == yesterday[relation], relation
    assert len(set(result.observed["positions"].values())) == 1
    # the on-call view says which marts were behind, then that gold caught up
    assert after.observed["report"].startswith("behind: ")
    behind = after.observed["report"].removeprefix("behind: ").split(" (")[0].split(", ")
    assert set(behind) == left_out
    assert result.observed["report"] == "caught up"


def test_gold_restored_to_yesterday_catches_up(
    cases: dict[str, Outcome | BaseException], reference: Reference
) -> None:
    result = assert_is_the_reference(cases["gold restored to yesterday"], reference)
    assert len(set(result.observed["restored"].values())) == 1


def test_a_rollback_and_forward_again_apply_their_schema_changes(
    cases: dict[str, Outcome | BaseException], reference: Reference
) -> None:
    """The previous version added average_order_value to kpis_by_brand, filled for every brand;
    this one dropped it again (read_gold checks the columns), each by a plain build of an
    existing warehouse; gold is exact."""
    result = assert_is_the_reference(cases["a rollback and forward again"], reference)
    brands = {row["brand_id"]: row for row in reference.gold["kpis_by_brand"]}
    previous = result.observed["previous_brands"]
    assert len(previous) == len(brands)
    for brand_id, revenue, placed_orders, average_order_value in previous:
        assert (revenue, placed_orders) == (
            brands[brand_id]["revenue"],
            brands[brand_id]["placed_orders"],
        )
        if placed_orders:  # rounded to the cent
            assert abs(average_order_value - revenue / placed_orders) <= Decimal("0.005")
        else:
            assert average_order_value is None
