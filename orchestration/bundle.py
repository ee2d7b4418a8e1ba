"""Read the Databricks Asset Bundle (databricks.yml + resources/*.yml) for one target.

Resolves `${var.*}`, `${bundle.*}` and `${workspace.current_user.*}` references the way the
Databricks CLI does, so the bundle can be checked offline (orchestration/tests/test_bundle.py).
`${resources.*}` references (ids known only after deployment) are left as they are.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

BUNDLE_ROOT = Path(__file__).resolve().parent
REFERENCE = re.compile(r"\$\{([A-Za-z_][\w.\-\[\]]*)\}")


class BundleVariableError(KeyError):
    """A variable has no default, no value in the target and none was passed."""


def load_bundle_config(bundle_root: Path = BUNDLE_ROOT) -> dict[str, Any]:
    """databricks.yml with the resources of its `include` files merged in.

    Every resource gets a `_file` key: the YAML file it was defined in (the CLI resolves a
    resource's relative paths against that file's folder).
    """
    config = yaml.safe_load((bundle_root / "databricks.yml").read_text())
    for pattern in config.get("include", []):
        for path in sorted(bundle_root.glob(pattern)):
            document = yaml.safe_load(path.read_text())
            for kind, resources in document["resources"].items():
                for key, resource in resources.items():
                    merged = config.setdefault("resources", {}).setdefault(kind, {})
                    merged[key] = {**resource, "_file": path}
    return config


def target_values(
    config: dict[str, Any],
    target: str,
    *,
    variables: dict[str, Any] | None = None,
    current_user: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the CLI substitutes for each `${...}` reference when deploying `target`.

    `variables` plays the role of `--var name=value`; `current_user` of the deploying identity.
    """
    passed = variables or {}
    values: dict[str, Any] = {"bundle.target": target, "bundle.name": config["bundle"]["name"]}
    for key, value in (current_user or {}).items():
        values[f"workspace.current_user.{key}"] = value
    overrides = config["targets"][target].get("variables", {})
    for name, spec in config["variables"].items():
        if name in passed:
            values[f"var.{name}"] = passed[name]
        elif name in overrides:
            values[f"var.{name}"] = overrides[name]
        elif "default" in spec:
            values[f"var.{name}"] = spec["default"]
        else:
            raise BundleVariableError(f"no value for required bundle variable {name!r}")
    return values


def resolve(value: Any, values: dict[str, Any]) -> Any:
    """Substitute known `${...}` references in a YAML value; a whole-string reference to a
    complex variable keeps its type (list or mapping)."""
    if isinstance(value, dict):
        return {key: resolve(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, values) for item in value]
    if not isinstance(value, str):
        return value
    whole = REFERENCE.fullmatch(value)
    if whole and whole.group(1) in values:
        return resolve(values[whole.group(1)], values)

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(resolve(values[name], values)) if name in values else match.group(0)

    return REFERENCE.sub(substitute, value)


def resolved_resources(target: str, **kwargs: Any) -> dict[str, dict[str, Any]]:
    """Every resource of the bundle for `target`, references resolved (see `target_values`)."""
    config = load_bundle_config()
    values = target_values(config, target, **kwargs)
    return {
        kind: {key: resolve(resource, values) for key, resource in items.items()}
        for kind, items in config["resources"].items()
    }


def without_file(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as the CLI sees it (without the `_file` bookkeeping key)."""
    return {key: value for key, value in resource.items() if key != "_file"}
