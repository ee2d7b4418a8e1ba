"""Where batches go: a local folder (atomic writes) or S3 (boto3), behind one small interface.

S3 honours boto3's standard configuration: the credentials chain, the region, and
AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 for an S3-compatible endpoint (MinIO, moto, ...).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_TEMPORARY = re.compile(r"\..+\.([0-9]+)\.tmp")


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


class GeneratorInputError(ValueError):
    """Bad input (arguments, event, raw root): nothing was written."""


class StorageError(RuntimeError):
    """The raw zone cannot be read or written (missing bucket, denied credentials, ...)."""


class Storage(Protocol):
    def uri(self, key: str) -> str: ...

    def read(self, key: str) -> bytes | None:
        """The object's bytes, or None when it does not exist."""

    def write(self, key: str, data: bytes) -> None:
        """Write the object whole: a reader never sees part of it."""


class LocalStorage:
    def __init__(self, root: str) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise StorageError(f"raw root {root!r} exists and is not a folder")
        self.remove_stale_temporary_files()

    def remove_stale_temporary_files(self) -> list[Path]:
        """Delete the temporary files (``.<name>.<pid>.tmp``) that a killed run left behind:
        those whose process is gone. Returns what was removed."""
        removed = []
        for path in self.root.rglob(".*.tmp") if self.root.is_dir() else []:
            match = _TEMPORARY.fullmatch(path.name)
            if match and not _process_exists(int(match.group(1))):
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def uri(self, key: str) -> str:
        return str(self.root / key)

    def read(self, key: str) -> bytes | None:
        path = self.root / key
        return path.read_bytes() if path.exists() else None

    def write(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)


class S3Storage:
    def __init__(self, bucket: str, prefix: str) -> None:
        import boto3  # imported here: local runs do not pay for boto3

        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.session.Session().client("s3")  # reads the configuration now

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def read(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            return response["Body"].read()
        except Exception as error:
            if _error_code(error) in ("NoSuchKey", "404"):
                return None
            raise self._explain(error, key) from error

    def write(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except Exception as error:
            raise self._explain(error, key) from error

    def _explain(self, error: Exception, key: str) -> StorageError:
        code = _error_code(error)
        where = self.uri(key)
        if code == "NoSuchBucket":
            return StorageError(f"bucket {self.bucket!r} does not exist ({where})")
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
            return StorageError(f"access denied to {where} ({code}): check the AWS credentials")
        if code == "NoCredentialsError":
            return StorageError(f"no AWS credentials found for {where}")
        return StorageError(f"cannot access {where}: {error}")


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return type(error).__name__


def parse_raw_root(raw_root: str) -> tuple[str, str] | None:
    """('bucket', 'prefix') for s3://bucket/prefix, None for a local folder."""
    if not isinstance(raw_root, str) or not raw_root.strip():
        raise GeneratorInputError(
            f"raw_root must be a folder or s3://bucket/prefix, got {raw_root!r}"
        )
    if "://" not in raw_root:
        return None
    scheme, _, rest = raw_root.partition("://")
    if scheme != "s3":
        raise GeneratorInputError(
            f"raw_root {raw_root!r}: only local folders and s3:// are supported"
        )
    bucket, _, prefix = rest.partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise GeneratorInputError(
            f"raw_root {raw_root!r}: {bucket!r} is not a valid S3 bucket name"
        )
    prefix = prefix.strip("/")
    if "//" in prefix or any(part in (".", "..") for part in prefix.split("/")):
        raise GeneratorInputError(f"raw_root {raw_root!r}: malformed prefix {prefix!r}")
    return bucket, prefix


def open_storage(raw_root: str) -> Storage:
    location = parse_raw_root(raw_root)
    if location is None:
        return LocalStorage(raw_root)
    return S3Storage(*location)
