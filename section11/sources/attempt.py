"""One HTTP attempt: the request sent under the request deadline, only the
redirects allowed followed, every transport exception turned into a failure
code (no exception object, which may hold URLs or headers, is kept).

The client (`http.HttpClient`) decides whether to retry; the answer is read by
`answers.read_answer`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from .answers import Attempt, read_answer
from .policy import network_reason
from .transport import Watch, call_deadline

MAX_REDIRECTS = 5


def send_once(
    session: requests.Session,
    url: str,
    *,
    params,
    authenticated: bool,
    auth: tuple[str, str] | None,
    timeout: tuple[float, float],
    deadline_seconds: float,
    max_bytes: int,
    check_url: Callable[[str], None] | None = None,
    extra_headers: dict[str, str] | None = None,
    json_body: Any = None,
) -> Attempt:
    """One request (a POST when `json_body` is given), following only the
    redirects allowed (see `next_hop`), under the request deadline; every
    transport exception becomes a failure code. `auth` is sent only when
    `authenticated`."""
    deadline = call_deadline(deadline_seconds)
    with Watch(deadline) as watch:
        for _hop in range(MAX_REDIRECTS + 1):
            result, location = _one_hop(
                session,
                url,
                params,
                auth if authenticated else None,
                authenticated,
                max_bytes,
                timeout_until(deadline, timeout),
                deadline,
                watch,
                extra_headers=extra_headers,
                json_body=json_body,
            )
            if location is None:
                return result
            nxt = next_hop(url, location, authenticated, check_url)
            if nxt is None:
                return Attempt(status=result.status, failure="redirect")
            url, params = nxt, None
    return Attempt(failure="redirect")


def next_hop(
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


def timeout_until(deadline: float, timeout: tuple[float, float]) -> tuple[float, float]:
    """The (connect, read) timeout, shortened to what is left before `deadline`."""
    left = max(0.01, deadline - time.monotonic())
    if left >= timeout[1]:
        return timeout
    return (min(timeout[0], left), left)


def _one_hop(
    session,
    url,
    params,
    auth,
    authenticated,
    max_bytes,
    timeout,
    deadline,
    watch,
    *,
    extra_headers: dict[str, str] | None = None,
    json_body: Any = None,
) -> tuple[Attempt, str | None]:
    """(attempt, redirect location or None)."""
    kwargs: dict[str, Any] = {
        "params": params,
        "timeout": timeout,
        "stream": True,
        "allow_redirects": False,
    }
    if auth is not None:
        kwargs["auth"] = auth
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
        return Attempt(failure=failure, retryable=retryable), None
    try:
        return read_answer(response, max_bytes, deadline, watch)
    finally:
        response.close()
