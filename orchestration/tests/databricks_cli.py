"""The real Databricks CLI against a stand-in of the workspace API on loopback.

`make databricks-cli` builds the pinned CLI from its Go module into .cache/databricks-cli.
`databricks bundle validate` and `bundle summary` load and resolve the bundle offline (targets,
variables, presets, run_as, permissions, path translation) but first ask the workspace who the
deployer is and make sure the bundle's workspace folder exists. The stand-in answers exactly
those calls, as a workspace would for a user whose home folder exists:

    GET  /api/2.0/preview/scim/v2/Me          the deploying identity (a user or a service principal)
    GET  /api/2.0/workspace/get-status?path=  a folder: the home folders, and what mkdirs made
    POST /api/2.0/workspace/mkdirs            the bundle's files folder
    (every answer carries the X-Databricks-Org-Id header: the workspace ID)
    GET  /api/2.0/permissions/directories/ID  a folder's ACL: its owner, the deployer, manages
                                              it (inherited from their home folder)

Anything else is answered 404 and recorded, so a test can see that nothing else was asked (no
deploy, no job or dashboard call).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLE_ROOT = REPO_ROOT / "orchestration"
CLI = REPO_ROOT / ".cache" / "databricks-cli" / "databricks"
WORKSPACE_ID = "1234567890123456"


@dataclass
class Workspace:
    """What the stand-in knows: the deploying identity, the folders that exist, the calls."""

    user_name: str
    folders: set[str] = field(default_factory=set)
    calls: list[tuple[str, str]] = field(default_factory=list)
    host: str = ""

    @property
    def is_service_principal(self) -> bool:
        """A service principal's SCIM userName is its application ID (a UUID)."""
        return "@" not in self.user_name

    def __post_init__(self) -> None:
        home = f"/Workspace/Users/{self.user_name}"
        parts = home.strip("/").split("/")
        self.folders |= {"/", *("/" + "/".join(parts[: i + 1]) for i in range(len(parts)))}


def _handler(workspace: Workspace) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            url = urlsplit(self.path)
            workspace.calls.append((self.command, url.path))
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else {}
            status, answer = 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "no such"}
            if url.path == "/api/2.0/preview/scim/v2/Me":
                status, answer = 200, {"id": "1", "userName": workspace.user_name, "active": True}
            elif url.path == "/api/2.0/workspace/mkdirs" and self.command == "POST":
                parts = body["path"].strip("/").split("/")
                workspace.folders |= {"/" + "/".join(parts[: i + 1]) for i in range(len(parts))}
                status, answer = 200, {}
            elif url.path.startswith("/api/2.0/permissions/directories/"):
                kind = "service_principal_name" if workspace.is_service_principal else "user_name"
                status, answer = (
                    200,
                    {
                        "object_id": url.path.removeprefix("/api/2.0/permissions"),
                        "object_type": "directory",
                        "access_control_list": [
                            {
                                kind: workspace.user_name,
                                "all_permissions": [
                                    {"permission_level": "CAN_MANAGE", "inherited": True}
                                ],
                            }
                        ],
                    },
                )
            elif url.path == "/api/2.0/workspace/get-status":
                path = parse_qs(url.query)["path"][0]
                if path in workspace.folders:
                    status = 200
                    answer = {"object_type": "DIRECTORY", "path": path, "object_id": 42}
            raw = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            # the workspace ID, which the CLI reads from this header (resource URLs)
            self.send_header("X-Databricks-Org-Id", WORKSPACE_ID)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def stand_in_workspace(user_name: str) -> Iterator[Workspace]:
    """A stand-in workspace API on 127.0.0.1 (a free port) for the identity user_name."""
    workspace = Workspace(user_name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(workspace))
    workspace.host = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield workspace
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class CliRun:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def run_cli(
    workspace: Workspace, *args: str, env: dict[str, str] | None = None, home: Path
) -> CliRun:
    """`databricks <args>` in the bundle root against the stand-in (a token, no profile)."""
    assert CLI.is_file(), f"{CLI} is missing: run `make databricks-cli`"
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABRICKS_", "BUNDLE_VAR_"))
    }
    completed = subprocess.run(
        [str(CLI), *args],
        cwd=BUNDLE_ROOT,
        env={
            **base,
            "HOME": str(home),  # no ~/.databrickscfg, no CLI cache of the developer's
            "DATABRICKS_HOST": workspace.host,
            "DATABRICKS_TOKEN": "dapi-stand-in",
            "DATABRICKS_CLI_UPGRADE_CHECK": "false",
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return CliRun(tuple(args), completed.returncode, completed.stdout, completed.stderr)


def var_flags(variables: dict[str, str]) -> list[str]:
    return [f"--var={name}={value}" for name, value in variables.items()]
