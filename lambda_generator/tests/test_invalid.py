"""Bad input gets a clear error and writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lambda_generator.cli import main
from lambda_generator.core import STATE_KEY, generate_batches
from lambda_generator.handler import lambda_handler
from lambda_generator.storage import GeneratorInputError, StorageError
from lambda_generator.tests.helpers import tree


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"orders_per_batch": 0}, "orders_per_batch must be an integer in"),
        ({"orders_per_batch": -5}, "orders_per_batch must be an integer in"),
        ({"orders_per_batch": 10_000_001}, "orders_per_batch must be an integer in"),
        ({"orders_per_batch": 2.5}, "orders_per_batch must be an integer in"),
        ({"batches": 0}, "batches must be an integer in"),
        ({"batches": -1}, "batches must be an integer in"),
        ({"batches": 10_001}, "batches must be an integer in"),
        ({"seed": -1}, "seed must be an integer"),
        ({"seed": True}, "seed must be an integer"),
        ({"start_date": "2026-01-01"}, "start_date must be a date"),
        ({"start_date": dt.datetime(2026, 1, 1)}, "start_date must be a date"),
    ],
)
def test_core_rejects_bad_arguments(tmp_path: Path, arguments: dict, message: str) -> None:
    root = tmp_path / "raw"
    call = {"seed": 1, "batches": 1, "orders_per_batch": 10} | arguments
    with pytest.raises(GeneratorInputError, match=message):
        generate_batches(str(root), **call)
    assert not root.exists()


@pytest.mark.parametrize(
    ("raw_root", "message"),
    [
        ("", "raw_root must be a folder or s3://bucket/prefix"),
        ("   ", "raw_root must be a folder or s3://bucket/prefix"),
        ("s3://", "is not a valid S3 bucket name"),
        ("s3:///prefix", "is not a valid S3 bucket name"),
        ("s3://Bad_Bucket/raw", "is not a valid S3 bucket name"),
        ("s3://ab/raw", "is not a valid S3 bucket name"),
        ("s3://bucket/../raw", "malformed prefix"),
        ("gs://bucket/raw", "only local folders and s3:// are supported"),
        ("https://bucket.s3.amazonaws.com/raw", "only local folders and s3:// are supported"),
    ],
)
def test_malformed_raw_root(raw_root: str, message: str) -> None:
    with pytest.raises(GeneratorInputError, match=message):
        generate_batches(raw_root, seed=1, batches=1, orders_per_batch=10)


def test_raw_root_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(StorageError, match="is not a folder"):
        generate_batches(str(target), seed=1, batches=1, orders_per_batch=10)
    assert target.read_text() == "x"


def test_continuing_with_another_seed_or_start_date(tmp_path: Path) -> None:
    generate_batches(str(tmp_path), seed=1, batches=1, orders_per_batch=10)
    before = tree(tmp_path)
    with pytest.raises(GeneratorInputError, match="holds the series with seed 1"):
        generate_batches(str(tmp_path), seed=2, batches=1, orders_per_batch=10)
    with pytest.raises(GeneratorInputError, match="start date 2026-01-01"):
        generate_batches(
            str(tmp_path), seed=1, batches=1, orders_per_batch=10, start_date=dt.date(2025, 1, 1)
        )
    assert tree(tmp_path) == before


def test_corrupt_state(tmp_path: Path) -> None:
    (tmp_path / STATE_KEY).parent.mkdir(parents=True)
    (tmp_path / STATE_KEY).write_text("{not json")
    with pytest.raises(GeneratorInputError, match="corrupt generator state"):
        generate_batches(str(tmp_path), seed=1, batches=1, orders_per_batch=10)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["state.json"]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"bogus": 1}, r"unknown event field\(s\) \['bogus'\]"),
        ({"orders_per_batch": -1}, "orders_per_batch must be an integer in"),
        ({"orders_per_batch": 50_000_000}, "orders_per_batch must be an integer in"),
        ({"orders_per_batch": "many"}, "orders_per_batch must be an integer"),
        ({"seed": "abc"}, "seed must be an integer"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"start_date": "yesterday"}, "start_date must be an ISO 8601 date"),
        ({"time": "not a time"}, "time must be an ISO 8601 date"),
        ({"batches": 3}, r"unknown event field\(s\) \['batches'\]"),
    ],
)
def test_handler_rejects_bad_events(tmp_path: Path, event: dict, message: str) -> None:
    root = tmp_path / "raw"
    with pytest.raises(GeneratorInputError, match=message):
        lambda_handler({"raw_root": str(root)} | event, None)
    assert not root.exists()


def test_handler_needs_a_raw_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAW_ROOT", raising=False)
    with pytest.raises(GeneratorInputError, match="no raw root"):
        lambda_handler({}, None)
    with pytest.raises(GeneratorInputError, match="must be a JSON object"):
        lambda_handler(["raw_root"], None)  # type: ignore[arg-type]


def test_handler_rejects_a_bad_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAW_ROOT", str(tmp_path / "raw"))
    monkeypatch.setenv("ORDERS_PER_BATCH", "0")
    with pytest.raises(GeneratorInputError, match="orders_per_batch must be an integer in"):
        lambda_handler({}, None)
    assert not (tmp_path / "raw").exists()


@pytest.mark.parametrize(
    "arguments",
    [
        ["--orders-per-batch", "0"],
        ["--orders-per-batch", "20000000"],
        ["--batches", "-2"],
        ["--raw-root", "s3://Not_A_Bucket/x"],
    ],
)
def test_cli_reports_bad_input_with_exit_code_2(
    tmp_path: Path, arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "raw"
    assert main(["--raw-root", str(root), *arguments]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "Traceback" not in error
    assert not root.exists()


@pytest.mark.parametrize("arguments", [["--seed", "x"], ["--start-date", "2026-13-01"], []])
def test_cli_argument_errors(arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAW_ROOT", raising=False)
    raw_root = [] if not arguments else ["--raw-root", "unused"]
    with pytest.raises(SystemExit) as exit_info:
        main([*raw_root, *arguments])
    assert exit_info.value.code == 2
