"""Dimension pools: brands, categories, products and customers, built with Faker.

`World.evolve(batch_number, batch_date)` grows and updates the pools for one batch and returns
the dimension rows that batch emits. All randomness comes from (seed, batch number), so the pools
of batch n are rebuilt by replaying batches 0..n, without reading any earlier file. The pools are
small (thousands of rows); only orders are big, and core.py generates those vectorised.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal

import numpy as np
from faker import Faker

from lambda_generator.contract import Brand, Category, Customer, Product

# (country, Faker locale, relative weight): a skewed mix, the US and Western Europe lead.
COUNTRIES: tuple[tuple[str, str, float], ...] = (
    ("United States", "en_US", 24.0),
    ("United Kingdom", "en_GB", 11.0),
    ("Germany", "de_DE", 10.0),
    ("France", "fr_FR", 7.0),
    ("Canada", "en_CA", 5.0),
    ("Spain", "es_ES", 5.0),
    ("Italy", "it_IT", 5.0),
    ("Netherlands", "nl_NL", 4.0),
    ("Australia", "en_AU", 3.5),
    ("Poland", "pl_PL", 3.0),
    ("Brazil", "pt_BR", 3.0),
    ("India", "en_IN", 3.0),
    ("Mexico", "es_MX", 2.5),
    ("Japan", "ja_JP", 2.5),
    ("Sweden", "sv_SE", 2.0),
    ("Belgium", "nl_BE", 1.5),
    ("Austria", "de_AT", 1.5),
    ("Switzerland", "de_CH", 1.5),
    ("Ireland", "en_IE", 1.0),
    ("Denmark", "da_DK", 1.0),
    ("Norway", "no_NO", 1.0),
    ("Portugal", "pt_PT", 1.0),
    ("Czechia", "cs_CZ", 0.8),
    ("Turkey", "tr_TR", 0.7),
)
GENDERS: tuple[tuple[str, float], ...] = (
    ("Female", 0.48),
    ("Male", 0.46),
    ("Non-binary", 0.03),
    ("Unknown", 0.03),
)
# (category, median price, log-normal sigma of the price, product nouns)
CATEGORIES: tuple[tuple[str, float, float, tuple[str, ...]], ...] = (
    ("Electronics", 120.0, 1.0, ("Wireless Earbuds", '27" 4K Monitor', "USB-C Charger", "Tablet")),
    ("Computers", 350.0, 0.9, ("Laptop", '15.6" Laptop Sleeve', "Mechanical Keyboard", "Mouse")),
    ("Home & Kitchen", 45.0, 0.9, ("Chef's Knife", "Espresso Machine", "Cookware Set", "Kettle")),
    ("Clothing, Shoes & Jewelry", 40.0, 0.8, ("Running Shoes", "Denim Jacket", "T-Shirt", "Watch")),
    ("Books", 15.0, 0.5, ("Cookbook", "Thriller Novel", "Travel Guide", "Children's Book")),
    ("Toys, Kids & Baby", 25.0, 0.8, ("Building Blocks", "Plush Bear", "Stroller", "Puzzle")),
    ("Sports & Outdoors", 50.0, 1.0, ("Yoga Mat", "Tent", "Water Bottle", "Bike Helmet")),
    ("Beauty & Personal Care", 20.0, 0.7, ("Face Cream", "Shampoo", "Perfume", "Hair Dryer")),
    ("Grocery & Gourmet Food", 9.0, 0.6, ("Coffee Beans", "Olive Oil", "Green Tea", "Chocolate")),
    ("Pet Supplies", 22.0, 0.8, ("Dog Food", "Cat Tree", "Leash", "Aquarium Filter")),
    ("Office Products", 18.0, 0.8, ("Notebook", "Desk Lamp", "Fountain Pen", "Label Printer")),
    ("Garden & Patio", 60.0, 1.0, ("Garden Hose", "Lawn Mower", "Planter", "Patio Chair")),
    ("Automotive", 35.0, 1.0, ("Dash Cam", "Car Wax", "Tire Inflator", "Seat Cover")),
    ("Tools & Home Improvement", 55.0, 1.0, ("Cordless Drill", "Tool Set", "Smart Bulb", "Saw")),
    ("Music & Movies", 17.0, 0.6, ("Vinyl Record", "Blu-ray Box Set", "Guitar Strings", "Ukulele")),
)
ADJECTIVES = (
    "Classic",
    "Premium",
    "Compact",
    "Ultra",
    "Eco",
    "Pro",
    "Smart",
    "Deluxe",
    "Essential",
    "Vintage",
    "Travel",
    "Max",
)
# Psychological price endings (cents) and their shares: 19.99, 24.95, 9.49, 100.00.
PRICE_ENDINGS: tuple[tuple[int, float], ...] = ((99, 0.55), (95, 0.15), (49, 0.10), (0, 0.20))


@dataclasses.dataclass(frozen=True)
class PoolKnobs:
    """How the dimension pools start and evolve (the realism knobs of the dimensions)."""

    initial_brands: int = 40
    initial_products: int = 600
    initial_customers: int = 3000
    new_customers_per_batch: float = 50.0  # Poisson mean
    new_products_per_batch: float = 4.0  # Poisson mean
    new_brand_probability: float = 0.05
    price_change_share: float = 0.02  # of the products, per batch
    address_change_share: float = 0.004  # of the customers, per batch
    move_abroad_share: float = 0.1  # of the address changes
    popularity_exponent: float = 1.1  # product weight = rank ** -exponent (Zipf)
    activity_sigma: float = 1.2  # customer weight ~ log-normal: repeat customers
    signup_history_days: int = 3 * 365  # initial customers signed up this far back


class Stream:
    """Independent random streams per batch: rng_for(seed, batch, Stream.X)."""

    POOLS = 1
    ORDERS = 2
    CANCELLATIONS = 3
    REDELIVERIES = 4
    FAKER = 5


def rng_for(seed: int, batch_number: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, batch_number, stream])


def weights(pairs: tuple) -> np.ndarray:
    """Normalised weights from numbers or from tuples whose last item is the weight."""
    values = np.array([p[-1] if isinstance(p, tuple) else p for p in pairs], dtype=np.float64)
    return values / values.sum()


def psychological_prices(raw: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Prices in cents with psychological endings (.99, .95, .49, round .00)."""
    endings = np.array([e for e, _ in PRICE_ENDINGS], dtype=np.int64)
    ending = endings[rng.choice(len(endings), size=len(raw), p=weights(PRICE_ENDINGS))]
    whole = np.maximum(np.floor(raw), 1).astype(np.int64)
    round_five = (ending == 0) & (whole >= 20)
    whole = np.where(round_five, np.maximum(np.round(whole / 5) * 5, 5), whole).astype(np.int64)
    return whole * 100 + ending


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


@functools.cache
def _faker(locale: str) -> Faker:
    """A Faker per locale whose word lists have a fixed order.

    Some providers build lists from sets (it_IT cities), whose order changes with Python's hash
    seed; sorted copies make the output depend on the seed alone.
    """
    fake = Faker(locale)
    for provider in fake.providers:
        for name in dir(type(provider)):
            value = getattr(type(provider), name, None)
            if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                setattr(provider, name, sorted(value))
    return fake


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


class World:
    """The dimension pools at the current batch; `evolve` advances them one batch."""

    def __init__(self, seed: int, knobs: PoolKnobs | None = None) -> None:
        self.seed = seed
        self.knobs = knobs or PoolKnobs()
        self.batch_number = -1
        self.brands: list[Brand] = []
        self.categories: list[Category] = []
        self.products: list[Product] = []
        self.product_weights = np.empty(0)
        self.product_cents = np.empty(0, dtype=np.int64)
        self.customers: list[Customer] = []
        self.customer_weights = np.empty(0)
        self._seeded: set[str] = set()

    def evolve(self, batch_number: int, batch_date: dt.date) -> dict[str, list]:
        """Advance to `batch_number`; return its dimension rows (new and updated) per entity."""
        if batch_number != self.batch_number + 1:
            raise ValueError(f"evolve({batch_number}) after batch {self.batch_number}")
        self.batch_number = batch_number
        self._seeded = set()
        at = dt.datetime.combine(batch_date, dt.time(), tzinfo=dt.UTC)
        rng = rng_for(self.seed, batch_number, Stream.POOLS)
        knobs = self.knobs
        rows: dict[str, list] = {"brands": [], "categories": [], "products": [], "customers": []}
        if batch_number == 0:
            rows["categories"] = self.categories = [
                Category(i + 1, name, at) for i, (name, *_rest) in enumerate(CATEGORIES)
            ]
            rows["brands"] = self._new_brands(knobs.initial_brands, at)
            rows["products"] = self._new_products(knobs.initial_products, rng, at)
            rows["customers"] = self._new_customers(knobs.initial_customers, rng, at)
            return rows
        if rng.random() < knobs.new_brand_probability:
            rows["brands"] = self._new_brands(1, at)
        rows["products"] = self._price_changes(rng, at)
        new_products = int(rng.poisson(knobs.new_products_per_batch))
        rows["products"] += self._new_products(new_products, rng, at)
        rows["customers"] = self._address_changes(rng, at)
        new_customers = int(rng.poisson(knobs.new_customers_per_batch))
        rows["customers"] += self._new_customers(new_customers, rng, at)
        return rows

    def _fake(self, locale: str) -> Faker:
        fake = _faker(locale)
        if locale not in self._seeded:  # reseed once per batch: replayable per (seed, batch)
            words = [self.seed, self.batch_number, Stream.FAKER, *locale.encode()]
            fake.seed_instance(int(np.random.SeedSequence(words).generate_state(1)[0]))
            self._seeded.add(locale)
        return fake

    def _new_brands(self, count: int, at: dt.datetime) -> list[Brand]:
        fake = self._fake("en_US")
        taken = {b.brand_name for b in self.brands}
        new: list[Brand] = []
        while len(new) < count:
            name = fake.company()
            if name not in taken:
                taken.add(name)
                new.append(Brand(len(self.brands) + len(new) + 1, name, at))
        self.brands += new
        return new

    def _new_products(self, count: int, rng: np.random.Generator, at: dt.datetime) -> list[Product]:
        if count == 0:
            return []
        knobs = self.knobs
        first_id = len(self.products) + 1
        brand_index = rng.integers(0, len(self.brands), size=count)
        category_index = rng.integers(0, len(CATEGORIES), size=count)
        medians = np.array([CATEGORIES[c][1] for c in category_index])
        sigmas = np.array([CATEGORIES[c][2] for c in category_index])
        cents = psychological_prices(rng.lognormal(np.log(medians), sigmas), rng)
        if self.batch_number == 0:  # Zipf ranks: a few best sellers, a long tail
            ranks = rng.permutation(count) + 1
        else:  # a newcomer lands anywhere in the ranking
            ranks = rng.integers(1, len(self.products) + 1, size=count)
        adjectives = rng.integers(0, len(ADJECTIVES), size=count)
        nouns = rng.integers(0, 4, size=count)
        new = []
        for i in range(count):
            brand = self.brands[brand_index[i]]
            category = CATEGORIES[category_index[i]]
            name = f"{brand.brand_name} {ADJECTIVES[adjectives[i]]} {category[3][nouns[i]]}"
            new.append(
                Product(
                    product_id=first_id + i,
                    product_name=name,
                    brand_id=brand.brand_id,
                    category_id=int(category_index[i]) + 1,
                    unit_price=cents_to_decimal(cents[i]),
                    updated_at=at,
                )
            )
        self.products += new
        weight = ranks.astype(np.float64) ** -knobs.popularity_exponent
        self.product_weights = np.concatenate([self.product_weights, weight])
        self.product_cents = np.concatenate([self.product_cents, cents])
        return new

    def _price_changes(self, rng: np.random.Generator, at: dt.datetime) -> list[Product]:
        count = int(rng.binomial(len(self.products), self.knobs.price_change_share))
        chosen = np.sort(rng.choice(len(self.products), size=count, replace=False))
        factors = rng.uniform(0.8, 1.25, size=count)
        cents = psychological_prices(self.product_cents[chosen] / 100 * factors, rng)
        changed = []
        for index, price in zip(chosen, cents, strict=True):
            product = dataclasses.replace(
                self.products[index], unit_price=cents_to_decimal(price), updated_at=at
            )
            self.products[index] = product
            self.product_cents[index] = price
            changed.append(product)
        return changed

    def _new_customers(
        self, count: int, rng: np.random.Generator, at: dt.datetime
    ) -> list[Customer]:
        knobs = self.knobs
        first_id = len(self.customers) + 1
        countries = rng.choice(len(COUNTRIES), size=count, p=weights(COUNTRIES))
        genders = rng.choice(len(GENDERS), size=count, p=weights(GENDERS))
        if self.batch_number == 0:
            days_ago = rng.integers(0, knobs.signup_history_days, size=count)
        else:
            days_ago = np.zeros(count, dtype=np.int64)
        new = []
        for i in range(count):
            country, locale, _ = COUNTRIES[countries[i]]
            gender = GENDERS[genders[i]][0]
            fake = self._fake(locale)
            if gender == "Female":
                first = fake.first_name_female()
            elif gender == "Male":
                first = fake.first_name_male()
            else:
                first = fake.first_name()
            last = fake.last_name()
            local = ".".join(w for w in (_ascii_word(first), _ascii_word(last)) if w) or "customer"
            customer_id = first_id + i
            new.append(
                Customer(
                    customer_id=customer_id,
                    first_name=first,
                    last_name=last,
                    email=f"{local}.{customer_id}@{fake.free_email_domain()}",
                    gender=gender,
                    country=country,
                    city=fake.city(),
                    signup_date=at.date() - dt.timedelta(days=int(days_ago[i])),
                    updated_at=at,
                )
            )
        self.customers += new
        activity = rng.lognormal(0.0, knobs.activity_sigma, size=count)
        self.customer_weights = np.concatenate([self.customer_weights, activity])
        return new

    def _address_changes(self, rng: np.random.Generator, at: dt.datetime) -> list[Customer]:
        count = int(rng.binomial(len(self.customers), self.knobs.address_change_share))
        chosen = np.sort(rng.choice(len(self.customers), size=count, replace=False))
        abroad = rng.random(count) < self.knobs.move_abroad_share
        destinations = rng.choice(len(COUNTRIES), size=count, p=weights(COUNTRIES))
        locales = {country: locale for country, locale, _ in COUNTRIES}
        changed = []
        for index, moves, destination in zip(chosen, abroad, destinations, strict=True):
            customer = self.customers[index]
            country = COUNTRIES[destination][0] if moves else customer.country
            city = self._fake(locales[country]).city()
            customer = dataclasses.replace(customer, country=country, city=city, updated_at=at)
            self.customers[index] = customer
            changed.append(customer)
        return changed
