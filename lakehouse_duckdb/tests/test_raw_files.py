"""The raw zone functions of the plugin, on real files: a listing no single file can fail, and
each file's checksum and rows counted without DuckDB's CSV reader."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import duckdb
import pytest

from lakehouse_duckdb import raw_files

HEADER = b"a,b,c\n"


@pytest.mark.parametrize(
    ("text", "data_rows", "malformed"),
    [
        (b"", None, []),
        (b"\n\n", None, []),
        (HEADER, 0, []),
        (HEADER + b"1,2,3\n\n4,5,6", 2, []),
        (HEADER + b'1,"two\nlines",3\n4,"x""y",6\r\n', 2, []),
        (HEADER + b'1,5" screen,3\n', 1, []),
        (HEADER + b'1,"Credit Card"x,3\n4,5,6\n', 2, [(1, raw_files.TRAILING_TEXT)]),
        (HEADER + b'1,"open,3\n4,5,6\n7,8,9\n', 1, [(1, "3 lines from line 2")]),
        (HEADER + b"1,2,3\r4,5,6\n", 1, [(1, raw_files.CARRIAGE_RETURN)]),
        (b'a,"b\n', 0, [(0, "1 line from line 1")]),
    ],
    ids=[
        "empty",
        "blank lines only",
        "header only",
        "blank line and no final line end",
        "quoted line break and escaped quote",
        "quote inside an unquoted value",
        "text after a closing quote",
        "quote never closed",
        "lone carriage return",
        "header never closed",
    ],
)
def test_rows_are_counted_as_rfc_4180_records(
    text: bytes, data_rows: int | None, malformed: list[tuple[int, str]]
) -> None:
    counted, found = raw_files.count_rows(text)
    assert counted == data_rows
    assert [row["data_row"] for row in found] == [row for row, _ in malformed]
    for row, (_, reason) in zip(found, malformed, strict=True):
        assert reason in row["reason"]


def test_facts_checksum_the_stored_bytes_and_count_the_text(tmp_path: Path) -> None:
    rows = HEADER + b"1,2,3\n4,5,6\n"
    plain = tmp_path / "x.csv"
    plain.write_bytes(rows)
    packed = tmp_path / "x.csv.gz"
    packed.write_bytes(gzip.compress(rows))
    facts = raw_files.file_facts(str(plain))
    assert facts == {
        "file_checksum": "sha256:" + hashlib.sha256(rows).hexdigest(),
        "data_rows": 2,
        "malformed_rows": None,
        "file_problem": None,
    }
    assert raw_files.file_facts(str(packed))["file_checksum"] == (
        "sha256:" + hashlib.sha256(packed.read_bytes()).hexdigest()
    )
    assert raw_files.file_facts(str(packed))["data_rows"] == 2
    malformed = tmp_path / "m.csv"
    malformed.write_bytes(HEADER + b'1,"x"y,3\n')
    assert json.loads(raw_files.file_facts(str(malformed))["malformed_rows"]) == [
        {"data_row": 1, "reason": raw_files.TRAILING_TEXT}
    ]


@pytest.mark.parametrize(
    "stored",
    [b"not gzip at all\n", gzip.compress(HEADER + b"1,2,3\n" * 5000)[:-20]],
    ids=["not gzip", "truncated"],
)
def test_an_incomplete_gzip_stream_is_a_problem(stored: bytes, tmp_path: Path) -> None:
    path = tmp_path / "x.csv.gz"
    path.write_bytes(stored)
    facts = raw_files.file_facts(str(path))
    assert facts["file_problem"].startswith("not a complete gzip stream")
    assert facts["data_rows"] is None


def test_a_file_gone_before_it_is_read_is_a_problem(tmp_path: Path) -> None:
    facts = raw_files.file_facts(str(tmp_path / "gone.csv"))
    assert facts["file_problem"] == "vanished before it could be read"


def test_the_listing_shows_every_name_with_its_problem(tmp_path: Path) -> None:
    folder = tmp_path / "orders"
    day = folder / "ingest_date=2026-01-01"
    day.mkdir(parents=True)
    (day / "b.csv").write_bytes(HEADER)
    (day / ".tmp.csv").write_bytes(HEADER)
    (folder / "_generator").mkdir()
    (folder / "_generator" / "state.json").write_text("{}")
    (tmp_path / "target.csv").write_bytes(HEADER)
    (day / "link.csv").symlink_to(tmp_path / "target.csv")
    (tmp_path / "elsewhere").mkdir()
    (folder / "ingest_date=2026-01-02").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(day / "pipe.csv")
    listed = {Path(entry["file_path"]).name: entry for entry in raw_files.list_files(str(folder))}
    assert sorted(listed) == ["b.csv", "ingest_date=2026-01-02", "link.csv", "pipe.csv"]
    assert listed["b.csv"]["file_problem"] is None
    assert listed["b.csv"]["file_size"] == len(HEADER)
    assert listed["b.csv"]["file_version"] == str((day / "b.csv").stat().st_ctime_ns)
    assert listed["link.csv"]["file_problem"] == raw_files.LINK_TO_FILE
    assert listed["ingest_date=2026-01-02"]["file_problem"] == raw_files.LINK_TO_FOLDER
    assert listed["pipe.csv"]["file_problem"] == raw_files.NOT_A_FILE
    assert raw_files.list_files(str(tmp_path / "missing")) == []


def test_a_rewrite_that_restores_the_modification_time_changes_the_version(
    tmp_path: Path,
) -> None:
    path = tmp_path / "orders" / "b.csv"
    path.parent.mkdir()
    path.write_bytes(HEADER + b"1,2,3\n")
    (before,) = raw_files.list_files(str(tmp_path / "orders"))
    status = path.stat()
    path.write_bytes(HEADER + b"1,2,4\n")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    (after,) = raw_files.list_files(str(tmp_path / "orders"))
    assert (after["file_size"], after["modified_at"]) == (
        before["file_size"],
        before["modified_at"],
    )
    assert after["file_version"] != before["file_version"]


def test_the_functions_are_registered_on_a_connection(tmp_path: Path) -> None:
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "b.csv").write_bytes(HEADER + b"1,2,3\n")
    connection = duckdb.connect()
    raw_files.register(connection)
    ((path, rows),) = connection.execute(
        "select listed.file_path, (lakehouse_raw_file_facts(listed.file_path)).data_rows"
        " from (select unnest(lakehouse_raw_files(?)) as listed)",
        [str(tmp_path / "orders")],
    ).fetchall()
    assert path.endswith("/orders/b.csv") and rows == 1
