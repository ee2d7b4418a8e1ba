"""The docs name only files that exist: every repository path written in README.md and the other
Markdown files (in backquotes, or as a relative link) is a file or folder of the checkout, so a
rename or a removed file cannot leave a doc pointing nowhere.

A path in backquotes may be written from the repository root, from the doc's folder, or as its
last parts where the context says where (`job.py` in orchestration/README.md,
`resources/lakehouse_job.yml`): it must be the end of some path of the checkout. A relative link
must resolve from the doc's folder. A path with a placeholder (`bronze_<entity>.sql`) is a
pattern, not a path, and is not checked."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from e2e.helpers import PROJECT_DIR

DOCS = sorted(
    [
        PROJECT_DIR / "README.md",
        *(PROJECT_DIR / "docs").glob("*.md"),
        *PROJECT_DIR.glob("*/README.md"),
    ]
)
# a path in backquotes: folders and file names with an extension the repository uses
CODE_PATH = re.compile(
    r"`((?:\.?[\w-]+/)*[\w.-]+\.(?:sql|yml|yaml|md|py|json|j2|toml|sh|lock|example|png)"
    r"|(?:[\w-]+/)+)`"
)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
# what the pipeline writes at run time (git-ignored), not files of the checkout
RUNTIME = ("data/", "target/", "logs/", ".venv/", "build/", ".databricks/", "dbt_packages/")


def checkout_paths() -> set[str]:
    """Every file and folder of the checkout, relative to its root (folders end with /), without
    what git and the pipeline write."""
    paths: set[str] = set()
    for folder, subfolders, files in os.walk(PROJECT_DIR):
        relative = Path(folder).relative_to(PROJECT_DIR).as_posix()
        prefix = "" if relative == "." else relative + "/"
        subfolders[:] = [
            name
            for name in subfolders
            if name not in (".git", "__pycache__") and not (prefix + name + "/").startswith(RUNTIME)
        ]
        paths.update(prefix + name + "/" for name in subfolders)
        paths.update(prefix + name for name in files)
    return paths


def code_paths(doc: Path) -> list[str]:
    return [
        written for written in CODE_PATH.findall(doc.read_text()) if not written.startswith(RUNTIME)
    ]


def links(doc: Path) -> list[str]:
    return [
        written
        for written in LINK.findall(doc.read_text())
        if "://" not in written and not written.startswith("mailto:")
    ]


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(PROJECT_DIR)))
def test_every_path_a_doc_names_exists(doc: Path) -> None:
    existing = checkout_paths()
    missing = [
        written
        for written in code_paths(doc)
        if not any(path == written or path.endswith("/" + written) for path in existing)
    ]
    missing += [written for written in links(doc) if not (doc.parent / written).exists()]
    assert not missing, f"{doc.relative_to(PROJECT_DIR)} names paths that do not exist: {missing}"


def test_the_docs_name_paths() -> None:
    """The check above has something to check: the README alone names dozens of paths."""
    readme = PROJECT_DIR / "README.md"
    assert len(code_paths(readme)) + len(links(readme)) > 20
