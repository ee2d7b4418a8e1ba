"""The oracle itself, on a hand-made raw zone whose KPIs are worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from e2e.reference_kpis import expected_kpis

FILES = {
    "brands/ingest_date=2026-01-01/brands_1.csv": (
        "brand_id,brand_name,updated_at\n1,Acme,2026-01-01T00:00:00Z\n"
    ),
    "brands/ingest_date=2026-01-02/brands_2.csv": (
        "brand_id,brand_name,updated_at\n1,Acme Renamed,2026-01-02T00:00:00Z\n"
    ),
    # the same updated_at again: the earlier delivery stays current
    "brands/ingest_date=2026-01-03/brands_3.csv": (
        "brand_id,brand_name,updated_at\n1,Acme Tie,2026-01-02T00:00:00Z\n"
    ),
    "categories/ingest_date=2026-01-01/categories_1.csv": (
        "category_id,category_name,updated_at\n5,Toys,2026-01-01T00:00:00Z\n"
    ),
    "products/ingest_date=2026-01-01/products_1.csv": (
        "product_id,product_name,brand_id,category_id,unit_price,updated_at\n"
        "10,Ball,1,5,2.50,2026-01-01T00:00:00Z\n"
    ),
    "products/ingest_date=2026-01-02/products_2.csv": (
        "product_id,product_name,brand_id,category_id,unit_price,updated_at\n"
        '10,"Ball, red",1,5,3.00,2026-01-02T00:00:00Z\n'
    ),
    "customers/ingest_date=2026-01-01/customers_1.csv": (
        "customer_id,first_name,last_name,email,gender,country,city,signup_date,updated_at\n"
        "7,Ada,L,a@x.org,Female,DE,Berlin,2025-12-01,2026-01-01T00:00:00Z\n"
    ),
    "orders/ingest_date=2026-01-01/orders_1.csv": (
        "order_id,customer_id,product_id,quantity,unit_price,payment_method,status,ordered_at,"
        "updated_at\n"
        "100,7,10,2,2.50,Credit Card,Placed,2026-01-01T23:30:00Z,2026-01-01T23:30:00Z\n"
        "101,7,10,1,2.50,PayPal,Placed,2026-01-01T10:00:00Z,2026-01-01T10:00:00Z\n"
        # delivered twice (at least once): counted once
        "101,7,10,1,2.50,PayPal,Placed,2026-01-01T10:00:00Z,2026-01-01T10:00:00Z\n"
        "103,7,10,1,4.00,Cash on Delivery,Placed,2026-01-01T12:00:00Z,2026-01-01T12:00:00Z\n"
    ),
    "orders/ingest_date=2026-01-02/orders_2.csv": (
        "order_id,customer_id,product_id,quantity,unit_price,payment_method,status,ordered_at,"
        "updated_at\n"
        # order 101 cancelled later; an older correction of order 100 arriving late is ignored
        "101,7,10,1,2.50,PayPal,Cancelled,2026-01-01T10:00:00Z,2026-01-02T08:00:00Z\n"
        "100,7,10,9,2.50,Credit Card,Cancelled,2026-01-01T23:30:00Z,2026-01-01T23:00:00Z\n"
        "102,7,10,3,3.00,Credit Card,Placed,2026-01-02T00:15:00Z,2026-01-02T00:15:00Z\n"
        # the same updated_at as its Placed version: Cancelled wins the tie
        "103,7,10,1,4.00,Cash on Delivery,Cancelled,2026-01-01T12:00:00Z,2026-01-01T12:00:00Z\n"
    ),
}


def test_current_versions_and_kpis_by_hand(tmp_path: Path) -> None:
    for relative, text in FILES.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    expected = expected_kpis(tmp_path)

    # orders 100 (2 x 2.50 placed), 101 (cancelled: 2.50 lost), 102 (3 x 3.00 placed),
    # 103 (cancelled: 4.00 lost)
    overall = {
        "total_orders": 4,
        "placed_orders": 2,
        "cancelled_orders": 2,
        "units_sold": 5,
        "revenue": Decimal("14.00"),
        "lost_revenue": Decimal("6.50"),
        "cancellation_rate": 0.5,
    }
    assert expected["kpis_overall"] == [overall]
    assert expected["kpis_by_product"] == [
        {"product_id": 10, "product_name": "Ball, red", "brand_name": "Acme Renamed"}
        | {"category_name": "Toys"}
        | overall
    ]
    assert expected["kpis_by_customer"] == [
        {"customer_id": 7, "country": "DE", "gender": "Female"} | overall
    ]
    assert [row["payment_method"] for row in expected["kpis_by_payment_method"]] == [
        "Cash on Delivery",
        "Credit Card",
        "PayPal",
    ]
    _, card, paypal = expected["kpis_by_payment_method"]
    assert (card["placed_orders"], card["revenue"], card["cancellation_rate"]) == (
        2,
        Decimal("14.00"),
        0.0,
    )
    assert (paypal["cancelled_orders"], paypal["lost_revenue"], paypal["cancellation_rate"]) == (
        1,
        Decimal("2.50"),
        1.0,
    )
    assert [(row["order_date"], row["total_orders"]) for row in expected["kpis_daily"]] == [
        (dt.date(2026, 1, 1), 3),
        (dt.date(2026, 1, 2), 1),
    ]


def test_no_orders_gives_one_overall_row_of_zeros(tmp_path: Path) -> None:
    expected = expected_kpis(tmp_path)
    assert expected["kpis_overall"] == [
        {
            "total_orders": 0,
            "placed_orders": 0,
            "cancelled_orders": 0,
            "units_sold": 0,
            "revenue": Decimal("0.00"),
            "lost_revenue": Decimal("0.00"),
            "cancellation_rate": 0.0,
        }
    ]
    assert expected["kpis_by_product"] == []


LATE_MEMBER_FILES = {
    "brands/ingest_date=2026-01-01/brands_1.csv": (
        "brand_id,brand_name,updated_at\n1,Acme,2026-01-01T00:00:00Z\n"
    ),
    "categories/ingest_date=2026-01-01/categories_1.csv": (
        "category_id,category_name,updated_at\n5,Toys,2026-01-01T00:00:00Z\n"
    ),
    # product 12's brand 3 and category 6 were never delivered
    "products/ingest_date=2026-01-01/products_1.csv": (
        "product_id,product_name,brand_id,category_id,unit_price,updated_at\n"
        "10,Ball,1,5,2.50,2026-01-01T00:00:00Z\n"
        "12,Kite,3,6,4.00,2026-01-01T00:00:00Z\n"
    ),
    "customers/ingest_date=2026-01-01/customers_1.csv": (
        "customer_id,first_name,last_name,email,gender,country,city,signup_date,updated_at\n"
        "7,Ada,L,a@x.org,Female,DE,Berlin,2025-12-01,2026-01-01T00:00:00Z\n"
    ),
    # customer 8 and product 11 were never delivered
    "orders/ingest_date=2026-01-01/orders_1.csv": (
        "order_id,customer_id,product_id,quantity,unit_price,payment_method,status,ordered_at,"
        "updated_at\n"
        "100,7,10,1,2.50,PayPal,Placed,2026-01-01T10:00:00Z,2026-01-01T10:00:00Z\n"
        "101,8,11,2,3.00,PayPal,Placed,2026-01-01T11:00:00Z,2026-01-01T11:00:00Z\n"
        "102,7,12,1,4.00,PayPal,Placed,2026-01-01T12:00:00Z,2026-01-01T12:00:00Z\n"
    ),
}


def test_late_members_count_under_inferred_members(tmp_path: Path) -> None:
    """An order of an undelivered customer or product, a product of an undelivered brand or
    category: counted under the inferred member silver makes up for it."""
    for relative, text in LATE_MEMBER_FILES.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    expected = expected_kpis(tmp_path)

    def names(relation: str, *columns: str) -> list[tuple[object, ...]]:
        return [tuple(row[column] for column in columns) for row in expected[relation]]

    product_columns = ("product_id", "product_name", "brand_name", "category_name")
    assert names("kpis_by_product", *product_columns) == [
        (10, "Ball", "Acme", "Toys"),
        (11, "Unknown product 11", "Unknown brand", "Unknown category"),
        (12, "Kite", "Unknown brand 3", "Unknown category 6"),
    ]
    assert names("kpis_by_brand", "brand_id", "brand_name", "revenue") == [
        (-1, "Unknown brand", Decimal("6.00")),
        (1, "Acme", Decimal("2.50")),
        (3, "Unknown brand 3", Decimal("4.00")),
    ]
    assert names("kpis_by_category", "category_id", "category_name") == [
        (-1, "Unknown category"),
        (5, "Toys"),
        (6, "Unknown category 6"),
    ]
    assert names("kpis_by_customer", "customer_id", "country", "gender", "total_orders") == [
        (7, "DE", "Female", 2),
        (8, "Unknown", "Unknown", 1),
    ]
    assert expected["kpis_overall"][0]["revenue"] == Decimal("12.50")
