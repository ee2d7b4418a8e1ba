"""The installed command `lakehouse` (pyproject's [project.scripts]) and
`python -m orchestration` both run the local runner's CLI."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import orchestration.__main__ as runner_cli


def test_lakehouse_resolves_to_the_runner_main() -> None:
    (entry_point,) = entry_points(group="console_scripts", name="lakehouse")
    assert entry_point.value == "orchestration.__main__:main"
    assert entry_point.load() is runner_cli.main


def test_the_installed_command_and_the_module_print_the_same_help() -> None:
    script = Path(sys.executable).parent / "lakehouse"
    for arguments in (["--help"], ["run", "--help"]):
        installed = subprocess.run(
            [str(script), *arguments], capture_output=True, text=True, check=True, timeout=120
        )
        module = subprocess.run(
            [sys.executable, "-m", "orchestration", *arguments],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        assert "run" in installed.stdout
        assert installed.stdout == module.stdout
