"""The same flow with the raw zone on a real S3-compatible server: a moto server subprocess on
loopback, the bucket created with boto3, AWS_ENDPOINT_URL and dummy credentials in the env (the
lakehouse_duckdb plugin turns them into the DuckDB S3 secret)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import boto3

from e2e.helpers import (
    S3_CREDENTIALS,
    Lakehouse,
    assert_same_kpis,
    generate,
    patched_environ,
    read_gold,
    run_dbt,
)
from e2e.reference_kpis import expected_kpis

SEED = 11
ORDERS_PER_BATCH = 1000


def test_raw_zone_on_s3_matches_the_independent_kpis(
    make_lakehouse: Callable[..., Lakehouse], s3_endpoint: str
) -> None:
    bucket = f"lakehouse-raw-{uuid.uuid4().hex[:8]}"
    env = {**S3_CREDENTIALS, "AWS_ENDPOINT_URL": s3_endpoint}
    lakehouse = make_lakehouse("s3", raw_root=f"s3://{bucket}/raw", extra_env=env)
    with patched_environ(env):
        boto3.client("s3").create_bucket(Bucket=bucket)

    generate(lakehouse, seed=SEED, batches=3, orders_per_batch=ORDERS_PER_BATCH)
    run_dbt(["build"], lakehouse.env)
    with patched_environ(env):
        first = expected_kpis(lakehouse.raw_root)
        keys = [
            item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=bucket)["Contents"]
        ]
    assert any(key.startswith("raw/orders/") for key in keys)
    assert first["kpis_overall"][0]["total_orders"] > 0
    assert_same_kpis(read_gold(lakehouse.duckdb_path), first)

    generate(lakehouse, seed=SEED, batches=2, orders_per_batch=ORDERS_PER_BATCH)
    run_dbt(["build"], lakehouse.env)
    with patched_environ(env):
        second = expected_kpis(lakehouse.raw_root)
    assert second != first
    assert_same_kpis(read_gold(lakehouse.duckdb_path), second)
