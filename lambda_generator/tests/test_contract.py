"""The raw data contract: layout, columns, types, keys, determinism and state continuation."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from lambda_generator.contract import ENTITIES, columns, object_key
from lambda_generator.core import STATE_KEY, generate_batches
from lambda_generator.tests.helpers import (
    SAMPLE_BATCHES,
    SAMPLE_ORDERS,
    SAMPLE_SEED,
    parsed,
    read_csv,
    read_entity,
    tree,
)

EXPECTED_COLUMNS = {
    "brands": "brand_id,brand_name,updated_at",
    "categories": "category_id,category_name,updated_at",
    "products": "product_id,product_name,brand_id,category_id,unit_price,updated_at",
    "customers": "customer_id,first_name,last_name,email,gender,country,city,signup_date,"
    "updated_at",
    "orders": "order_id,customer_id,product_id,quantity,unit_price,payment_method,status,"
    "ordered_at,updated_at",
}


def test_layout_every_batch_writes_all_five_entities(sample: Path) -> None:
    files = sorted(str(p.relative_to(sample)) for p in sample.rglob("*.csv"))
    expected = sorted(
        object_key(entity, dt.date(2026, 1, 1) + dt.timedelta(days=n), f"b{n:06d}")
        for entity in ENTITIES
        for n in range(SAMPLE_BATCHES)
    )
    assert files == expected
    assert sorted(str(p.relative_to(sample)) for p in sample.rglob("*") if p.is_file()) == sorted(
        [*expected, STATE_KEY]
    )


def test_header_columns_utf8_and_line_endings(sample: Path) -> None:
    for entity in ENTITIES:
        assert ",".join(columns(entity)) == EXPECTED_COLUMNS[entity]
        for path in (sample / entity).rglob("*.csv"):
            data = path.read_bytes()
            data.decode("utf-8")  # raises on anything else
            assert data.startswith((EXPECTED_COLUMNS[entity] + "\n").encode())
            assert b"\r" not in data and data.endswith(b"\n")


def test_every_value_has_its_contract_type(sample_rows: dict[str, list]) -> None:
    # parse_row is strict: positive integer ids, money with 2 decimals, ...Z timestamps, dates.
    assert {entity: len(rows) > 0 for entity, rows in sample_rows.items()} == dict.fromkeys(
        ENTITIES, True
    )
    assert {o.status for o in sample_rows["orders"]} == {"Placed", "Cancelled"}


def test_rfc4180_quoting_round_trips_commas_quotes_and_unicode(sample: Path) -> None:
    names = [r["product_name"] for r in read_entity(sample, "products")]
    assert any('"' in n for n in names) and any("," in n for n in names)
    categories = [r["category_name"] for r in read_entity(sample, "categories")]
    assert "Toys, Kids & Baby" in categories
    assert any(ord(ch) > 127 for r in read_entity(sample, "customers") for ch in r["city"])
    for path in sample.rglob("*.csv"):
        text = path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text), strict=True))
        assert {len(r) for r in rows} == {len(rows[0])}
        out = io.StringIO()
        csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
        assert list(csv.reader(io.StringIO(out.getvalue()))) == rows


def test_ids_unique_per_version(sample_rows: dict[str, list]) -> None:
    # (id, updated_at) identifies a version; only exact duplicates (redeliveries) repeat it.
    for entity, rows in sample_rows.items():
        key = columns(entity)[0]
        versions = collections.defaultdict(set)
        for row in rows:
            versions[(getattr(row, key), row.updated_at)].add(row)
        assert all(len(v) == 1 for v in versions.values()), entity


def test_dimension_ids_appear_once_per_batch(sample: Path) -> None:
    for entity in ("brands", "categories", "products", "customers"):
        key = columns(entity)[0]
        counts = collections.Counter((r["_file"], r[key]) for r in read_entity(sample, entity))
        assert max(counts.values()) == 1, entity


def test_foreign_keys_reference_same_or_earlier_batches(sample: Path) -> None:
    first_seen: dict[tuple[str, str], str] = {}
    for entity, key in (("brands", "brand_id"), ("categories", "category_id")):
        for row in read_entity(sample, entity):
            first_seen.setdefault((entity, row[key]), row["_file"][-11:])
    for entity, key in (("products", "product_id"), ("customers", "customer_id")):
        for row in read_entity(sample, entity):
            first_seen.setdefault((entity, row[key]), row["_file"][-11:])
    for row in read_entity(sample, "products"):
        batch = row["_file"][-11:]
        assert first_seen[("brands", row["brand_id"])] <= batch
        assert first_seen[("categories", row["category_id"])] <= batch
    for row in read_entity(sample, "orders"):
        batch = row["_file"][-11:]
        assert first_seen[("customers", row["customer_id"])] <= batch
        assert first_seen[("products", row["product_id"])] <= batch


def test_timestamps_are_consistent(sample: Path, sample_rows: dict[str, list]) -> None:
    for entity in ("brands", "categories", "products", "customers"):
        for path in (sample / entity).rglob("*.csv"):
            day = path.parent.name.removeprefix("ingest_date=")
            assert {r["updated_at"] for r in read_csv(path)} <= {f"{day}T00:00:00Z"}
    for path in (sample / "orders").rglob("*.csv"):
        day = dt.date.fromisoformat(path.parent.name.removeprefix("ingest_date="))
        for row in read_csv(path):
            assert row["ordered_at"] <= row["updated_at"]
            assert dt.date.fromisoformat(row["ordered_at"][:10]) <= day
    # every new version is later than the versions before it (a redelivery repeats an old one)
    updates = collections.Counter()
    for entity in ENTITIES:
        key = columns(entity)[0]
        latest: dict[int, dt.datetime] = {}
        delivered = set()
        for row in sample_rows[entity]:
            if row in delivered:
                continue
            delivered.add(row)
            previous = latest.get(getattr(row, key))
            if previous is not None:
                assert row.updated_at > previous, (entity, row)
                updates[entity] += 1
            latest[getattr(row, key)] = row.updated_at
    assert updates["orders"] > 0 and updates["products"] > 0 and updates["customers"] > 0
    for customer in sample_rows["customers"]:
        assert customer.signup_date <= customer.updated_at.date()


def test_deterministic_byte_for_byte_and_continuation(tmp_path: Path, sample: Path) -> None:
    # 4 batches here, then 6 more in a fresh process with another hash seed, equal the sample.
    root = tmp_path / "raw"
    generate_batches(str(root), seed=SAMPLE_SEED, batches=4, orders_per_batch=SAMPLE_ORDERS)
    assert json.loads((root / STATE_KEY).read_bytes())["next_batch"] == 4
    command = [sys.executable, "-m", "lambda_generator", "--raw-root", str(root), "--quiet"]
    command += ["--seed", str(SAMPLE_SEED), "--batches", "6", "--orders-per-batch", "3000"]
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    subprocess.run(command, check=True, env=env, capture_output=True)
    assert tree(root) == tree(sample)


def test_crash_before_state_re_emits_the_same_batch(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    generate_batches(str(root), seed=3, batches=2, orders_per_batch=500)
    state = json.loads((root / STATE_KEY).read_bytes())
    assert state["next_batch"] == 2
    first = tree(root)
    # a run that "crashed" after writing batch 2's files but before the state object
    generate_batches(str(root), seed=3, batches=1, orders_per_batch=500)
    after_batch_2 = tree(root)
    (root / STATE_KEY).write_bytes(first[STATE_KEY])
    generate_batches(str(root), seed=3, batches=1, orders_per_batch=500)
    assert tree(root) == after_batch_2
    assert set(after_batch_2) - set(first) == {
        object_key(e, dt.date(2026, 1, 3), "b000002") for e in ENTITIES
    }


def test_different_seeds_differ(tmp_path: Path) -> None:
    generate_batches(str(tmp_path / "a"), seed=1, batches=1, orders_per_batch=200)
    generate_batches(str(tmp_path / "b"), seed=2, batches=1, orders_per_batch=200)
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a.keys() == b.keys()
    assert (
        a["orders/ingest_date=2026-01-01/orders_b000000.csv"]
        != b["orders/ingest_date=2026-01-01/orders_b000000.csv"]
    )


def test_start_date_and_summary(tmp_path: Path) -> None:
    summaries = generate_batches(
        str(tmp_path), seed=5, batches=2, orders_per_batch=100, start_date=dt.date(2025, 11, 28)
    )
    assert [s.batch_id for s in summaries] == ["b000000", "b000001"]
    assert [s.ingest_date for s in summaries] == ["2025-11-28", "2025-11-29"]
    second = summaries[1]
    assert json.loads(json.dumps(second.to_dict()))["rows"] == second.rows
    assert second.files == [
        str(tmp_path / object_key(e, dt.date(2025, 11, 29), "b000001")) for e in ENTITIES
    ]
    for entity, path in zip(ENTITIES, second.files, strict=True):
        assert len(read_csv(Path(path))) == second.rows[entity]
    assert second.rows["orders"] == second.new_orders + second.cancellations + second.redeliveries
    assert second.total_rows == sum(second.rows.values()) == second.to_dict()["total_rows"]
    assert parsed(tmp_path, "orders")[0].ordered_at.date() == dt.date(2025, 11, 28)
