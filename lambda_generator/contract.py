"""The raw data contract (docs/raw-contract.md): one dataclass per entity, fields in CSV order.

The dataclasses are the single source of the column lists, the CSV value types and the parser
the tests use to check every written value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import typing
from decimal import Decimal

STATUSES = ("Placed", "Cancelled")


@dataclasses.dataclass(frozen=True, slots=True)
class Brand:
    brand_id: int
    brand_name: str
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Category:
    category_id: int
    category_name: str
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Product:
    product_id: int
    product_name: str
    brand_id: int
    category_id: int
    unit_price: Decimal
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Customer:
    customer_id: int
    first_name: str
    last_name: str
    email: str
    gender: str
    country: str
    city: str
    signup_date: dt.date
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class Order:
    order_id: int
    customer_id: int
    product_id: int
    quantity: int
    unit_price: Decimal
    payment_method: str
    status: str
    ordered_at: dt.datetime
    updated_at: dt.datetime


RECORD_TYPES: dict[str, type] = {
    "brands": Brand,
    "categories": Category,
    "products": Product,
    "customers": Customer,
    "orders": Order,
}
ENTITIES: tuple[str, ...] = tuple(RECORD_TYPES)


def columns(entity: str) -> tuple[str, ...]:
    """The CSV columns of an entity, in order."""
    return tuple(field.name for field in dataclasses.fields(RECORD_TYPES[entity]))


@functools.cache
def field_types(entity: str) -> dict[str, type]:
    """Column name -> Python type of an entity (the dataclass annotations, resolved)."""
    return typing.get_type_hints(RECORD_TYPES[entity])


def batch_id(batch_number: int) -> str:
    """Sortable batch id: b000000, b000001, ..."""
    return f"b{batch_number:06d}"


def object_key(entity: str, ingest_date: dt.date, batch: str) -> str:
    """Path of a batch file relative to the raw root."""
    return f"{entity}/ingest_date={ingest_date.isoformat()}/{entity}_{batch}.csv"


def format_timestamp(value: dt.datetime) -> str:
    """ISO 8601 UTC with a Z, second precision: 2026-11-25T13:45:00Z."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[1-9]\d*")
_MONEY = re.compile(r"\d+\.\d{2}")


def parse_value(kind: type, text: str) -> typing.Any:
    """Parse one CSV value strictly by its contract type; raise ValueError when it does not fit."""
    if kind is int:
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"not a positive integer: {text!r}")
        return int(text)
    if kind is Decimal:
        if not _MONEY.fullmatch(text):
            raise ValueError(f"not money with 2 decimals: {text!r}")
        return Decimal(text)
    if kind is dt.datetime:
        if not _TIMESTAMP.fullmatch(text):
            raise ValueError(f"not an ISO 8601 UTC timestamp: {text!r}")
        return dt.datetime.fromisoformat(text)
    if kind is dt.date:
        if not _DATE.fullmatch(text):
            raise ValueError(f"not a date: {text!r}")
        return dt.date.fromisoformat(text)
    if not text:
        raise ValueError("empty string")
    return text


def parse_row(entity: str, row: dict[str, str]) -> typing.Any:
    """A CSV row (column -> text) as the entity's dataclass, strictly typed."""
    types = field_types(entity)
    if tuple(row) != tuple(types):
        raise ValueError(f"{entity}: columns {tuple(row)} != {tuple(types)}")
    return RECORD_TYPES[entity](**{name: parse_value(types[name], row[name]) for name in types})
