"""One HTTP answer read and judged, apart from the client that sends the requests.

`read_answer` turns a streamed `requests` response into an `Attempt` (status,
headers, the body under its size cap and the shared in-flight budget, or the
failure that stopped it); `parse_json` decodes a body with the `NumberGuard`
(NaN, Infinity, overflowing floats and absurdly long integers read as absent);
the `*_error` functions build the error an unusable answer becomes, from plain
values only, so the client raises them outside any `except` block and no
transport exception (which may hold URLs or headers) is chained to them.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
import urllib3

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
from .policy import FAILURE_TEXT, looks_truncated, network_reason
from .transport import BODIES_IN_FLIGHT_CAP, REQUEST_DEADLINE_ENV, RUN_CLOCK, Watch, read_body

ERROR_BODY_CAP = 64 * 1024  # enough of an error body to quote the server's message
CUT_SHORT = ("too_large", "over_budget")  # a body stopped for its size
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_INT_DIGITS = 40  # an integer longer than this is no real value (ids and counts are shorter)


class NumberGuard:
    """json.loads hooks: NaN, Infinity, numbers that overflow a float, subnormal
    floats (nonzero but below the smallest normal float: no measurement is that
    small, and dividing by one overflows) and integers of more than
    MAX_INT_DIGITS digits become None (absent), counted in `dropped`; without
    them such a body crashed the run (ValueError, OverflowError) or reached the
    store as NaN."""

    def __init__(self) -> None:
        self.dropped = 0

    def parse_float(self, text: str) -> float | None:
        value = float(text)
        if math.isfinite(value) and (value == 0 or abs(value) >= sys.float_info.min):
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


@dataclass
class Attempt:
    """What one HTTP attempt produced, with no transport objects kept."""

    status: int | None = None
    headers: dict[str, str] | None = None
    body: bytes | None = None
    failure: str | None = None  # see FAILURE_TEXT
    retryable: bool = False


# ----------------------------------------------------------------- reading


def read_answer(
    response, max_bytes: int, deadline: float, watch: Watch
) -> tuple[Attempt, str | None]:
    """(attempt, redirect location or None) of a response: a success body up to
    `max_bytes` decoded bytes (a declared larger one is not read), an error
    body up to ERROR_BODY_CAP; a body cut short is a retryable failure."""
    status = response.status_code
    headers = {k.lower(): v for k, v in response.headers.items()}
    location = headers.get("location")
    if status in REDIRECT_STATUSES and location:
        return Attempt(status=status, headers=headers), location
    success = 200 <= status < 300
    declared = headers.get("content-length", "").strip()
    if success and declared.isdigit() and int(declared) > max_bytes:
        return Attempt(status=status, headers=headers, failure="too_large"), None
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
        Attempt(status=status, headers=headers, body=body, failure=failure, retryable=retryable),
        None,
    )


def parse_json(body: bytes, numbers: NumberGuard | None = None) -> tuple[Any, str | None]:
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


def server_text(result: Attempt, scrub: Callable[[str], str]) -> str:
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
    text = scrub(printable(text))
    if len(text) > 200:
        text = text[:197] + "..."
    return f": {text}" if text else ""


# ----------------------------------------------------------------- judging


def network_message(
    failure: str, host: str, label: str, read_timeout: float, attempts: int = 1
) -> str:
    what = FAILURE_TEXT.get(failure, "network error")
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if failure == "invalid_url":
        return f"{label}: invalid URL; check INTERVALS_BASE_URL"
    if failure == "read_timeout":
        return (
            f"{host} did not answer {label} within {read_timeout:g} s{tries}; "
            "check INTERVALS_BASE_URL / network, or try again later"
        )
    return f"cannot reach {host} ({what}{tries}); check INTERVALS_BASE_URL / network"


def failure_error(
    result: Attempt,
    label: str,
    host: str,
    *,
    max_bytes: int,
    deadline: float,
    read_timeout: float,
) -> IntervalsError | None:
    """The error an attempt that got no usable answer (`result.failure` set)
    ends with, or None when it may be retried."""
    failure = result.failure or "network"
    if failure in CUT_SHORT:
        size = (
            f"is larger than {max_bytes} bytes"
            if failure == "too_large"
            else f"and the answers read at once with it passed {BODIES_IN_FLIGHT_CAP} bytes"
        )
        return ResponseTooLarge(
            f"{label} {size} (decoded); download aborted",
            status=result.status,
            endpoint=label,
        )
    if failure == "deadline":
        RUN_CLOCK.check(f"{host} ({label})")
        return NetworkError(
            f"{host} was too slow: {label} did not finish within {deadline:g} s "
            f"(request deadline, {REQUEST_DEADLINE_ENV}); try again later",
            endpoint=label,
        )
    if failure == "encoding":
        return BadResponse(
            f"{label} answered with a compressed body that cannot be decoded",
            status=result.status,
            endpoint=label,
        )
    if failure == "redirect":
        return BadResponse(
            f"{label} answered with a redirect that was not followed "
            "(another host, a downgrade to http, or too many hops)",
            status=result.status,
            endpoint=label,
        )
    if not result.retryable:
        return NetworkError(network_message(failure, host, label, read_timeout), endpoint=label)
    return None


def not_json_error(label: str, status: int) -> BadResponse:
    return BadResponse(
        f"{label} answered with a body that is not valid JSON; "
        "check INTERVALS_BASE_URL points at the Intervals.icu API",
        status=status,
        endpoint=label,
    )


def refusal_error(
    result: Attempt, label: str, scrub: Callable[[str], str]
) -> IntervalsError | None:
    """The error a non-2xx answer that must not be retried (401, 403, 404, 410,
    any other 4xx but 429) ends with, or None for 429 and 5xx."""
    status = result.status or 0
    if status in (401, 403):
        return AuthError(
            f"Intervals.icu refused the credentials (HTTP {status}) on {label}: "
            "check INTERVALS_KEY and ATHLETE_ID; the athlete id looks like i123456",
            status=status,
            endpoint=label,
        )
    if status in (404, 410):
        what = "is gone (deleted)" if status == 410 else "was not found"
        return NotFound(f"{label} {what} (HTTP {status})", status=status, endpoint=label)
    if status != 429 and status < 500:
        return ApiError(
            f"Intervals.icu rejected {label} (HTTP {status}){server_text(result, scrub)}",
            status=status,
            endpoint=label,
        )
    return None


def exhausted_error(
    last: Attempt | None,
    host: str,
    label: str,
    *,
    attempts: int,
    read_timeout: float,
    scrub: Callable[[str], str],
) -> IntervalsError:
    """The error of a call whose `attempts` retries are exhausted."""
    n = attempts
    if last is None or last.failure is not None:
        failure = (last.failure if last else None) or "network"
        if failure == "truncated":
            return BadResponse(
                f"{label}: the response body was cut short {n} times; try again later",
                endpoint=label,
            )
        return NetworkError(
            network_message(failure, host, label, read_timeout, attempts=n), endpoint=label
        )
    status = last.status
    if status == 429:
        return RateLimited(
            f"Intervals.icu rate limit (HTTP 429) on {label} persisted over "
            f"{n} attempts; run the sync again later",
            endpoint=label,
        )
    return ApiError(
        f"Intervals.icu server error (HTTP {status}) on {label} after {n} "
        f"attempts{server_text(last, scrub)}; try again later",
        status=status,
        endpoint=label,
    )
