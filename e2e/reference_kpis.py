"""The gold KPIs computed independently, in plain Python, straight from the raw CSV files.

This is the oracle of the end-to-end tests (and of the Spark parity tests, which import it): it
shares no code with dbt or the generator. It reads every raw file (a local folder or
s3://bucket/prefix), keeps the current version of every id (the greatest ``updated_at``, with
silver's tie-break), and applies
the KPI definitions with ``Decimal`` money. It applies the raw contract's rules itself: files
outside the raw layout, files that are not UTF-8, headers that do not name the columns exactly
once, rows with the wrong number of fields and values that break their rule are left out. A
referenced row that was never delivered (a late-arriving customer, product, brand or category)
counts under an inferred member, as silver does: an unknown customer has country and gender
``Unknown``; an unknown product is named ``Unknown product <id>`` and belongs to the unknown
brand and category (id -1, ``Unknown brand``, ``Unknown category``); an unknown brand or
category of a delivered product is named ``Unknown brand <id>`` / ``Unknown category <id>``.

    expected = expected_kpis("data/raw")          # {relation: [row dict, ...]} sorted by grain
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import os
import re
import sys
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENTITIES = ("brands", "categories", "products", "customers", "orders")
# Where bronze takes files from (relative to the raw root); anything else is not loaded.
LAYOUT = re.compile(
    r"(brands|categories|products|customers|orders)"
    r"/ingest_date=[0-9]{4}-[0-9]{2}-[0-9]{2}/[^/]+[.]csv(?:[.]gz)?"
)
ID_COLUMNS = {
    "brands": "brand_id",
    "categories": "category_id",
    "products": "product_id",
    "customers": "customer_id",
    "orders": "order_id",
}

# Every gold relation and its grain keys, then the KPI columns.
GOLD_GRAINS: dict[str, tuple[str, ...]] = {
    "kpis_by_product": ("product_id", "product_name", "brand_name", "category_name"),
    "kpis_by_category": ("category_id", "category_name"),
    "kpis_by_brand": ("brand_id", "brand_name"),
    "kpis_by_customer": ("customer_id", "country", "gender"),
    "kpis_by_country": ("country",),
    "kpis_by_gender": ("gender",),
    "kpis_by_payment_method": ("payment_method",),
    "kpis_daily": ("order_date",),
    "kpis_overall": (),
}
KPI_COLUMNS = (
    "total_orders",
    "placed_orders",
    "cancelled_orders",
    "units_sold",
    "revenue",
    "lost_revenue",
    "cancellation_rate",
)

Row = dict[str, Any]


@dataclass(frozen=True)
class RawFile:
    """One raw CSV file: its entity, its location and its text."""

    entity: str
    location: str
    text: str


def _s3_client() -> Any:
    import boto3

    # boto3 reads AWS_ENDPOINT_URL (an S3-compatible server) and the credentials from the env.
    return boto3.client("s3")


def _in_layout(relative: str) -> bool:
    """In the raw layout, with a partition that is a calendar date (not ingest_date=2026-02-30)."""
    if not LAYOUT.fullmatch(relative):
        return False
    try:
        dt.date.fromisoformat(relative.split("/")[1].removeprefix("ingest_date="))
    except ValueError:
        return False
    return True


def read_raw_files(raw_root: str) -> list[RawFile]:
    """Every entity file under raw_root (a folder or s3://bucket/prefix) that bronze loads: in
    the raw layout (``<entity>/ingest_date=YYYY-MM-DD/<name>.csv`` or ``.csv.gz``), not a
    symbolic link, and UTF-8 text (a complete gzip stream for .csv.gz), in location order. Any
    other file is left out."""
    blobs: list[tuple[str, str, bytes]] = []
    if raw_root.startswith("s3://"):
        parts = urlsplit(raw_root)
        bucket, prefix = parts.netloc, parts.path.strip("/")
        client = _s3_client()
        paginator = client.get_paginator("list_objects_v2")
        for entity in ENTITIES:
            entity_prefix = f"{prefix}/{entity}/" if prefix else f"{entity}/"
            for page in paginator.paginate(Bucket=bucket, Prefix=entity_prefix):
                for item in page.get("Contents", []):
                    key = item["Key"]
                    relative = key[len(entity_prefix) - len(entity) - 1 :]
                    if _in_layout(relative):
                        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
                        blobs.append((entity, f"s3://{bucket}/{key}", body))
    else:
        root = Path(raw_root)
        for entity in ENTITIES:
            for path in (root / entity).rglob("*"):
                if (
                    path.is_file()
                    and not path.is_symlink()
                    and _in_layout(path.relative_to(root).as_posix())
                ):
                    blobs.append((entity, str(path), path.read_bytes()))
    files: list[RawFile] = []
    for entity, location, data in blobs:
        if location.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error):
                continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        files.append(RawFile(entity, location, text))
    return sorted(files, key=lambda raw_file: (raw_file.entity, raw_file.location))


def _timestamp(value: str) -> dt.datetime:
    """A raw timestamp as naive UTC: an offset is applied, none (a date alone too) means UTC."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


# The value rules of the raw contract, written here independently of the sources YAML.
TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)?)?"
)
PAYMENT_METHODS = {
    "Credit Card",
    "Debit Card",
    "PayPal",
    "Apple Pay",
    "Bank Transfer",
    "Cash on Delivery",
    "Buy Now Pay Later",
}


def _is_id(value: str) -> bool:
    return re.fullmatch(r"[1-9][0-9]{0,17}", value) is not None


def _is_timestamp(value: str) -> bool:
    if not TIMESTAMP.fullmatch(value):
        return False
    try:
        return 2000 <= _timestamp(value).year <= 2100
    except ValueError:
        return False


def _is_date(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return False
    try:
        return 2000 <= dt.date.fromisoformat(value).year <= 2100
    except ValueError:
        return False


def _is_price(value: str) -> bool:
    # at most 12 integer digits: quantity (<= 10,000) x unit_price fits decimal(18,2)
    return re.fullmatch(r"[0-9]{1,12}([.][0-9]{1,2})?", value) is not None


def _is_quantity(value: str) -> bool:
    return re.fullmatch(r"[0-9]{1,5}", value) is not None and 1 <= int(value) <= 10_000


def _is_text(value: str) -> bool:
    return value != ""


COUNTRY_PUNCTUATION = set(" .,&()'\u2019-")


def _is_country(value: str) -> bool:
    """A country name: letters of any script (with their combining marks), spaces, apostrophes,
    hyphens, dots, commas, parentheses and &; it starts with a letter and ends with a letter, a
    mark, a dot or a closing parenthesis."""

    def is_letter(char: str) -> bool:
        return unicodedata.category(char).startswith(("L", "M"))

    return (
        value != ""
        and unicodedata.category(value[0]).startswith("L")
        and all(is_letter(char) or char in COUNTRY_PUNCTUATION for char in value)
        and (is_letter(value[-1]) or value[-1] in ".)")
    )


RULES: dict[str, dict[str, Callable[[str], bool]]] = {
    "brands": {"brand_id": _is_id, "brand_name": _is_text, "updated_at": _is_timestamp},
    "categories": {
        "category_id": _is_id,
        "category_name": _is_text,
        "updated_at": _is_timestamp,
    },
    "products": {
        "product_id": _is_id,
        "product_name": _is_text,
        "brand_id": _is_id,
        "category_id": _is_id,
        "unit_price": _is_price,
        "updated_at": _is_timestamp,
    },
    "customers": {
        "customer_id": _is_id,
        "first_name": _is_text,
        "last_name": _is_text,
        "email": lambda value: re.fullmatch(r"[^@]+@[^@]+", value) is not None,
        "gender": lambda value: value in {"Female", "Male", "Non-binary", "Unknown"},
        "country": _is_country,
        "city": _is_text,
        "signup_date": _is_date,
        "updated_at": _is_timestamp,
    },
    "orders": {
        "order_id": _is_id,
        "customer_id": _is_id,
        "product_id": _is_id,
        "quantity": _is_quantity,
        "unit_price": _is_price,
        "payment_method": lambda value: value in PAYMENT_METHODS,
        "status": lambda value: value in {"Placed", "Cancelled"},
        "ordered_at": _is_timestamp,
        "updated_at": _is_timestamp,
    },
}


def _rows(raw_file: RawFile) -> Iterator[dict[str, str]]:
    """The valid rows of a raw file, mapped by its header: none when the header does not name
    the entity's columns exactly once; a row with the wrong number of fields or a value that
    breaks its rule is left out."""
    rules = RULES[raw_file.entity]
    csv.field_size_limit(sys.maxsize)  # a value may be megabytes long
    reader = csv.reader(io.StringIO(raw_file.text, newline=""))
    header = next(reader, None)
    if header is None or len(header) != len(rules) or set(header) != set(rules):
        return
    for fields in reader:
        if len(fields) != len(header):
            continue
        row = dict(zip(header, fields, strict=True))
        if not all(rule(row[name]) for name, rule in rules.items()):
            continue
        if raw_file.entity == "orders" and _timestamp(row["updated_at"]) < _timestamp(
            row["ordered_at"]
        ):
            continue
        yield row


def current_versions(files: Iterable[RawFile], entity: str) -> dict[int, dict[str, str]]:
    """id -> the current raw row of the entity, by silver's rule: the greatest updated_at; on a
    tie a Cancelled order beats a Placed one, then the earliest delivery (file location, then
    row) wins, so a re-delivery changes nothing."""
    id_column = ID_COLUMNS[entity]
    best: dict[int, tuple[tuple[dt.datetime, bool], dict[str, str]]] = {}
    ordered = sorted(
        (raw_file for raw_file in files if raw_file.entity == entity),
        key=lambda raw_file: raw_file.location,
    )
    for raw_file in ordered:
        for row in _rows(raw_file):
            row_id = int(row[id_column])
            rank = (_timestamp(row["updated_at"]), row.get("status") == "Cancelled")
            # strictly better only: on a full tie the earlier delivery stays
            if row_id not in best or rank > best[row_id][0]:
                best[row_id] = (rank, row)
    return {row_id: row for row_id, (_, row) in best.items()}


# The unknown member: the brand and the category of a product that was never delivered.
UNKNOWN_MEMBER_ID = -1


def enriched_orders(raw_root: str) -> list[Row]:
    """The current version of every order with the current attributes of its product, brand,
    category and customer (an inferred member's where the referenced row was never delivered)."""
    files = read_raw_files(raw_root)
    brands = current_versions(files, "brands")
    categories = current_versions(files, "categories")
    products = current_versions(files, "products")
    customers = current_versions(files, "customers")
    orders = current_versions(files, "orders")

    enriched: list[Row] = []
    for order_id, order in orders.items():
        status = order["status"]
        if status not in ("Placed", "Cancelled"):
            raise ValueError(f"order {order_id}: unexpected status {status!r}")
        product_id = int(order["product_id"])
        customer_id = int(order["customer_id"])
        product = products.get(product_id) or {
            "product_name": f"Unknown product {product_id}",
            "brand_id": str(UNKNOWN_MEMBER_ID),
            "category_id": str(UNKNOWN_MEMBER_ID),
        }
        brand_id = int(product["brand_id"])
        category_id = int(product["category_id"])
        if brand_id == UNKNOWN_MEMBER_ID:
            brand = {"brand_name": "Unknown brand"}
        else:
            brand = brands.get(brand_id) or {"brand_name": f"Unknown brand {brand_id}"}
        if category_id == UNKNOWN_MEMBER_ID:
            category = {"category_name": "Unknown category"}
        else:
            category = categories.get(category_id) or {
                "category_name": f"Unknown category {category_id}"
            }
        customer = customers.get(customer_id) or {"country": "Unknown", "gender": "Unknown"}
        quantity = int(order["quantity"])
        ordered_at = _timestamp(order["ordered_at"])
        enriched.append(
            {
                "order_id": order_id,
                "status": status,
                "quantity": quantity,
                "unit_price": Decimal(order["unit_price"]),
                "amount": quantity * Decimal(order["unit_price"]),
                "payment_method": order["payment_method"],
                "ordered_at": ordered_at,
                "updated_at": _timestamp(order["updated_at"]),
                "order_date": ordered_at.date(),
                "product_id": product_id,
                "product_name": product["product_name"],
                "brand_id": brand_id,
                "brand_name": brand["brand_name"],
                "category_id": category_id,
                "category_name": category["category_name"],
                "customer_id": customer_id,
                "country": customer["country"],
                "gender": customer["gender"],
            }
        )
    return enriched


# The columns of gold.orders_enriched, in order.
ORDERS_ENRICHED_COLUMNS = (
    "order_id",
    "order_date",
    "ordered_at",
    "updated_at",
    "status",
    "is_cancelled",
    "payment_method",
    "quantity",
    "unit_price",
    "order_amount",
    "product_id",
    "product_name",
    "brand_id",
    "brand_name",
    "category_id",
    "category_name",
    "customer_id",
    "country",
    "gender",
)


def expected_orders_enriched(raw_root: str | os.PathLike[str]) -> list[Row]:
    """gold.orders_enriched as row dicts sorted by order_id (timestamps as naive UTC, as the
    warehouse returns them)."""
    rows = [
        {
            **order,
            "ordered_at": order["ordered_at"].replace(tzinfo=None),
            "updated_at": order["updated_at"].replace(tzinfo=None),
            "is_cancelled": order["status"] == "Cancelled",
            "order_amount": order["amount"],
        }
        for order in enriched_orders(str(raw_root))
    ]
    return sorted(
        ({column: row[column] for column in ORDERS_ENRICHED_COLUMNS} for row in rows),
        key=lambda row: row["order_id"],
    )


def kpis(orders: Iterable[Row]) -> Row:
    """The KPI definitions over a group of enriched orders."""
    total = placed = cancelled = units = 0
    revenue = lost_revenue = Decimal("0.00")
    for order in orders:
        total += 1
        if order["status"] == "Placed":
            placed += 1
            units += order["quantity"]
            revenue += order["amount"]
        else:
            cancelled += 1
            lost_revenue += order["amount"]
    return {
        "total_orders": total,
        "placed_orders": placed,
        "cancelled_orders": cancelled,
        "units_sold": units,
        "revenue": revenue.quantize(Decimal("0.01")),
        "lost_revenue": lost_revenue.quantize(Decimal("0.01")),
        "cancellation_rate": cancelled / total if total else 0.0,
    }


def grain_sort_key(row: Row, grain: tuple[str, ...]) -> tuple[Any, ...]:
    """Sorts rows by their grain keys, None first."""
    return tuple((row[key] is not None, row[key] if row[key] is not None else 0) for key in grain)


def expected_kpis(raw_root: str | os.PathLike[str]) -> dict[str, list[Row]]:
    """Every gold relation as the list of its expected rows (grain keys then KPI columns),
    sorted by grain."""
    orders = enriched_orders(str(raw_root))
    expected: dict[str, list[Row]] = {}
    for relation, grain in GOLD_GRAINS.items():
        groups: dict[tuple[Any, ...], list[Row]] = {}
        for order in orders:
            groups.setdefault(tuple(order[key] for key in grain), []).append(order)
        if not grain:
            groups.setdefault((), [])
        rows = [dict(zip(grain, keys, strict=True)) | kpis(group) for keys, group in groups.items()]
        expected[relation] = sorted(rows, key=lambda row, grain=grain: grain_sort_key(row, grain))
    return expected
