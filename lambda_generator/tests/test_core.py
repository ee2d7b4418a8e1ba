"""Unit tests of the core's building blocks: sampling tables, encoders, the state object."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from lambda_generator.cli import main
from lambda_generator.contract import Brand, format_timestamp
from lambda_generator.core import (
    GUIDE_BITS,
    STATE_KEY,
    SeriesState,
    encode_csv,
    generate_batches,
    guide_table,
    iso_timestamps,
    money,
    records_table,
)
from lambda_generator.pools import World, psychological_prices
from lambda_generator.storage import LocalStorage
from lambda_generator.tests.helpers import parsed


def test_guide_table_samples_the_given_distribution() -> None:
    probabilities = np.array([0.5, 0.3, 0.15, 0.05])
    table = guide_table(probabilities)
    assert len(table) == 1 << GUIDE_BITS
    draws = table[np.random.default_rng(0).integers(0, 1 << GUIDE_BITS, 200_000)]
    observed = np.bincount(draws, minlength=4) / len(draws)
    assert np.allclose(observed, probabilities, atol=0.005)


def test_iso_timestamps_match_python_formatting_on_both_paths() -> None:
    dense = 1_767_225_600 + np.arange(0, 3 * 86400, 13)  # a few days: lookup-table path
    sparse = np.array([0, 951_782_400, 1_767_225_599, 4_102_444_800])  # years apart
    for seconds in (dense, sparse):
        expected = [format_timestamp(dt.datetime.fromtimestamp(int(s), dt.UTC)) for s in seconds]
        assert iso_timestamps(seconds).to_pylist() == expected
    assert iso_timestamps(np.empty(0, np.int64)).to_pylist() == []


def test_money_is_exact_with_two_decimals() -> None:
    cents = np.array([0, 5, 99, 1999, 123456789, -250])
    expected = [Decimal(c).scaleb(-2) for c in cents.tolist()]
    assert money(cents).to_pylist() == expected
    body = encode_csv_values(money(cents))
    assert body == ["0.00", "0.05", "0.99", "19.99", "1234567.89", "-2.50"]


def encode_csv_values(array: pa.Array) -> list[str]:
    sink = io.BytesIO()
    pa_csv.write_csv(pa.table({"v": array}), sink, pa_csv.WriteOptions(include_header=False))
    return sink.getvalue().decode().splitlines()


def test_psychological_prices() -> None:
    raw = np.random.default_rng(1).lognormal(3, 1, 5000)
    cents = psychological_prices(raw, np.random.default_rng(2))
    assert set(np.unique(cents % 100)) <= {0, 49, 95, 99}
    assert (cents >= 49).all()


def test_encode_csv_quotes_per_rfc4180() -> None:
    world = World(1)
    rows = world.evolve(0, dt.date(2026, 1, 1))
    table = records_table("categories", rows["categories"])
    text = encode_csv("categories", table).decode()
    assert text.startswith("category_id,category_name,updated_at\n")
    assert '6,"Toys, Kids & Baby","2026-01-01T00:00:00Z"\n' in text
    brand = Brand(7, 'Say "Hi", Co', dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    text = encode_csv("brands", records_table("brands", [brand])).decode()
    assert text == 'brand_id,brand_name,updated_at\n7,"Say ""Hi"", Co","2026-01-02T00:00:00Z"\n'


def test_state_round_trip() -> None:
    state = SeriesState(5, dt.date(2026, 2, 3), 9, {6: 100, 7: 200, 8: 300})
    assert SeriesState.from_json(state.to_json(), "here") == state


def test_later_cancellations_repeat_the_original_order(tmp_path: Path) -> None:
    # Sizes change between calls: the state keeps each recent batch's size for the replay.
    generate_batches(str(tmp_path), seed=11, batches=2, orders_per_batch=700)
    generate_batches(str(tmp_path), seed=11, batches=3, orders_per_batch=300)
    generate_batches(str(tmp_path), seed=11, batches=2, orders_per_batch=900)
    state = SeriesState.from_json((tmp_path / STATE_KEY).read_bytes(), "state")
    assert (state.next_batch, state.orders_per_batch) == (7, {4: 300, 5: 900, 6: 900})
    originals, checked = {}, 0
    for order in parsed(tmp_path, "orders"):
        original = originals.setdefault(order.order_id, order)
        if order is not original and order.status == "Cancelled":
            same = ("customer_id", "product_id", "quantity", "unit_price", "payment_method")
            assert all(getattr(order, f) == getattr(original, f) for f in same)
            assert order.ordered_at == original.ordered_at
            assert original.status == "Placed" and order.updated_at > original.updated_at
            checked += 1
    assert checked > 20


def test_local_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = LocalStorage(str(tmp_path))
    storage.write("a/b.csv", b"old")

    def crash(source: object, target: object) -> None:
        raise OSError("disk gone")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(OSError, match="disk gone"):
            storage.write("a/b.csv", b"new and longer")
        with pytest.raises(OSError, match="disk gone"):
            storage.write("a/c.csv", b"never seen")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b.csv"]  # no temporaries
    assert storage.read("a/b.csv") == b"old" and storage.read("a/c.csv") is None
    storage.write("a/b.csv", b"new")
    assert storage.read("a/b.csv") == b"new"


def test_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--raw-root", "--seed", "--batches", "--orders-per-batch", "--start-date"):
        assert option in out


def test_temporary_files_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    """A run killed between writing a temporary file and renaming it leaves the temporary
    behind; the next run removes it (its process is gone) and keeps a live process's one."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = tmp_path / "orders" / "ingest_date=2026-01-01"
    folder.mkdir(parents=True)
    left_behind = folder / f".orders_b000000.csv.{dead.pid}.tmp"
    left_behind.write_text("order_id,customer_id\n1,")
    in_progress = folder / f".orders_b000001.csv.{os.getpid()}.tmp"
    in_progress.write_text("order_id")
    generate_batches(str(tmp_path), seed=11, batches=1, orders_per_batch=50)
    assert not left_behind.exists()
    assert in_progress.exists()
