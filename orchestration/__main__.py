"""CLI of the local runner.

python -m orchestration run [--batches N] [--orders-per-batch N] [--seed N] [--with-docs]
python -m orchestration build
python -m orchestration docs [--serve] [--port 8080]
python -m orchestration dashboard [--port 8765]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from orchestration import dashboard_server, notify
from orchestration.dashboard import load_kpis
from orchestration.job import JOB_FILE, load_job
from orchestration.runner import export_environment, run_job
from orchestration.settings import Settings
from orchestration.tasks import EXECUTORS, TaskError, local_dbt_args, release_duckdb


def generate_docs(settings: Settings) -> Path:
    """`dbt docs generate --static`: one self-contained HTML file, lineage and exposures."""
    from dbt.cli.main import dbtRunner

    export_environment(settings)
    try:
        result = dbtRunner().invoke(local_dbt_args("dbt docs generate --static", settings))
    finally:
        release_duckdb()
    if not result.success:
        raise TaskError(f"dbt docs generate failed: {result.exception}")
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    target = target if target.is_absolute() else settings.project_dir / target
    return target / "static_index.html"


def serve_docs(settings: Settings, port: int) -> None:
    from dbt.cli.main import dbtRunner

    print(f">> serving the dbt docs on http://localhost:{port} (Ctrl-C stops)", flush=True)
    dbtRunner().invoke(local_dbt_args(f"dbt docs serve --port {port} --no-browser", settings))


def command_run(args: argparse.Namespace) -> int:
    settings = Settings.from_env(
        seed=args.seed, batches=args.batches, orders_per_batch=args.orders_per_batch
    )
    run = run_job(load_job(args.job), settings)
    if run.status != "success":
        print(f"!! the run failed; notification: {', '.join(run.messages) or 'not sent'}")
        return 1
    docs = generate_docs(settings) if args.with_docs else None
    try:
        with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
            summary = notify.kpi_summary(load_kpis(con))
    except duckdb.Error as error:  # another process holds the warehouse now
        summary = f"not read: {error}"
    print("== where things are")
    print(f"   dashboard:     {settings.dashboard_dir / 'index.html'} (snapshot, unfiltered)")
    print(f"   PDF snapshot:  {settings.dashboard_dir / 'dashboard.pdf'}")
    print(
        "   interactive:   `make dashboard` serves the filterable dashboard on "
        f"http://{dashboard_server.HOST}:{dashboard_server.DEFAULT_PORT}/"
    )
    for message in run.messages:
        print(f"   notification:  {message}")
    print(f"   dbt docs:      {docs or 'not generated'} (`make docs` generates and serves them)")
    print(f"   run record:    {settings.duckdb_path} (schema ops)")
    print("== KPIs\n   " + summary.replace("\n", "\n   "))
    return 0


def command_build(args: argparse.Namespace) -> int:
    """The job's daily build alone, as `run` runs it: its Python and dbt tasks, no generation,
    dashboard or mail (the pipeline benchmark times this)."""
    settings = Settings.from_env()
    export_environment(settings)
    for task in load_job(args.job).tasks:
        if task.type in ("spark_python_task", "dbt_task"):
            print(f">> {task.key} ({task.type})", flush=True)
            try:
                outcome = EXECUTORS[task.type](task, settings)
            except TaskError as error:
                print(f"!! {task.key} failed: {error}", flush=True)
                return 1
            print(f"   {outcome.summary}", flush=True)
    return 0


def command_docs(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    path = generate_docs(settings)
    print(f">> dbt docs (static, works offline): {path}")
    if args.serve:
        serve_docs(settings, args.port)
    return 0


def command_dashboard(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    dashboard_server.serve(settings.duckdb_path, settings.dashboard_dir, args.port)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the job's DAG locally")
    run.add_argument("--job", type=Path, default=JOB_FILE, help="the bundle job YAML")
    run.add_argument("--seed", type=int, default=42)
    run.add_argument("--batches", type=int, default=1, help="raw batches to generate first")
    run.add_argument("--orders-per-batch", type=int, default=5000)
    run.add_argument("--with-docs", action="store_true", help="also generate the dbt docs")
    run.set_defaults(handler=command_run)
    build = commands.add_parser("build", help="run only the job's daily build (its dbt task)")
    build.add_argument("--job", type=Path, default=JOB_FILE, help="the bundle job YAML")
    build.set_defaults(handler=command_build)
    docs = commands.add_parser("docs", help="generate (and serve) the dbt docs")
    docs.add_argument("--serve", action="store_true")
    docs.add_argument("--port", type=int, default=8080)
    docs.set_defaults(handler=command_docs)
    serve = commands.add_parser(
        "dashboard",
        help="serve the interactive dashboard on 127.0.0.1 (over the published copy of gold)",
    )
    serve.add_argument(
        "--port", type=int, default=dashboard_server.DEFAULT_PORT, help="0: any free port"
    )
    serve.set_defaults(handler=command_dashboard)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
