"""The dashboard benchmark at a tiny scale (its timings are never asserted): it builds its
synthetic orders, the server answers every filter state it times, and it prints one table row
per state with the answer's size."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench import dashboard


def test_the_benchmark_answers_every_filter_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dashboard.main(["--orders", "5000", "--repeat", "1", "--out", str(tmp_path)])
    with duckdb.connect(str(tmp_path / "lakehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from gold.orders_enriched").fetchone()[0] == 5000
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(dashboard.STATES)  # the header and one row per state
    for name, row in zip(dashboard.STATES, rows[1:], strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[0] == name
        assert float(cells[1]) >= 0 and float(cells[2]) >= 0
        assert int(cells[4].replace(",", "")) > 1000  # an answer with every chart, not an error
