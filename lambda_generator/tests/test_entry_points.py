"""The installed command `lakehouse-generate` (pyproject's [project.scripts]) and
`python -m lambda_generator` both run the generator's CLI."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from lambda_generator import cli


def test_lakehouse_generate_resolves_to_the_cli_main() -> None:
    (entry_point,) = entry_points(group="console_scripts", name="lakehouse-generate")
    assert entry_point.value == "lambda_generator.cli:main"
    assert entry_point.load() is cli.main


def test_the_installed_command_and_the_module_print_the_same_help() -> None:
    script = Path(sys.executable).parent / "lakehouse-generate"
    installed = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    module = subprocess.run(
        [sys.executable, "-m", "lambda_generator", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "--orders-per-batch" in installed.stdout
    assert installed.stdout == module.stdout
