"""The raw zone as bronze sees it on the local target: two SQL functions the plugin registers.

``lakehouse_raw_files(location)`` lists the files under one entity folder (a local folder or an
``s3://`` prefix) without reading them, and never fails because of one file: a symbolic link, a
file that cannot be opened or anything that is not a regular file is listed with the reason it
cannot be loaded, a file that vanishes while the folder is listed is left out. Names starting
with ``.`` or ``_`` below the entity folder are not listed (temporary and marker files), as on
Spark. Each file has a version token that changes whenever it is written: the S3 ETag, or
locally the inode change time (which a rewrite that restores the modification time changes too).

``lakehouse_raw_file_facts(path)`` reads one file once: the SHA-256 checksum of its stored bytes,
and its rows counted by a CSV tokenizer that shares nothing with DuckDB's reader (Python's
``csv`` module, RFC 4180): the data rows after the header, and the rows that are not well-formed
CSV with the reason (text after a closing quote, which DuckDB's reader drops from the value; a
quote never closed, which swallows the rest of the file). A ``.csv.gz`` that is not a complete
gzip stream, or a file that cannot be read, gets a problem instead (DuckDB's reader would fail
the whole read, or load a truncated file silently).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import stat
import sys
import zlib
from typing import Any
from urllib.parse import urlsplit

import duckdb

LISTED_FILE = duckdb.struct_type(
    {
        "file_path": duckdb.sqltype("VARCHAR"),
        "file_size": duckdb.sqltype("BIGINT"),
        "modified_at": duckdb.sqltype("TIMESTAMP"),
        "file_version": duckdb.sqltype("VARCHAR"),
        "file_problem": duckdb.sqltype("VARCHAR"),
    }
)
FILE_FACTS = duckdb.struct_type(
    {
        "file_checksum": duckdb.sqltype("VARCHAR"),
        "data_rows": duckdb.sqltype("BIGINT"),
        "malformed_rows": duckdb.sqltype("VARCHAR"),
        "file_problem": duckdb.sqltype("VARCHAR"),
    }
)

LINK_TO_FILE = "a symbolic link, not a file: not followed (the raw zone holds files)"
LINK_TO_FOLDER = "a symbolic link to a folder: not followed (the raw zone holds files)"
NOT_A_FILE = "not a regular file (a pipe, socket or device): not read"
TRAILING_TEXT = "text after the closing quote of a value (the reader would drop it)"
CARRIAGE_RETURN = "a carriage return without a line feed inside an unquoted value"

# A file in which every line is a complete CSV record of quoted (RFC 4180, no line break inside)
# or quote-free values: nothing to flag, its data rows are its non-blank lines after the header.
# Possessive quantifiers keep the match linear; any other file goes through the csv tokenizer.
_VALUE = rb'(?:"(?:[^"\n]++|"")*+"|[^",\r\n]*+)'
_LINE = _VALUE + rb"(?:," + _VALUE + rb")*+\r?"
_SIMPLE_FILE = re.compile(rb"(?:" + _LINE + rb"\n)*+(?:" + _LINE + rb")?")


def _utc_seconds(seconds: float) -> dt.datetime:
    """A file time as naive UTC, to the second (as DuckDB's own listing gave it)."""
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).replace(tzinfo=None)


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split("/"))


def _s3_client() -> Any:
    import boto3

    # boto3 reads the credentials, the region and AWS_ENDPOINT_URL(_S3) from the environment,
    # the same configuration the plugin's DuckDB secret is made from.
    return boto3.client("s3")


def _list_s3(location: str) -> list[dict[str, Any]]:
    parts = urlsplit(location)
    bucket, prefix = parts.netloc, parts.path.strip("/") + "/"
    listed = []
    pages = _s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", []):
            relative = item["Key"][len(prefix) :]
            if not relative or relative.endswith("/") or _hidden(relative):
                continue
            listed.append(
                {
                    "file_path": f"s3://{bucket}/{item['Key']}",
                    "file_size": item["Size"],
                    "modified_at": item["LastModified"].astimezone(dt.UTC).replace(tzinfo=None),
                    "file_version": item["ETag"].strip('"'),
                    "file_problem": None,
                }
            )
    return listed


def _local_entry(path: str) -> dict[str, Any] | None:
    """One name under the entity folder as listed: None when it vanished meanwhile."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    problem = None
    if stat.S_ISLNK(status.st_mode):
        problem = LINK_TO_FOLDER if os.path.isdir(path) else LINK_TO_FILE
    elif not stat.S_ISREG(status.st_mode):
        problem = NOT_A_FILE
    else:
        try:
            with open(path, "rb"):
                pass
        except FileNotFoundError:
            return None
        except OSError as error:
            problem = f"cannot be read: {(error.strerror or str(error)).lower()}"
    return {
        "file_path": path,
        "file_size": status.st_size,
        "modified_at": _utc_seconds(status.st_mtime),
        "file_version": str(status.st_ctime_ns),
        "file_problem": problem,
    }


def _list_local(location: str) -> list[dict[str, Any]]:
    listed = []
    for folder, folders, files in os.walk(location, followlinks=False):
        kept = []
        for name in sorted(folders):
            if name.startswith((".", "_")):
                continue
            path = f"{folder}/{name}"
            if os.path.islink(path):
                entry = _local_entry(path)
                if entry is not None:
                    listed.append(entry)
            else:
                kept.append(name)
        folders[:] = kept
        for name in sorted(files):
            if not name.startswith((".", "_")):
                entry = _local_entry(f"{folder}/{name}")
                if entry is not None:
                    listed.append(entry)
    return listed


def list_files(location: str) -> list[dict[str, Any]]:
    """Every file under one entity folder (see the module's docstring); empty when the folder
    does not exist."""
    location = location.rstrip("/")
    if location.startswith("s3://"):
        return _list_s3(location)
    return _list_local(location)


def _read_bytes(path: str) -> bytes:
    if path.startswith("s3://"):
        parts = urlsplit(path)
        stored = _s3_client().get_object(Bucket=parts.netloc, Key=parts.path.lstrip("/"))
        return stored["Body"].read()
    with open(path, "rb") as handle:
        return handle.read()


def _is_blank(line: bytes) -> bool:
    return line in (b"", b"\r")


def count_rows(data: bytes) -> tuple[int | None, list[dict[str, Any]]]:
    """The data rows of a CSV text (records after the header; blank lines are not records, as
    for every reader) and its malformed rows: [{"data_row": n, "reason": ...}], 0 = the header.
    None when the text has no header row."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    if _SIMPLE_FILE.fullmatch(data):
        records = sum(1 for line in lines if not _is_blank(line))
        return (records - 1 if records else None), []
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader((line.decode("latin-1") + "\n" for line in lines), strict=True)
    records, malformed = 0, []
    while True:
        first_line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            records += 1
            message = str(error)
            if "unexpected end of data" in message:
                swallowed = len(lines) - first_line + 1
                reason = (
                    "a quote opened in this row is never closed: the rest of the file"
                    f" ({swallowed:,} line{'s' if swallowed > 1 else ''} from line"
                    f" {first_line:,}) is one value"
                )
            elif "expected after" in message:
                reason = TRAILING_TEXT
            elif "new-line character" in message:
                reason = CARRIAGE_RETURN
            else:
                reason = f"malformed CSV: {message}"
            malformed.append({"data_row": records - 1, "reason": reason})
            continue
        if values:
            records += 1
    return (records - 1 if records else None), malformed


def file_facts(path: str) -> dict[str, Any]:
    """Checksum, data rows and malformed rows of one raw file, or the problem reading it."""
    facts: dict[str, Any] = {
        "file_checksum": None,
        "data_rows": None,
        "malformed_rows": None,
        "file_problem": None,
    }
    try:
        stored = _read_bytes(path)
    except FileNotFoundError:
        facts["file_problem"] = "vanished before it could be read"
        return facts
    except Exception as error:  # any storage error is this file's problem, never the run's
        facts["file_problem"] = f"cannot be read: {error}"
        return facts
    facts["file_checksum"] = "sha256:" + hashlib.sha256(stored).hexdigest()
    text = stored
    if path.endswith(".gz"):
        try:
            text = gzip.decompress(stored)
        except (OSError, EOFError, zlib.error) as error:
            facts["file_problem"] = f"not a complete gzip stream: {error}"
            return facts
    data_rows, malformed = count_rows(text)
    facts["data_rows"] = data_rows
    facts["malformed_rows"] = json.dumps(malformed) if malformed else None
    return facts


def register(connection: duckdb.DuckDBPyConnection) -> None:
    """Register both functions on a connection (they read the raw zone: never folded)."""
    connection.create_function(
        "lakehouse_raw_files",
        list_files,
        [duckdb.sqltype("VARCHAR")],
        duckdb.list_type(LISTED_FILE),
        side_effects=True,
    )
    connection.create_function(
        "lakehouse_raw_file_facts",
        file_facts,
        [duckdb.sqltype("VARCHAR")],
        FILE_FACTS,
        side_effects=True,
    )
