"""Errors raised by the Intervals.icu client (docs/architecture.md#errors-and-retries, weakness 9.6 (docs/architecture.md#reference-weaknesses)).

Every failure of an HTTP call ends as one of these classes, whatever the
transport said. Each carries the HTTP status (None when no response arrived),
the endpoint path *without* its query string, and a one-line message that
names the fix.

The messages are built here from plain values only: they never quote a
`requests` exception (those can embed URLs and headers), and the client raises
them outside any `except` block, so neither `__cause__` nor `__context__`
links back to transport objects that could hold the Authorization header.
"""

from __future__ import annotations


class IntervalsError(Exception):
    """Base class: a call to Intervals.icu (or an attachment host) failed."""

    def __init__(self, message: str, *, status: int | None = None, endpoint: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.endpoint = endpoint

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, "
            f"endpoint={self.endpoint!r}, message={self.message!r})"
        )


class AuthError(IntervalsError):
    """401/403: the key or the athlete id is wrong. Never retried."""


class NotFound(IntervalsError):
    """404, or 410 (`gone`: deleted resource, a terminal answer)."""

    def __init__(self, message: str, *, status: int | None = None, endpoint: str | None = None):
        super().__init__(message, status=status, endpoint=endpoint)
        self.gone = status == 410


class RateLimited(IntervalsError):
    """429 after the retries, a Retry-After beyond the cap, or a fail-fast
    refusal once the client's circuit breaker has tripped."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        endpoint: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, status=status, endpoint=endpoint)
        self.retry_after = retry_after


class ApiError(IntervalsError):
    """5xx after the retries, or another 4xx (422 Strava-restricted, 400...)."""


class NetworkError(IntervalsError):
    """No usable answer: connection refused/reset, DNS, TLS, timeouts."""


class BadResponse(IntervalsError):
    """A 2xx answer that cannot be used: invalid or truncated JSON, JSON null
    or the wrong top-level shape where a list or an object was expected."""


class ResponseTooLarge(BadResponse):
    """A download exceeded its byte cap and was aborted."""


class RefusedUrl(IntervalsError):
    """A URL (an attachment, or a redirect target) that the client will not
    fetch: another host, a private or link-local address, or plain http."""
