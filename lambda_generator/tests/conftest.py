"""Shared fixtures: a generated sample raw zone, and a real S3-compatible server (moto)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from e2e import loopback
from lambda_generator.contract import ENTITIES
from lambda_generator.core import generate_batches
from lambda_generator.tests.helpers import SAMPLE_BATCHES, SAMPLE_ORDERS, SAMPLE_SEED, parsed


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten daily batches of ~3000 orders, generated once for the contract and realism tests."""
    root = tmp_path_factory.mktemp("raw")
    generate_batches(
        str(root), seed=SAMPLE_SEED, batches=SAMPLE_BATCHES, orders_per_batch=SAMPLE_ORDERS
    )
    return root


@pytest.fixture(scope="session")
def sample_rows(sample: Path) -> dict[str, list]:
    return {entity: parsed(sample, entity) for entity in ENTITIES}


# --------------------------------------------------------------------------- S3 (moto server)


_BUCKETS = itertools.count(1)
ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A moto S3/IAM server on loopback that checks credentials.

    Its first three requests run unauthenticated: they create an admin user and its access
    key. Every later request must be signed by a known key and allowed by the user's policy.
    Yields the admin's environment (endpoint, keys, region).
    """
    with (
        (tmp_path_factory.mktemp("moto") / "moto.log").open("w") as log,
        loopback.moto_server({"INITIAL_NO_AUTH_ACTION_COUNT": "3"}, log) as endpoint,
    ):
        bootstrap = {"aws_access_key_id": "bootstrap", "aws_secret_access_key": "bootstrap"}
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1", **bootstrap)
        iam.create_user(UserName="admin")
        iam.put_user_policy(
            UserName="admin", PolicyName="all", PolicyDocument=json.dumps(ADMIN_POLICY)
        )
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        yield {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_DEFAULT_REGION": "us-east-1",
        }


@pytest.fixture
def s3_env(
    moto_server: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, str]:
    """The admin's S3 configuration in this process's environment (boto3 reads it)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "RAW_ROOT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name, value in moto_server.items():
        monkeypatch.setenv(name, value)
    return moto_server


@pytest.fixture
def bucket(s3_env: dict[str, str]) -> str:
    """A fresh, empty bucket per test."""
    name = f"raw-{next(_BUCKETS)}"
    boto3.session.Session().client("s3").create_bucket(Bucket=name)
    return name
