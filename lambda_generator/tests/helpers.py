"""Helpers shared by the generator's tests (conftest.py holds the fixtures)."""

from __future__ import annotations

import csv
from pathlib import Path

import boto3

from lambda_generator.contract import parse_row

SAMPLE_SEED = 7
SAMPLE_BATCHES = 10
SAMPLE_ORDERS = 3000


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_entity(root: Path, entity: str) -> list[dict[str, str]]:
    """All rows of an entity across batches, in batch order, each with its batch's file name."""
    rows = []
    for path in sorted((root / entity).glob("ingest_date=*/*.csv"), key=lambda p: p.name):
        for row in read_csv(path):
            rows.append(row | {"_file": path.name})
    return rows


def parsed(root: Path, entity: str) -> list:
    return [
        parse_row(entity, {k: v for k, v in r.items() if k != "_file"})
        for r in read_entity(root, entity)
    ]


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def list_keys(bucket: str) -> list[str]:
    response = boto3.session.Session().client("s3").list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in response.get("Contents", []))
