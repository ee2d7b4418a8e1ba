"""The benchmark runs end to end on a small size (its figures are for `make bench`)."""

from __future__ import annotations

import re

import pytest

from lambda_generator import bench


def test_bench_reports_generator_floor_ratio_and_naive(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["--orders", "20000", "--repeats", "1", "--naive-rows", "300"]
    assert bench.main([*arguments, "--end-to-end-batches", "1"]) == 0
    out = capsys.readouterr().out
    figures = {
        name: float(value.replace(",", ""))
        for name, value in re.findall(
            r"^(generator|floor|naive)\S*.*?\s([\d,.]+) rows/s", out, re.M
        )
    }
    assert set(figures) == {"generator", "floor", "naive"}
    assert all(value > 0 for value in figures.values())
    assert re.search(r"generator / floor\s+\d+\.\d\d x", out)
    assert "end to end, 1 batches to disk" in out
