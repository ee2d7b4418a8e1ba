"""Where the local runner reads and writes, from environment variables (with local defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _path(name: str, default: str) -> Path:
    value = Path(os.environ.get(name, default))
    return value if value.is_absolute() else PROJECT_DIR / value


@dataclass(frozen=True)
class Settings:
    project_dir: Path  # the dbt project (and profiles.yml)
    duckdb_path: Path  # LAKEHOUSE_DUCKDB_PATH: the warehouse, incl. the ops run records
    raw_root: str  # LAKEHOUSE_RAW_ROOT: a folder or s3://bucket/prefix
    dashboard_dir: Path  # LAKEHOUSE_DASHBOARD_DIR: index.html + dashboard.pdf
    outbox_dir: Path  # LAKEHOUSE_OUTBOX_DIR: .eml files when no SMTP server is configured
    dbt_log_dir: Path  # DBT_LOG_PATH: dbt's logs (named in failure notifications)
    dbt_target: str  # LAKEHOUSE_TARGET: the dbt target the local runner builds
    dbt_state_dir: Path  # LAKEHOUSE_DBT_STATE_DIR: freshness of the last successful build
    seed: int = 42
    batches: int = 1
    orders_per_batch: int = 5000

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        raw_root = os.environ.get("LAKEHOUSE_RAW_ROOT", "data/raw")
        if "://" not in raw_root:
            raw_root = str(_path("LAKEHOUSE_RAW_ROOT", "data/raw"))
        values: dict[str, object] = {
            "project_dir": PROJECT_DIR,
            "duckdb_path": _path("LAKEHOUSE_DUCKDB_PATH", "data/lakehouse.duckdb"),
            "raw_root": raw_root,
            "dashboard_dir": _path("LAKEHOUSE_DASHBOARD_DIR", "data/dashboard"),
            "outbox_dir": _path("LAKEHOUSE_OUTBOX_DIR", "data/outbox"),
            "dbt_log_dir": _path("DBT_LOG_PATH", "logs"),
            "dbt_target": os.environ.get("LAKEHOUSE_TARGET", "local"),
            "dbt_state_dir": _path("LAKEHOUSE_DBT_STATE_DIR", "data/dbt-state"),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
