"""The generator core: one batch = five CSV files in the raw zone, then the state object.

    from lambda_generator.core import generate_batches
    summaries = generate_batches("data/raw", seed=42, batches=3, orders_per_batch=5000)

Batch n has the logical date start_date + n days. Its orders are drawn vectorised (numpy) from
the dimension pools of batch n (pools.py) and encoded with pyarrow's CSV writer. Everything is a
function of (seed, batch number, orders_per_batch), so a batch is reproducible byte for byte.
The state object <raw_root>/_generator/state.json says which batch comes next; it is written
after the batch's files, so a crashed run re-emits the same batch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import json
import math
import time
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from lambda_generator.contract import (
    ENTITIES,
    STATUSES,
    batch_id,
    columns,
    field_types,
    format_timestamp,
    object_key,
)
from lambda_generator.pools import Stream, World, rng_for, weights
from lambda_generator.storage import GeneratorInputError, Storage, open_storage

DEFAULT_START_DATE = dt.date(2026, 1, 1)
DEFAULT_ORDERS_PER_BATCH = 5000
MAX_ORDERS_PER_BATCH = 10_000_000
MAX_BATCHES = 10_000
STATE_KEY = "_generator/state.json"
ORDER_ID_STRIDE = 100_000_000  # order ids of batch n: n * stride + 1, + 2, ...

# (payment method, share of orders, probability that the order is cancelled)
PAYMENT_METHODS: tuple[tuple[str, float, float], ...] = (
    ("Credit Card", 0.36, 0.03),
    ("Debit Card", 0.16, 0.035),
    ("PayPal", 0.18, 0.04),
    ("Apple Pay", 0.08, 0.025),
    ("Bank Transfer", 0.06, 0.07),
    ("Cash on Delivery", 0.10, 0.22),
    ("Buy Now Pay Later", 0.06, 0.12),
)
LATER_CANCELLATION_SHARE = 0.6  # of the cancellations: arrive in a later batch (1-3 batches on)
CANCELLATION_DELAYS = ((1, 0.5), (2, 0.3), (3, 0.2))
LOOKBACK = max(delay for delay, _ in CANCELLATION_DELAYS)
REDELIVERY_SHARE = 0.003  # of the previous batch's orders, delivered again unchanged
QUANTITY_EXPONENT = 2.6  # P(quantity = q) ~ q ** -exponent for q in 1..MAX_QUANTITY
MAX_QUANTITY = 50
# Orders per hour of the day (UTC): quiet nights, an evening peak.
HOURLY = (1.2, 0.8, 0.5, 0.4, 0.4, 0.5, 0.8, 1.3, 1.8, 2.2, 2.5, 2.7)
HOURLY += (2.9, 2.8, 2.7, 2.7, 2.8, 3.0, 3.3, 3.6, 3.7, 3.3, 2.6, 1.8)
WEEKDAY = (1.0, 0.95, 0.93, 0.95, 0.97, 1.15, 1.25)  # Monday .. Sunday
YEARLY_AMPLITUDE = 0.25  # peak in mid December, trough in mid June
BLACK_FRIDAY_FACTOR = 1.6  # Black Friday through Cyber Monday
GUIDE_BITS = 20  # weighted sampling through 2**20-entry lookup tables


@dataclasses.dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    batch_number: int
    ingest_date: str
    files: list[str]
    rows: dict[str, int]
    new_orders: int
    cancellations: int
    redeliveries: int
    seconds: float

    @property
    def total_rows(self) -> int:
        """Rows written by the batch, all five entities together."""
        return sum(self.rows.values())

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"total_rows": self.total_rows}


@dataclasses.dataclass(frozen=True)
class SeriesState:
    """The state object: which series this raw zone holds and which batch comes next."""

    seed: int
    start_date: dt.date
    next_batch: int
    orders_per_batch: dict[int, int]  # of the last LOOKBACK batches: they are replayed

    def to_json(self) -> bytes:
        body = {
            "seed": self.seed,
            "start_date": self.start_date.isoformat(),
            "next_batch": self.next_batch,
            "next_batch_id": batch_id(self.next_batch),
            "orders_per_batch": {str(k): v for k, v in sorted(self.orders_per_batch.items())},
        }
        return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes, where: str) -> SeriesState:
        try:
            body = json.loads(data)
            return cls(
                seed=int(body["seed"]),
                start_date=dt.date.fromisoformat(body["start_date"]),
                next_batch=int(body["next_batch"]),
                orders_per_batch={int(k): int(v) for k, v in body["orders_per_batch"].items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise GeneratorInputError(f"corrupt generator state {where}: {error}") from error


# --------------------------------------------------------------------------- seasonality


def season_factor(day: dt.date) -> float:
    """Relative order volume of a day: weekday x time of year x Black Friday weekend."""
    yearly = 1 + YEARLY_AMPLITUDE * math.cos(2 * math.pi * (day.timetuple().tm_yday - 350) / 365.25)
    november_first = dt.date(day.year, 11, 1)
    thanksgiving = november_first + dt.timedelta(days=(3 - november_first.weekday()) % 7 + 21)
    black_friday = 0 < (day - thanksgiving).days <= 4
    return WEEKDAY[day.weekday()] * yearly * (BLACK_FRIDAY_FACTOR if black_friday else 1.0)


def orders_in_batch(orders_per_batch: int, day: dt.date) -> int:
    """orders_per_batch is the mean; seasonality scales the batch of each day."""
    return max(1, round(orders_per_batch * season_factor(day)))


# --------------------------------------------------------------------------- orders


def guide_table(probabilities: np.ndarray) -> np.ndarray:
    """Lookup table for inverse-CDF sampling: table[uniform 20-bit int] -> index."""
    size = 1 << GUIDE_BITS
    bounds = np.round(np.cumsum(probabilities) / probabilities.sum() * size).astype(np.int64)
    counts = np.diff(bounds, prepend=0)
    return np.repeat(np.arange(len(probabilities), dtype=np.int32), counts)


_METHOD_GUIDE = guide_table(weights(tuple(share for _, share, _ in PAYMENT_METHODS)))
_CANCEL_THRESHOLD = np.array([round(rate * (1 << GUIDE_BITS)) for *_, rate in PAYMENT_METHODS])
_CANCEL_THRESHOLD = _CANCEL_THRESHOLD.astype(np.int32)
_QUANTITY_GUIDE = guide_table(np.arange(1, MAX_QUANTITY + 1) ** -QUANTITY_EXPONENT) + 1
_SECOND_WEIGHTS = np.repeat(weights(HOURLY), 3600) / 3600
_DELAY_GUIDE = guide_table(weights(CANCELLATION_DELAYS))  # index -> delay - 1
_LATER_THRESHOLD = round(LATER_CANCELLATION_SHARE * (1 << 10))


@dataclasses.dataclass(frozen=True)
class Orders:
    """Order rows as columns. Timestamps are epoch seconds, prices cents, methods indexes."""

    order_id: np.ndarray
    customer_id: np.ndarray
    product_id: np.ndarray
    quantity: np.ndarray
    price_cents: np.ndarray
    method: np.ndarray
    cancelled: np.ndarray
    ordered_at: np.ndarray
    updated_at: np.ndarray
    cancel_batch: np.ndarray  # batch that will carry this order's cancellation, or -1

    def __len__(self) -> int:
        return len(self.order_id)

    @staticmethod
    def empty() -> Orders:
        int64, int32 = np.empty(0, np.int64), np.empty(0, np.int32)
        method, flag = np.empty(0, np.int8), np.empty(0, bool)
        return Orders(int64, int64, int64, int64, int64, method, flag, int64, int64, int32)

    def take(self, index: np.ndarray) -> Orders:
        return Orders(*(getattr(self, f.name)[index] for f in dataclasses.fields(self)))

    @staticmethod
    def concat(parts: list[Orders]) -> Orders:
        names = [f.name for f in dataclasses.fields(Orders)]
        return Orders(*(np.concatenate([getattr(p, name) for p in parts]) for name in names))


def day_start(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days * 86400


def draw_orders(world: World, batch_number: int, day: dt.date, count: int) -> Orders:
    """The new orders of a batch, vectorised. Pure function of (seed, batch, pools, count)."""
    rng = rng_for(world.seed, batch_number, Stream.ORDERS)
    seconds = np.repeat(np.arange(86400, dtype=np.int64), rng.multinomial(count, _SECOND_WEIGHTS))
    ordered_at = seconds + day_start(day)  # sorted: order ids follow time
    bits = rng.integers(0, 1 << GUIDE_BITS, size=(6, count), dtype=np.int32)
    customer = guide_table(world.customer_weights)[bits[0]]
    product = guide_table(world.product_weights)[bits[1]]
    method = _METHOD_GUIDE[bits[3]].astype(np.int8)
    cancelled = bits[4] < _CANCEL_THRESHOLD[method]
    later = cancelled & ((bits[5] >> 10) < _LATER_THRESHOLD)
    delay = _DELAY_GUIDE[(bits[5] & 1023) << (GUIDE_BITS - 10)] + 1
    cancel_after = (bits[5] & 1023).astype(np.int64) * 20  # up to ~6 hours after ordering
    same_batch = cancelled & ~later
    last_second = day_start(day) + 86399
    updated_at = np.where(
        same_batch, np.minimum(ordered_at + cancel_after, last_second), ordered_at
    )
    return Orders(
        order_id=np.arange(1, count + 1, dtype=np.int64) + batch_number * ORDER_ID_STRIDE,
        customer_id=customer.astype(np.int64) + 1,
        product_id=product.astype(np.int64) + 1,
        quantity=_QUANTITY_GUIDE[bits[2]].astype(np.int64),
        price_cents=world.product_cents[product],
        method=method,
        cancelled=same_batch,
        ordered_at=ordered_at,
        updated_at=updated_at,
        cancel_batch=np.where(later, batch_number + delay, -1).astype(np.int32),
    )


def later_cancellations(
    seed: int, batch_number: int, day: dt.date, earlier: dict[int, Orders]
) -> Orders:
    """Cancellations arriving in this batch for orders placed in the LOOKBACK batches before."""
    parts = [o.take(o.cancel_batch == batch_number) for _, o in sorted(earlier.items())]
    rows = Orders.concat(parts) if parts else Orders.empty()
    rng = rng_for(seed, batch_number, Stream.CANCELLATIONS)
    at = day_start(day) + np.sort(rng.integers(0, 86400, size=len(rows)))
    return dataclasses.replace(
        rows,
        cancelled=np.ones(len(rows), dtype=bool),
        updated_at=at,
        cancel_batch=np.full(len(rows), -1, dtype=np.int32),
    )


def redeliveries(seed: int, batch_number: int, previous: Orders | None) -> Orders:
    """A small share of the previous batch's new orders, delivered again byte for byte."""
    if previous is None:
        return Orders.empty()
    rng = rng_for(seed, batch_number, Stream.REDELIVERIES)
    return previous.take(np.flatnonzero(rng.random(len(previous)) < REDELIVERY_SHARE))


# --------------------------------------------------------------------------- CSV encoding


@functools.cache
def _time_of_day_bytes() -> np.ndarray:
    """'THH:MM:SSZ' for every second of a day, as an (86400, 10) byte matrix."""
    stamps = np.datetime_as_string(np.arange(86400).astype("datetime64[s]"), unit="s")
    return np.frombuffer("".join(s[10:] + "Z" for s in stamps).encode(), np.uint8).reshape(-1, 10)


def iso_timestamps(seconds: np.ndarray) -> pa.Array:
    """Epoch seconds -> '2026-01-01T13:45:00Z' strings.

    Batches span a few days, so the strings come from a lookup table of every second of those
    days, gathered as fixed-width 20-byte rows into one Arrow buffer.
    """
    seconds = np.asarray(seconds, dtype=np.int64)
    if len(seconds) == 0:
        return pa.array([], type=pa.string())
    first_day = int(seconds.min()) // 86400
    days = int(seconds.max()) // 86400 - first_day + 1
    if days * 86400 > 4 * len(seconds):  # sparse: format each value
        stamps = seconds.astype("datetime64[s]")
        return pa.array(np.datetime_as_string(stamps, unit="s", timezone="UTC"))
    dates = np.datetime_as_string(np.arange(first_day, first_day + days).astype("datetime64[D]"))
    table = np.empty((days, 86400, 20), dtype=np.uint8)
    table[:, :, :10] = np.frombuffer("".join(dates).encode(), np.uint8).reshape(-1, 1, 10)
    table[:, :, 10:] = _time_of_day_bytes()
    text = np.take(table.reshape(-1, 20), seconds - first_day * 86400, axis=0)
    offsets = np.arange(0, 20 * len(seconds) + 1, 20, dtype=np.int32)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(text)]
    return pa.Array.from_buffers(pa.string(), len(seconds), buffers)


def money(cents: np.ndarray) -> pa.Array:
    """Cents -> decimal(18,2), built zero-copy from 128-bit little-endian integers."""
    cents = np.asarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words)])


_METHOD_NAMES = pa.array([name for name, *_ in PAYMENT_METHODS])
_STATUS_NAMES = pa.array(list(STATUSES))


def orders_table(orders: Orders) -> pa.Table:
    status = orders.cancelled.astype(np.int8)
    return pa.table(
        {
            "order_id": orders.order_id,
            "customer_id": orders.customer_id,
            "product_id": orders.product_id,
            "quantity": orders.quantity,
            "unit_price": money(orders.price_cents),
            "payment_method": pa.DictionaryArray.from_arrays(orders.method, _METHOD_NAMES),
            "status": pa.DictionaryArray.from_arrays(status, _STATUS_NAMES),
            "ordered_at": iso_timestamps(orders.ordered_at),
            "updated_at": iso_timestamps(orders.updated_at),
        }
    )


def records_table(entity: str, records: list) -> pa.Table:
    """Dataclass rows -> a table typed like orders_table (ints, decimals, dates, ISO strings)."""
    arrays = {}
    for name, kind in field_types(entity).items():
        values = [getattr(r, name) for r in records]
        if kind is int:
            arrays[name] = pa.array(values, type=pa.int64())
        elif kind is Decimal:
            arrays[name] = pa.array(values, type=pa.decimal128(18, 2))
        elif kind is dt.datetime:
            arrays[name] = pa.array([format_timestamp(v) for v in values], type=pa.string())
        elif kind is dt.date:
            arrays[name] = pa.array(values, type=pa.date32())
        else:
            arrays[name] = pa.array(values, type=pa.string())
    return pa.table(arrays)


_WRITE_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


def encode_csv(entity: str, table: pa.Table) -> bytes:
    """RFC 4180 CSV, UTF-8, '\\n' line endings, a plain header row; strings always quoted."""
    if tuple(table.column_names) != columns(entity):
        raise ValueError(f"{entity}: columns {table.column_names} != {columns(entity)}")
    sink = io.BytesIO()
    sink.write((",".join(columns(entity)) + "\n").encode())
    pa_csv.write_csv(table, sink, _WRITE_OPTIONS)
    return sink.getvalue()


# --------------------------------------------------------------------------- batches


def validate(seed: int, batches: int, orders_per_batch: int, start_date: dt.date | None) -> None:
    """Check every argument before anything is read or written."""

    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not is_int(seed) or not 0 <= seed < 2**63:
        raise GeneratorInputError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    if not is_int(batches) or not 1 <= batches <= MAX_BATCHES:
        raise GeneratorInputError(
            f"batches must be an integer in [1, {MAX_BATCHES}], got {batches!r}"
        )
    if not is_int(orders_per_batch) or not 1 <= orders_per_batch <= MAX_ORDERS_PER_BATCH:
        raise GeneratorInputError(
            f"orders_per_batch must be an integer in [1, {MAX_ORDERS_PER_BATCH:,}], "
            f"got {orders_per_batch!r}"
        )
    if start_date is not None and (
        not isinstance(start_date, dt.date) or isinstance(start_date, dt.datetime)
    ):
        raise GeneratorInputError(f"start_date must be a date, got {start_date!r}")


def read_state(storage: Storage) -> SeriesState | None:
    data = storage.read(STATE_KEY)
    return None if data is None else SeriesState.from_json(data, storage.uri(STATE_KEY))


def series_state(raw_root: str) -> SeriesState | None:
    """The state of the series in a raw zone, or None when it holds none yet."""
    return read_state(open_storage(raw_root))


def generate_batches(
    raw_root: str,
    *,
    seed: int,
    batches: int,
    orders_per_batch: int = DEFAULT_ORDERS_PER_BATCH,
    start_date: dt.date | None = None,
    progress: Callable[[BatchSummary], None] | None = None,
) -> list[BatchSummary]:
    """Write the next `batches` batches of the series in `raw_root`; return one summary each."""
    validate(seed, batches, orders_per_batch, start_date)
    storage = open_storage(raw_root)
    state = read_state(storage)
    if state is None:
        state = SeriesState(seed, start_date or DEFAULT_START_DATE, 0, {})
    elif state.seed != seed or (start_date is not None and start_date != state.start_date):
        raise GeneratorInputError(
            f"{raw_root} holds the series with seed {state.seed} and start date "
            f"{state.start_date}; continue it with those or use another raw root"
        )
    first = state.next_batch
    if first + batches > MAX_BATCHES:
        raise GeneratorInputError(f"the series would exceed {MAX_BATCHES} batches")

    # Replay the pools up to the first new batch, and the orders of the lookback window.
    world = World(seed)
    recent: dict[int, Orders] = {}
    for number in range(first):
        day = state.start_date + dt.timedelta(days=number)
        world.evolve(number, day)
        if number >= first - LOOKBACK:
            if number not in state.orders_per_batch:
                raise GeneratorInputError(f"state lacks orders_per_batch of batch {number}")
            count = orders_in_batch(state.orders_per_batch[number], day)
            recent[number] = draw_orders(world, number, day, count)

    summaries = []
    sizes = dict(state.orders_per_batch)
    for number in range(first, first + batches):
        started = time.perf_counter()
        day = state.start_date + dt.timedelta(days=number)
        dimensions = world.evolve(number, day)
        new = draw_orders(world, number, day, orders_in_batch(orders_per_batch, day))
        cancellations = later_cancellations(seed, number, day, recent)
        repeated = redeliveries(seed, number, recent.get(number - 1))
        tables = {name: records_table(name, dimensions[name]) for name in dimensions}
        tables["orders"] = orders_table(Orders.concat([new, cancellations, repeated]))
        batch = batch_id(number)
        files = []
        for entity in ENTITIES:
            key = object_key(entity, day, batch)
            storage.write(key, encode_csv(entity, tables[entity]))
            files.append(storage.uri(key))
        sizes[number] = orders_per_batch
        sizes = {k: v for k, v in sizes.items() if k > number - LOOKBACK}
        storage.write(STATE_KEY, SeriesState(seed, state.start_date, number + 1, sizes).to_json())
        recent[number] = new
        recent.pop(number - LOOKBACK, None)
        summary = BatchSummary(
            batch_id=batch,
            batch_number=number,
            ingest_date=day.isoformat(),
            files=files,
            rows={entity: tables[entity].num_rows for entity in ENTITIES},
            new_orders=len(new),
            cancellations=len(cancellations),
            redeliveries=len(repeated),
            seconds=round(time.perf_counter() - started, 3),
        )
        summaries.append(summary)
        if progress is not None:
            progress(summary)
    return summaries
