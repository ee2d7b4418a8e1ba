"""Every row of every file accounted for, whatever the CSV reader makes of it (e2e.reader_corpus).

On DuckDB, with the reader corpus next to two generated batches: each file's data rows are
counted without the reader (Python's csv tokenizer, when the file is listed) and every one is
loaded or quarantined with its reason; where the reader splits a file otherwise than the count
(a missing quote in a 2.7 MB file) the file is quarantined whole and its text is kept; a 3 MB
value loads with every row number kept; text after a closing quote, which DuckDB's reader drops,
is quarantined; a row longer than the reader's limit quarantines its file whole with the
reason; real country names load. The same corpus on Spark is in test_spark_parity.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from e2e.helpers import Lakehouse, assert_same_kpis, generate, read_gold, run_dbt
from e2e.reader_corpus import (
    BIG_FILE,
    BIG_ROWS,
    BROKEN_ROW,
    COUNTRIES_FILE,
    LONG_FILE,
    LONG_VALUE_BYTES,
    NOT_COUNTRIES,
    REAL_COUNTRIES,
    TRAILING_FILE,
    ReaderFiles,
    write_reader_files,
)
from e2e.reference_kpis import expected_kpis


def query(
    lakehouse: Lakehouse, sql: str, parameters: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def ledger_row(lakehouse: Lakehouse, file_name: str) -> dict[str, Any]:
    with duckdb.connect(str(lakehouse.duckdb_path), read_only=True) as connection:
        cursor = connection.execute(
            "select * from bronze.bronze_file_ledger where source_file like ?", [f"%/{file_name}"]
        )
        columns = [description[0] for description in cursor.description]
        (row,) = cursor.fetchall()
    return dict(zip(columns, row, strict=True))


@pytest.fixture(scope="module")
def reader(make_lakehouse: Callable[..., Lakehouse]) -> tuple[Lakehouse, ReaderFiles]:
    lakehouse = make_lakehouse("reader")
    generate(lakehouse, seed=11, batches=2, orders_per_batch=300)
    files = write_reader_files(Path(lakehouse.raw_root))
    run_dbt(["build"], lakehouse.env)
    return lakehouse, files


def test_a_missing_quote_in_a_large_file_quarantines_it_whole_with_its_text(
    reader: tuple[Lakehouse, ReaderFiles],
) -> None:
    """DuckDB's reader runs the rest of the file into row 10's value (10 rows); the tokenizer
    closes that value at the next quote and finds 28,549 rows (rows 10 and 11 of the file's
    lines are one record). They disagree, so nothing of the file loads, the reason names both
    counts and the first malformed row, and its whole text stays in the quarantine."""
    lakehouse, files = reader
    ledger = ledger_row(lakehouse, BIG_FILE)
    assert ledger["file_status"] == "new"
    assert ledger["data_rows"] == BIG_ROWS - 1
    assert ledger["rows_loaded"] == 0
    assert ledger["rows_quarantined"] == BROKEN_ROW
    assert ledger["file_reason"] == (
        f"the CSV reader split the file into {BROKEN_ROW} data rows where it holds"
        f" {BIG_ROWS - 1} (counted without the reader); row {BROKEN_ROW}: text after the closing"
        " quote of a value (the reader would drop it): the file is quarantined whole"
    )
    rows = query(
        lakehouse,
        "select _source_row_number, reject_reason, raw_values from bronze.bronze_quarantine"
        f" where _source_file like '%/{BIG_FILE}' order by 1",
    )
    assert [row[0] for row in rows] == list(range(BROKEN_ROW + 1))
    assert {row[1] for row in rows} == {ledger["file_reason"]}
    last_line = (Path(lakehouse.raw_root).glob(f"orders/*/{BIG_FILE}")).__next__()
    last_fields = last_line.read_text().splitlines()[-1].split(",")[:5]
    held_text = "".join(
        value or "" for row in rows if row[2] for value in json.loads(row[2]).values()
    )
    assert ",".join(last_fields[1:5]) in held_text.replace('"', "")
    assert files.big_last_order_id == last_fields[0]


def test_a_3_mb_value_loads_and_every_row_keeps_its_number(
    reader: tuple[Lakehouse, ReaderFiles],
) -> None:
    lakehouse, files = reader
    ledger = ledger_row(lakehouse, LONG_FILE)
    assert (ledger["data_rows"], ledger["rows_loaded"], ledger["rows_quarantined"]) == (3, 3, 0)
    loaded = query(
        lakehouse,
        "select _source_row_number, customer_id, length(last_name) from bronze.bronze_customers"
        f" where _source_file like '%/{LONG_FILE}' order by 1",
    )
    assert [row[:2] for row in loaded] == [(number, files.long_customer_id) for number in (1, 2, 3)]
    assert loaded[1][2] == LONG_VALUE_BYTES


def test_text_after_a_closing_quote_is_quarantined_not_dropped(
    reader: tuple[Lakehouse, ReaderFiles],
) -> None:
    lakehouse, files = reader
    first, broken, last = files.trailing_order_ids
    assert query(
        lakehouse,
        "select order_id, _source_row_number, payment_method from bronze.bronze_orders"
        f" where _source_file like '%/{TRAILING_FILE}' order by 1",
    ) == [(first, 1, "Credit Card"), (last, 3, "Credit Card")]
    ((reason, raw_values),) = query(
        lakehouse,
        "select reject_reason, raw_values from bronze.bronze_quarantine"
        f" where _source_file like '%/{TRAILING_FILE}' and _source_row_number = 2",
    )
    assert reason == "text after the closing quote of a value (the reader would drop it)"
    assert json.loads(raw_values)["order_id"] == str(broken)
    ledger = ledger_row(lakehouse, TRAILING_FILE)
    assert (ledger["data_rows"], ledger["rows_loaded"], ledger["rows_quarantined"]) == (3, 2, 1)


def test_real_country_names_load_and_other_values_are_quarantined(
    reader: tuple[Lakehouse, ReaderFiles],
) -> None:
    """The build is green (no gold test rejects "Côte d'Ivoire"), the real countries are in
    silver and gold, the values that are not country names are quarantined by bronze's rule."""
    lakehouse, files = reader
    real = {
        cid: country
        for cid, country in files.country_customers.items()
        if country in REAL_COUNTRIES
    }
    assert sorted(
        query(
            lakehouse,
            "select customer_id, country from silver.dim_customers where customer_id >= 960000000",
        )
    ) == sorted(real.items())
    by_country = dict(query(lakehouse, "select country, total_orders from gold.kpis_by_country"))
    assert {country: by_country.get(country) for country in REAL_COUNTRIES} == dict.fromkeys(
        REAL_COUNTRIES, 1
    )
    quarantined = query(
        lakehouse,
        "select _source_row_number, reject_reason from bronze.bronze_quarantine"
        f" where _source_file like '%/{COUNTRIES_FILE}' order by 1",
    )
    rule = (
        "country is not a country name (letters of any script, with spaces, apostrophes,"
        " hyphens, dots, commas, parentheses or &)"
    )
    first_bad = len(REAL_COUNTRIES) + 1
    assert quarantined == [(first_bad + offset, rule) for offset in range(len(NOT_COUNTRIES))]


def test_every_data_row_of_every_file_is_loaded_or_quarantined(
    reader: tuple[Lakehouse, ReaderFiles],
) -> None:
    """The ledger's data rows are the independent count: for the generated files (no value spans
    lines) it equals their non-blank lines after the header, counted here; and for every file
    rows loaded + rows quarantined = data rows, or the file is rejected whole and loads none."""
    lakehouse, _ = reader
    ledger = query(
        lakehouse,
        "select file_path, data_rows, rows_loaded, rows_quarantined, file_reason"
        " from bronze.bronze_file_ledger where file_status = 'new'",
    )
    assert len(ledger) >= 14
    for path, data_rows, loaded, quarantined, reason in ledger:
        if Path(path).name.startswith(("orders_b", "customers_b", "products_b")):
            lines = [line for line in Path(path).read_text().split("\n") if line.strip("\r")]
            assert data_rows == len(lines) - 1, path
        if reason is None:
            assert loaded + quarantined == data_rows, path
        else:
            assert loaded == 0, path


def test_gold_equals_the_reference(reader: tuple[Lakehouse, ReaderFiles]) -> None:
    lakehouse, _ = reader
    assert_same_kpis(read_gold(lakehouse.duckdb_path), expected_kpis(lakehouse.raw_root))


def test_a_row_over_the_readers_limit_quarantines_its_file_whole(
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    """With the reader's limit under the 3 MB value (var raw_max_row_bytes), DuckDB rejects that
    line (LINE SIZE OVER MAXIMUM): its file is quarantined whole with the reason, every other
    file loads, and the next build has nothing left to do."""
    lakehouse = make_lakehouse("reader-limit")
    generate(lakehouse, seed=3, batches=1, orders_per_batch=100)
    write_reader_files(Path(lakehouse.raw_root))
    limit = ["--vars", "{raw_max_row_bytes: 1000000}"]
    run_dbt(["build", *limit], lakehouse.env)
    ledger = ledger_row(lakehouse, LONG_FILE)
    assert ledger["rows_loaded"] == 0
    assert ledger["file_reason"] == (
        "row 2 is longer than the CSV reader's limit of 1000000 bytes:"
        " the file is quarantined whole"
    )
    # the file's record and the two rows the reader could read, with their numbers in the file
    assert query(
        lakehouse,
        "select _source_row_number, reject_reason = ? from bronze.bronze_quarantine"
        f" where _source_file like '%/{LONG_FILE}' order by 1",
        [ledger["file_reason"]],
    ) == [(0, True), (1, True), (3, True)]
    assert ledger_row(lakehouse, TRAILING_FILE)["rows_loaded"] == 2
    before = query(lakehouse, "select count(*) from bronze.bronze_customers_checked")
    run_dbt(["build", *limit], lakehouse.env)
    assert query(lakehouse, "select count(*) from bronze.bronze_customers_checked") == before
