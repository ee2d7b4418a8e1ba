"""Package the Lambda function with its dependencies: `python -m lambda_generator.package`.

Installs the locked versions (requirements.lock) of the generator's runtime dependencies as
wheels for the Lambda runtime (python3.12 on Amazon Linux 2023, x86_64: the locked numpy and
pyarrow need glibc 2.28, newer than python3.11's Amazon Linux 2) from PyPI into build/lambda/,
prunes what the function never loads (Arrow Flight, S3/GCS/HDFS/Azure file systems, headers,
tests) to stay well under Lambda's 250 MB limit, smoke-tests the result by running the handler
with nothing but that folder on the path, and zips it to build/lambda_generator.zip (the CodeUri
of template.yaml). Without a local python3.12 the smoke test runs on an identical tree built for
the running interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_PYTHON = "3.12"  # keep in step with Runtime in template.yaml
LAMBDA_PLATFORM = "manylinux_2_28_x86_64"
PACKAGES = ["numpy", "pyarrow", "faker", "tzdata", "boto3", "botocore", "s3transfer"]
PACKAGES += ["jmespath", "python-dateutil", "six", "urllib3"]
PRUNE = [
    "pyarrow/include",
    "pyarrow/src",
    "pyarrow/tests",
    "pyarrow/libarrow_flight.so*",
    "pyarrow/libarrow_python_flight.so*",
    "pyarrow/libarrow_python_parquet_encryption.so*",
    "pyarrow/libarrow_s3.so*",
    "pyarrow/libarrow_python.so",
    "pyarrow/libarrow_python.so.*.*",
    "pyarrow/_flight.*",
    "pyarrow/_s3fs.*",
    "pyarrow/_gcsfs.*",
    "pyarrow/_azurefs.*",
    "pyarrow/_hdfs.*",
    "pyarrow/_pyarrow_cpp_tests.*",
    "pyarrow/*.pyx",
    "pyarrow/*.pxd",
    "numpy/*/tests",
    "numpy/tests",
    "faker/sphinx",
    "bin",
    "**/__pycache__",
]


def locked_pins(lock: Path) -> list[str]:
    versions = dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)", lock.read_text(), flags=re.M))
    missing = [p for p in PACKAGES if p not in versions]
    if missing:
        raise SystemExit(f"{lock} lacks {missing}")
    return [f"{p}=={versions[p]}" for p in PACKAGES]


def install(target: Path, pins: list[str], python: str, platform: str | None) -> None:
    """pip install the pinned wheels for `python` (and `platform`, default: this machine's)."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target"]
    command += [str(target), "--python-version", python, "--only-binary=:all:", *pins]
    if platform:
        command += ["--platform", platform, "--implementation", "cp"]
    print(f">> pip install for Python {python} {platform or '(this machine)'}", flush=True)
    subprocess.run(command, check=True)


def prune(target: Path) -> None:
    for pattern in PRUNE:
        for path in target.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def copy_package(target: Path) -> None:
    source = ROOT / "lambda_generator"
    shutil.copytree(
        source,
        target / "lambda_generator",
        ignore=shutil.ignore_patterns("tests", "__pycache__", "*.pyc", "template.yaml"),
    )


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def smoke_test(target: Path, python: str) -> dict:
    """Run the handler with only the package folder (and the standard library) on the path."""
    with tempfile.TemporaryDirectory() as raw:
        code = (
            "import json, sys; sys.path.insert(0, sys.argv[1]);"
            "from lambda_generator.handler import lambda_handler;"
            "print(json.dumps(lambda_handler({'raw_root': sys.argv[2], 'orders_per_batch': 100})))"
        )
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONNOUSERSITE": "1"}
        result = subprocess.run(
            [python, "-S", "-c", code, str(target), raw],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        return json.loads(result.stdout)


def lambda_interpreter() -> str | None:
    """A local interpreter of the Lambda's Python version, if there is one that runs."""
    found = shutil.which(f"python{LAMBDA_PYTHON}")
    if found is None:
        return None
    probe = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], **_quiet())
    return found if probe.returncode == 0 else None


def _quiet() -> dict:
    return {"capture_output": True, "text": True, "check": False}


def build_tree(target: Path, pins: list[str], python: str, platform: str | None) -> float:
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    install(target, pins, python, platform)
    prune(target)
    copy_package(target)
    return size_mb(target)


def build_zip(target: Path, archive: Path) -> None:
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zipped:
        for path in sorted(target.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lambda_generator.package", description=__doc__)
    parser.add_argument("--build", type=Path, default=ROOT / "build", help="output folder")
    args = parser.parse_args(argv)
    pins = locked_pins(ROOT / "requirements.lock")
    target = args.build / "lambda"
    unzipped = build_tree(target, pins, LAMBDA_PYTHON, LAMBDA_PLATFORM)
    if unzipped > 250:
        raise SystemExit(f"the package is {unzipped:.0f} MB unzipped; Lambda allows 250 MB")
    interpreter = lambda_interpreter()
    if interpreter is not None:
        summary = smoke_test(target, interpreter)
    else:
        local = f"{sys.version_info.major}.{sys.version_info.minor}"
        print(f">> no python{LAMBDA_PYTHON} here: smoke-testing the same tree for {local}")
        check = args.build / "lambda-check"
        build_tree(check, pins, local, None)
        summary = smoke_test(check, sys.executable)
        shutil.rmtree(check)
    print(f">> smoke test: the packaged handler wrote {summary['rows']['orders']} order rows")
    archive = args.build / "lambda_generator.zip"
    build_zip(target, archive)
    print(f">> {archive}: {archive.stat().st_size / 1e6:.0f} MB zipped, {unzipped:.0f} MB unzipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
