"""The fixtures of the end-to-end suite; the helpers they use are in e2e/helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pytest

from e2e.helpers import Lakehouse, lakehouse_env
from e2e.loopback import moto_server


@pytest.fixture(scope="session")
def make_lakehouse(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Lakehouse]:
    """Factory: make_lakehouse(name, raw_root=None, extra_env=None) -> a Lakehouse in a fresh
    temp folder (raw zone <folder>/raw unless raw_root is given, e.g. s3://bucket/prefix)."""

    def make(
        name: str, raw_root: str | None = None, extra_env: Mapping[str, str] | None = None
    ) -> Lakehouse:
        root = tmp_path_factory.mktemp(name)
        return lakehouse_env(root, raw_root or str(root / "raw"), extra_env)

    return make


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A running moto S3 server (session-wide) on loopback."""
    with moto_server() as endpoint:
        yield endpoint
