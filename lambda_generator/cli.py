"""Command line: python -m lambda_generator --raw-root data/raw --seed 42 --batches 3."""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import sys
import time

from lambda_generator.core import (
    DEFAULT_ORDERS_PER_BATCH,
    DEFAULT_START_DATE,
    BatchSummary,
    generate_batches,
)
from lambda_generator.storage import GeneratorInputError, StorageError


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lambda_generator",
        description="Write the next batches of realistic e-commerce CSVs to the raw zone. "
        "The series continues from the state object under <raw-root>/_generator/.",
    )
    parser.add_argument(
        "--raw-root",
        default=os.environ.get("RAW_ROOT"),
        help="local folder or s3://bucket/prefix (default: $RAW_ROOT)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed of the series (42)")
    parser.add_argument("--batches", type=int, default=1, help="batches to write, one per day (1)")
    parser.add_argument(
        "--orders-per-batch",
        type=int,
        default=DEFAULT_ORDERS_PER_BATCH,
        help=f"mean new orders per batch; seasonality scales each day ({DEFAULT_ORDERS_PER_BATCH})",
    )
    parser.add_argument(
        "--start-date",
        type=dt.date.fromisoformat,
        default=None,
        help=f"logical date of batch 0, YYYY-MM-DD (new series: {DEFAULT_START_DATE})",
    )
    parser.add_argument("--json", action="store_true", help="print the summaries as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if not args.raw_root:
        parser.error("--raw-root (or $RAW_ROOT) is required")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()

    done = itertools.count(1)

    def progress(summary: BatchSummary) -> None:
        print(
            f"[{next(done)}/{args.batches}] {summary.batch_id} {summary.ingest_date}: "
            f"{summary.rows['orders']:,} order rows ({summary.new_orders:,} new, "
            f"{summary.cancellations:,} cancellations, {summary.redeliveries:,} repeated), "
            f"{summary.rows['customers']:,} customers, {summary.rows['products']:,} products "
            f"in {summary.seconds:.2f} s",
            file=sys.stderr,
            flush=True,
        )

    try:
        summaries = generate_batches(
            args.raw_root,
            seed=args.seed,
            batches=args.batches,
            orders_per_batch=args.orders_per_batch,
            start_date=args.start_date,
            progress=None if args.quiet else progress,
        )
    except (GeneratorInputError, StorageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([s.to_dict() for s in summaries], indent=2))
        return 0
    rows = {entity: sum(s.rows[entity] for s in summaries) for entity in summaries[0].rows}
    print(
        f"wrote {len(summaries)} batches ({summaries[0].batch_id}..{summaries[-1].batch_id}, "
        f"{summaries[0].ingest_date}..{summaries[-1].ingest_date}) to {args.raw_root} "
        f"in {time.perf_counter() - started:.1f} s: "
        + ", ".join(f"{count:,} {entity}" for entity, count in rows.items())
    )
    return 0
