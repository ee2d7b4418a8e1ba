"""The S3 path against a real S3-compatible HTTP server on loopback (moto, with IAM checks)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from lambda_generator.cli import main
from lambda_generator.contract import ENTITIES
from lambda_generator.core import STATE_KEY, generate_batches
from lambda_generator.handler import lambda_handler
from lambda_generator.storage import StorageError
from lambda_generator.tests.helpers import list_keys, tree

SCHEDULED_EVENT = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-03-02T06:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/generator"],
    "detail": {},
}


def s3_tree(bucket: str, prefix: str) -> dict[str, bytes]:
    s3 = boto3.session.Session().client("s3")
    return {
        key.removeprefix(prefix + "/"): s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        for key in list_keys(bucket)
    }


def user_env(s3_env: dict[str, str], name: str, policy: dict) -> dict[str, str]:
    iam = boto3.session.Session().client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return s3_env | {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
    }


def test_handler_writes_batches_to_s3_like_a_local_folder(
    bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAW_ROOT", f"s3://{bucket}/raw")
    monkeypatch.setenv("ORDERS_PER_BATCH", "800")
    first = lambda_handler(SCHEDULED_EVENT, None)
    second = lambda_handler(SCHEDULED_EVENT | {"time": "2026-03-03T06:00:00Z"}, None)
    assert json.loads(json.dumps(first)) == first
    assert (first["batch_id"], first["ingest_date"]) == ("b000000", "2026-03-02")
    # the event time starts the series; afterwards the date follows the batch number
    assert (second["batch_id"], second["ingest_date"]) == ("b000001", "2026-03-03")
    assert first["files"] == [
        f"s3://{bucket}/raw/{e}/ingest_date=2026-03-02/{e}_b000000.csv" for e in ENTITIES
    ]
    objects = s3_tree(bucket, "raw")
    assert set(objects) == {
        f.removeprefix(f"s3://{bucket}/raw/") for f in first["files"] + second["files"]
    } | {STATE_KEY}
    # the same series written to a local folder is byte-identical
    generate_batches(
        str(tmp_path), seed=42, batches=2, orders_per_batch=800, start_date=dt.date(2026, 3, 2)
    )
    assert objects == tree(tmp_path)


def test_cli_writes_to_s3_through_the_service_endpoint_variable(
    bucket: str, s3_env: dict[str, str]
) -> None:
    env = os.environ | {"AWS_ENDPOINT_URL_S3": s3_env["AWS_ENDPOINT_URL"]}
    env.pop("AWS_ENDPOINT_URL")
    command = [sys.executable, "-m", "lambda_generator", "--raw-root", f"s3://{bucket}/a/b"]
    command += ["--seed", "9", "--batches", "2", "--orders-per-batch", "300", "--json"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    summaries = json.loads(result.stdout)
    assert [s["batch_id"] for s in summaries] == ["b000000", "b000001"]
    assert len(list_keys(bucket)) == 2 * len(ENTITIES) + 1
    state = json.loads(s3_tree(bucket, "a/b")[STATE_KEY])
    assert (state["seed"], state["next_batch"]) == (9, 2)


def test_unknown_access_key_is_denied_and_nothing_is_written(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
        with pytest.raises(StorageError, match=r"access denied.*InvalidAccessKeyId"):
            generate_batches(f"s3://{bucket}/raw", seed=1, batches=1, orders_per_batch=10)
    assert list_keys(bucket) == []


def test_denied_put_writes_nothing(
    bucket: str,
    s3_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    read_only = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
        ],
    }
    with monkeypatch.context() as patch:
        for name, value in user_env(s3_env, "reader", read_only).items():
            patch.setenv(name, value)
        assert main(["--raw-root", f"s3://{bucket}/raw", "--batches", "2"]) == 2
    error = capsys.readouterr().err
    assert "access denied" in error and "AccessDenied" in error
    assert list_keys(bucket) == []


def test_missing_bucket(s3_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist"):
        lambda_handler({"raw_root": "s3://no-such-bucket/raw"}, None)
    assert main(["--raw-root", "s3://no-such-bucket/x"]) == 2
    assert "bucket 'no-such-bucket' does not exist" in capsys.readouterr().err
    buckets = boto3.session.Session().client("s3").list_buckets()["Buckets"]
    assert "no-such-bucket" not in [b["Name"] for b in buckets]
