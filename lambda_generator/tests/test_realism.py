"""The realism claims, measured on a generated sample with tolerances uniform data would fail."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

from lambda_generator.core import generate_batches, season_factor
from lambda_generator.tests.helpers import SAMPLE_BATCHES, parsed, read_entity


def first_versions(rows: list, key: str) -> list:
    seen, first = set(), []
    for row in rows:
        if getattr(row, key) not in seen:
            seen.add(getattr(row, key))
            first.append(row)
    return first


def current_versions(rows: list, key: str) -> dict:
    current = {}
    for row in rows:
        previous = current.get(getattr(row, key))
        if previous is None or row.updated_at > previous.updated_at:
            current[getattr(row, key)] = row
    return current


def top_share(counts: collections.Counter, fraction: float, population: int) -> float:
    top = sorted(counts.values(), reverse=True)[: max(1, int(population * fraction))]
    return sum(top) / sum(counts.values())


def test_product_popularity_has_a_heavy_head(sample_rows: dict[str, list]) -> None:
    orders = first_versions(sample_rows["orders"], "order_id")
    products = {p.product_id for p in sample_rows["products"]}
    per_product = collections.Counter(o.product_id for o in orders)
    # uniform choice would give the top 10% of products ~12% of the order lines
    assert top_share(per_product, 0.10, len(products)) > 0.45
    assert per_product.most_common(1)[0][1] > 20 * len(orders) / len(products)


def test_repeat_customers(sample_rows: dict[str, list]) -> None:
    orders = first_versions(sample_rows["orders"], "order_id")
    customers = {c.customer_id for c in sample_rows["customers"]}
    per_customer = collections.Counter(o.customer_id for o in orders)
    # uniform: the top 10% of customers would place ~15% of the orders
    assert top_share(per_customer, 0.10, len(customers)) > 0.35
    assert sum(1 for n in per_customer.values() if n >= 10) > 0.1 * len(per_customer)


def test_countries_are_many_and_skewed(sample_rows: dict[str, list]) -> None:
    customers = current_versions(sample_rows["customers"], "customer_id").values()
    per_country = collections.Counter(c.country for c in customers)
    assert len(per_country) >= 20
    shares = sorted((n / len(customers) for n in per_country.values()), reverse=True)
    assert 0.15 < shares[0] < 0.40  # uniform over 24 countries: ~4%
    assert sum(shares[len(shares) // 2 :]) < 0.25  # uniform: 50%


def test_genders_include_non_binary_and_unknown(sample_rows: dict[str, list]) -> None:
    per_gender = collections.Counter(c.gender for c in sample_rows["customers"])
    assert set(per_gender) == {"Female", "Male", "Non-binary", "Unknown"}
    total = sum(per_gender.values())
    assert 0.02 < (per_gender["Non-binary"] + per_gender["Unknown"]) / total < 0.15
    assert per_gender["Female"] / total > 0.35 and per_gender["Male"] / total > 0.35


def test_payment_methods_cancel_at_different_rates(sample_rows: dict[str, list]) -> None:
    current = current_versions(sample_rows["orders"], "order_id").values()
    settled_before = dt.date(2026, 1, 1) + dt.timedelta(days=SAMPLE_BATCHES - 3)
    settled = [o for o in current if o.ordered_at.date() < settled_before]  # all delays elapsed
    totals = collections.Counter(o.payment_method for o in settled)
    cancelled = collections.Counter(o.payment_method for o in settled if o.status == "Cancelled")
    assert len(totals) >= 5
    rate = {method: cancelled[method] / totals[method] for method in totals}
    assert rate["Cash on Delivery"] > 3 * rate["Credit Card"]
    assert rate["Credit Card"] < 0.06 and rate["Cash on Delivery"] > 0.15
    assert max(totals.values()) / sum(totals.values()) > 0.25  # a skewed mix


def test_quantities_mostly_small_with_a_long_tail(sample_rows: dict[str, list]) -> None:
    quantities = collections.Counter(
        o.quantity for o in first_versions(sample_rows["orders"], "order_id")
    )
    total = sum(quantities.values())
    assert (quantities[1] + quantities[2] + quantities[3]) / total > 0.85
    assert quantities[1] > quantities[2] > quantities[3]
    assert max(quantities) >= 8 and sum(n for q, n in quantities.items() if q > 3) / total > 0.02


def test_prices_have_psychological_endings(sample_rows: dict[str, list]) -> None:
    cents = [int(p.unit_price * 100) % 100 for p in sample_rows["products"]]
    assert sum(c in (99, 95, 49, 0) for c in cents) / len(cents) > 0.95
    assert collections.Counter(cents).most_common(1)[0][0] == 99
    prices = sorted(p.unit_price for p in sample_rows["products"])
    assert prices[0] >= 1 and prices[-1] > 20 * prices[len(prices) // 2] / 10


def test_weekly_and_intraday_seasonality(sample: Path) -> None:
    orders = parsed(sample, "orders")
    new_orders = collections.Counter(
        o.ordered_at.date() for o in first_versions(orders, "order_id")
    )
    weekend = [n for day, n in new_orders.items() if day.weekday() >= 5]
    weekday = [n for day, n in new_orders.items() if day.weekday() < 5]
    assert len(weekend) >= 2 and len(weekday) >= 5
    assert (sum(weekend) / len(weekend)) / (sum(weekday) / len(weekday)) > 1.15
    hours = collections.Counter(o.ordered_at.hour for o in orders)
    assert sum(hours[h] for h in range(18, 22)) > 3 * sum(hours[h] for h in range(2, 6))


def test_yearly_seasonality_and_black_friday(tmp_path: Path) -> None:
    december = generate_batches(
        str(tmp_path / "dec"),
        seed=1,
        batches=1,
        orders_per_batch=2000,
        start_date=dt.date(2026, 12, 14),
    )
    june = generate_batches(
        str(tmp_path / "jun"),
        seed=1,
        batches=1,
        orders_per_batch=2000,
        start_date=dt.date(2026, 6, 15),
    )  # both Mondays
    assert december[0].new_orders > 1.4 * june[0].new_orders
    assert season_factor(dt.date(2026, 11, 27)) > 1.5 * season_factor(dt.date(2026, 11, 20))


def test_later_batches_carry_updates_and_repeated_rows(sample: Path) -> None:
    orders = read_entity(sample, "orders")
    status_by_order = collections.defaultdict(list)
    for row in orders:
        status_by_order[row["order_id"]].append((row["_file"], row["status"]))
    later_cancellations = [
        o
        for o, seen in status_by_order.items()
        if ("Placed" in {s for _, s in seen})
        and any(s == "Cancelled" and f > min(f for f, _ in seen) for f, s in seen)
    ]
    assert len(later_cancellations) > 100
    rows = collections.Counter(tuple(r.values())[:-1] for r in orders)
    repeated = sum(n - 1 for n in rows.values())
    assert 0.001 < repeated / len(orders) < 0.01
    for entity, key, changed in (
        ("products", "product_id", ("unit_price",)),
        ("customers", "customer_id", ("city", "country")),
    ):
        versions = collections.defaultdict(set)
        for row in read_entity(sample, entity):
            versions[row[key]].add(tuple(row[c] for c in changed))
        assert sum(len(v) > 1 for v in versions.values()) > 20, entity
