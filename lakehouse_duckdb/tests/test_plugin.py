"""The DuckDB plugin: values from the environment reach SQL as literals, never as SQL."""

from __future__ import annotations

import duckdb
import pytest

from lakehouse_duckdb.plugin import httpfs_extension_path, s3_secret_sql, sql_string


def test_sql_string_holds_any_value_exactly() -> None:
    for value in ("plain", "o'brien", "'); drop table x; --", "naïve \\ path"):
        assert duckdb.sql(f"select {sql_string(value)}").fetchone() == (value,)


def test_the_s3_secret_takes_credentials_with_quotes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key'id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "se'cret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
    connection = duckdb.connect()
    connection.execute(f"load {sql_string(str(httpfs_extension_path()))}")
    connection.execute(s3_secret_sql())
    (secret,) = connection.execute(
        "select secret_string from duckdb_secrets() where name = 'lakehouse_raw_s3'"
    ).fetchone()
    assert "key_id=key'id" in secret and "region=eu-west-1" in secret
    assert "endpoint=127.0.0.1:9000" in secret
