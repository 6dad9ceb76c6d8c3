"""Retry and pacing policy for the HTTP client, as pure helpers
(docs/architecture.md#errors-and-retries, weakness 9.6 (docs/architecture.md#reference-weaknesses); docs/architecture.md#api-client): Retry-After
parsing, the backoff schedule, a token bucket, and the classification of
transport failures and broken JSON bodies. No I/O beyond the bucket's sleep.
"""

from __future__ import annotations

import json
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import urllib3

BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
DEFAULT_BURST = 5  # a short burst: the API tolerates a few back-to-back calls


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (docs/architecture.md#errors-and-retries,
    docs/architecture.md#api-client): delta-seconds or an HTTP-date, clamped to
    >= 0; None when absent or unparseable. `now` (aware UTC) is needed only
    for the date form."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = None
    if seconds is not None:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            return None
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    attempt: int,
    *,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
    rand: Callable[[], float] = random.random,
) -> float:
    """Delay before retry number `attempt` (1 = after the first failure):
    exponential `base * 2**(attempt-1)` capped at `cap`, with "equal jitter"
    (half fixed, half uniform random), so it lies in [d/2, d]."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + (ceiling / 2) * rand()


class TokenBucket:
    """Thread-safe token bucket: `rate` tokens per second, at most `burst` saved.

    `acquire()` reserves a token and sleeps until it is due, so N back-to-back
    calls from a full bucket take at least (N - burst) / rate seconds.
    """

    def __init__(
        self,
        rate: float,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
    ):
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._last = clock()

    def acquire(self) -> float:
        """Take one token; return the seconds slept waiting for it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


FAILURE_TEXT = {
    "refused": "connection refused",
    "reset": "connection reset",
    "dns": "host name not found",
    "connect_timeout": "connect timed out",
    "read_timeout": "no answer within the read timeout",
    "truncated": "the response body was cut short",
    "network": "network error",
    "tls": "TLS/certificate error",
    "invalid_url": "invalid URL",
    "redirects": "too many redirects",
    "too_large": "response too large",
}


def network_reason(exc: BaseException) -> str:
    """Classify a requests/urllib3 exception by walking its chain for a socket
    error; never looks at (or returns) its text. A concrete socket error wins
    over a timeout wrapper (urllib3's NewConnectionError subclasses
    ConnectTimeoutError even for a refused connection)."""
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, socket.gaierror):
            found.add("dns")
        elif isinstance(item, ConnectionRefusedError):
            found.add("refused")
        elif isinstance(item, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            found.add("reset")
        elif isinstance(item, ssl.SSLError):
            found.add("tls")
        elif isinstance(item, urllib3.exceptions.NewConnectionError):
            pass
        elif isinstance(item, urllib3.exceptions.ConnectTimeoutError):
            found.add("connect_timeout")
        elif isinstance(item, urllib3.exceptions.ReadTimeoutError | TimeoutError):
            found.add("read_timeout")
        stack.extend(a for a in item.args if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            stack.append(getattr(item, attr, None))
    for reason in ("dns", "refused", "reset", "tls", "connect_timeout", "read_timeout"):
        if reason in found:
            return reason
    return "network"


def looks_truncated(text: str, err: json.JSONDecodeError) -> bool:
    """A JSON error at the very end of the text: the body stopped early."""
    return err.pos >= len(text.rstrip())
