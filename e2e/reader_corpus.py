"""Raw files that a CSV reader can get wrong, written next to a generated raw zone, with what
bronze must do with each on every engine: every data row loaded or quarantined with its reason,
none lost or renumbered, whatever the reader makes of the file.

- a 2.7 MB orders file in the generator's quoting whose row 10 lacks its closing quote (the
  reader runs the rest of the file into one value: once 10 of 28,550 rows loaded silently);
- a customer row whose last name is 3 MB long (over DuckDB's default line limit of 2,000,000
  bytes: once the row vanished and the rows after it were renumbered);
- text after a closing quote (``"Credit Card"x``, which DuckDB's reader reads as ``Credit Card``);
- customers from real countries whose names a capitalised-ASCII rule rejected, and two values
  that are not country names.

The orders of the large file and the long customer row are versions that are already current
(exact repeats) or never current (older): whether a reader loads them leaves gold unchanged, so
gold equals the reference on every engine while bronze's handling differs where the readers do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from e2e.hostile_corpus import write

DAY = "2026-03-02"
BIG_FILE = "orders_missing_quote.csv"
BIG_ROWS = 28_550
BROKEN_ROW = 10
LONG_FILE = "customers_long_value.csv"
LONG_VALUE_BYTES = 3_000_000
TRAILING_FILE = "orders_text_after_quote.csv"
COUNTRIES_FILE = "customers_countries.csv"
REAL_COUNTRIES = ("Côte d'Ivoire", "São Tomé and Príncipe", "Curaçao", "Åland Islands")
NOT_COUNTRIES = ("<b>Atlantis</b>", "12345")
FIRST_NEW_CUSTOMER = 960_000_001


@dataclass(frozen=True)
class ReaderFiles:
    """The files written and what they hold."""

    big_last_order_id: str  # the order id on the file's last line
    long_customer_id: int
    trailing_order_ids: tuple[int, int, int]  # good, text after a quote, good
    country_customers: dict[int, str]  # customer id -> country (real ones, then the others)
    country_orders: dict[int, int]  # order id -> customer id, one order per real country


def _csv_line(values: list[str]) -> str:
    """One line as the generator writes it: text quoted, numbers and dates not."""
    return (
        ",".join(
            value if value.replace(".", "").replace("-", "").isdigit() else '"' + value + '"'
            for value in values
        )
        + "\n"
    )


def write_reader_files(raw: Path) -> ReaderFiles:
    """Write the reader corpus under raw (a generated raw zone) and say what it holds."""
    orders = sorted((raw / "orders").glob("ingest_date=*/orders_*.csv"))[0]
    header, *order_lines = orders.read_text().splitlines()
    customers = sorted((raw / "customers").glob("ingest_date=*/customers_*.csv"))[0]
    customer_header, first_customer, *_ = customers.read_text().splitlines()
    orders_folder = raw / "orders" / f"ingest_date={DAY}"
    customers_folder = raw / "customers" / f"ingest_date={DAY}"

    # 1. repeats of delivered orders, in the generator's quoting; row 10 lacks the closing quote
    # of its last value, so the quotes of every later line pair up the other way round
    lines = [order_lines[index % len(order_lines)] for index in range(BIG_ROWS)]
    assert lines[BROKEN_ROW - 1].endswith('"'), lines[BROKEN_ROW - 1]
    lines[BROKEN_ROW - 1] = lines[BROKEN_ROW - 1][:-1]
    write(orders_folder / BIG_FILE, "\n".join([header, *lines]) + "\n")
    big_last_order_id = lines[-1].split(",")[0]

    # 2. an older version of a delivered customer (never current), with a 3 MB last name, between
    # two repeats of that customer's delivered row
    row = next(csv.reader([first_customer]))
    columns = next(csv.reader([customer_header]))
    long_row = dict(zip(columns, row, strict=True))
    long_row["last_name"] = "x" * LONG_VALUE_BYTES
    long_row["updated_at"] = "2000-01-02T00:00:00Z"
    long_line = _csv_line([long_row[column] for column in columns])
    write(
        customers_folder / LONG_FILE,
        customer_header + "\n" + first_customer + "\n" + long_line + first_customer + "\n",
    )

    # 3. text after the closing quote of a payment method, between two good new orders
    order_columns = next(csv.reader([header]))
    template = dict(zip(order_columns, next(csv.reader([order_lines[0]])), strict=True))
    trailing_ids = (940_000_001, 940_000_002, 940_000_003)
    trailing_lines = []
    for order_id in trailing_ids:
        values = template | {"order_id": str(order_id), "payment_method": "Credit Card"}
        trailing_lines.append(_csv_line([values[column] for column in order_columns]))
    trailing_lines[1] = trailing_lines[1].replace('"Credit Card"', '"Credit Card"x')
    write(orders_folder / TRAILING_FILE, header + "\n" + "".join(trailing_lines))

    # 4. new customers from real countries, each with an order, and two values that are not
    # country names
    country_customers: dict[int, str] = {}
    country_lines = []
    for offset, country in enumerate((*REAL_COUNTRIES, *NOT_COUNTRIES)):
        customer_id = FIRST_NEW_CUSTOMER + offset
        values = dict(zip(columns, row, strict=True)) | {
            "customer_id": str(customer_id),
            "email": f"customer.{customer_id}@example.com",
            "country": country,
        }
        country_customers[customer_id] = country
        country_lines.append(_csv_line([values[column] for column in columns]))
    write(customers_folder / COUNTRIES_FILE, customer_header + "\n" + "".join(country_lines))
    country_orders: dict[int, int] = {}
    order_rows = []
    for offset, customer_id in enumerate(list(country_customers)[: len(REAL_COUNTRIES)]):
        order_id = 970_000_001 + offset
        values = template | {"order_id": str(order_id), "customer_id": str(customer_id)}
        country_orders[order_id] = customer_id
        order_rows.append(_csv_line([values[column] for column in order_columns]))
    write(orders_folder / "orders_countries.csv", header + "\n" + "".join(order_rows))
    return ReaderFiles(
        big_last_order_id=big_last_order_id,
        long_customer_id=int(long_row["customer_id"]),
        trailing_order_ids=trailing_ids,
        country_customers=country_customers,
        country_orders=country_orders,
    )
