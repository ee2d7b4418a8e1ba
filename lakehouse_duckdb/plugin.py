"""dbt-duckdb plugin: make the raw zone readable on the local target without a network.

DuckDB cannot download its httpfs extension at run time here, so the extension is loaded
from the ``duckdb-extension-httpfs`` wheel, which is pinned to the same version as ``duckdb``.
When the raw zone is on S3 (or an S3-compatible endpoint), an S3 secret is created from
boto3's standard configuration: the credentials chain, the region, and ``AWS_ENDPOINT_URL_S3``
/ ``AWS_ENDPOINT_URL`` for a custom endpoint. The functions of ``raw_files.py`` (a listing of
the raw zone that no single file can fail, and each new file's checksum and independently
counted rows) are registered on every connection.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import duckdb_extension_httpfs
from dbt.adapters.duckdb.plugins import BasePlugin

from lakehouse_duckdb import raw_files


def httpfs_extension_path() -> Path:
    """The httpfs extension file shipped for the installed DuckDB version."""
    folder = Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = folder / "httpfs.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(
            f"httpfs extension for DuckDB {duckdb.__version__} not found at {path}: "
            "pin duckdb-extension-httpfs to the same version as duckdb"
        )
    return path


def sql_string(value: str) -> str:
    """A DuckDB string literal holding value exactly (a quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


def s3_secret_sql() -> str:
    """A CREATE SECRET statement for S3 built from boto3's standard configuration."""
    import boto3

    session = boto3.Session()
    credentials = session.get_credentials()
    options = {"type": "s3", "region": session.region_name or "us-east-1"}
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        options["key_id"] = frozen.access_key
        options["secret"] = frozen.secret_key
        if frozen.token:
            options["session_token"] = frozen.token
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        options["endpoint"] = parts.netloc
        options["use_ssl"] = parts.scheme == "https"
        options["url_style"] = "path"
    rendered = ", ".join(
        f"{key} {value}" if isinstance(value, bool) else f"{key} {sql_string(value)}"
        for key, value in options.items()
    )
    return f"create or replace secret lakehouse_raw_s3 ({rendered})"


class Plugin(BasePlugin):
    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        conn.execute(f"load {sql_string(str(httpfs_extension_path()))}")
        raw_root = os.environ.get("LAKEHOUSE_RAW_ROOT", "")
        if raw_root.startswith("s3://"):
            conn.execute(s3_secret_sql())
        raw_files.register(conn)
