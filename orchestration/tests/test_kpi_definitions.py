"""The KPIs' one definition (models/gold/_gold__metrics.yml) is what the dashboards and the docs
use: orchestration/kpi_definitions.py reads it, and what it generates is in place."""

from __future__ import annotations

import duckdb

from orchestration import kpi_definitions


def test_every_metric_is_a_kpi_with_a_description_and_a_format():
    names = [metric["name"] for metric in kpi_definitions.METRICS]
    assert tuple(names) == kpi_definitions.NAMES
    assert len(names) == len(set(names)) >= 8
    for kpi in kpi_definitions.KPIS:
        assert kpi.label and kpi.kind in ("count", "money", "rate"), kpi
        assert kpi.description and "{{" not in kpi.description, kpi


def test_the_docs_kpi_table_is_the_definitions():
    """docs/kpis.md's KPI table is the one the definitions give (written by
    `python -m orchestration.kpi_definitions`): the table cannot drift from the metrics."""
    text = kpi_definitions.KPI_DOC.read_text()
    table = text.split(kpi_definitions.TABLE_START + "\n", 1)[1].split(kpi_definitions.TABLE_END)[0]
    assert table.rstrip("\n").splitlines() == kpi_definitions.docs_table_lines()


def test_the_generated_sql_computes_the_definitions():
    """The dashboard's SQL from the definitions, on hand-made orders: sums per measure, ratios of
    sums (none when the denominator is 0), the money with its cents."""
    with duckdb.connect() as connection:
        connection.execute(
            "create table orders_enriched as select * from (values"
            " ('Placed', 2, 10.50), ('Placed', 1, 4.25), ('Cancelled', 3, 9.00)"
            ") as orders (status, quantity, order_amount)"
        )
        sql = (
            f"select {kpi_definitions.group_columns_sql()} from ("
            f"select {kpi_definitions.order_contributions_sql()} from orders_enriched) as orders"
        )
        cursor = connection.execute(sql)
        row = dict(
            zip([column[0] for column in cursor.description], cursor.fetchone(), strict=True)
        )
    assert row["total_orders"] == 3
    assert (row["placed_orders"], row["cancelled_orders"], row["units_sold"]) == (2, 1, 3)
    assert (str(row["revenue"]), str(row["lost_revenue"])) == ("14.75", "9.00")
    assert row["cancellation_rate"] == 1 / 3
    assert row["average_order_value"] == 14.75 / 2
