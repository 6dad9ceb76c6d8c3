"""Bounded HTTP transport shared by every client (Intervals.icu, attachments,
GitHub API, the update manifest): total deadlines and decoded-size caps.

- A request has a *total* deadline, not only a per-read timeout: a watchdog
  shuts the socket down when it passes (a server dripping headers or body one
  byte at a time is cut off), and the body is read with `read1` so each chunk
  returns as soon as bytes arrive.
- A run has a deadline too (`RUN_CLOCK`, started by the CLI): past it every
  request raises `RunDeadlineExceeded`, which ends the run with exit 5.
- Bodies are read in chunks and gzip/deflate are decoded here, incrementally,
  with the cap applied to the *decoded* bytes (a gzip bomb stops at the cap).
- Sessions never read ~/.netrc and keep no cookies for unauthenticated
  downloads; proxies and CA bundles from the environment are still honoured.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..errors import RunDeadlineExceeded

REQUEST_DEADLINE_ENV = "SECTION11_REQUEST_DEADLINE"
RUN_DEADLINE_ENV = "SECTION11_RUN_DEADLINE"
DEFAULT_REQUEST_DEADLINE = 120.0  # seconds for one request, headers and body
DEFAULT_RUN_DEADLINE = 1800.0  # seconds for a whole run
CHUNK = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"


def seconds_from_env(name: str, default: float, environ: Mapping[str, str] | None = None) -> float:
    """A positive number of seconds from `environ[name]`, else `default`."""
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default


def request_deadline(environ: Mapping[str, str] | None = None) -> float:
    return seconds_from_env(REQUEST_DEADLINE_ENV, DEFAULT_REQUEST_DEADLINE, environ)


# ----------------------------------------------------------------- run deadline


class RunClock:
    """The process's run deadline (monotonic). Inactive until `start`."""

    def __init__(self) -> None:
        self._end: float | None = None
        self.seconds = 0.0

    def start(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def stop(self) -> None:
        self._end = None

    def remaining(self) -> float | None:
        return None if self._end is None else self._end - time.monotonic()

    def check(self, source: str) -> None:
        """Raise RunDeadlineExceeded naming `source` once the deadline passed."""
        left = self.remaining()
        if left is not None and left <= 0:
            raise RunDeadlineExceeded(
                f"the run deadline of {self.seconds:g} s ({RUN_DEADLINE_ENV}) passed while "
                f"waiting for {source}; nothing more was fetched and no file was changed"
            )


RUN_CLOCK = RunClock()


def call_deadline(seconds: float) -> float:
    """Monotonic end of a request of at most `seconds`, clipped to the run deadline."""
    left = RUN_CLOCK.remaining()
    if left is not None:
        seconds = min(seconds, max(left, 0.0))
    return time.monotonic() + seconds


# ----------------------------------------------------------------- watchdog

_watched = threading.local()


class Watch:
    """Context manager: sockets used by this thread's request are shut down at
    `deadline` (monotonic), so no read can outlive it."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, sock: Any) -> None:
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            if self.fired:
                _shutdown(sock)
            else:
                self._sockets.append(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def __enter__(self) -> Watch:
        self._timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()
        _watched.current = self
        return self

    def __exit__(self, *exc: object) -> None:
        _watched.current = None
        if self._timer is not None:
            self._timer.cancel()

    @property
    def expired(self) -> bool:
        return self.fired or time.monotonic() >= self.deadline


def _shutdown(sock: socket.socket) -> None:
    try:  # the plain socket's method: never touches an SSL object another thread reads
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _WatchedMixin:
    sock: Any

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        watch = getattr(_watched, "current", None)
        if watch is not None:
            watch.add(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class WatchedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections register with the thread's Watch."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


# ----------------------------------------------------------------- sessions


class _NoNetrcSession(requests.Session):
    """A session that never reads ~/.netrc (trust_env off) but still takes
    proxies and a CA bundle from the environment, per request."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        env_proxies = requests.utils.get_environ_proxies(url, no_proxy=None)
        settings["proxies"] = {**env_proxies, **(settings.get("proxies") or {})}
        if settings.get("verify") is True:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            if bundle:
                settings["verify"] = bundle
        return settings


def new_session(user_agent: str, *, cookies: bool = True, pool_size: int = 10) -> requests.Session:
    """A session with watched connections, no netrc, and gzip/deflate only."""
    session = _NoNetrcSession()
    session.headers["User-Agent"] = user_agent
    session.headers["Accept-Encoding"] = ACCEPT_ENCODING
    if not cookies:
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    adapter = WatchedAdapter(pool_connections=4, pool_maxsize=max(1, pool_size), max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# ----------------------------------------------------------------- bodies


@dataclass
class Body:
    """A body read under a cap and a deadline. `failure`: None, "too_large"
    (decoded bytes past the cap), "over_budget" (past `BODY_BUDGET` with the
    bodies read at the same time), "deadline", or "encoding" (undecodable)."""

    data: bytes
    failure: str | None = None
    raw_length: int = 0  # bytes received on the wire (before decoding)


class _Decoder:
    """Incremental gzip/deflate decoder whose output per call is bounded."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        if encoding in ("gzip", "x-gzip"):
            self._z: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = None  # zlib or raw deflate: decided on the first bytes
        else:
            self._z = None

    def feed(self, data: bytes, limit: int) -> tuple[bytes, bytes]:
        """(decoded bytes, at most `limit` of them; unconsumed input)."""
        if self.encoding == "deflate" and self._z is None:
            self._z = zlib.decompressobj(
                zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS
            )
        out = self._z.decompress(data, max(1, limit))
        return out, self._z.unconsumed_tail


class BodyBudget:
    """The decoded bytes held by all the bodies being read at once, across threads:
    each body has its cap, but concurrent reads multiply it past what a small
    machine (or a CI runner's memory limit) has. A read that would pass the
    budget stops with the failure "over_budget"."""

    def __init__(self, limit: int):
        self.limit = limit
        self.held = 0
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if self.held + size > self.limit:
                return False
            self.held += size
            return True

    def give(self, size: int) -> None:
        with self._lock:
            self.held -= size


BODIES_IN_FLIGHT_CAP = 64 * 1024 * 1024  # decoded; twice the largest answer a body may be
BODY_BUDGET = BodyBudget(BODIES_IN_FLIGHT_CAP)


def _read_some(raw: Any, size: int) -> bytes:
    if isinstance(raw, urllib3.response.BaseHTTPResponse):
        return raw.read1(size, decode_content=False)
    reader = getattr(raw, "read1", None) or raw.read
    return reader(size)


def read_body(
    response: requests.Response, *, max_bytes: int, deadline: float | None = None
) -> Body:
    """Read `response`'s body (opened with stream=True) decoding gzip/deflate,
    stopping past `max_bytes` decoded bytes, at `deadline` (monotonic) or when the
    bodies read at once would pass `BODY_BUDGET`."""
    encoding = (response.headers.get("content-encoding") or "identity").strip().lower()
    decoder = _Decoder(encoding) if encoding not in ("", "identity") else None
    if decoder is not None and encoding not in ("gzip", "x-gzip", "deflate"):
        return Body(b"", "encoding")
    body = bytearray()
    received = 0
    raw = response.raw

    def grow(data: bytes) -> str | None:
        """Append decoded `data`: None, or why the body stops here."""
        if len(body) + len(data) > max_bytes:
            return "too_large"
        if not BODY_BUDGET.take(len(data)):
            return "over_budget"
        body.extend(data)
        return None

    try:
        while True:
            if deadline is not None and time.monotonic() >= deadline:
                return Body(bytes(body), "deadline", received)
            chunk = _read_some(raw, CHUNK)
            if not chunk:
                break
            received += len(chunk)
            pending = chunk
            while pending:
                if decoder is None:
                    out, pending = pending, b""
                else:
                    out, pending = decoder.feed(pending, min(CHUNK, max_bytes + 1 - len(body)))
                stop = grow(out)
                if stop is not None:
                    return Body(b"", stop, received)
                if not out and pending:
                    break  # no progress possible: wait for more input
    except zlib.error:
        return Body(b"", "encoding", received)
    finally:
        BODY_BUDGET.give(len(body))
    if deadline is not None and time.monotonic() >= deadline:
        return Body(bytes(body), "deadline", received)
    return Body(bytes(body), None, received)


__all__ = [
    "BODIES_IN_FLIGHT_CAP",
    "BODY_BUDGET",
    "Body",
    "BodyBudget",
    "RUN_CLOCK",
    "RunClock",
    "Watch",
    "WatchedAdapter",
    "call_deadline",
    "new_session",
    "read_body",
    "request_deadline",
    "seconds_from_env",
    "DEFAULT_REQUEST_DEADLINE",
    "DEFAULT_RUN_DEADLINE",
    "REQUEST_DEADLINE_ENV",
    "RUN_DEADLINE_ENV",
]


# ----------------------------------------------------------------- URLs

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback_host(host: str | None) -> bool:
    return (host or "").lower().strip("[]") in LOOPBACK_HOSTS


def secure_url_problem(url: str) -> str | None:
    """Why `url` may not carry a credential or code, or None: it must be https,
    or plain http to a loopback host (the demo and the tests)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must start with https:// (plain http only for a loopback host)"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return "uses plain http for a non-local host: it must start with https://"
    return None


def same_origin_redirect(url: str, location: str) -> str | None:
    """The redirect target when it stays on the same scheme, host and port, else None."""
    target = urljoin(url, location)
    old, new = urlsplit(url), urlsplit(target)
    return target if (old.scheme, old.netloc) == (new.scheme, new.netloc) else None
