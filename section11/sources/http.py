"""HTTP client for Intervals.icu: one session, retries, pacing, a circuit
breaker and redaction (docs/architecture.md#api-client).

The reference made bare `requests.get` calls with no session, no timeout, no
retry and no pacing (weakness 9.4, docs/architecture.md#reference-weaknesses).
`HttpClient` fixes that; one attempt is sent by `attempt.send_once`, its answer
read and judged by `answers`:

- one `requests.Session` (keep-alive, connection pool) per client;
- connect and read timeouts on every call;
- retry with exponential backoff and jitter on 429, 5xx, connection errors,
  read timeouts and truncated bodies, honouring `Retry-After` in both its
  delta-seconds and HTTP-date forms (a value above the cap gives up at once);
- client-side pacing at Intervals.icu's ~10 req/s with a short burst: one
  thread-safe token bucket shared by every thread of the run (none on a
  loopback base URL: the demo and the tests' fake server are not rate-limited);
- a circuit breaker: after N consecutive 429 exhaustions, *optional* calls to
  the API host fail fast (`rate_limited`);
- request and per-status counters for the benchmark;
- secrets stay out of every message and log line: errors are built from plain
  values and raised outside `except` blocks, so no transport exception (which
  may hold URLs or headers) is chained to them.
"""

from __future__ import annotations

import base64
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from .. import __version__
from .answers import (
    Attempt,
    NumberGuard,
    exhausted_error,
    failure_error,
    not_json_error,
    parse_json,
    refusal_error,
)
from .attempt import send_once
from .errors import (
    IntervalsError,
    RateLimited,
)
from .policy import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    DEFAULT_BURST,
    FAILURE_TEXT,
    TokenBucket,
    backoff_delay,
    parse_retry_after,
)
from .transport import (
    RUN_CLOCK,
    is_loopback_host,
    new_session,
    request_deadline,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_RATE = 10.0  # requests per second: the ~10/s the developer quotes
RETRY_AFTER_CAP = 60.0  # a longer Retry-After is a give-up, not a sleep
BREAKER_THRESHOLD = 3
MAX_JSON_BYTES = 32 * 1024 * 1024  # decoded; ~30x the largest demo answer (1 MB)
USER_AGENT = f"section11/{__version__}"


# ----------------------------------------------------------------- client


class HttpClient:
    """One keep-alive session with timeouts, retries, pacing and a breaker.

    `auth` is a (username, password) pair sent as HTTP Basic on authenticated
    calls only (never on `get_bytes(..., authenticated=False)`).
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: tuple[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        rate: float | None | Literal["auto"] = "auto",
        burst: int = DEFAULT_BURST,
        pacer: TokenBucket | None = None,
        retry_after_cap: float = RETRY_AFTER_CAP,
        backoff_base: float = BACKOFF_BASE,
        backoff_cap: float = BACKOFF_CAP,
        breaker_threshold: int = BREAKER_THRESHOLD,
        pool_size: int = 10,
        sleep: Callable[[float], Any] = time.sleep,
        rand: Callable[[], float] = random.random,
        wallclock: Callable[[], datetime] | None = None,
        user_agent: str = USER_AGENT,
        deadline: float | None = None,
        max_json_bytes: int = MAX_JSON_BYTES,
    ):
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host = parts.netloc
        self._auth = auth
        self._secrets = [s for s in (auth or ()) if s and s != "API_KEY"]
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.max_attempts = int(max_attempts)
        self.retry_after_cap = float(retry_after_cap)
        self.backoff_base = float(backoff_base)
        self.backoff_cap = float(backoff_cap)
        self.breaker_threshold = int(breaker_threshold)
        self._sleep = sleep
        self._rand = rand
        self._wallclock = wallclock or (lambda: datetime.now(UTC))
        if rate == "auto":
            rate = None if is_loopback_host(urlsplit(self.base_url).hostname) else DEFAULT_RATE
        if pacer is not None:
            self._pacer: TokenBucket | None = pacer
        elif rate:
            self._pacer = TokenBucket(rate, burst)
        else:
            self._pacer = None

        self.deadline = float(deadline) if deadline else request_deadline()
        self.max_json_bytes = int(max_json_bytes)
        self.session = new_session(user_agent, pool_size=pool_size)
        self.session.headers["Accept"] = "application/json"
        # attachments: no cookie jar (a cookie the API set never reaches another host)
        self.download_session = new_session(user_agent, cookies=False, pool_size=pool_size)

        self._lock = threading.Lock()
        self._requests = 0
        self._by_status: Counter = Counter()
        self._retries = 0
        self._backoff_seconds = 0.0
        self._fail_fast = 0
        self._consecutive_429 = 0
        self._tripped = False
        self._dropped: Counter = Counter()  # unreadable numbers read as absent, by call label

    def __repr__(self) -> str:  # never shows the credentials
        return f"HttpClient(base_url={self.base_url!r})"

    # ------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self.session.close()
        self.download_session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ stats

    @property
    def request_count(self) -> int:
        """HTTP requests actually sent (every attempt counts)."""
        with self._lock:
            return self._requests

    @property
    def rate_limited(self) -> bool:
        """True once the circuit breaker tripped (N consecutive 429 give-ups)."""
        with self._lock:
            return self._tripped

    def stats(self) -> dict[str, Any]:
        """Snapshot for the benchmark: requests, per-status counts, retries."""
        with self._lock:
            return {
                "requests": self._requests,
                "by_status": dict(self._by_status),
                "retries": self._retries,
                "backoff_seconds": round(self._backoff_seconds, 3),
                "fail_fast": self._fail_fast,
                "rate_limited": self._tripped,
            }

    def dropped_numbers(self) -> dict[str, int]:
        """{call label: how many numbers were unreadable (NaN, Infinity, 1e400,
        thousands of digits) and read as absent} for this client so far."""
        with self._lock:
            return dict(self._dropped)

    def reset_breaker(self) -> None:
        with self._lock:
            self._tripped = False
            self._consecutive_429 = 0

    # ------------------------------------------------------------ public calls

    def get_json(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        endpoint: str | None = None,
        optional: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """GET `base_url + path` with auth; return the parsed JSON body.

        `endpoint` is the label used in error messages (defaults to `path`;
        never include a query string). `optional` calls fail fast with
        RateLimited once the breaker has tripped.
        """
        url = self.base_url + path
        label = endpoint or path
        return self._call(
            url,
            label,
            params=params,
            authenticated=True,
            optional=optional,
            max_bytes=self.max_json_bytes,
            as_json=True,
            headers=headers,
        )

    def post_json(
        self,
        path: str,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        endpoint: str | None = None,
        optional: bool = False,
    ) -> Any:
        """POST `body` as JSON to `base_url + path` and return the parsed JSON
        answer; retried and judged exactly like `get_json` (for read-only
        query endpoints that take their arguments in a body)."""
        return self._call(
            self.base_url + path,
            endpoint or path,
            params=None,
            authenticated=True,
            optional=optional,
            max_bytes=self.max_json_bytes,
            as_json=True,
            headers=headers,
            json_body=body,
        )

    def get_bytes(
        self,
        url: str,
        *,
        max_bytes: int,
        authenticated: bool = False,
        optional: bool = True,
        check_url: Callable[[str], None] | None = None,
    ) -> bytes:
        """GET an absolute URL (or one relative to the base URL) and return its
        body, streaming and aborting with ResponseTooLarge past `max_bytes`
        decoded bytes. Attachments are fetched without the Authorization header
        and without cookies unless `authenticated=True` (docs/architecture.md#api-client
        docs/architecture.md#api-client). `check_url` vets the URL and every redirect target (raising an
        IntervalsError to refuse one); without it no redirect is followed."""
        full = urljoin(self.base_url + "/", url)
        if check_url is not None:
            check_url(full)
        parts = urlsplit(full)
        label = f"{parts.netloc}{parts.path}"  # no query: pre-signed URLs carry signatures
        return self._call(
            full,
            label,
            params=None,
            authenticated=authenticated,
            optional=optional,
            max_bytes=max_bytes,
            as_json=False,
            check_url=check_url,
        )

    # ------------------------------------------------------------ machinery

    def _same_host(self, url: str) -> bool:
        return urlsplit(url).netloc == self.host

    def _call(
        self,
        url: str,
        label: str,
        *,
        params,
        authenticated: bool,
        optional: bool,
        max_bytes: int,
        as_json: bool,
        check_url: Callable[[str], None] | None = None,
        headers: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> Any:
        """The retry loop: send, judge, wait, repeat; errors are raised here or
        in `_judge`/`_give_up`, never inside an `except` block."""
        host = urlsplit(url).netloc or self.host
        guarded = optional and self._same_host(url)
        last: Attempt | None = None
        for attempt in range(1, self.max_attempts + 1):
            RUN_CLOCK.check(f"{host} ({label})")
            if guarded and self.rate_limited:
                with self._lock:
                    self._fail_fast += 1
                raise RateLimited(
                    f"skipped {label}: Intervals.icu rate-limited this run earlier; "
                    "the next sync will fetch it",
                    endpoint=label,
                    status=None,
                )
            if self._pacer is not None:
                self._pacer.acquire()
            last = send_once(
                self.session if authenticated else self.download_session,
                url,
                params=params,
                authenticated=authenticated,
                auth=self._auth,
                timeout=self.timeout,
                deadline_seconds=self.deadline,
                max_bytes=max_bytes,
                check_url=check_url,
                extra_headers=headers,
                json_body=json_body,
            )
            self._count(last)
            done, value, what = self._judge(last, label, host, as_json=as_json, max_bytes=max_bytes)
            if done:
                return value
            if attempt == self.max_attempts:
                break
            wait = value if value is not None else self._backoff(attempt)
            log.debug(
                "GET %s: %s; retry %d/%d in %.2f s",
                label,
                what,
                attempt + 1,
                self.max_attempts,
                wait,
            )
            self._pause(wait)
        return self._give_up(last, host, label)

    def _judge(
        self, result: Attempt, label: str, host: str, *, as_json: bool, max_bytes: int
    ) -> tuple[bool, Any, str]:
        """(True, value, _) to return; (False, wait or None, what) to retry;
        raises the final error for answers that must not be retried."""
        if result.failure is not None:
            error = failure_error(
                result,
                label,
                host,
                max_bytes=max_bytes,
                deadline=self.deadline,
                read_timeout=self.timeout[1],
            )
            if error is not None:
                raise error
            return False, None, FAILURE_TEXT.get(result.failure, "network error")
        status = result.status or 0
        self._note_answer(status)
        if 200 <= status < 300:
            if not as_json:
                return True, result.body, ""
            numbers = NumberGuard()
            value, problem = parse_json(result.body or b"", numbers)
            if problem is None:
                if numbers.dropped:
                    with self._lock:
                        self._dropped[label] += numbers.dropped
                return True, value, ""
            if problem == "truncated":
                result.failure = "truncated"  # for _give_up, if this was the last try
                return False, None, "truncated JSON"
            raise not_json_error(label, status)
        refused = refusal_error(result, label, self.scrub)
        if refused is not None:
            raise refused
        hinted = parse_retry_after((result.headers or {}).get("retry-after"), now=self._wallclock())
        if hinted is not None and hinted > self.retry_after_cap:
            if status == 429:
                self._note_rate_limit_exhausted()
                raise RateLimited(
                    f"Intervals.icu rate limit on {label}: asked to wait {hinted:.0f} s "
                    f"(over the {self.retry_after_cap:.0f} s cap); run the sync again later",
                    endpoint=label,
                    retry_after=hinted,
                )
            hinted = None  # a 5xx with an outsized hint: use our own backoff
        return False, hinted, f"HTTP {status}"

    def _give_up(self, last: Attempt | None, host: str, label: str) -> Any:
        """Raise the error for a call whose retries are exhausted."""
        error = exhausted_error(
            last,
            host,
            label,
            attempts=self.max_attempts,
            read_timeout=self.timeout[1],
            scrub=self.scrub,
        )
        if isinstance(error, RateLimited):
            self._note_rate_limit_exhausted()
        raise error

    def scrub(self, text: str) -> str:
        """Text with every credential of this session replaced: the API key, its
        Basic-auth encoding, and the values of any cookies the server set."""
        secrets = list(self._secrets)
        if self._auth is not None:
            pair = f"{self._auth[0]}:{self._auth[1]}".encode()
            secrets.append(base64.b64encode(pair).decode())
        secrets.extend(c.value for c in self.session.cookies if c.value and len(c.value) >= 4)
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "[redacted]")
        return text

    def _backoff(self, attempt: int) -> float:
        return backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_cap, rand=self._rand)

    def _pause(self, seconds: float | None) -> None:
        seconds = max(0.0, seconds or 0.0)
        with self._lock:
            self._retries += 1
            self._backoff_seconds += seconds
        self._sleep(seconds)

    def _count(self, result: Attempt) -> None:
        with self._lock:
            self._requests += 1
            key = result.status if result.status is not None else (result.failure or "error")
            self._by_status[key] += 1

    def _note_answer(self, status: int) -> None:
        """Any HTTP answer other than 429 breaks a run of 429 give-ups."""
        if status != 429:
            with self._lock:
                self._consecutive_429 = 0

    def _note_rate_limit_exhausted(self) -> None:
        with self._lock:
            self._consecutive_429 += 1
            if self._consecutive_429 >= self.breaker_threshold and not self._tripped:
                self._tripped = True
                log.warning(
                    "Intervals.icu keeps answering 429; optional calls are skipped "
                    "for the rest of this run"
                )


__all__ = [
    "HttpClient",
    "TokenBucket",
    "backoff_delay",
    "parse_retry_after",
    "IntervalsError",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_RATE",
    "DEFAULT_BURST",
]
