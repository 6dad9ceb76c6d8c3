"""TrainingPeaks client (read only): one method per endpoint, raw JSON out.

TrainingPeaks has no public API for athletes; this speaks to the internal
web API its own calendar uses. The only secret is the browser cookie
`Production_tpAuth`, which lasts a few weeks and cannot be refreshed by a
program. Every client exchanges it for a bearer token (`GET /users/v3/token`,
about an hour) and reads the athlete id from `/users/v3/user`.

- Requests are paced at least `MIN_REQUEST_INTERVAL` apart (TrainingPeaks
  publishes no limit; this is the convention of the tools that use it).
- Workout lists are asked for `MAX_RANGE_DAYS` at a time; longer ranges are
  split here.
- Transport (timeouts, retries, 429 with Retry-After) is `http.HttpClient`.
- A 401 from an API call drops the token, exchanges the cookie again and
  retries once; a 401 from the token endpoint is `AuthExpired`; a server
  error there is an `Outage`, not an expired cookie.
- The cookie and the token never appear in a message (`scrub`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import InvalidInput
from .errors import (
    ApiError,
    AuthError,
    BadResponse,
    IntervalsError,
    NetworkError,
    NotFound,
)
from .errors import RateLimited as HttpRateLimited
from .http import DEFAULT_TIMEOUT, HttpClient
from .intervals import LOOPBACK_HOSTS
from .policy import TokenBucket
from .tp_errors import (
    PASTE_HINT,
    AuthExpired,
    BadCookie,
    Outage,
    RangeTooLong,
    RateLimited,
    TrainingPeaksError,
)

DEFAULT_BASE_URL = "https://tpapi.trainingpeaks.com"
BASE_URL_ENV = "TRAININGPEAKS_BASE_URL"
COOKIE_NAME = "Production_tpAuth"
MIN_REQUEST_INTERVAL = 0.15  # seconds between two requests
MAX_RANGE_DAYS = 90  # calendar days per workout-list request, both ends included
WORKOUTS_LABEL = "/fitness/v6/athletes/{id}/workouts/{start}/{end}"
TOKEN_MARGIN = 60.0  # seconds before expiry a token counts as expired
DEFAULT_TOKEN_LIFETIME = 3600.0
MAX_ATTEMPTS = 3

# workoutTypeValueId -> sport (the tp2intervals / MCP catalogue, which matches
# what the TrainingPeaks web app sends; the skill's own table disagrees)
WORKOUT_TYPES: dict[int, str] = {
    1: "Swim",
    2: "Bike",
    3: "Run",
    4: "Brick",
    5: "Crosstrain",
    6: "Race",
    7: "Day Off",
    8: "Mountain Bike",
    9: "Strength",
    10: "Custom",
    11: "XC-Ski",
    12: "Rowing",
    13: "Walk",
    29: "Strength",
    100: "Other",
}

_HR_TYPES = ("hR5sec", "hR1min", "hR5min", "hR10min", "hR20min", "hR60min", "hR90min")
PR_TYPES: dict[str, tuple[str, ...]] = {
    "Bike": (
        "power5sec",
        "power1min",
        "power5min",
        "power10min",
        "power20min",
        "power60min",
        "power90min",
        *_HR_TYPES,
    ),
    "Run": (
        *_HR_TYPES,
        "speed400Meter",
        "speed800Meter",
        "speed1K",
        "speed1Mi",
        "speed5K",
        "speed5Mi",
        "speed10K",
        "speed10Mi",
        "speedHalfMarathon",
        "speedMarathon",
        "speed50K",
    ),
}

_COOKIE_FORBIDDEN = set(';,"\\ \t\r\n')


def sport_name(type_id: Any) -> str | None:
    """The sport of a `workoutTypeValueId` (None when unknown or absent)."""
    if isinstance(type_id, bool) or not isinstance(type_id, int):
        return None
    return WORKOUT_TYPES.get(type_id)


def normalize_cookie(text: str | None) -> str:
    """The cookie value from what a user pasted: the bare value, the
    `Production_tpAuth=<value>` pair, or a whole Cookie header holding it.
    Raises BadCookie (without quoting the text) when nothing usable is there."""
    raw = (text or "").strip()
    if raw.lower().startswith("cookie:"):
        raw = raw[len("cookie:") :].strip()
    marker = COOKIE_NAME + "="
    if marker in raw:
        raw = raw.split(marker, 1)[1].split(";", 1)[0].strip()
    elif ";" in raw:
        raise BadCookie(f"the pasted text holds other cookies but no {COOKIE_NAME}")
    if not raw:
        raise BadCookie(f"no {COOKIE_NAME} cookie value was given")
    if any(ch in _COOKIE_FORBIDDEN or not ch.isprintable() for ch in raw):
        raise BadCookie(f"the {COOKIE_NAME} value holds characters a cookie cannot hold")
    return raw


def resolve_base_url(base_url: str | None = None) -> str:
    """Base URL from the argument, else TRAININGPEAKS_BASE_URL, else the real
    API; https only, except plain http to a loopback host (tests, demo)."""
    raw = base_url or os.environ.get(BASE_URL_ENV, "").strip() or DEFAULT_BASE_URL
    raw = raw.strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{BASE_URL_ENV} must be an https URL such as {DEFAULT_BASE_URL}")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidInput(
            f"{BASE_URL_ENV} uses plain http for a non-local host; "
            "use https so the cookie is not sent in clear"
        )
    return raw


def date_chunks(start: date, end: date, span: int = MAX_RANGE_DAYS) -> list[tuple[date, date]]:
    """[start, end] cut into consecutive pieces of at most `span` days."""
    pieces = []
    first = start
    while first <= end:
        last = min(end, first + timedelta(days=span - 1))
        pieces.append((first, last))
        first = last + timedelta(days=1)
    return pieces


def range_days(start: date, end: date) -> int:
    """Calendar days in [start, end], both included."""
    return (end - start).days + 1


def _segment(value: Any) -> str:
    return quote(str(value), safe="")


def _athlete_from_user(payload: Any) -> int | str | None:
    """userId, then personId, then athletes[0].athleteId of /users/v3/user."""
    user = payload.get("user", payload) if isinstance(payload, dict) else None
    if not isinstance(user, dict):
        return None
    for key in ("userId", "personId"):
        if user.get(key) not in (None, ""):
            return user[key]
    athletes = user.get("athletes")
    if isinstance(athletes, list) and athletes and isinstance(athletes[0], dict):
        return athletes[0].get("athleteId")
    return None


class TrainingPeaksClient:
    """A logged-in view of one TrainingPeaks account.

    `clock`/`sleep` drive the token expiry and the pacing (tests pass fakes);
    `max_attempts` and `backoff_base` go to the transport.
    """

    def __init__(
        self,
        cookie: str,
        base_url: str | None = None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = MAX_ATTEMPTS,
        backoff_base: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
    ):
        self._cookie = normalize_cookie(cookie)
        self._clock = clock
        pacer = TokenBucket(1.0 / MIN_REQUEST_INTERVAL, 1, clock=clock, sleep=sleep)
        self._http = HttpClient(
            resolve_base_url(base_url),
            timeout=timeout,
            max_attempts=max_attempts,
            pacer=pacer,
            backoff_base=backoff_base,
            sleep=sleep,
        )
        self._token: str | None = None
        self._token_expires = 0.0
        self._user: dict[str, Any] | None = None
        self._athlete_id: int | str | None = None

    def __repr__(self) -> str:  # never the cookie or the token
        return f"TrainingPeaksClient(base_url={self._http.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TrainingPeaksClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def request_count(self) -> int:
        return self._http.request_count

    @property
    def token_seconds_left(self) -> float:
        """Seconds the current bearer token has left (0 when there is none)."""
        if self._token is None:
            return 0.0
        return max(0.0, self._token_expires - self._clock())

    def scrub(self, text: str) -> str:
        for secret in (self._token, self._cookie):
            if secret:
                text = text.replace(secret, "[redacted]")
        return text

    # ------------------------------------------------------------ auth

    def exchange(self) -> str:
        """A fresh bearer token for the cookie (AuthExpired on a 401)."""
        self._token = None
        headers = {"Cookie": f"{COOKIE_NAME}={self._cookie}"}
        failure: IntervalsError | None = None
        try:
            payload = self._http.get_json("/users/v3/token", headers=headers)
        except IntervalsError as exc:
            failure = exc
        if failure is not None:
            raise self._token_error(failure)
        token = payload.get("token") if isinstance(payload, dict) else None
        access = token.get("access_token") if isinstance(token, dict) else None
        if not isinstance(access, str) or not access:
            raise TrainingPeaksError(
                "TrainingPeaks answered the token exchange without a token; try again later",
                endpoint="/users/v3/token",
            )
        lifetime = token.get("expires_in") if isinstance(token, dict) else None
        seconds = float(lifetime) if isinstance(lifetime, (int, float)) else DEFAULT_TOKEN_LIFETIME
        self._token = access
        self._token_expires = self._clock() + seconds
        return access

    def _bearer(self) -> str:
        if self._token is None or self.token_seconds_left <= TOKEN_MARGIN:
            return self.exchange()
        return self._token

    def user(self) -> dict[str, Any]:
        """`/users/v3/user`, unwrapped from its `user` envelope."""
        if self._user is None:
            payload = self._api("/users/v3/user")
            user = payload.get("user", payload) if isinstance(payload, dict) else None
            if not isinstance(user, dict):
                raise TrainingPeaksError(
                    "TrainingPeaks answered /users/v3/user with an unexpected shape",
                    endpoint="/users/v3/user",
                )
            self._user = user
            self._athlete_id = _athlete_from_user(payload)
        return self._user

    def athlete_id(self) -> int | str:
        self.user()
        if self._athlete_id in (None, ""):
            raise TrainingPeaksError(
                "TrainingPeaks did not say which athlete this account is "
                "(no userId, personId or athletes in /users/v3/user)",
                endpoint="/users/v3/user",
            )
        assert self._athlete_id is not None
        return self._athlete_id

    # ------------------------------------------------------------ endpoints

    def workouts(self, start: date, end: date) -> list[dict[str, Any]]:
        """Workouts (planned and completed) on [start, end], in request-size pieces."""
        aid = _segment(self.athlete_id())
        rows: list[dict[str, Any]] = []
        for first, last in date_chunks(start, end):
            path = f"/fitness/v6/athletes/{aid}/workouts/{first.isoformat()}/{last.isoformat()}"
            rows.extend(self._list(path, WORKOUTS_LABEL))
        return rows

    def workouts_checked(self, start: date, end: date) -> list[dict[str, Any]]:
        """One request for [start, end]; RangeTooLong past MAX_RANGE_DAYS."""
        days = range_days(start, end)
        if days > MAX_RANGE_DAYS:
            raise RangeTooLong(
                f"TrainingPeaks serves at most {MAX_RANGE_DAYS} days of workouts per request; "
                f"{start.isoformat()}..{end.isoformat()} is {days} days: ask for a shorter range"
            )
        return self.workouts(start, end)

    def workout(self, workout_id: int | str) -> dict[str, Any]:
        """One workout with its full structure (object or one-element array)."""
        path = f"/fitness/v6/athletes/{_segment(self.athlete_id())}/workouts/{_segment(workout_id)}"
        payload = self._api(path, label="/fitness/v6/athletes/{id}/workouts/{workoutId}")
        if isinstance(payload, list) and len(payload) == 1:
            payload = payload[0]
        if not isinstance(payload, dict):
            raise TrainingPeaksError(
                f"TrainingPeaks has no workout {workout_id}", endpoint="workouts/{workoutId}"
            )
        return payload

    def fitness(self, start: date, end: date) -> list[dict[str, Any]]:
        """Daily {workoutDay, tssActual, ctl, atl, tsb}, seeded at 0 on `start`."""
        path = (
            f"/fitness/v1/athletes/{_segment(self.athlete_id())}/reporting/performancedata/"
            f"{start.isoformat()}/{end.isoformat()}"
        )
        body = {
            "atlConstant": 7,
            "atlStart": 0,
            "ctlConstant": 42,
            "ctlStart": 0,
            "workoutTypes": [],
        }
        payload = self._api(
            path, label="/fitness/v1/athletes/{id}/reporting/performancedata", body=body
        )
        return self._as_list(payload, "performancedata")

    def peaks(self, sport: str, pr_type: str, start: date, end: date) -> list[dict[str, Any]]:
        """Ranked personal records of one kind (`PR_TYPES`)."""
        if pr_type not in PR_TYPES.get(sport, ()):
            raise InvalidInput(invalid_pr_message(sport, pr_type))
        path = f"/personalrecord/v2/athletes/{_segment(self.athlete_id())}/{_segment(sport)}"
        params = {
            "prType": pr_type,
            "startDate": f"{start.isoformat()}T00:00:00",
            "endDate": f"{end.isoformat()}T00:00:00",
        }
        payload = self._api(path, label="/personalrecord/v2/athletes/{id}/{sport}", params=params)
        return self._as_list(payload, "personalrecord")

    def events(self, start: date, end: date) -> list[dict[str, Any]]:
        """Races and other events, with their A/B/C priority."""
        path = (
            f"/fitness/v6/athletes/{_segment(self.athlete_id())}/events/"
            f"{start.isoformat()}/{end.isoformat()}"
        )
        return self._list(path, "/fitness/v6/athletes/{id}/events/{start}/{end}")

    def health_metrics(self, start: date, end: date) -> list[dict[str, Any]]:
        """Timed metric entries (HRV, resting HR, sleep, weight, steps, SpO2...)."""
        path = (
            f"/metrics/v3/athletes/{_segment(self.athlete_id())}/consolidatedtimedmetrics/"
            f"{start.isoformat()}/{end.isoformat()}"
        )
        return self._list(path, "/metrics/v3/athletes/{id}/consolidatedtimedmetrics")

    def atp(self, start: date, end: date) -> list[dict[str, Any]]:
        """Annual Training Plan weeks {week, volume, period, raceName, racePriority,
        weeksToNextPriorityEvent} on [start, end]."""
        path = (
            f"/fitness/v1/athletes/{_segment(self.athlete_id())}/atp/"
            f"{start.isoformat()}/{end.isoformat()}"
        )
        return self._list(path, "/fitness/v1/athletes/{id}/atp/{start}/{end}")

    def calendar_notes(self, start: date, end: date) -> list[dict[str, Any]]:
        """Calendar notes {id, noteDate, title, description}."""
        last = end if end > start else start + timedelta(days=1)
        path = (
            f"/fitness/v1/athletes/{_segment(self.athlete_id())}/calendarNote/"
            f"{start.isoformat()}/{last.isoformat()}"
        )
        return self._list(path, "/fitness/v1/athletes/{id}/calendarNote/{start}/{end}")

    # ------------------------------------------------------------ machinery

    def _list(self, path: str, label: str) -> list[dict[str, Any]]:
        return self._as_list(self._api(path, label=label), label)

    @staticmethod
    def _as_list(payload: Any, label: str) -> list[dict[str, Any]]:
        if not isinstance(payload, list):
            raise TrainingPeaksError(
                f"TrainingPeaks answered {label} with something other than a list",
                endpoint=label,
            )
        return [row for row in payload if isinstance(row, dict)]

    def _api(
        self,
        path: str,
        *,
        label: str | None = None,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """One API call with the bearer token; a 401 gets one fresh token."""
        label = label or path
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._bearer()}"}
            failure: IntervalsError | None = None
            try:
                if body is None:
                    return self._http.get_json(path, params, endpoint=label, headers=headers)
                return self._http.post_json(path, body, endpoint=label, headers=headers)
            except IntervalsError as exc:
                failure = exc
            if isinstance(failure, AuthError) and attempt == 1:
                self._token = None
                continue
            raise self._api_error(failure, label)
        raise AssertionError("unreachable")  # pragma: no cover

    def _token_error(self, failure: IntervalsError) -> TrainingPeaksError:
        label = "/users/v3/token"
        status = failure.status
        if isinstance(failure, AuthError):
            return AuthExpired(
                f"the TrainingPeaks cookie has expired or is invalid (HTTP {status}); {PASTE_HINT}",
                status=status,
                endpoint=label,
            )
        if isinstance(failure, ApiError) and (status or 0) >= 500:
            return Outage(
                f"TrainingPeaks is having an outage (HTTP {status} from the token endpoint); "
                "the cookie is probably fine: try again later",
                status=status,
                endpoint=label,
            )
        return self._api_error(failure, label)

    def _api_error(self, failure: IntervalsError, label: str) -> TrainingPeaksError:
        status = failure.status
        if status == 400 and label == WORKOUTS_LABEL:
            return RangeTooLong(
                f"TrainingPeaks refused a workout list of {MAX_RANGE_DAYS} days or less "
                f"(HTTP 400 on {label}); its limit was {MAX_RANGE_DAYS} days per request and "
                "may have changed: the TrainingPeaks part is skipped this run",
                status=status,
                endpoint=label,
            )
        if isinstance(failure, AuthError):
            return AuthExpired(
                f"TrainingPeaks refused a fresh token on {label} (HTTP {status}); {PASTE_HINT}",
                status=status,
                endpoint=label,
            )
        if isinstance(failure, HttpRateLimited):
            return RateLimited(
                f"TrainingPeaks rate limit (HTTP 429) on {label}; try again later",
                status=429,
                endpoint=label,
            )
        if isinstance(failure, ApiError) and (status or 0) >= 500:
            return Outage(
                f"TrainingPeaks is having an outage (HTTP {status} on {label}); try again later",
                status=status,
                endpoint=label,
            )
        if isinstance(failure, NetworkError):
            return TrainingPeaksError(
                f"cannot reach TrainingPeaks ({label}); check {BASE_URL_ENV} / network",
                endpoint=label,
            )
        if isinstance(failure, NotFound):
            return TrainingPeaksError(
                f"TrainingPeaks has nothing at {label} (HTTP {status})",
                status=status,
                endpoint=label,
            )
        if isinstance(failure, BadResponse):
            return TrainingPeaksError(
                f"TrainingPeaks answered {label} with a body that is not valid JSON",
                status=status,
                endpoint=label,
            )
        return TrainingPeaksError(
            f"TrainingPeaks rejected {label} (HTTP {status})", status=status, endpoint=label
        )


def invalid_pr_message(sport: str, pr_type: str) -> str:
    """Why a (sport, PR type) pair is refused, with the valid choices."""
    if sport not in PR_TYPES:
        return f"unknown sport {sport!r} for peaks: use one of {', '.join(PR_TYPES)}"
    return f"{pr_type!r} is not a {sport} PR type; valid types: {', '.join(PR_TYPES[sport])}"
