"""Prepare the dbt state folder of the job's daily build: a run with nothing new skips the DAG.

The job's dbt task runs `dbt source freshness`, then `dbt build --select source_status:fresher+
--state <folder>`, then `dbt source freshness --target-path <folder>`: a build runs the
models and tests downstream of the raw sources that have a file to load since the last
successful build (macro raw_files_loaded_at), and nothing when there is none. `--state` needs a
sources.json in the folder; on the first run there is none, so this task writes a baseline with
no freshness result, against which every source counts as fresher: the first run builds
everything. An existing sources.json is left as it is.

It runs as the job's first task: on Databricks a Python task on serverless compute (the folder
is a Unity Catalog volume path, /Volumes/...), locally through `python -m orchestration run`.
Standard library only: Databricks runs this file as it is.

    python orchestration/dbt_state.py --state-path /Volumes/lakehouse/ops/dbt_state/prod
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# dbt's sources.json (schema v3) without any result: every source is fresher than it.
BASELINE = {
    "metadata": {
        "dbt_schema_version": "https://schemas.getdbt.com/dbt/sources/v3.json",
        "dbt_version": "1.11.8",
        "generated_at": "2026-01-01T00:00:00Z",
        "invocation_id": "00000000-0000-0000-0000-000000000000",
        "env": {},
    },
    "results": [],
    "elapsed_time": 0,
}


def ensure_baseline(state_path: Path) -> bool:
    """Write state_path/sources.json (the baseline) unless it exists; True when written."""
    sources = state_path / "sources.json"
    if sources.exists():
        return False
    state_path.mkdir(parents=True, exist_ok=True)
    sources.write_text(json.dumps(BASELINE, indent=2) + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-path", required=True, type=Path, help="the dbt state folder")
    args = parser.parse_args(argv)
    written = ensure_baseline(args.state_path)
    print(
        f"dbt state {args.state_path}: "
        + ("baseline written (the next build builds everything)" if written else "kept")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
