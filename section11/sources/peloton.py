"""Peloton client: a token the athlete brings, the few read-only calls the mirror needs.

Peloton has no public API. Its password login (`POST /auth/login`) was retired
in October 2025; the web app now signs in through an OAuth (Auth0, PKCE)
login at auth.onepeloton.com that yields an access token and, with
`offline_access`, a refresh token. The mirror never asks for a password:

- `PELOTON_REFRESH_TOKEN` (with `PELOTON_CLIENT_ID`, the web app's public
  client id): each run mints an access token at `POST {auth}/oauth/token`
  (grant_type=refresh_token). When the answer carries a new refresh token
  (rotation), the caller keeps it (0600, in the state directory) and uses it
  next time: the old one stops working.
- `PELOTON_BEARER_TOKEN`: an access token copied from a browser session, for
  a one-off local run.

Every call sends `Peloton-Platform: web`. Workouts come newest first, 100 per
page, pages counted from 0; the caller stops at a workout it already has.
Failures end as `PelotonError` with a status key (`auth_expired`,
`rate_limited`, `stale`) and a one-line message that never holds a token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from .errors import AuthError, IntervalsError, RateLimited
from .http import HttpClient
from .transport import new_session, secure_url_problem

DEFAULT_BASE_URL = "https://api.onepeloton.com"
DEFAULT_AUTH_URL = "https://auth.onepeloton.com"
PAGE_SIZE = 100  # the most Peloton serves per page
SAMPLE_SECONDS = 5  # performance_graph every_n: one sample per 5 s
RATE = 4.0  # requests per second: Peloton publishes no limit, be gentle
TOKEN_TIMEOUT = (5.0, 30.0)
TOKEN_BODY_CAP = 64 * 1024
PLATFORM_HEADER = {"Peloton-Platform": "web"}
FIX_REFRESH = (
    "copy a new refresh token from a signed-in browser session at members.onepeloton.com "
    "into PELOTON_REFRESH_TOKEN (README: Peloton)"
)
FIX_BEARER = "copy a new access token from the browser into PELOTON_BEARER_TOKEN"


class PelotonError(Exception):
    """A Peloton read failed; `status_key` is the source status it means."""

    def __init__(self, message: str, status_key: str):
        super().__init__(message)
        self.message = message
        self.status_key = status_key  # auth_expired | rate_limited | stale

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PelotonAuth:
    """What the athlete brought. Tokens are excluded from repr()."""

    refresh_token: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    base_url: str | None = None  # PELOTON_BASE_URL; None = DEFAULT_BASE_URL
    auth_url: str | None = None  # PELOTON_AUTH_URL; None = DEFAULT_AUTH_URL

    @property
    def configured(self) -> bool:
        return bool(self.refresh_token or self.bearer_token)

    def secrets(self) -> list[str]:
        return [s for s in (self.refresh_token, self.bearer_token) if s]


@dataclass(frozen=True)
class Token:
    """A minted access token and, when the server rotated it, the next refresh token."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)


def checked_url(url: str, name: str) -> str:
    """`url` without a trailing slash; https only, except for a loopback host."""
    problem = secure_url_problem(url)
    if problem:
        raise PelotonError(f"{name} {problem}", "auth_expired")
    return url.rstrip("/")


def _token_failure(status: int | None) -> PelotonError:
    if status is None:
        return PelotonError(
            "Peloton's token endpoint did not answer; the stored rides are used", "stale"
        )
    if status in (400, 401, 403):
        return PelotonError(
            f"Peloton refused the refresh token (HTTP {status}): {FIX_REFRESH}", "auth_expired"
        )
    if status == 429:
        return PelotonError(
            "Peloton rate-limited the token request (HTTP 429); the next sync tries again",
            "rate_limited",
        )
    return PelotonError(
        f"Peloton's token endpoint failed (HTTP {status}); the stored rides are used", "stale"
    )


def _token_answer(status: int, body: bytes) -> Token:
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    access = answer.get("access_token") if isinstance(answer, dict) else None
    if status != 200 or not isinstance(access, str) or not access:
        raise _token_failure(status if status != 200 else 502)
    rotated = answer.get("refresh_token")
    return Token(access, rotated if isinstance(rotated, str) and rotated else None)


def mint_access_token(auth_url: str, client_id: str, refresh_token: str) -> Token:
    """`POST {auth_url}/oauth/token` with grant_type=refresh_token (no redirect followed)."""
    url = checked_url(auth_url, "PELOTON_AUTH_URL") + "/oauth/token"
    body = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
    status: int | None = None
    content = b""
    session = new_session("section11", cookies=False, pool_size=1)
    try:
        response = session.post(
            url, json=body, timeout=TOKEN_TIMEOUT, allow_redirects=False, stream=True
        )
        status = response.status_code
        content = response.raw.read(TOKEN_BODY_CAP + 1, decode_content=True)
        response.close()
    except (requests.exceptions.RequestException, OSError):
        status = None  # never quote the exception: it may hold the request
    finally:
        session.close()
    if status is None or len(content) > TOKEN_BODY_CAP:
        raise _token_failure(None)
    return _token_answer(status, content)


class PelotonClient:
    """Read-only Peloton calls over one paced HttpClient with a bearer token."""

    def __init__(
        self, access_token: str, base_url: str | None = None, *, rate: float | None = RATE
    ):
        url = checked_url(base_url or DEFAULT_BASE_URL, "PELOTON_BASE_URL")
        self.http = HttpClient(url, rate=rate)
        self.http.session.headers.update(PLATFORM_HEADER)
        self.http.session.headers["Authorization"] = f"Bearer {access_token}"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PelotonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, Any] | None = None, label: str = "") -> Any:
        failure: PelotonError | None = None
        try:
            return self.http.get_json(path, params, endpoint=label or path)
        except AuthError as exc:
            failure = PelotonError(
                f"Peloton refused the access token (HTTP {exc.status}) on {exc.endpoint}: "
                f"{FIX_REFRESH}, or for a one-off run {FIX_BEARER}",
                "auth_expired",
            )
        except RateLimited as exc:
            failure = PelotonError(
                f"Peloton rate-limited {exc.endpoint} (HTTP 429); the stored rides are used "
                "and the next sync (at most hourly) tries again",
                "rate_limited",
            )
        except IntervalsError as exc:
            failure = PelotonError(
                f"Peloton call {exc.endpoint} failed"
                + (f" (HTTP {exc.status})" if exc.status else "")
                + "; the stored rides are used",
                "stale",
            )
        raise failure

    def me(self) -> dict[str, Any]:
        """`GET /api/me`: the user (id, FTP fields, max heart rate)."""
        got = self._get("/api/me")
        if not isinstance(got, dict) or not isinstance(got.get("id"), str):
            raise PelotonError("Peloton /api/me answered without a user id", "stale")
        return got

    def workout_pages(self, user_id: str) -> Iterator[list[dict[str, Any]]]:
        """Pages of workouts, newest first, until the last page or an empty one."""
        page = 0
        while True:
            got = self._get(
                f"/api/user/{user_id}/workouts",
                {
                    "joins": "ride,ride.instructor",
                    "limit": PAGE_SIZE,
                    "page": page,
                    "sort_by": "-created",
                },
                label="/api/user/{id}/workouts",
            )
            if not isinstance(got, dict):
                raise PelotonError(
                    "Peloton answered /api/user/{id}/workouts with a page that is not an "
                    "object; the stored rides are used",
                    "stale",
                )
            items = [w for w in got.get("data") or [] if isinstance(w, dict)]
            if not items:
                return
            yield items
            count = got.get("page_count")
            page += 1
            if isinstance(count, int) and page >= count:
                return

    def workout(self, workout_id: str) -> dict[str, Any]:
        """`GET /api/workout/{id}`: the detail (with `ftp_info`)."""
        got = self._get(
            f"/api/workout/{workout_id}", {"joins": "ride,ride.instructor"}, "/api/workout/{id}"
        )
        return got if isinstance(got, dict) else {}

    def performance_graph(self, workout_id: str) -> dict[str, Any]:
        """`GET /api/workout/{id}/performance_graph?every_n=5`: metrics by slug."""
        got = self._get(
            f"/api/workout/{workout_id}/performance_graph",
            {"every_n": SAMPLE_SECONDS},
            "/api/workout/{id}/performance_graph",
        )
        return got if isinstance(got, dict) else {}

    def ride(self, ride_id: str) -> dict[str, Any]:
        """`GET /api/ride/{id}/details`: the class (title, instructor, difficulty)."""
        got = self._get(f"/api/ride/{ride_id}/details", label="/api/ride/{id}/details")
        return got if isinstance(got, dict) else {}
