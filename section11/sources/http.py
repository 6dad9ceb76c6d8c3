"""HTTP transport for the Intervals.icu client (docs/architecture.md#api-client, weakness 9.4 (docs/architecture.md#reference-weaknesses), weakness 9.6 (docs/architecture.md#reference-weaknesses);
docs/architecture.md#api-client).

The reference made bare `requests.get` calls with no session, no timeout, no
retry and no pacing (weakness 9.4 (docs/architecture.md#reference-weaknesses)). `HttpClient` fixes that:

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
import json
import logging
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from .. import __version__
from ..errors import printable
from .errors import (
    ApiError,
    AuthError,
    BadResponse,
    IntervalsError,
    NetworkError,
    NotFound,
    RateLimited,
    ResponseTooLarge,
)
from .policy import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    DEFAULT_BURST,
    FAILURE_TEXT,
    TokenBucket,
    backoff_delay,
    looks_truncated,
    network_reason,
    parse_retry_after,
)
from .transport import (
    BODIES_IN_FLIGHT_CAP,
    REQUEST_DEADLINE_ENV,
    RUN_CLOCK,
    Watch,
    call_deadline,
    is_loopback_host,
    new_session,
    read_body,
    request_deadline,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_RATE = 10.0  # requests per second: the ~10/s the developer quotes
RETRY_AFTER_CAP = 60.0  # a longer Retry-After is a give-up, not a sleep
BREAKER_THRESHOLD = 3
ERROR_BODY_CAP = 64 * 1024  # enough of an error body to quote the server's message
MAX_JSON_BYTES = 32 * 1024 * 1024  # decoded; ~30x the largest demo answer (1 MB)
MAX_REDIRECTS = 5
CUT_SHORT = ("too_large", "over_budget")  # a body stopped for its size
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
USER_AGENT = f"section11/{__version__}"


MAX_INT_DIGITS = 40  # an integer longer than this is no real value (ids and counts are shorter)


class NumberGuard:
    """json.loads hooks: NaN, Infinity, numbers that overflow a float and
    integers of more than MAX_INT_DIGITS digits become None (absent), counted
    in `dropped`; without them such a body crashed the run (ValueError) or
    reached the store as NaN."""

    def __init__(self) -> None:
        self.dropped = 0

    def parse_float(self, text: str) -> float | None:
        value = float(text)
        if math.isfinite(value):
            return value
        self.dropped += 1
        return None

    def parse_int(self, text: str) -> int | None:
        if len(text) - text.startswith("-") > MAX_INT_DIGITS:
            self.dropped += 1
            return None
        return int(text)

    def parse_constant(self, _name: str) -> None:
        self.dropped += 1
        return None


# ----------------------------------------------------------------- one attempt


@dataclass
class _Attempt:
    """What one HTTP attempt produced, with no transport objects kept."""

    status: int | None = None
    headers: dict[str, str] | None = None
    body: bytes | None = None
    failure: str | None = None  # see FAILURE_TEXT
    retryable: bool = False


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
        last: _Attempt | None = None
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
            last = self._send_once(
                url,
                params=params,
                authenticated=authenticated,
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
        self, result: _Attempt, label: str, host: str, *, as_json: bool, max_bytes: int
    ) -> tuple[bool, Any, str]:
        """(True, value, _) to return; (False, wait or None, what) to retry;
        raises the final error for answers that must not be retried."""
        if result.failure is not None:
            if result.failure in CUT_SHORT:
                size = (
                    f"is larger than {max_bytes} bytes"
                    if result.failure == "too_large"
                    else f"and the answers read at once with it passed {BODIES_IN_FLIGHT_CAP} bytes"
                )
                raise ResponseTooLarge(
                    f"{label} {size} (decoded); download aborted",
                    status=result.status,
                    endpoint=label,
                )
            if result.failure == "deadline":
                RUN_CLOCK.check(f"{host} ({label})")
                raise NetworkError(
                    f"{host} was too slow: {label} did not finish within {self.deadline:g} s "
                    f"(request deadline, {REQUEST_DEADLINE_ENV}); try again later",
                    endpoint=label,
                )
            if result.failure == "encoding":
                raise BadResponse(
                    f"{label} answered with a compressed body that cannot be decoded",
                    status=result.status,
                    endpoint=label,
                )
            if result.failure == "redirect":
                raise BadResponse(
                    f"{label} answered with a redirect that was not followed "
                    "(another host, a downgrade to http, or too many hops)",
                    status=result.status,
                    endpoint=label,
                )
            if not result.retryable:
                raise NetworkError(
                    self._network_message(result.failure, host, label), endpoint=label
                )
            return False, None, FAILURE_TEXT.get(result.failure, "network error")
        status = result.status or 0
        self._note_answer(status)
        if 200 <= status < 300:
            if not as_json:
                return True, result.body, ""
            numbers = NumberGuard()
            value, problem = self._parse_json(result.body or b"", numbers)
            if problem is None:
                if numbers.dropped:
                    with self._lock:
                        self._dropped[label] += numbers.dropped
                return True, value, ""
            if problem == "truncated":
                result.failure = "truncated"  # for _give_up, if this was the last try
                return False, None, "truncated JSON"
            raise BadResponse(
                f"{label} answered with a body that is not valid JSON; "
                "check INTERVALS_BASE_URL points at the Intervals.icu API",
                status=status,
                endpoint=label,
            )
        if status in (401, 403):
            raise AuthError(
                f"Intervals.icu refused the credentials (HTTP {status}) on {label}: "
                "check INTERVALS_KEY and ATHLETE_ID; the athlete id looks like i123456",
                status=status,
                endpoint=label,
            )
        if status in (404, 410):
            what = "is gone (deleted)" if status == 410 else "was not found"
            raise NotFound(f"{label} {what} (HTTP {status})", status=status, endpoint=label)
        if status != 429 and status < 500:
            raise ApiError(
                f"Intervals.icu rejected {label} (HTTP {status}){self._server_text(result)}",
                status=status,
                endpoint=label,
            )
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

    def _give_up(self, last: _Attempt | None, host: str, label: str) -> Any:
        """Raise the error for a call whose retries are exhausted."""
        n = self.max_attempts
        if last is None or last.failure is not None:
            failure = (last.failure if last else None) or "network"
            if failure == "truncated":
                raise BadResponse(
                    f"{label}: the response body was cut short {n} times; try again later",
                    endpoint=label,
                )
            raise NetworkError(
                self._network_message(failure, host, label, attempts=n), endpoint=label
            )
        status = last.status
        if status == 429:
            self._note_rate_limit_exhausted()
            raise RateLimited(
                f"Intervals.icu rate limit (HTTP 429) on {label} persisted over "
                f"{n} attempts; run the sync again later",
                endpoint=label,
            )
        raise ApiError(
            f"Intervals.icu server error (HTTP {status}) on {label} after {n} "
            f"attempts{self._server_text(last)}; try again later",
            status=status,
            endpoint=label,
        )

    def _send_once(
        self,
        url: str,
        *,
        params,
        authenticated: bool,
        max_bytes: int,
        check_url: Callable[[str], None] | None = None,
        extra_headers: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> _Attempt:
        """One request (a POST when `json_body` is given), following only the
        redirects allowed (see `_next_hop`), under the request deadline; every
        transport exception becomes a failure code."""
        deadline = call_deadline(self.deadline)
        session = self.session if authenticated else self.download_session
        with Watch(deadline) as watch:
            for _hop in range(MAX_REDIRECTS + 1):
                result, location = self._one_hop(
                    session,
                    url,
                    params,
                    authenticated,
                    max_bytes,
                    deadline,
                    watch,
                    extra_headers=extra_headers,
                    json_body=json_body,
                )
                if location is None:
                    return result
                nxt = self._next_hop(url, location, authenticated, check_url)
                if nxt is None:
                    return _Attempt(status=result.status, failure="redirect")
                url, params = nxt, None
        return _Attempt(failure="redirect")

    def _next_hop(
        self,
        url: str,
        location: str,
        authenticated: bool,
        check_url: Callable[[str], None] | None,
    ) -> str | None:
        """The redirect target to follow, or None to refuse it. Never a downgrade
        to http; with credentials only the same origin; otherwise only what
        `check_url` accepts (it raises to refuse)."""
        target = urljoin(url, location)
        old, new = urlsplit(url), urlsplit(target)
        if new.scheme not in ("http", "https") or (old.scheme == "https" and new.scheme == "http"):
            return None
        if authenticated:
            return target if (new.scheme, new.netloc) == (old.scheme, old.netloc) else None
        if check_url is None:
            return None
        check_url(target)
        return target

    def _timeout_until(self, deadline: float) -> tuple[float, float]:
        left = max(0.01, deadline - time.monotonic())
        if left >= self.timeout[1]:
            return self.timeout
        return (min(self.timeout[0], left), left)

    def _one_hop(
        self,
        session,
        url,
        params,
        authenticated,
        max_bytes,
        deadline,
        watch,
        *,
        extra_headers: dict[str, str] | None = None,
        json_body: Any = None,
    ) -> tuple[_Attempt, str | None]:
        """(attempt, redirect location or None)."""
        kwargs: dict[str, Any] = {
            "params": params,
            "timeout": self._timeout_until(deadline),
            "stream": True,
            "allow_redirects": False,
        }
        if authenticated and self._auth is not None:
            kwargs["auth"] = self._auth
        headers = {} if authenticated else {"Accept": "*/*"}
        headers.update(extra_headers or {})
        if headers:
            kwargs["headers"] = headers
        if json_body is not None:
            kwargs["json"] = json_body
        failure: str | None = None
        retryable = False
        try:
            if json_body is None:
                response = session.get(url, **kwargs)
            else:
                response = session.post(url, **kwargs)
        except requests.exceptions.ConnectTimeout:
            failure, retryable = "connect_timeout", True
        except requests.exceptions.ReadTimeout:
            failure, retryable = "read_timeout", True
        except requests.exceptions.SSLError:
            failure = "tls"
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidSchema,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidHeader,
        ):
            failure = "invalid_url"
        except requests.exceptions.TooManyRedirects:
            failure = "redirects"
        except requests.exceptions.ChunkedEncodingError:
            failure, retryable = "truncated", True
        except requests.exceptions.RequestException as exc:
            failure = network_reason(exc)
            retryable = failure != "tls"
        if failure is not None:
            if watch.expired:
                failure, retryable = "deadline", False
            return _Attempt(failure=failure, retryable=retryable), None
        try:
            return self._read_answer(response, max_bytes, deadline, watch)
        finally:
            response.close()

    def _read_answer(
        self, response, max_bytes: int, deadline: float, watch: Watch
    ) -> tuple[_Attempt, str | None]:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        location = headers.get("location")
        if status in REDIRECT_STATUSES and location:
            return _Attempt(status=status, headers=headers), location
        success = 200 <= status < 300
        declared = headers.get("content-length", "").strip()
        if success and declared.isdigit() and int(declared) > max_bytes:
            return _Attempt(status=status, headers=headers, failure="too_large"), None
        failure: str | None = None
        retryable = False
        body = None
        try:
            read = read_body(
                response, max_bytes=max_bytes if success else ERROR_BODY_CAP, deadline=deadline
            )
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            reason = network_reason(exc)  # a body cut short, or a read timeout
            failure, retryable = ("read_timeout" if reason == "read_timeout" else "truncated"), True
        else:
            body = read.data
            if read.failure in CUT_SHORT and not success:
                pass  # an error page: its start is all we quote
            elif read.failure is not None:
                failure = read.failure
            elif success and declared.isdigit() and read.raw_length < int(declared):
                failure, retryable = "truncated", True
        if failure is not None and failure not in CUT_SHORT and watch.expired:
            failure, retryable = "deadline", False
        return (
            _Attempt(
                status=status, headers=headers, body=body, failure=failure, retryable=retryable
            ),
            None,
        )

    def _parse_json(
        self, body: bytes, numbers: NumberGuard | None = None
    ) -> tuple[Any, str | None]:
        """(value, None) or (None, "truncated" | "invalid"). Non-finite and
        absurdly long numbers become None (counted by `numbers`)."""
        numbers = numbers or NumberGuard()
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            return None, ("truncated" if err.end >= len(body) else "invalid")
        try:
            return (
                json.loads(
                    text,
                    parse_float=numbers.parse_float,
                    parse_int=numbers.parse_int,
                    parse_constant=numbers.parse_constant,
                ),
                None,
            )
        except json.JSONDecodeError as err:
            return None, ("truncated" if looks_truncated(text, err) else "invalid")
        except RecursionError:
            return None, "invalid"

    def _server_text(self, result: _Attempt) -> str:
        """': <the server's error text>' (one line, scrubbed), or ''."""
        body = result.body or b""
        text = ""
        try:
            data = json.loads(body.decode("utf-8", "replace")) if body else None
        except (ValueError, RecursionError):  # ValueError: also a 5,000-digit integer
            data = None
        if isinstance(data, dict):
            for key in ("error", "message", "detail"):
                if isinstance(data.get(key), str) and data[key].strip():
                    text = data[key]
                    break
        elif isinstance(data, list):
            texts = [d.get("error") for d in data if isinstance(d, dict)]
            text = "; ".join(t for t in texts if isinstance(t, str))
        elif body and not body.lstrip().startswith(b"<"):
            text = body.decode("utf-8", "replace")
        text = self.scrub(printable(text))
        if len(text) > 200:
            text = text[:197] + "..."
        return f": {text}" if text else ""

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

    def _network_message(self, failure: str, host: str, label: str, attempts: int = 1) -> str:
        what = FAILURE_TEXT.get(failure, "network error")
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if failure == "invalid_url":
            return f"{label}: invalid URL; check INTERVALS_BASE_URL"
        if failure == "read_timeout":
            return (
                f"{host} did not answer {label} within {self.timeout[1]:g} s{tries}; "
                "check INTERVALS_BASE_URL / network, or try again later"
            )
        return f"cannot reach {host} ({what}{tries}); check INTERVALS_BASE_URL / network"

    def _backoff(self, attempt: int) -> float:
        return backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_cap, rand=self._rand)

    def _pause(self, seconds: float | None) -> None:
        seconds = max(0.0, seconds or 0.0)
        with self._lock:
            self._retries += 1
            self._backoff_seconds += seconds
        self._sleep(seconds)

    def _count(self, result: _Attempt) -> None:
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
