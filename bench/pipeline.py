"""Pipeline benchmark: `python -m bench.pipeline` (or `make bench-pipeline`).

Two histories made by the generator, each in its own folder (raw zone, DuckDB file, dbt target
and logs under data/bench/<history>/): "small" (10 batches of 100,000 orders at full scale) and
"large" (88 batches). For each, wall seconds of:

- the floor: bench/floor.sql, one hand-written DuckDB script from the raw CSVs to the nine gold
  relations (no dbt, no code shared with the models);
- the first build (the job's daily dbt commands on an empty warehouse); a daily build with no new
  file; a plain `dbt build` with no new file (what an analytics engineer types: every model and
  check of the default selector, no freshness selection); a daily build after one more batch of
  100,000 orders; `dbt build --full-refresh --vars '{reload_bronze: true}'` (every layer
  rebuilt from the raw files; large only); dbt's fixed cost, `dbt build
  --select dim_date` on a built warehouse. A step that changes nothing (the builds with no new file,
  the fixed cost) runs three times and counts with its median run.

After every dbt step the nine gold relations must equal the floor's (counts and decimals
exactly, rates to 1e-12), or the benchmark stops. It prints the table, the ratios P2, P3a, P3b,
P4, P5 against their goals, the ten slowest nodes (dbt's run_results.json) and the nodes whose time
grew with history, and writes the same as data/bench/report.md and report.json.

What "a daily build" runs is defined in one place, `daily_build_commands`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb

from lambda_generator.core import BatchSummary, generate_batches, season_factor, series_state

PROJECT_DIR = Path(__file__).resolve().parents[1]
FLOOR_SQL = Path(__file__).with_name("floor.sql")
DBT = Path(sys.executable).with_name("dbt")
SEED = 42

# The gold relations (public contract: names and columns) and their KPI columns.
GOLD_RELATIONS = (
    "kpis_by_product",
    "kpis_by_category",
    "kpis_by_brand",
    "kpis_by_customer",
    "kpis_by_country",
    "kpis_by_gender",
    "kpis_by_payment_method",
    "kpis_daily",
    "kpis_overall",
)
KPI_COLUMNS = (
    "total_orders",
    "placed_orders",
    "cancelled_orders",
    "units_sold",
    "revenue",
    "lost_revenue",
    "cancellation_rate",
)
RATE_TOLERANCE = 1e-12

# a rebuild of every layer from the raw files: bronze, the system of record, is rebuilt only on
# a deliberate reload (dbt_project.yml), which the benchmark asks for
FULL_REFRESH = [str(DBT), "build", "--full-refresh", "--vars", "{reload_bronze: true}"]
FIXED_COST = [str(DBT), "build", "--select", "dim_date"]
PLAIN_BUILD = [str(DBT), "build"]


def daily_build_commands() -> list[list[str]]:
    """THE definition of "a daily build": what the job runs every day, as the local runner runs
    it: `python -m orchestration build`, the job's prepare_dbt_state and dbt tasks
    (orchestration/resources/lakehouse_job.yml: `dbt source freshness`, `dbt build --select
    source_status:fresher+ ...`, the state for the next run), in one process, with the dbt state
    in <history>/dbt-state. The benchmark runs it for the first build, the no-op step and the
    new-batch step. BENCH_DAILY_BUILD (dbt commands separated by `;`, e.g. "build") replaces it."""
    override = os.environ.get("BENCH_DAILY_BUILD", "").strip()
    if override:
        return [
            [str(DBT), *shlex.split(command)] for command in override.split(";") if command.strip()
        ]
    return [[sys.executable, "-m", "orchestration", "build"]]


@dataclass(frozen=True)
class Scale:
    small_batches: int
    large_batches: int
    orders_per_batch: int  # the generator's mean (seasonality scales each day)
    new_batch_orders: int  # new orders of the one extra batch, the same for both histories


SCALES = {
    "full": Scale(
        small_batches=10, large_batches=88, orders_per_batch=100_000, new_batch_orders=100_000
    ),
    "tiny": Scale(small_batches=2, large_batches=4, orders_per_batch=300, new_batch_orders=200),
}


class BenchError(RuntimeError):
    """A step failed or dbt's gold differs from the floor."""


@dataclass
class History:
    """One history: its folders and the environment dbt runs with."""

    name: str
    batches: int
    root: Path
    env: dict[str, str]
    orders: int = 0  # current orders (kpis_overall.total_orders of the floor) before the new batch
    seconds: dict[str, float] = field(default_factory=dict)
    node_seconds: dict[str, dict[str, float]] = field(default_factory=dict)  # step -> node -> s
    runs: dict[str, list[float]] = field(default_factory=dict)  # step -> every run's seconds

    @property
    def raw_root(self) -> Path:
        return self.root / "raw"

    @property
    def duckdb_path(self) -> Path:
        return self.root / "lakehouse.duckdb"


def make_history(name: str, batches: int, out_dir: Path) -> History:
    """A fresh folder for a history (anything left by an earlier run is removed)."""
    root = out_dir / name
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    profiles_dir = out_dir / "profiles"
    profiles_dir.mkdir(exist_ok=True)
    shutil.copy(PROJECT_DIR / "profiles.yml.example", profiles_dir / "profiles.yml")
    env = {
        "LAKEHOUSE_TARGET": "local",
        "LAKEHOUSE_RAW_ROOT": str(root / "raw"),
        "LAKEHOUSE_DUCKDB_PATH": str(root / "lakehouse.duckdb"),
        "DBT_PROFILES_DIR": str(profiles_dir),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
        "LAKEHOUSE_DBT_STATE_DIR": str(root / "dbt-state"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return History(name=name, batches=batches, root=root, env=env)


class Clock:
    """Announces each step with the time elapsed since the benchmark started."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def say(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:7.1f}s] {message}", flush=True)


# --------------------------------------------------------------------------- steps


def generate(history: History, batches: int, orders_per_batch: int, clock: Clock) -> None:
    """Append batches to the history's raw zone with the project's generator."""

    def progress(summary: BatchSummary) -> None:
        done = summary.batch_number + 1
        if done % 10 == 0 or done == total:
            clock.say(
                f"  {history.name}: batch {done}/{total} ({summary.rows['orders']:,} order rows)"
            )

    total = (state.next_batch if (state := series_state(str(history.raw_root))) else 0) + batches
    generate_batches(
        str(history.raw_root),
        seed=SEED,
        batches=batches,
        orders_per_batch=orders_per_batch,
        progress=progress,
    )


def mean_for_new_orders(history: History, new_orders: int) -> int:
    """The generator's mean that gives the next batch `new_orders` new orders: seasonality
    scales a day's orders, and both histories must get the same batch size."""
    state = series_state(str(history.raw_root))
    assert state is not None, "the history has no series yet"
    day = state.start_date + dt.timedelta(days=state.next_batch)
    return max(1, round(new_orders / season_factor(day)))


Relations = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def read_relations(connection: duckdb.DuckDBPyConnection, schema: str | None) -> Relations:
    """The nine gold relations of a connection (schema `gold` of dbt, without the marts' position
    column _as_of, or the floor's main)."""
    relations: Relations = {}
    for relation in GOLD_RELATIONS:
        name = f"{schema}.{relation}" if schema else relation
        columns = "* exclude (_as_of)" if schema else "*"
        cursor = connection.execute(f"select {columns} from {name}")
        columns = [description[0] for description in cursor.description]
        relations[relation] = (columns, cursor.fetchall())
    return relations


def run_floor(raw_root: Path) -> tuple[float, Relations]:
    """Run bench/floor.sql on an in-memory DuckDB; its wall seconds and its nine relations."""
    started = time.perf_counter()
    with duckdb.connect() as connection:
        connection.execute("set variable raw_root = ?", [str(raw_root)])
        connection.execute(FLOOR_SQL.read_text())
        seconds = time.perf_counter() - started
        return seconds, read_relations(connection, None)


def run_step(history: History, args: list[str], label: str) -> tuple[float, dict[str, float]]:
    """A command (dbt, or the local runner's build) as a subprocess in the project directory, with
    the history's environment; its wall seconds and the
    execution time of every node it ran (run_results.json, kept in <history>/run_results/;
    none for `dbt source freshness`)."""
    log_dir = history.root / "logs"
    log_dir.mkdir(exist_ok=True)
    log_path = log_dir / f"{label}.log"
    results = history.root / "target" / "run_results.json"
    results.unlink(missing_ok=True)  # `dbt source freshness` writes none: no node times then
    started = time.perf_counter()
    with log_path.open("w") as log:
        result = subprocess.run(
            args,
            cwd=PROJECT_DIR,
            env={**os.environ, **history.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join(log_path.read_text().splitlines()[-40:])
        raise BenchError(f"{history.name}: {command_text([args])} failed (log {log_path}):\n{tail}")
    if not results.exists():
        return seconds, {}
    kept = history.root / "run_results" / f"{label}.json"
    kept.parent.mkdir(exist_ok=True)
    shutil.copy(results, kept)
    nodes = {
        node["unique_id"]: float(node["execution_time"])
        for node in json.loads(kept.read_text())["results"]
    }
    return seconds, nodes


# A step that changes nothing (a build with no new file, dbt's fixed cost) runs this many times
# and counts with its median run: one run of a few seconds moves with whatever else the machine
# does for a moment. A step that changes the warehouse runs once.
REPEATS = 3


def timed_dbt(
    history: History, step: str, commands: list[list[str]], clock: Clock, repeats: int = 1
) -> None:
    """Run one step's dbt commands `repeats` times; record the median run's total wall seconds
    and node times (and every run's seconds)."""
    runs: list[tuple[float, dict[str, float]]] = []
    for repeat in range(repeats):
        seconds = 0.0
        nodes: dict[str, float] = {}
        for number, args in enumerate(commands):
            label = step.replace(" ", "-") + (f"-{number + 1}" if len(commands) > 1 else "")
            label += f"-run-{repeat + 1}" if repeats > 1 else ""
            shown = " ".join(
                Path(args[0]).name if index == 0 else arg for index, arg in enumerate(args)
            )
            clock.say(f"{history.name}: {step}: {shown}")
            command_seconds, command_nodes = run_step(history, args, label)
            seconds += command_seconds
            for node, node_time in command_nodes.items():
                nodes[node] = nodes.get(node, 0.0) + node_time
        runs.append((seconds, nodes))
        clock.say(f"{history.name}: {step}: {seconds:.2f} s")
    seconds, nodes = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    history.seconds[step] = seconds
    history.node_seconds[step] = nodes
    history.runs[step] = [run[0] for run in runs]


def sort_key(row: tuple[Any, ...], key_count: int) -> tuple[Any, ...]:
    return tuple((value is None, value if value is not None else 0) for value in row[:key_count])


def compare_relations(expected: Relations, actual: Relations) -> list[str]:
    """Differences between the floor (expected) and dbt's gold (actual): the same columns, the
    same rows by grain, counts and decimals equal, the rate within RATE_TOLERANCE."""
    problems: list[str] = []
    for relation in GOLD_RELATIONS:
        expected_columns, expected_rows = expected[relation]
        actual_columns, actual_rows = actual[relation]
        if actual_columns != expected_columns:
            problems.append(f"{relation}: columns {actual_columns}, expected {expected_columns}")
            continue
        if len(actual_rows) != len(expected_rows):
            problems.append(f"{relation}: {len(actual_rows)} rows, expected {len(expected_rows)}")
            continue
        grain = len(expected_columns) - len(KPI_COLUMNS)
        rate = expected_columns.index("cancellation_rate")
        pairs = zip(
            sorted(expected_rows, key=lambda row: sort_key(row, grain)),
            sorted(actual_rows, key=lambda row: sort_key(row, grain)),
            strict=True,
        )
        for expected_row, actual_row in pairs:
            same_rate = math.isclose(
                actual_row[rate], expected_row[rate], rel_tol=0, abs_tol=RATE_TOLERANCE
            )
            others_equal = all(
                actual_value == expected_value and type(actual_value) is type(expected_value)
                for index, (actual_value, expected_value) in enumerate(
                    zip(actual_row, expected_row, strict=True)
                )
                if index != rate
            )
            if not (same_rate and others_equal):
                problems.append(f"{relation}: {actual_row} != floor {expected_row}")
                break
    return problems


def check_gold(history: History, floor: Relations, step: str, clock: Clock) -> None:
    """dbt's nine gold relations equal the floor's, or BenchError."""
    with duckdb.connect(str(history.duckdb_path), read_only=True) as connection:
        gold = read_relations(connection, "gold")
    problems = compare_relations(floor, gold)
    if problems:
        raise BenchError(
            f"{history.name}, after {step}: gold differs from the floor:\n" + "\n".join(problems)
        )
    clock.say(f"{history.name}: after {step}: the nine gold relations equal the floor's")


def total_orders(relations: Relations) -> int:
    columns, rows = relations["kpis_overall"]
    return int(rows[0][columns.index("total_orders")])


# --------------------------------------------------------------------------- the benchmark

FLOOR = "floor"
FIRST = "first build"
NO_OP = "no-op build"
PLAIN_NO_OP = "plain no-op build"
FIXED = "fixed cost"
NEW_BATCH = "new batch build"
REFRESH = "full refresh"


SMALL_STEPS = (FLOOR, FIRST, NO_OP, PLAIN_NO_OP, FIXED, NEW_BATCH)
LARGE_STEPS = (*SMALL_STEPS, REFRESH)


def bench_history(history: History, scale: Scale, steps: Collection[str], clock: Clock) -> None:
    """The steps of one history, in this order, checking gold against the floor after each dbt
    step but the fixed cost (the floor always runs: it is the reference)."""
    clock.say(f"{history.name}: generating {history.batches} batches")
    generate(history, history.batches, scale.orders_per_batch, clock)

    clock.say(f"{history.name}: floor (bench/floor.sql)")
    history.seconds[FLOOR], floor = run_floor(history.raw_root)
    history.orders = total_orders(floor)
    clock.say(f"{history.name}: floor: {history.seconds[FLOOR]:.2f} s, {history.orders:,} orders")

    daily = daily_build_commands()
    if FIRST in steps:
        timed_dbt(history, FIRST, daily, clock)
        check_gold(history, floor, FIRST, clock)
    if NO_OP in steps:
        timed_dbt(history, NO_OP, daily, clock, REPEATS)
        check_gold(history, floor, NO_OP, clock)
    if PLAIN_NO_OP in steps:
        timed_dbt(history, PLAIN_NO_OP, [PLAIN_BUILD], clock, REPEATS)
        check_gold(history, floor, PLAIN_NO_OP, clock)
    if FIXED in steps:
        timed_dbt(history, FIXED, [FIXED_COST], clock, REPEATS)

    if NEW_BATCH in steps:
        clock.say(f"{history.name}: one more batch of {scale.new_batch_orders:,} new orders")
        generate(history, 1, mean_for_new_orders(history, scale.new_batch_orders), clock)
        _, floor = run_floor(history.raw_root)
        timed_dbt(history, NEW_BATCH, daily, clock)
        check_gold(history, floor, NEW_BATCH, clock)

    if REFRESH in steps:
        timed_dbt(history, REFRESH, [FULL_REFRESH], clock)
        check_gold(history, floor, REFRESH, clock)


@dataclass(frozen=True)
class Ratio:
    name: str
    meaning: str
    value: float | None  # None when the scale leaves it undefined (e.g. no floor growth)
    goal: float

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "n/a"
        return "met" if self.value <= self.goal else "MISSED"


def ratios(small: History, large: History) -> list[Ratio]:
    """P2, P3a, P3b, P4 from the two histories' timings."""
    million_orders = (large.orders - small.orders) / 1e6
    floor_marginal = (large.seconds[FLOOR] - small.seconds[FLOOR]) / million_orders
    build_marginal = (large.seconds[FIRST] - small.seconds[FIRST]) / million_orders
    return [
        Ratio(
            "P2",
            f"full build marginal cost per M orders ({build_marginal:.2f} s) / "
            f"the floor's ({floor_marginal:.2f} s)",
            build_marginal / floor_marginal if floor_marginal > 0 else None,
            3.0,
        ),
        Ratio(
            "P3a",
            "new-batch build at the large history / at the small one",
            large.seconds[NEW_BATCH] / small.seconds[NEW_BATCH],
            1.3,
        ),
        Ratio(
            "P3b",
            "new-batch build / full refresh, large history",
            large.seconds[NEW_BATCH] / large.seconds[REFRESH],
            0.25,
        ),
        Ratio(
            "P4",
            "no-op build / dbt's fixed cost, large history",
            large.seconds[NO_OP] / large.seconds[FIXED],
            1.5,
        ),
        Ratio(
            "P5",
            "plain `dbt build` with no new file, large history / small one",
            large.seconds[PLAIN_NO_OP] / small.seconds[PLAIN_NO_OP],
            1.2,
        ),
    ]


def command_text(commands: Sequence[Sequence[str]]) -> str:
    """`dbt build` / `python -m orchestration build`: commands as people type them."""

    def typed(args: Sequence[str]) -> str:
        program = "python" if args[0] == sys.executable else Path(args[0]).name
        return " ".join([program, *args[1:]])

    return " + ".join(f"`{typed(args)}`" for args in commands)


def report_lines(
    small: History, large: History, scale: Scale, machine: dict[str, Any]
) -> list[str]:
    """The table, the ratios, the slowest nodes and the nodes that grew, as markdown lines."""
    daily = command_text(daily_build_commands())

    def cell(history: History, step: str) -> str:
        if step not in history.seconds:
            return ""
        runs = history.runs.get(step, [])
        spread = f" ({', '.join(f'{run:.2f}' for run in runs)})" if len(runs) > 1 else ""
        return f"{history.seconds[step]:.2f}{spread}"

    rows = [
        (FLOOR, "floor: bench/floor.sql, raw CSVs -> the nine gold tables (equal to dbt's gold)"),
        (FIRST, f"first build ({daily} on an empty warehouse)"),
        (NO_OP, f"daily build ({daily}), no new file"),
        (PLAIN_NO_OP, "plain `dbt build`, no new file"),
        (
            NEW_BATCH,
            f"daily build ({daily}) after one new batch of {scale.new_batch_orders:,} orders",
        ),
        (REFRESH, "`dbt build --full-refresh` (bronze reloaded from raw)"),
        (FIXED, "dbt's fixed cost: `dbt build --select dim_date` on a built warehouse"),
    ]
    lines = [
        f"Pipeline benchmark, {machine['date']}, {machine['machine']}, load average at start "
        f"{machine['load_at_start']}, at end {machine['load_at_end']}; wall seconds: one run of a "
        f"step that changes the warehouse, the median of {REPEATS} runs (each in brackets) of one "
        "that does not.",
        *busy_machine_warning(machine),
        "",
        f"| step | ~{small.orders:,} orders ({small.batches} batches) "
        f"| ~{large.orders:,} orders ({large.batches} batches) |",
        "|---|---|---|",
        *(f"| {label} | {cell(small, step)} | {cell(large, step)} |" for step, label in rows),
        "",
        "| ratio | what | value | goal | |",
        "|---|---|---|---|---|",
    ]
    for ratio in ratios(small, large):
        value = "n/a" if ratio.value is None else f"{ratio.value:.2f}"
        lines.append(
            f"| {ratio.name} | {ratio.meaning} | {value} | <= {ratio.goal} | {ratio.verdict} |"
        )
    for step in (FIRST, NO_OP, PLAIN_NO_OP, NEW_BATCH):
        lines += ["", f"Ten slowest nodes, {step}, {large.name} history (s):", ""]
        slowest = sorted(large.node_seconds[step].items(), key=lambda item: -item[1])[:10]
        lines += [f"    {seconds:8.2f}  {node}" for node, seconds in slowest]
    for step in (FIRST, NO_OP, PLAIN_NO_OP, NEW_BATCH):
        grown = node_growth(small.node_seconds[step], large.node_seconds[step])
        lines += [
            "",
            f"Nodes whose time grew with history, {step} (s, {small.name} -> {large.name}):",
            "",
        ]
        lines += [f"    {before:8.2f} -> {after:8.2f}  {node}" for node, before, after in grown]
        if not grown:
            lines.append("    none")
    return lines


def busy_machine_warning(machine: dict[str, Any]) -> list[str]:
    """A warning line when other work ran on the machine (load average above 1)."""
    load = max(float(machine["load_at_start"]), float(machine["load_at_end"]))
    if load <= 1.0:
        return []
    return [
        "",
        f"WARNING: load average up to {load:.2f}: other work shared the machine, so these "
        "timings and ratios are not the machine's figures.",
    ]


def node_growth(small: dict[str, float], large: dict[str, float]) -> list[tuple[str, float, float]]:
    """Nodes at least 0.05 s and 25% slower on the large history, most growth first (ten)."""
    grown = [
        (node, small.get(node, 0.0), seconds)
        for node, seconds in large.items()
        if seconds - small.get(node, 0.0) >= 0.05 and seconds >= 1.25 * small.get(node, 0.0)
    ]
    return sorted(grown, key=lambda item: item[2] - item[1], reverse=True)[:10]


def machine_info() -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, dbt-core {version('dbt-core')}, "
        f"dbt-duckdb {version('dbt-duckdb')}, DuckDB {duckdb.__version__}",
        "load_at_start": f"{os.getloadavg()[0]:.2f}",
    }


def run_benchmark(scale: Scale, out_dir: Path) -> dict[str, Any]:
    """Both histories, every step; print and write the report; return it as a dict."""
    clock = Clock()
    machine = machine_info()
    out_dir.mkdir(parents=True, exist_ok=True)
    daily = command_text(daily_build_commands())
    clock.say(f"pipeline benchmark in {out_dir}: {scale}, daily build {daily}")
    small = make_history("small", scale.small_batches, out_dir)
    bench_history(small, scale, SMALL_STEPS, clock)
    large = make_history("large", scale.large_batches, out_dir)
    bench_history(large, scale, LARGE_STEPS, clock)
    machine["load_at_end"] = f"{os.getloadavg()[0]:.2f}"

    lines = report_lines(small, large, scale, machine)
    print("\n" + "\n".join(lines), flush=True)
    report = {
        "machine": machine,
        "scale": asdict(scale),
        "daily_build": daily_build_commands(),
        "histories": {
            history.name: {
                "batches": history.batches,
                "orders": history.orders,
                "seconds": history.seconds,
                "runs": history.runs,
                "node_seconds": history.node_seconds,
            }
            for history in (small, large)
        },
        "ratios": {
            ratio.name: {"value": ratio.value, "goal": ratio.goal} for ratio in ratios(small, large)
        },
    }
    (out_dir / "report.md").write_text("\n".join(lines) + "\n")
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    clock.say(f"report written to {out_dir / 'report.md'} and report.json")
    return report


def parse_args(argv: Sequence[str] | None) -> tuple[Scale, Path]:
    environ = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m bench.pipeline", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default=environ("BENCH_SCALE", "full"))
    for name in ("small_batches", "large_batches", "orders_per_batch", "new_batch_orders"):
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=int,
            default=environ("BENCH_" + name.upper()) or None,
            help=f"overrides the scale's {name} (env BENCH_{name.upper()})",
        )
    parser.add_argument("--out", type=Path, default=Path(environ("BENCH_OUT", "data/bench")))
    args = parser.parse_args(argv)
    overrides = {
        name: int(value)
        for name in ("small_batches", "large_batches", "orders_per_batch", "new_batch_orders")
        if (value := getattr(args, name)) is not None
    }
    scale = Scale(**{**asdict(SCALES[args.scale]), **overrides})
    if scale.large_batches <= scale.small_batches:
        parser.error("the large history needs more batches than the small one")
    return scale, args.out


def main(argv: Sequence[str] | None = None) -> int:
    scale, out_dir = parse_args(argv)
    try:
        run_benchmark(scale, out_dir.resolve())
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
