"""Hostile raw files, written next to a generated raw zone, each with what bronze must do with it.

Real sources deliver files the generator never writes: reordered headers, coercion bait, ragged
rows, other encodings, compressed bytes, files in the wrong place, and values that a cast or an
arithmetic operator would fail on under ANSI mode (impossible calendar days in values and in
partitions, numbers past the integer types, amounts past decimal(18,2)), which must be
quarantined like any other, never stop a run. ``write_hostile_files`` adds
one of each to a raw zone and returns the expectations: which rows must load (by id) and which
rows or files must be quarantined, with a fragment of the reason.

The rows reference ids that exist in the generated batches, so that silver and gold take them.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

ORDER_COLUMNS = (
    "order_id",
    "customer_id",
    "product_id",
    "quantity",
    "unit_price",
    "payment_method",
    "status",
    "ordered_at",
    "updated_at",
)
DAY = "2026-03-01"
STAMP = "2026-03-01T10:00:00Z"
# The largest values the rules allow (models/bronze/_bronze__sources.yml): an id of 18 digits,
# a price of 12 integer digits.
MAX_ID = 999_999_999_999_999_999
MAX_PRICE = "999999999999.99"


@dataclass
class Expectations:
    """What bronze must hold after loading the hostile files."""

    # order ids that must load, with the (customer_id, product_id, quantity) they must load with
    loaded_orders: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    # (file name, data row number) -> a fragment of the quarantine reason
    rejected_rows: dict[tuple[str, int], str] = field(default_factory=dict)
    # file name -> a fragment of the file-level quarantine reason (row number 0)
    rejected_files: dict[str, str] = field(default_factory=dict)
    # customer id -> (country, city) it must load with
    loaded_customers: dict[int, tuple[str, str]] = field(default_factory=dict)


def order_line(values: dict[str, str], columns: tuple[str, ...] = ORDER_COLUMNS) -> str:
    return ",".join(values[column] for column in columns)


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def write_hostile_files(raw: Path, customer_id: int, product_id: int) -> Expectations:
    """Write the hostile files under raw (a generated raw zone) and return the expectations."""
    expect = Expectations()
    folder = raw / "orders" / f"ingest_date={DAY}"
    header = ",".join(ORDER_COLUMNS)

    def order(order_id: int, **overrides: str) -> dict[str, str]:
        values = {
            "order_id": str(order_id),
            "customer_id": str(customer_id),
            "product_id": str(product_id),
            "quantity": "2",
            "unit_price": "9.99",
            "payment_method": "Credit Card",
            "status": "Placed",
            "ordered_at": STAMP,
            "updated_at": STAMP,
        }
        return values | overrides

    # 1. the header names the columns in another order: loads by name
    permuted = ("order_id", "product_id", "customer_id", *ORDER_COLUMNS[3:])
    write(
        folder / "orders_permuted.csv",
        ",".join(permuted) + "\n" + order_line(order(910000001), permuted) + "\n",
    )
    expect.loaded_orders[910000001] = (customer_id, product_id, 2)

    # 2. coercion bait and values out of range: every row quarantined, nothing rounded
    bait = {
        "quantity 2.5": (order(910000101, quantity="2.5"), "quantity is not"),
        "quantity 1e3": (order(910000102, quantity="1e3"), "quantity is not"),
        "id in hex": (order(910000103, customer_id="0x10"), "customer_id is not"),
        "price 10.005": (order(910000104, unit_price="10.005"), "unit_price is not"),
        "infinity": (order(910000105, updated_at="infinity"), "updated_at is not"),
        "negative quantity": (order(910000106, quantity="-1"), "quantity is not"),
        "zero quantity": (order(910000107, quantity="0"), "quantity is not"),
        "too many units": (order(910000108, quantity="10001"), "quantity is not"),
        "negative price": (order(910000109, unit_price="-1.00"), "unit_price is not"),
        "year 1999": (order(910000110, ordered_at="1999-12-31T23:00:00Z"), "ordered_at is not"),
        "unknown status": (order(910000111, status="Shipped"), "status is not"),
        "unknown payment": (order(910000112, payment_method="Bitcoin"), "payment_method is not"),
        "updated before ordered": (
            order(910000113, updated_at="2026-02-01T00:00:00Z"),
            "updated_at is before ordered_at",
        ),
        "missing customer": (order(910000114, customer_id=""), "customer_id is missing"),
        "id with spaces": (order(910000115) | {"order_id": " 910000115"}, "order_id is not"),
        "invalid date": (order(910000116, ordered_at="2026-02-30T10:00:00Z"), "ordered_at is not"),
        # values ANSI mode would fail to cast or compute, each a quarantined row instead
        "not a leap year": (
            order(910000117, ordered_at="2026-02-29T10:00:00Z", updated_at="2026-02-29"),
            "ordered_at is not",
        ),
        "offset out of range": (
            # -25:00 keeps the time after ordered_at whatever an engine makes of it (DuckDB's
            # try_cast applies it, Spark's refuses it): only the pattern's reason is expected
            order(910000118, updated_at=f"{DAY}T10:00:00-25:00"),
            "updated_at is not",
        ),
        "id past bigint": (order(9223372036854775808), "order_id is not"),
        "quantity past integer": (order(910000119, quantity="2147483648"), "quantity is not"),
        "price past the bound": (
            order(910000122, unit_price="1000000000000.00"),
            "unit_price is not",
        ),
    }
    lines = [header, order_line(order(910000100))]
    expect.loaded_orders[910000100] = (customer_id, product_id, 2)
    for row_number, (values, reason) in enumerate(bait.values(), start=2):
        lines.append(order_line(values))
        expect.rejected_rows[("orders_bait.csv", row_number)] = reason
    # a date alone is midnight UTC, an offset is honoured
    lines.append(order_line(order(910000120, ordered_at="2026-03-01", updated_at="2026-03-01")))
    expect.loaded_orders[910000120] = (customer_id, product_id, 2)
    lines.append(order_line(order(910000121, updated_at="2026-03-01T12:00:00+02:00")))
    expect.loaded_orders[910000121] = (customer_id, product_id, 2)
    # the rule bounds load: the largest id, 10,000 units at the largest price (an amount of
    # 9,999,999,999,999,900.00, which fits decimal(18,2)), a leap day
    lines.append(order_line(order(MAX_ID, quantity="10000", unit_price=MAX_PRICE)))
    expect.loaded_orders[MAX_ID] = (customer_id, product_id, 10000)
    lines.append(
        order_line(
            order(910000123, ordered_at="2028-02-29T10:00:00Z", updated_at="2028-02-29T10:00:00Z")
        )
    )
    expect.loaded_orders[910000123] = (customer_id, product_id, 2)
    write(folder / "orders_bait.csv", "\n".join(lines) + "\n")

    # 3. ragged rows of any width and a broken quote; the good rows around them load
    ragged = [
        header,
        order_line(order(910000201)),
        ",".join(list(order(910000202).values())[:5]),
        order_line(order(910000203)) + "," + ",".join(["x"] * 40),
        order_line(order(910000204)),
        order_line(order(910000205, payment_method='"Credit Card')),
    ]
    write(folder / "orders_ragged.csv", "\r\n".join(ragged) + "\r\n")
    expect.loaded_orders[910000201] = (customer_id, product_id, 2)
    expect.loaded_orders[910000204] = (customer_id, product_id, 2)
    expect.rejected_rows[("orders_ragged.csv", 2)] = "wrong number of fields"
    expect.rejected_rows[("orders_ragged.csv", 3)] = "wrong number of fields"
    expect.rejected_rows[("orders_ragged.csv", 5)] = "payment_method is not"

    # 4. headers that do not name the declared columns exactly once: the file is rejected whole
    missing = ORDER_COLUMNS[:-1]
    write(
        folder / "orders_missing_column.csv",
        ",".join(missing) + "\n" + order_line(order(910000301), missing) + "\n",
    )
    expect.rejected_files["orders_missing_column.csv"] = "missing updated_at"
    unknown = (*ORDER_COLUMNS[:-1], "coupon")
    write(
        folder / "orders_unknown_column.csv",
        ",".join(unknown) + "\n" + order_line(order(910000302) | {"coupon": "X"}, unknown) + "\n",
    )
    expect.rejected_files["orders_unknown_column.csv"] = "unknown coupon"
    repeated = (*ORDER_COLUMNS[:-1], "status")
    write(
        folder / "orders_repeated_column.csv",
        ",".join(repeated) + "\n" + order_line(order(910000303), repeated) + "\n",
    )
    expect.rejected_files["orders_repeated_column.csv"] = "repeated status"
    wide = (*ORDER_COLUMNS, "coupon")
    write(
        folder / "orders_wide_header.csv",
        ",".join(wide) + "\n" + order_line(order(910000304) | {"coupon": "X"}, wide) + "\n",
    )
    expect.rejected_files["orders_wide_header.csv"] = "unknown coupon"

    # 5. encodings and compression: BOM + CRLF loads; latin-1 and gzip-named-.csv rejected whole;
    # a real .csv.gz loads
    write(
        folder / "orders_bom_crlf.csv",
        "\ufeff" + header + "\r\n" + order_line(order(910000401)) + "\r\n",
    )
    expect.loaded_orders[910000401] = (customer_id, product_id, 2)
    write(
        folder / "orders_latin1.csv",
        (header + "\n" + order_line(order(910000402, payment_method="Crédit")) + "\n").encode(
            "latin-1"
        ),
    )
    expect.rejected_files["orders_latin1.csv"] = "not valid UTF-8"
    write(
        folder / "orders_gzip_bytes.csv",
        gzip.compress((header + "\n" + order_line(order(910000403)) + "\n").encode()),
    )
    expect.rejected_files["orders_gzip_bytes.csv"] = "not valid UTF-8"
    write(
        folder / "orders_compressed.csv.gz",
        gzip.compress((header + "\n" + order_line(order(910000404)) + "\n").encode()),
    )
    expect.loaded_orders[910000404] = (customer_id, product_id, 2)

    # 6. empty and header-only files
    write(folder / "orders_empty.csv", "")
    expect.rejected_files["orders_empty.csv"] = "file is empty"
    write(folder / "orders_header_only.csv", header + "\n")

    # 7. quoting: a quoted comma and an escaped quote load as text
    customers = raw / "customers" / f"ingest_date={DAY}"
    write(
        customers / "customers_swapped.csv",
        "customer_id,first_name,last_name,email,gender,city,country,signup_date,updated_at\n"
        f'{customer_id},"Ann, Jr.","O""Brien",ann@example.com,Female,Paris,France,'
        f"2025-01-01,{STAMP}\n"
        f"{customer_id},Bob,Smith,not-an-email,Female,Lyon,France,2025-01-01,{STAMP}\n"
        f"{customer_id},Bob,Smith,bob@example.com,Robot,Lyon,France,2025-01-01,{STAMP}\n",
    )
    expect.loaded_customers[customer_id] = ("France", "Paris")
    expect.rejected_rows[("customers_swapped.csv", 2)] = "email is not"
    expect.rejected_rows[("customers_swapped.csv", 3)] = "gender is not"
    write(
        customers / "customers_impossible_dates.csv",
        "customer_id,first_name,last_name,email,gender,country,city,signup_date,updated_at\n"
        f"{customer_id},Cy,Doe,cy@example.com,Male,France,Nice,2026-02-29,{STAMP}\n"
        f"{customer_id},Cy,Doe,cy@example.com,Male,France,Nice,2025-04-31,{STAMP}\n",
    )
    expect.rejected_rows[("customers_impossible_dates.csv", 1)] = "signup_date is not"
    expect.rejected_rows[("customers_impossible_dates.csv", 2)] = "signup_date is not"

    # 8. files outside the raw layout: reported, never loaded
    write(folder / "orders_upper.CSV", header + "\n" + order_line(order(910000501)) + "\n")
    expect.rejected_files["orders_upper.CSV"] = "not in the raw layout"
    write(
        folder / "nested" / "orders_nested.csv",
        header + "\n" + order_line(order(910000502)) + "\n",
    )
    expect.rejected_files["orders_nested.csv"] = "not in the raw layout"
    write(raw / "orders" / "orders_no_partition.csv", header + "\n" + order_line(order(910000503)))
    expect.rejected_files["orders_no_partition.csv"] = "not in the raw layout"
    # partitions that name no calendar day: the file is misplaced, every other file loads
    for day, name in (("2026-02-30", "orders_feb_30.csv"), ("2026-02-29", "orders_feb_29.csv")):
        write(
            raw / "orders" / f"ingest_date={day}" / name,
            header + "\n" + order_line(order(910000504)) + "\n",
        )
        expect.rejected_files[name] = f"the partition ingest_date={day} is not a calendar date"
    return expect


def first_ids(raw: Path) -> tuple[int, int]:
    """A customer id and a product id of the generated batches under raw."""
    customers = next((raw / "customers").glob("*/*.csv")).read_text().splitlines()
    products = next((raw / "products").glob("*/*.csv")).read_text().splitlines()
    return int(customers[1].split(",")[0]), int(products[1].split(",")[0])
