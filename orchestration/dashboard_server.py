"""The interactive dashboard's local server (`python -m orchestration dashboard`, `make dashboard`).

A WSGI application served by waitress on 127.0.0.1:

    GET /                          the page (filter choices and pipeline health as published)
    GET /static/plotly-<v>.min.js  plotly.js from the installed plotly wheel (no CDN), gzip when
                                   the browser accepts it, cached by the browser for a year (the
                                   URL names the version)
    GET /api/answer?...            tiles, every chart and what each filter can still choose, for
                                   from, to (YYYY-MM-DD), compare=previous, country, category,
                                   brand, payment_method, gender (repeat a parameter to keep
                                   several values); JSON
    GET /api/table?by=...&...      the KPI table of one grouping (dashboard.TABLES); JSON
    GET /api/table.csv?by=...&...  the same table as a CSV download

It reads only the dashboard's copy of gold that the pipeline publishes (dashboard_copy), never
the warehouse, so no build ever waits for it or fails on the file's lock. It answers only
requests whose Host is a loopback name (a web page elsewhere cannot reach it through DNS
rebinding). waitress reads every request without a thread of its own (a connection that sends
nothing costs no thread and is closed after CHANNEL_TIMEOUT) and answers complete requests with
THREADS threads: concurrency is bounded, whatever the number of connections.
A bad request gets a 400 that says why; any other failure a message for a person (the details
go to the console).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import traceback
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import duckdb
import plotly
import waitress
from plotly.offline import get_plotlyjs

from orchestration import dashboard, dashboard_copy

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
THREADS = 4  # answers computed at once; more requests wait in waitress's queue
CONNECTION_LIMIT = 500  # open connections; more wait in the listen backlog
CHANNEL_TIMEOUT = 20  # seconds a connection may stay silent before it is closed
PLOTLY_URL = f"/static/plotly-{plotly.__version__}.min.js"
NO_DATA = (
    "The dashboard has no data yet: it appears once the pipeline has run (`make demo`) and "
    "published its dashboard."
)
FAILED = "The dashboard could not answer this question: an internal error (details in the "
FAILED += "server's console). Try again, or change the filters."

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Response:
    def __init__(
        self, status: HTTPStatus, content_type: str, body: bytes, headers: Iterable = ()
    ) -> None:
        self.status, self.body = status, body
        self.headers = [
            ("Content-Type", content_type),
            ("X-Content-Type-Options", "nosniff"),
            *headers,
        ]


def _json(status: HTTPStatus, body: Any) -> Response:
    text = json.dumps(body, separators=(",", ":")).encode()
    return Response(status, "application/json", text, [("Cache-Control", "no-store")])


@functools.cache
def _plotly_js() -> tuple[bytes, bytes, str]:
    """plotly.js, its gzip and its ETag (computed once)."""
    script = get_plotlyjs().encode()
    return script, gzip.compress(script, 9, mtime=0), hashlib.sha256(script).hexdigest()[:16]


def _query(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError as error:
        raise dashboard.BadRequest(f"malformed query string: {error}") from None


def is_loopback_host(host: str) -> bool:
    """A Host header naming this machine by a loopback name, with or without a port."""
    host = host.strip().lower()
    name = host.split("]")[0] + "]" if host.startswith("[") else host.rpartition(":")[0] or host
    return name in LOOPBACK_NAMES


class DashboardApp:
    """The WSGI application over the published copy of gold in folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.gold = dashboard_copy.PublishedGold(folder)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        response = self.respond(environ)
        body = b"" if environ["REQUEST_METHOD"] == "HEAD" else response.body
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status.value} {response.status.phrase}", headers)
        return [body]

    def respond(self, environ: dict[str, Any]) -> Response:
        path = environ.get("PATH_INFO", "/")
        if not is_loopback_host(environ.get("HTTP_HOST", "")):
            return self.error(
                path,
                HTTPStatus.MISDIRECTED_REQUEST,
                "this dashboard answers only on its loopback address (127.0.0.1 or localhost)",
            )
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.error(path, HTTPStatus.METHOD_NOT_ALLOWED, "only GET is supported")
        try:
            return self.route(path, environ)
        except dashboard.BadRequest as error:
            return self.error(path, HTTPStatus.BAD_REQUEST, str(error))
        except dashboard_copy.NothingPublished:
            return self.error(path, HTTPStatus.SERVICE_UNAVAILABLE, NO_DATA)
        except Exception:  # the person sees a message; the console the traceback
            traceback.print_exc()
            return self.error(path, HTTPStatus.INTERNAL_SERVER_ERROR, FAILED)

    def route(self, path: str, environ: dict[str, Any]) -> Response:
        query = environ.get("QUERY_STRING", "")
        if path == "/":
            return self.page()
        if path == PLOTLY_URL:
            return self.plotly(environ)
        if path == "/api/answer":
            filters = dashboard.Filters.from_query(_query(query))
            with self.gold.cursor() as (publication, con):
                return _json(HTTPStatus.OK, dashboard.answer(con, publication, filters))
        if path in ("/api/table", "/api/table.csv"):
            parameters = _query(query)
            by = parameters.pop("by", ["brand"])
            if len(by) != 1:
                raise dashboard.BadRequest("`by` given more than once")
            filters = dashboard.Filters.from_query(parameters)
            with self.gold.cursor() as (publication, con):
                result = dashboard.table(con, publication, filters, by[0])
            if path == "/api/table":
                return _json(HTTPStatus.OK, result)
            period = result["period"]
            name = f"kpis-by-{by[0].replace('_', '-')}-{period['from']}-to-{period['to']}.csv"
            return Response(
                HTTPStatus.OK,
                "text/csv; charset=utf-8",
                dashboard.table_csv(result).encode(),
                [
                    ("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}"),
                    ("Cache-Control", "no-store"),
                ],
            )
        return self.error(path, HTTPStatus.NOT_FOUND, f"no such page: {path}")

    def page(self) -> Response:
        try:
            publication, _ = self.gold.current()
        except dashboard_copy.NothingPublished:
            publication = None
        health = dashboard_copy.read_health(self.folder)
        html = dashboard.render_page(publication, health, plotly_src=PLOTLY_URL)
        return Response(
            HTTPStatus.OK,
            "text/html; charset=utf-8",
            html.encode(),
            [("Cache-Control", "no-cache"), ("Content-Security-Policy", CSP)],
        )

    def plotly(self, environ: dict[str, Any]) -> Response:
        script, compressed, etag = _plotly_js()
        headers = [
            ("Cache-Control", "public, max-age=31536000, immutable"),
            ("ETag", f'"{etag}"'),
            ("Vary", "Accept-Encoding"),
        ]
        if environ.get("HTTP_IF_NONE_MATCH") == f'"{etag}"':
            return Response(HTTPStatus.NOT_MODIFIED, "text/javascript", b"", headers)
        if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
            headers.append(("Content-Encoding", "gzip"))
            return Response(HTTPStatus.OK, "text/javascript; charset=utf-8", compressed, headers)
        return Response(HTTPStatus.OK, "text/javascript; charset=utf-8", script, headers)

    def error(self, path: str, status: HTTPStatus, message: str) -> Response:
        """JSON {"error": message} for the page's script; plain text for a person."""
        if path.startswith("/api/"):
            return _json(status, {"error": message})
        return Response(status, "text/plain; charset=utf-8", f"{message}\n".encode())


# The page runs only its own inline script and plotly.js from this server; it connects to
# nothing but this server.
CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def create_server(folder: Path, port: int = DEFAULT_PORT) -> Any:
    """The waitress server of the dashboard over the copy published in folder (not started)."""
    return waitress.create_server(
        DashboardApp(folder),
        host=HOST,
        port=port,
        threads=THREADS,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=CHANNEL_TIMEOUT,
        cleanup_interval=5,
        asyncore_use_poll=True,  # no select() limit on the number of sockets
        ident=None,
        clear_untrusted_proxy_headers=True,
    )


def url_of(server: Any) -> str:
    return f"http://{HOST}:{server.effective_port}/"


def publish_at_start(duckdb_path: Path, folder: Path) -> None:
    """Publish the warehouse's gold before serving, so the page shows what the warehouse holds
    now; while a build writes the warehouse, serve the last published copy instead."""
    if not duckdb_path.is_file():
        print(f"   no warehouse at {duckdb_path} yet: nothing to publish", flush=True)
        return
    try:
        publication = dashboard_copy.publish(duckdb_path, folder)
        dashboard_copy.publish_health(duckdb_path, folder)
    except duckdb.Error as error:
        first = str(error).splitlines()[0]
        print(
            f"   the warehouse could not be read now ({first}): serving the copy the pipeline "
            "published last",
            flush=True,
        )
        return
    print(
        f"   published {publication.orders:,} orders ({publication.first_day} to "
        f"{publication.last_day}) to {publication.path}",
        flush=True,
    )


def serve(duckdb_path: Path, folder: Path, port: int = DEFAULT_PORT) -> None:
    """Publish, then serve until Ctrl-C; port 0 takes a free one. Prints the URL first."""
    server = create_server(folder, port)
    print(f">> the interactive dashboard: {url_of(server)} (Ctrl-C stops)", flush=True)
    publish_at_start(duckdb_path, folder)
    print(
        f"   serving the copy of gold published in {folder}; the warehouse is not opened "
        "while serving",
        flush=True,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        print(">> stopped", flush=True)
    finally:
        server.close()
