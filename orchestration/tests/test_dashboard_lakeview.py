"""The Lakeview dashboard (orchestration/resources/lakehouse_kpis.lvdash.json) has the structure of
real Lakeview exports and shows what it promises.

The structure is checked against what Lakeview itself writes (the exports in Databricks' public
bundle examples): the keys of datasets, pages, widgets, queries, table columns and encodings.
What it shows: every KPI view the local dashboard has, products by id with their name, values
on every bar, rates ranked only over enough orders with their counts, large dimensions as
sorted tables instead of unreadable charts, and the seed's cancellation analytics in full (count,
rate and lost revenue by product, by brand and category, by customer and country, by payment
method). That the widget queries run is checked on Spark (e2e/test_spark_parity.py); that the
Lakeview API accepts them needs a workspace.
"""

from __future__ import annotations

import json
import re
from typing import Any

from orchestration import kpi_definitions
from orchestration.dashboard import MIN_ORDERS_FOR_RATE
from orchestration.job import BUNDLE_ROOT

GRID_WIDTH = 6
WIDGET_TYPES = {
    "counter",
    "bar",
    "line",
    "table",
    "pie",
    "filter-multi-select",
    "filter-single-select",
    "filter-date-range-picker",
}


def load_dashboard() -> dict[str, Any]:
    return json.loads((BUNDLE_ROOT / "resources" / "lakehouse_kpis.lvdash.json").read_text())


def dataset_relations(dataset: dict[str, Any]) -> set[str]:
    sql = " ".join(dataset["queryLines"])
    return set(re.findall(r"\b(?:from|join)\s+([`\w.]+)", sql, flags=re.IGNORECASE))


PAGE_TYPES = {"PAGE_TYPE_CANVAS", "PAGE_TYPE_GLOBAL_FILTERS"}
# The filters every widget follows: (field, filter widget type).
FILTERS = {
    "order_date": "filter-date-range-picker",
    "country": "filter-multi-select",
    "category_name": "filter-multi-select",
    "brand_name": "filter-multi-select",
    "payment_method": "filter-multi-select",
    "gender": "filter-multi-select",
}


def test_dashboard_json_has_the_lakeview_structure():
    dashboard = load_dashboard()
    assert set(dashboard) <= {"datasets", "pages", "uiSettings"}
    datasets = {dataset["name"]: dataset for dataset in dashboard["datasets"]}
    assert len(datasets) == len(dashboard["datasets"]), "dataset names must be unique"
    for dataset in datasets.values():
        assert dataset["displayName"]
        assert all(isinstance(line, str) for line in dataset["queryLines"])
        assert dataset_relations(dataset), f"{dataset['name']} reads no relation"

    widget_names: list[str] = []
    used_datasets: set[str] = set()
    assert dashboard["pages"]
    for page in dashboard["pages"]:
        assert page["name"] and page["displayName"]
        assert page["pageType"] in PAGE_TYPES
        assert page["layout"]
        for item in page["layout"]:
            widget, position = item["widget"], item["position"]
            widget_names.append(widget["name"])
            assert set(position) == {"x", "y", "width", "height"}
            assert all(isinstance(value, int) and value >= 0 for value in position.values())
            assert position["width"] >= 1 and position["x"] + position["width"] <= GRID_WIDTH
            if "multilineTextboxSpec" in widget:
                assert widget["multilineTextboxSpec"]["lines"]
                continue
            spec = widget["spec"]
            assert spec["widgetType"] in WIDGET_TYPES
            assert isinstance(spec["version"], int)
            queries = {query["name"]: query["query"] for query in widget["queries"]}
            for query in queries.values():
                assert query["datasetName"] in datasets, query["datasetName"]
                used_datasets.add(query["datasetName"])
                for field in query["fields"]:
                    assert field["name"] and field["expression"]
            for encoding in widget_encodings(spec):
                owner = queries[encoding.get("queryName", next(iter(queries)))]
                assert encoding["fieldName"] in {field["name"] for field in owner["fields"]}, (
                    f"{widget['name']}: {encoding['fieldName']} is not a field of its query"
                )
    assert len(widget_names) == len(set(widget_names)), "widget names must be unique"
    assert used_datasets == set(datasets), "every dataset is shown by some widget"


def widget_encodings(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every encoding that names a field, including the series of a multi-line y axis."""
    found = []
    for value in spec.get("encodings", {}).values():
        for encoding in value if isinstance(value, list) else [value]:
            if "fields" in encoding:  # y: {"scale": ..., "fields": [...]}
                found.extend(encoding["fields"])
            elif "fieldName" in encoding:  # not label: {"show": true}
                found.append(encoding)
    return found


def dashboard_widgets(dashboard: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """widget name -> (page type, widget), for every widget with queries."""
    return {
        item["widget"]["name"]: (page["pageType"], item["widget"])
        for page in dashboard["pages"]
        for item in page["layout"]
        if "queries" in item["widget"]
    }


def dataset_columns(dataset: dict[str, Any]) -> set[str]:
    """The output column names of a dataset query (`x`, `expression as x`)."""
    sql = " ".join(dataset["queryLines"])
    sql = re.sub(r"--[^\n]*", " ", sql)
    select_list = re.search(r"\bselect\b(.*)\bfrom\b", sql, flags=re.IGNORECASE | re.DOTALL)
    assert select_list, dataset["name"]
    columns = set()
    for item in re.split(r",(?![^(]*\))", select_list.group(1)):
        words = item.split()
        columns.add(words[-1].strip("`"))
    return columns


def test_every_dataset_reads_orders_enriched_and_carries_every_filter_field():
    dashboard = load_dashboard()
    for dataset in dashboard["datasets"]:
        assert dataset_relations(dataset) == {"orders_enriched"}, dataset["name"]
        assert set(FILTERS) <= dataset_columns(dataset), dataset["name"]


def test_every_filter_applies_to_every_dataset_on_every_page():
    """The filters sit on the global filters page, so they apply to every page; each one has a
    query on every dataset, so it filters every widget."""
    dashboard = load_dashboard()
    datasets = {dataset["name"] for dataset in dashboard["datasets"]}
    pages = {page["pageType"]: page for page in dashboard["pages"]}
    global_filters = pages["PAGE_TYPE_GLOBAL_FILTERS"]["layout"]
    filters = {}
    for item in global_filters:
        widget = item["widget"]
        fields = {encoding["fieldName"] for encoding in widget_encodings(widget["spec"])}
        assert len(fields) == 1, widget["name"]
        field = fields.pop()
        filters[field] = widget["spec"]["widgetType"]
        filtered = {query["query"]["datasetName"] for query in widget["queries"]}
        assert filtered == datasets, f"{widget['name']} does not filter {datasets - filtered}"
    assert filters == FILTERS
    for page_type, widget in dashboard_widgets(dashboard).values():
        if page_type == "PAGE_TYPE_CANVAS":
            assert not widget["spec"]["widgetType"].startswith("filter-"), widget["name"]


def test_counters_and_charts_aggregate_the_filtered_slice():
    """No widget shows a precomputed total: every counter and chart aggregates the dataset's
    rows (disaggregated false), so it is computed over whatever rows the filters leave."""
    dashboard = load_dashboard()
    for page_type, widget in dashboard_widgets(dashboard).values():
        if page_type != "PAGE_TYPE_CANVAS":
            continue
        for query in widget["queries"]:
            assert query["query"]["disaggregated"] is False, widget["name"]
            expressions = [field["expression"] for field in query["query"]["fields"]]
            assert any(re.match(r"(SUM|AVG|COUNT)\(", e) for e in expressions), widget["name"]


# The keys Lakeview writes, as in its exports.
QUERY_KEYS = {"datasetName", "fields", "disaggregated", "orders"}
TABLE_SPEC_KEYS = {
    "version",
    "widgetType",
    "encodings",
    "invisibleColumns",
    "allowHTMLByDefault",
    "itemsPerPage",
    "paginationSize",
    "condensed",
    "withRowNumber",
    "frame",
}
TABLE_COLUMN_KEYS = {
    "fieldName",
    "numberFormat",
    "booleanValues",
    "imageUrlTemplate",
    "imageTitleTemplate",
    "imageWidth",
    "imageHeight",
    "linkUrlTemplate",
    "linkTextTemplate",
    "linkTitleTemplate",
    "linkOpenInNewTab",
    "type",
    "displayAs",
    "visible",
    "order",
    "title",
    "allowSearch",
    "alignContent",
    "allowHTML",
    "highlightLinks",
    "useMonospaceFont",
    "preserveWhitespace",
    "defaultColumnWidth",
    "displayName",
}
CHART_ENCODING_KEYS = {"x", "y", "color", "label", "extra"}
FRAME_KEYS = {"showTitle", "title", "showDescription", "description"}
# Dimensions too large for a chart (hundreds of products, thousands of customers).
LARGE = {"`product_id`", "`product_name`", "`customer_id`"}
RATE = "AVG(`cancelled_orders`)"


def canvas_widgets(dashboard: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (page["name"], item["widget"])
        for page in dashboard["pages"]
        if page["pageType"] == "PAGE_TYPE_CANVAS"
        for item in page["layout"]
        if "queries" in item["widget"]
    ]


def expressions(widget: dict[str, Any]) -> set[str]:
    return {
        field["expression"] for query in widget["queries"] for field in query["query"]["fields"]
    }


def test_widgets_have_the_keys_lakeview_exports_have():
    for _, widget in canvas_widgets(load_dashboard()):
        spec = widget["spec"]
        assert set(spec["frame"]) <= FRAME_KEYS, widget["name"]
        for query in widget["queries"]:
            assert set(query["query"]) <= QUERY_KEYS, widget["name"]
            fields = {field["expression"] for field in query["query"]["fields"]}
            for order in query["query"].get("orders", []):
                assert set(order) == {"direction", "expression"}, widget["name"]
                assert order["direction"] in ("ASC", "DESC") and order["expression"] in fields
        if spec["widgetType"] == "table":
            assert set(spec) <= TABLE_SPEC_KEYS and spec["version"] == 1, widget["name"]
            for column in spec["encodings"]["columns"]:
                assert set(column) <= TABLE_COLUMN_KEYS, (widget["name"], column)
        elif spec["widgetType"] == "bar":
            assert set(spec["encodings"]) <= CHART_ENCODING_KEYS, widget["name"]


def test_every_bar_shows_its_values():
    for _, widget in canvas_widgets(load_dashboard()):
        if widget["spec"]["widgetType"] == "bar":
            assert widget["spec"]["encodings"]["label"] == {"show": True}, widget["name"]


def test_large_dimensions_are_sorted_tables_and_products_are_ids_with_names():
    for _, widget in canvas_widgets(load_dashboard()):
        fields = expressions(widget)
        if fields & LARGE:
            assert widget["spec"]["widgetType"] == "table", widget["name"]
            (query,) = widget["queries"]
            assert query["query"]["orders"][0]["direction"] == "DESC", widget["name"]
        if "`product_name`" in fields:
            assert "`product_id`" in fields, f"{widget['name']} groups products by name"


def test_rates_are_ranked_over_enough_orders_and_carry_their_counts():
    ranked = f"CASE WHEN COUNT(`*`) >= {MIN_ORDERS_FOR_RATE} THEN AVG(`cancelled_orders`) END"
    rate_charts = 0
    for _, widget in canvas_widgets(load_dashboard()):
        spec = widget["spec"]
        fields = expressions(widget)
        if spec["widgetType"] == "bar" and (RATE in fields or ranked in fields):
            rate_charts += 1
            assert ranked in fields and RATE not in fields, widget["name"]
            extra = {encoding["fieldName"] for encoding in spec["encodings"]["extra"]}
            assert extra == {"count(*)", "sum(cancelled_orders)"}, widget["name"]
            assert str(MIN_ORDERS_FOR_RATE) in spec["frame"]["description"]
        if spec["widgetType"] == "table" and RATE in fields:
            assert {"COUNT(`*`)", "SUM(`cancelled_orders`)"} <= fields, widget["name"]
    assert rate_charts >= 3


def test_dashboard_shows_the_requested_views():
    pages: dict[str, set[tuple[str, frozenset[str]]]] = {}
    for page, widget in canvas_widgets(load_dashboard()):
        pages.setdefault(page, set()).add(
            (widget["spec"]["widgetType"], frozenset(expressions(widget)))
        )

    def has(page: str, widget_type: str, *wanted: str) -> bool:
        return any(kind == widget_type and set(wanted) <= fields for kind, fields in pages[page])

    revenue, lost = "SUM(`revenue`)", "SUM(`lost_revenue`)"
    cancelled, orders = "SUM(`cancelled_orders`)", "COUNT(`*`)"
    counts = (cancelled, orders, RATE, lost)  # count, rate (with its orders), lost revenue
    assert {"revenue", "cancellations", "customers"} <= set(pages)
    assert has("revenue", "counter", revenue) and has("revenue", "counter", orders)
    assert has("revenue", "line", "`order_date`", revenue)
    for dimension in ("category_name", "brand_name", "country", "payment_method", "gender"):
        assert has("revenue", "bar", f"`{dimension}`", revenue), dimension
    assert has("revenue", "table", "`product_id`", "`product_name`", revenue)
    assert has("cancellations", "counter", RATE) and has("cancellations", "counter", lost)
    assert has("cancellations", "line", "`order_date`", lost)
    # the seed's cancellation analytics, in full
    assert has("cancellations", "table", "`product_id`", "`product_name`", *counts)
    assert has("cancellations", "table", "`brand_name`", "`category_name`", *counts)
    assert has("cancellations", "table", "`customer_id`", "`country`", *counts)
    assert has("cancellations", "table", "`payment_method`", *counts)
    assert has("customers", "counter", "COUNT(DISTINCT `customer_id`)")
    assert has("customers", "bar", "`country`", "COUNT(DISTINCT `customer_id`)")
    assert has("customers", "table", "`customer_id`", "`country`", revenue)


def test_a_page_that_promises_cancellations_shows_them():
    dashboard = load_dashboard()
    for page in dashboard["pages"]:
        if page["pageType"] != "PAGE_TYPE_CANVAS":
            continue
        text = " ".join(
            " ".join(item["widget"]["multilineTextboxSpec"]["lines"])
            for item in page["layout"]
            if "multilineTextboxSpec" in item["widget"]
        )
        if "cancel" in text.lower():
            shown = set().union(
                *(expressions(w) for p, w in canvas_widgets(dashboard) if p == page["name"])
            )
            assert any("cancelled_orders" in expression for expression in shown), page["name"]


def test_the_dataset_is_generated_from_the_kpi_definitions():
    """The dataset's query is the one the KPI definitions give (kpi_definitions: per order, each
    simple metric's measure expression): `python -m orchestration.kpi_definitions` writes it."""
    (dataset,) = load_dashboard()["datasets"]
    assert dataset["queryLines"] == kpi_definitions.lakeview_query_lines()


def kpi_expressions() -> dict[str, str]:
    """Every aggregation a widget may show a KPI with, and the metric it gives: a simple metric's
    SUM (COUNT(*) for one that counts orders); a ratio metric's SUM / SUM, or the AVG of its
    numerator when its denominator counts orders (ranked only over enough orders)."""
    counts_orders = {
        metric["name"]
        for metric in kpi_definitions.METRICS
        if metric["type"] == "simple" and kpi_definitions.measure_of(metric["name"])["expr"] == "1"
    }
    allowed = {}
    for metric in kpi_definitions.METRICS:
        name = metric["name"]
        if metric["type"] == "simple":
            allowed[f"SUM(`{name}`)"] = name
            if name in counts_orders:
                allowed["COUNT(`*`)"] = name
        else:
            numerator = metric["type_params"]["numerator"]
            denominator = metric["type_params"]["denominator"]
            allowed[f"SUM(`{numerator}`) / SUM(`{denominator}`)"] = name
            if denominator in counts_orders:
                allowed[f"AVG(`{numerator}`)"] = name
                at_least = f"COUNT(`*`) >= {MIN_ORDERS_FOR_RATE}"
                allowed[f"CASE WHEN {at_least} THEN AVG(`{numerator}`) END"] = name
    return allowed


def test_every_kpi_a_widget_shows_follows_its_definition():
    """A widget aggregates the dataset's KPI columns only as the definitions say (no formula of
    its own): every expression that reads a KPI column, or counts rows, is a metric's."""
    kpi_columns = {
        metric["name"] for metric in kpi_definitions.METRICS if metric["type"] == "simple"
    }
    allowed = kpi_expressions()
    shown = set()
    for _, widget in canvas_widgets(load_dashboard()):
        for expression in expressions(widget):
            read = set(re.findall(r"`(\w+|\*)`", expression))
            if read & (kpi_columns | {"*"}) and "DISTINCT" not in expression:
                assert expression in allowed, (widget["name"], expression)
                shown.add(allowed[expression])
    assert {"revenue", "lost_revenue", "cancelled_orders", "cancellation_rate"} <= shown
