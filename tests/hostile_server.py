"""A misbehaving HTTP server on 127.0.0.1 for the hostile-server tests.

`HostileServer(routes)` answers each GET/POST/PATCH with the first route whose
regex matches the path; a route is a function `(handler) -> None` writing the
whole answer. Ready-made behaviours: `drip` (headers, then one byte every few
seconds), `endless` (a body that never ends), `gzip_bomb` (2 MB that decode to
2 GB), `huge` (a 1 GB body with its Content-Length), `json_reply`, `redirect`.
Every request is recorded with its headers (`seen`), so tests can check what
reached a host; the server itself never prints anything.
"""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from section11.demo.loopback import Loopback

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def _bomb() -> bytes:
    """~2 MB of gzip that decodes to ~2 GB of zeros (built in milliseconds: one
    sync-flushed deflate segment of 16 MB of zeros, repeated)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(16 << 20)
    head = comp.compress(zeros) + comp.flush(zlib.Z_SYNC_FLUSH)
    middle = comp.compress(zeros) + comp.flush(zlib.Z_SYNC_FLUSH)
    return head + middle * 120


_BOMB: bytes | None = None


def gzip_bomb_bytes() -> bytes:
    global _BOMB
    if _BOMB is None:
        _BOMB = _bomb()
    return _BOMB


# ----------------------------------------------------------------- behaviours


def json_reply(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    body = json.dumps(obj).encode()

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body)

    return route


def raw_reply(body: bytes, status: int = 200, content_type: str = "application/octet-stream"):
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return route


def open_json_stream(h: BaseHTTPRequestHandler) -> None:
    """The head of a 200 JSON answer with no length: its body ends with the connection."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Connection", "close")
    h.end_headers()


def drip(interval: float = 2.0, first: bytes = b"[") -> Route:
    """Headers at once, then one byte every `interval` seconds, for ever."""

    def route(h: BaseHTTPRequestHandler) -> None:
        open_json_stream(h)
        h.wfile.write(first)
        h.wfile.flush()
        while True:
            time.sleep(interval)
            h.wfile.write(b" ")
            h.wfile.flush()

    return route


def held(first: bytes, release: threading.Event, rest: bytes) -> Route:
    """A 200 with `first`, then `rest` once `release` is set (10 s at most)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        open_json_stream(h)
        h.wfile.write(first)
        h.wfile.flush()
        release.wait(10)
        h.wfile.write(rest)

    return route


def endless(unit: bytes = b"[0," * 20000) -> Route:
    """A 200 with no length whose body never ends."""

    def route(h: BaseHTTPRequestHandler) -> None:
        open_json_stream(h)
        while True:
            h.wfile.write(unit)

    return route


def huge(size: int = 1 << 30, unit: bytes = b" " * 65536) -> Route:
    """A 200 announcing (and sending) `size` bytes."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(size))
        h.end_headers()
        sent = 0
        while sent < size:
            h.wfile.write(unit)
            sent += len(unit)

    return route


def gzip_bomb() -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        body = gzip_bomb_bytes()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


# ----------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        owner = self.server.fake
        with owner.lock:
            owner.seen.append(Seen(self.command, path, dict(self.headers.items()), body))
        for pattern, route in owner.routes:
            if pattern.search(path):
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client gave up: exactly what these routes test
                return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PATCH = do_PUT = _serve


class _Server(ThreadingHTTPServer):
    fake: HostileServer

    def handle_error(self, request, client_address):  # noqa: ANN001 - no tracebacks
        pass


class HostileServer:
    """Context manager: `with HostileServer([(r"regex", route), ...]) as s: s.url`."""

    def __init__(self, routes: list[tuple[str, Route]] | None = None):
        self.routes = [(re.compile(p), r) for p, r in (routes or [])]
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self._http = Loopback(_Handler, self, _Server)

    def add(self, pattern: str, route: Route) -> None:
        self.routes.append((re.compile(pattern), route))

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def url(self) -> str:
        return self._http.url

    def __enter__(self) -> HostileServer:
        self._http.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.stop()
