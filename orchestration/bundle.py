"""Read the Databricks Asset Bundle (databricks.yml + resources/*.yml) for one target.

Does, in order, what the Databricks CLI does to a bundle before deploying it, so the bundle can
be checked offline (orchestration/tests/test_bundle.py): merges the target's overrides into
the root (bundle/config/root.go, MergeTargetOverrides: mappings merged, sequences concatenated,
`run_as` and `mode` replaced), resolves `${var.*}`, `${bundle.*}` and
`${workspace.current_user.*}` references, applies the target mode's presets and the presets to
the jobs (resourcemutator/apply_target_mode.go, apply_presets.go), copies `run_as` to the jobs
(run_as.go) and the top-level `permissions` to the jobs and dashboards
(apply_bundle_permissions.go). `${resources.*}` references (ids known only after deployment)
are left as they are.
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


# The CLI's top-level permission levels, per resource kind (apply_bundle_permissions.go); only
# the kinds this bundle has.
PERMISSION_LEVELS = {
    "jobs": {"CAN_MANAGE": "CAN_MANAGE", "CAN_VIEW": "CAN_VIEW", "CAN_RUN": "CAN_MANAGE_RUN"},
    "dashboards": {"CAN_MANAGE": "CAN_MANAGE", "CAN_VIEW": "CAN_READ"},
}
PRINCIPAL_KEYS = ("user_name", "group_name", "service_principal_name")


def merge(reference: Any, override: Any) -> Any:
    """The CLI's merge of a target override into the root (libs/dyn/merge): mappings merged
    key by key, sequences concatenated, anything else replaced by the override."""
    if isinstance(reference, dict) and isinstance(override, dict):
        merged = dict(reference)
        for key, value in override.items():
            merged[key] = merge(reference[key], value) if key in reference else value
        return merged
    if isinstance(reference, list) and isinstance(override, list):
        return reference + override
    return override


def target_config(config: dict[str, Any], target: str) -> dict[str, Any]:
    """The root configuration with `target`'s overrides merged in (MergeTargetOverrides)."""
    merged = {key: value for key, value in config.items() if key != "targets"}
    overrides = config["targets"][target]
    for key in ("bundle", "workspace", "artifacts", "resources", "sync", "permissions", "presets"):
        if key in overrides:
            merged[key] = merge(merged[key], overrides[key]) if key in merged else overrides[key]
    if "run_as" in overrides:
        merged["run_as"] = overrides["run_as"]
    if "mode" in overrides:
        merged["bundle"] = {**merged["bundle"], "mode": overrides["mode"]}
    return merged


def apply_target_mode(config: dict[str, Any], current_user: dict[str, str]) -> None:
    """`mode: development` presets, where the configuration sets none (apply_target_mode.go)."""
    if config["bundle"].get("mode") != "development":
        return
    short_name = current_user["short_name"]
    presets = config.setdefault("presets", {})
    presets.setdefault("name_prefix", f"[dev {short_name}] ")
    presets.setdefault("tags", {}).setdefault("dev", short_name)
    presets.setdefault("jobs_max_concurrent_runs", 4)
    presets.setdefault("trigger_pause_status", "PAUSED")


def apply_presets(config: dict[str, Any]) -> None:
    """The presets applied to every job (apply_presets.go): name prefix, tags, concurrency, and
    the pause status of a schedule, continuous run or trigger that sets none itself."""
    presets = config.get("presets", {})
    for job in config.get("resources", {}).get("jobs", {}).values():
        job["name"] = presets.get("name_prefix", "") + job["name"]
        for key, value in sorted(presets.get("tags", {}).items()):
            job.setdefault("tags", {}).setdefault(key, value)
        if not job.get("max_concurrent_runs") and "jobs_max_concurrent_runs" in presets:
            job["max_concurrent_runs"] = presets["jobs_max_concurrent_runs"]
        if "trigger_pause_status" in presets:
            for trigger in ("schedule", "continuous", "trigger"):
                if trigger in job and not job[trigger].get("pause_status"):
                    job[trigger]["pause_status"] = presets["trigger_pause_status"]


def set_run_as(config: dict[str, Any]) -> None:
    """The top-level `run_as` becomes the run_as of every job without one (run_as.go)."""
    if "run_as" not in config:
        return
    for job in config.get("resources", {}).get("jobs", {}).values():
        job.setdefault("run_as", dict(config["run_as"]))


def apply_bundle_permissions(config: dict[str, Any]) -> None:
    """The top-level `permissions`, at each kind's level, appended to every resource's own
    (apply_bundle_permissions.go); a principal the resource already names keeps its own."""
    top_level = config.get("permissions", [])
    for kind, resources in config.get("resources", {}).items():
        levels = PERMISSION_LEVELS[kind]
        for resource in resources.values():
            own = resource.get("permissions", [])
            named = {tuple(p.get(key) for key in PRINCIPAL_KEYS) for p in own}
            added = [
                {**permission, "level": levels[permission["level"]]}
                for permission in top_level
                if permission["level"] in levels
                and tuple(permission.get(key) for key in PRINCIPAL_KEYS) not in named
            ]
            if own or added:
                resource["permissions"] = own + added


def resolved_bundle(
    target: str,
    *,
    variables: dict[str, Any] | None = None,
    current_user: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The bundle's configuration for `target` as the CLI deploys it (see the module doc)."""
    config = load_bundle_config()
    values = target_values(config, target, variables=variables, current_user=current_user)
    bundle = resolve(target_config(config, target), values)
    apply_target_mode(bundle, current_user or {})
    apply_presets(bundle)
    set_run_as(bundle)
    apply_bundle_permissions(bundle)
    return bundle


def resolved_resources(target: str, **kwargs: Any) -> dict[str, dict[str, Any]]:
    """Every resource of the bundle for `target`, as `resolved_bundle` has it."""
    return resolved_bundle(target, **kwargs)["resources"]


def without_file(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as the CLI sees it (without the `_file` bookkeeping key)."""
    return {key: value for key, value in resource.items() if key != "_file"}
