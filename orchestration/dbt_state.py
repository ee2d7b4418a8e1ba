"""Prepare the dbt state folder of the job's daily build: a run with nothing new skips the DAG.

The job's dbt task runs `dbt source freshness`, then `dbt build --select source_status:fresher+
--state <folder>`, then `dbt source freshness --target-path <folder>`: a build runs the
models and tests downstream of the raw sources that have a file to load since the last
successful build (macro raw_files_loaded_at), and nothing when there is none. `--state` needs a
sources.json in the folder. This task makes sure the folder holds one that dbt can read:

- none (the first run): a baseline is written;
- one dbt cannot read (truncated, not JSON, not dbt's sources schema) or one ahead of the clock (a
  source's max_loaded_at in the future would hide every new file until the clock catches up):
  it is moved aside as sources.json.invalid-<UTC time>, a baseline is written and a WARNING
  printed, so the run goes on instead of failing every day until someone deletes the file;
- a valid one is kept.

The baseline is rebuilt from the warehouse where this task can read it (locally: the DuckDB file
LAKEHOUSE_DUCKDB_PATH, the newest ledger entry of each raw source, exactly what the last
successful build recorded), so only the sources with something new build. Where it cannot (on
Databricks, or a warehouse locked by another process), the baseline has no result and every
source counts as fresher: the build runs every node once, incrementally (nothing is rebuilt
from scratch).

It runs as the job's first task: on Databricks a Python task on serverless compute (the folder
is a Unity Catalog volume path, /Volumes/...), in the job's dbt environment, locally through
`python -m orchestration run`. It validates the file against dbt's own JSON schema of the
artifact (dbt_sources_v3.schema.json beside it, FreshnessExecutionResultArtifact.json_schema()
of the pinned dbt, which a test holds it equal to), with jsonschema: importing dbt's reader
costs about 0.9 s, most of a build with nothing new.

    python orchestration/dbt_state.py --state-path /Volumes/lakehouse/ops/dbt_state/prod
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

# dbt's sources.json (schema v3) without any result: every source is fresher than it.
BASELINE: dict[str, Any] = {
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
# The raw sources' unique ids are source.<project>.<source>.<entity>.
SOURCE_PREFIX = "source.lakehouse.raw."
# dbt's JSON schema of sources.json v3 (what `dbt source freshness` writes, what --state reads)
SOURCES_SCHEMA = Path(__file__).with_name("dbt_sources_v3.schema.json")


def state_problem(sources: Path, now: dt.datetime) -> str | None:
    """Why dbt cannot use sources.json as the previous state, or None when it can."""
    import jsonschema

    schema = json.loads(SOURCES_SCHEMA.read_text())
    try:
        artifact = json.loads(sources.read_text())
        jsonschema.validate(artifact, schema)
        version = artifact["metadata"].get("dbt_schema_version")
        if version != schema["$id"]:
            raise ValueError(f"dbt_schema_version {version!r} is not {schema['$id']}")
        loaded = [
            (result["unique_id"], dt.datetime.fromisoformat(result["max_loaded_at"]))
            for result in artifact["results"]
            if result.get("max_loaded_at") is not None
        ]
    except (OSError, ValueError, jsonschema.ValidationError) as error:
        # whatever dbt cannot read stops every build that reads it
        detail = " ".join(str(error).split())
        return f"dbt cannot read it ({type(error).__name__}: {detail[:300]})"
    for unique_id, loaded_at in loaded:
        # dbt writes UTC times; one without an offset is read as UTC
        if loaded_at.replace(tzinfo=loaded_at.tzinfo or dt.UTC) > now:
            return (
                f"it is ahead of the clock ({unique_id} loaded at"
                f" {loaded_at.isoformat()}, now {now.isoformat()}): new files would wait"
            )
    return None


def warehouse_baseline(duckdb_path: str, now: dt.datetime) -> dict[str, Any]:
    """A sources.json whose results are the newest ledger entry of each raw source in the local
    DuckDB warehouse (raises when it cannot be read)."""
    import duckdb

    with duckdb.connect(duckdb_path, read_only=True) as connection:
        recorded = connection.execute(
            "select entity, max(_ingested_at) from bronze.bronze_files group by entity"
        ).fetchall()
    stamp = now.isoformat().replace("+00:00", "Z")
    results = []
    for entity, loaded_at in sorted(recorded):
        moment = loaded_at.replace(tzinfo=dt.UTC)
        results.append(
            {
                "unique_id": SOURCE_PREFIX + entity,
                "max_loaded_at": moment.isoformat(),
                "snapshotted_at": now.isoformat(),
                "max_loaded_at_time_ago_in_s": (now - moment).total_seconds(),
                "status": "pass",
                "criteria": {
                    "warn_after": {"count": None, "period": None},
                    "error_after": {"count": None, "period": None},
                    "filter": None,
                },
                "adapter_response": {},
                "timing": [],
                "thread_id": "prepare_dbt_state",
                "execution_time": 0,
            }
        )
    return BASELINE | {
        "metadata": BASELINE["metadata"] | {"generated_at": stamp},
        "results": results,
    }


def write_baseline(sources: Path, now: dt.datetime) -> str:
    """Write the baseline (from the warehouse when it can be read); say which."""
    duckdb_path = os.environ.get("LAKEHOUSE_DUCKDB_PATH")
    baseline, origin = BASELINE, "no result: every source counts as fresher"
    if duckdb_path and Path(duckdb_path).exists():
        try:
            baseline = warehouse_baseline(duckdb_path, now)
            origin = f"rebuilt from the ledger in {duckdb_path}"
        except Exception as error:  # a locked or older warehouse: the baseline without results
            origin += f" (the warehouse could not be read: {type(error).__name__})"
    sources.write_text(json.dumps(baseline, indent=2) + "\n")
    return origin


def prepare_state(state_path: Path, now: dt.datetime | None = None) -> str:
    """Make state_path/sources.json usable by dbt (see the module's docstring); what was done."""
    now = now or dt.datetime.now(dt.UTC)
    sources = state_path / "sources.json"
    state_path.mkdir(parents=True, exist_ok=True)
    if not sources.exists():
        return f"baseline written, {write_baseline(sources, now)}"
    problem = state_problem(sources, now)
    if problem is None:
        return "kept"
    aside = sources.with_name(f"sources.json.invalid-{now:%Y%m%dT%H%M%SZ}")
    sources.replace(aside)
    origin = write_baseline(sources, now)
    print(
        f"WARNING: {sources} could not be used: {problem}. Moved to {aside.name}; baseline"
        f" written, {origin}.",
        file=sys.stderr,
    )
    return f"replaced ({problem}): baseline written, {origin}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-path", required=True, type=Path, help="the dbt state folder")
    args = parser.parse_args(argv)
    print(f"dbt state {args.state_path}: {prepare_state(args.state_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
