"""The interactive dashboard's local server (`python -m orchestration dashboard`, `make dashboard`).

Standard library only (http.server), on 127.0.0.1:

    GET /                 the page (filter choices and pipeline health read at each load)
    GET /plotly.min.js    plotly.js from the installed plotly wheel (no CDN)
    GET /api/answer?...   the tiles and every chart for the filters in the query string:
                          from, to (YYYY-MM-DD), country, category, brand, payment_method,
                          gender (repeat a parameter to keep several values); JSON

A bad request gets a 400 with the reason; while a `dbt build` writes the warehouse, a 503 with a
message (each request opens its own short-lived read-only connection, so the server never holds
the file's lock and never blocks a build).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from plotly.offline import get_plotlyjs

from orchestration import dashboard

HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@functools.cache
def _plotly_js() -> bytes:
    return get_plotlyjs().encode()


def _query(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError as error:
        raise dashboard.BadRequest(f"malformed query string: {error}") from None


class DashboardServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, duckdb_path: Path, port: int = DEFAULT_PORT) -> None:
        self.duckdb_path = duckdb_path
        super().__init__((HOST, port), DashboardHandler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"


class DashboardHandler(BaseHTTPRequestHandler):
    server: DashboardServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        started = time.perf_counter()
        try:
            if url.path == "/":
                with dashboard.read_only(self.server.duckdb_path) as con:
                    page = dashboard.render_page(con, dt.datetime.now(dt.UTC), interactive=True)
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode())
            elif url.path == "/plotly.min.js":
                self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", _plotly_js())
            elif url.path == "/api/answer":
                filters = dashboard.Filters.from_query(_query(url.query))
                with dashboard.read_only(self.server.duckdb_path) as con:
                    body = dashboard.answer(con, filters)
                body["seconds"] = round(time.perf_counter() - started, 3)
                self._send_json(HTTPStatus.OK, body)
            else:
                self._send_error(url.path, HTTPStatus.NOT_FOUND, f"no such page: {url.path}")
        except dashboard.BadRequest as error:
            self._send_error(url.path, HTTPStatus.BAD_REQUEST, str(error))
        except dashboard.WarehouseUnavailable as error:
            self._send_error(url.path, HTTPStatus.SERVICE_UNAVAILABLE, str(error))
        except Exception as error:  # the page shows it; the console has the traceback
            self._send_error(url.path, HTTPStatus.INTERNAL_SERVER_ERROR, repr(error))
            raise

    def _send_error(self, path: str, status: HTTPStatus, message: str) -> None:
        """JSON {"error": message} for the page's script; plain text for a person."""
        if path.startswith("/api/"):
            self._send_json(status, {"error": message})
        else:
            self._send(
                status, "text/plain; charset=utf-8", f"{status.phrase}: {message}\n".encode()
            )

    def _send_json(self, status: HTTPStatus, body: dict) -> None:
        self._send(status, "application/json", json.dumps(body, separators=(",", ":")).encode())

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        print(f"   {self.address_string()} {format % args}", file=sys.stderr, flush=True)


def serve(duckdb_path: Path, port: int = DEFAULT_PORT) -> None:
    """Serve until Ctrl-C; port 0 takes a free one. Prints the URL first."""
    with DashboardServer(duckdb_path, port) as server:
        print(f">> the interactive dashboard: {server.url} (Ctrl-C stops)", flush=True)
        print(f"   over {duckdb_path}, read-only, one connection per request", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print(">> stopped", flush=True)
