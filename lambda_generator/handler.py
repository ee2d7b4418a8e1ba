"""AWS Lambda entry point: one batch per invocation, written to the raw zone.

The event may set raw_root, seed, orders_per_batch and start_date; otherwise the environment
variables RAW_ROOT (required), SEED (42) and ORDERS_PER_BATCH (5000) apply. An EventBridge
scheduled event also carries `time`: its date starts a new series (ignored when continuing).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from lambda_generator.core import DEFAULT_ORDERS_PER_BATCH, generate_batches, series_state
from lambda_generator.storage import GeneratorInputError

PARAMETERS = {"raw_root", "seed", "orders_per_batch", "start_date"}
EVENTBRIDGE_FIELDS = {"version", "id", "detail-type", "source", "account", "time", "region"}
EVENTBRIDGE_FIELDS |= {"resources", "detail"}


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise GeneratorInputError(f"{name} must be an integer, got {value!r}")
    try:
        return int(value)
    except ValueError as error:
        raise GeneratorInputError(f"{name} must be an integer, got {value!r}") from error


def _date(name: str, value: Any) -> dt.date:
    try:
        text = str(value)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError as error:
        raise GeneratorInputError(f"{name} must be an ISO 8601 date, got {value!r}") from error


def lambda_handler(event: dict[str, Any] | None, context: object = None) -> dict[str, Any]:
    event = event or {}
    if not isinstance(event, dict):
        raise GeneratorInputError(f"the event must be a JSON object, got {type(event).__name__}")
    unknown = sorted(set(event) - PARAMETERS - EVENTBRIDGE_FIELDS)
    if unknown:
        raise GeneratorInputError(
            f"unknown event field(s) {unknown}; allowed: {sorted(PARAMETERS)} "
            "and the EventBridge envelope"
        )
    raw_root = event.get("raw_root") or os.environ.get("RAW_ROOT")
    if not raw_root:
        raise GeneratorInputError("no raw root: set RAW_ROOT or the event's raw_root")
    seed = _integer("seed", event.get("seed", os.environ.get("SEED", 42)))
    orders = event.get("orders_per_batch", os.environ.get("ORDERS_PER_BATCH"))
    orders = DEFAULT_ORDERS_PER_BATCH if orders is None else _integer("orders_per_batch", orders)
    start_date = _date("start_date", event["start_date"]) if "start_date" in event else None
    if start_date is None and "time" in event:
        event_date = _date("time", event["time"])
        if series_state(raw_root) is None:  # the schedule's first run starts the series
            start_date = event_date
    [summary] = generate_batches(
        raw_root, seed=seed, batches=1, orders_per_batch=orders, start_date=start_date
    )
    return summary.to_dict()
