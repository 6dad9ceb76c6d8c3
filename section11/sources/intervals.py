"""Intervals.icu REST client: one method per endpoint, raw parsed JSON out
(docs/architecture.md#api-client–docs/architecture.md#api-client).

Methods return the decoded JSON with only its top-level shape checked (list
or object; JSON null is a BadResponse). model.py turns the raw dicts into
dataclasses. Transport concerns (timeouts, retries, pacing, redaction) live
in `http.HttpClient`.

Optional calls (per-activity resources, curves, single-day wellness,
downloads) fail fast once the client is rate-limited; the core calls
(athlete, activity list, wellness, events) are always attempted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from ..errors import InvalidInput, MissingCredentials
from .attachments import attachment_checker
from .errors import BadResponse, RateLimited
from .http import DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT, HttpClient

DEFAULT_BASE_URL = "https://intervals.icu"
API_PREFIX = "/api/v1"
DEFAULT_WORKERS = 3
DEFAULT_DOWNLOAD_CAP = 5_000_000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

T = TypeVar("T")
R = TypeVar("R")

_ATHLETE_ID = re.compile(r"[iI]\d+|\d+")


def validate_athlete_id(value: Any) -> str:
    """Normalize ATHLETE_ID (docs/architecture.md#api-client): "0" (the key's own
    athlete), "i" + digits (a capital I is lower-cased) or bare digits (legacy
    accounts). Anything else raises InvalidInput. The rejected value is not
    echoed: users sometimes paste the API key into the wrong variable."""
    text = "" if value is None else str(value).strip()
    if not _ATHLETE_ID.fullmatch(text):
        raise InvalidInput(
            "ATHLETE_ID is not valid: expected i followed by digits (e.g. i123456), "
            "bare digits for old accounts, or 0 for the key's own athlete"
        )
    return text.lower()


def resolve_base_url(base_url: str | None = None) -> str:
    """Base URL from the argument, else env INTERVALS_BASE_URL, else
    https://intervals.icu; without a trailing slash or /api/v1 suffix.
    Plain http is accepted only for loopback hosts (the key travels in a header)."""
    raw = base_url if base_url else os.environ.get("INTERVALS_BASE_URL", "").strip()
    raw = (raw or DEFAULT_BASE_URL).strip().rstrip("/")
    if raw.endswith(API_PREFIX):
        raw = raw[: -len(API_PREFIX)].rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "INTERVALS_BASE_URL must be an http(s) URL such as https://intervals.icu"
        )
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise InvalidInput(
            "INTERVALS_BASE_URL uses plain http for a non-local host; "
            "use https so the API key is not sent in clear"
        )
    return raw


def _iso(day: date) -> str:
    return day.isoformat()


def _segment(value: Any) -> str:
    """A path segment, quoted so an odd id cannot change the path."""
    return quote(str(value), safe="")


class IntervalsClient:
    """Intervals.icu API for one athlete (HTTP Basic, username "API_KEY")."""

    def __init__(
        self,
        athlete_id: str,
        api_key: str,
        base_url: str | None = None,
        *,
        http: HttpClient | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        workers: int = DEFAULT_WORKERS,
        pool_size: int | None = None,
        **http_options: Any,
    ):
        if not api_key or not str(api_key).strip():
            raise MissingCredentials(
                "INTERVALS_KEY is not set; copy the API key from "
                "Intervals.icu Settings > Developer Settings"
            )
        self.athlete_id = validate_athlete_id(athlete_id)
        self.base_url = resolve_base_url(base_url) if http is None else http.base_url
        self.http = http or HttpClient(
            self.base_url,
            auth=("API_KEY", str(api_key).strip()),
            timeout=timeout,
            max_attempts=max_attempts,
            pool_size=pool_size or max(10, workers),
            **http_options,
        )
        self.workers = max(1, int(workers))

    def __repr__(self) -> str:  # never shows the key
        return f"IntervalsClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> IntervalsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ state

    @property
    def request_count(self) -> int:
        return self.http.request_count

    @property
    def rate_limited(self) -> bool:
        return self.http.rate_limited

    def stats(self) -> dict[str, Any]:
        return self.http.stats()

    def dropped_numbers(self) -> dict[str, int]:
        """{endpoint: numbers read as absent} (NaN, Infinity, 1e400, endless digits)."""
        return self.http.dropped_numbers()

    # ------------------------------------------------------------ plumbing

    def _get(
        self, path: str, label: str, params: dict[str, Any] | None, expect: type, optional: bool
    ) -> Any:
        """GET API_PREFIX + path; check the top-level shape. `label` is the
        path with ids replaced by placeholders, used in error messages."""
        endpoint = API_PREFIX + label
        value = self.http.get_json(API_PREFIX + path, params, endpoint=endpoint, optional=optional)
        if not isinstance(value, expect):
            wanted = "a list" if expect is list else "an object"
            got = "null" if value is None else type(value).__name__
            raise BadResponse(
                f"{endpoint} answered with {got} where {wanted} was expected",
                status=200,
                endpoint=endpoint,
            )
        return value

    def _athlete(self, suffix: str = "") -> str:
        return f"/athlete/{_segment(self.athlete_id)}{suffix}"

    # ------------------------------------------------------------ the key's athletes

    def athletes(self) -> list:
        """GET /athletes: the athletes this key may read (coached and followed, and its own)."""
        return self._get("/athletes", "/athletes", None, list, optional=False)

    # ------------------------------------------------------------ athlete-scoped

    def athlete(self) -> dict:
        """GET /athlete/{id}: profile + sportSettings (docs/architecture.md#api-client). Holds secrets."""
        return self._get(self._athlete(), "/athlete/{id}", None, dict, optional=False)

    def activities(self, oldest: date, newest: date, fields: list[str] | None = None) -> list:
        """GET /athlete/{id}/activities?oldest&newest[&fields] (docs/architecture.md#api-client), newest first."""
        params: dict[str, Any] = {"oldest": _iso(oldest), "newest": _iso(newest)}
        if fields:
            params["fields"] = ",".join(fields)
        return self._get(
            self._athlete("/activities"), "/athlete/{id}/activities", params, list, optional=False
        )

    def wellness(self, oldest: date, newest: date) -> list:
        """GET /athlete/{id}/wellness?oldest&newest (docs/architecture.md#api-client), date-ascending."""
        params = {"oldest": _iso(oldest), "newest": _iso(newest)}
        return self._get(
            self._athlete("/wellness"), "/athlete/{id}/wellness", params, list, optional=False
        )

    def events(
        self, oldest: date, newest: date, *, category: list[str] | None = None, resolve: bool = True
    ) -> list:
        """GET /athlete/{id}/events?oldest&newest[&category][&resolve=true] (docs/architecture.md#api-client)."""
        params: dict[str, Any] = {"oldest": _iso(oldest), "newest": _iso(newest)}
        if category:
            params["category"] = ",".join(category)
        if resolve:
            params["resolve"] = "true"
        return self._get(
            self._athlete("/events"), "/athlete/{id}/events", params, list, optional=False
        )

    def power_curves(self, curves: list[str], sport_type: str) -> dict:
        """GET /athlete/{id}/power-curves?type&curves (docs/architecture.md#api-client): {"list": [...]}."""
        params = {"type": sport_type, "curves": ",".join(curves)}
        return self._get(
            self._athlete("/power-curves"),
            "/athlete/{id}/power-curves",
            params,
            dict,
            optional=True,
        )

    def hr_curves(self, curves: list[str], sport_type: str | None = None) -> dict:
        """GET /athlete/{id}/hr-curves?curves[&type] (docs/architecture.md#api-client): {"list": [...]}."""
        params: dict[str, Any] = {"curves": ",".join(curves)}
        if sport_type:
            params["type"] = sport_type
        return self._get(
            self._athlete("/hr-curves"), "/athlete/{id}/hr-curves", params, dict, optional=True
        )

    def pace_curves(self, curves: list[str], sport_type: str) -> dict:
        """GET /athlete/{id}/pace-curves?type&curves (docs/architecture.md#api-client): {"list": [...]}."""
        params = {"type": sport_type, "curves": ",".join(curves)}
        return self._get(
            self._athlete("/pace-curves"), "/athlete/{id}/pace-curves", params, dict, optional=True
        )

    # ------------------------------------------------------------ per activity

    def activities_with_intervals(self, ids: Sequence[str]) -> list:
        """GET /athlete/{id}/activities/{ids}?intervals=true (docs/architecture.md#api-client):
        the activities with `icu_intervals` and `icu_groups`, in one request for
        several ids; ids the API does not know are left out of the answer."""
        joined = ",".join(_segment(aid) for aid in ids)
        return self._get(
            self._athlete(f"/activities/{joined}"),
            "/athlete/{id}/activities/{ids}",
            {"intervals": "true"},
            list,
            optional=True,
        )

    def activity_intervals(self, aid: str) -> dict:
        """GET /activity/{aid}/intervals (docs/architecture.md#api-client): {icu_intervals, icu_groups}."""
        return self._get(
            f"/activity/{_segment(aid)}/intervals",
            "/activity/{aid}/intervals",
            None,
            dict,
            optional=True,
        )

    def activity_streams(self, aid: str, types: list[str] | None = None) -> list:
        """GET /activity/{aid}/streams.json[?types=a,b] (docs/architecture.md#api-client): one object per stream."""
        params = {"types": ",".join(types)} if types else None
        return self._get(
            f"/activity/{_segment(aid)}/streams.json",
            "/activity/{aid}/streams.json",
            params,
            list,
            optional=True,
        )

    def activity_messages(self, aid: str) -> list:
        """GET /activity/{aid}/messages (docs/architecture.md#api-client)."""
        return self._get(
            f"/activity/{_segment(aid)}/messages",
            "/activity/{aid}/messages",
            None,
            list,
            optional=True,
        )

    def download(self, url: str, max_bytes: int = DEFAULT_DOWNLOAD_CAP) -> bytes:
        """An attachment body (docs/architecture.md#api-client), without the Authorization header or
        cookies, capped, from an allowed host only (attachments.py)."""
        check = attachment_checker(self.base_url)
        return self.http.get_bytes(url, max_bytes=max_bytes, authenticated=False, check_url=check)

    # ------------------------------------------------------------ fan-out

    def map_bounded(
        self, fn: Callable[[T], R], items: Iterable[T], workers: int | None = None
    ) -> list[R | Exception]:
        """Apply `fn` to every item with at most `workers` calls in flight
        (weakness 9.6 (docs/architecture.md#reference-weaknesses): a pool of 2–4). Returns, in input order, each
        result or the exception it raised, so one failure does not abort the
        others. Once the client is rate-limited, items not yet started get a
        RateLimited instead of a call."""
        todo = list(items)
        if not todo:
            return []
        limit = max(1, int(workers or self.workers))

        def run(item: T) -> R | Exception:
            if self.rate_limited:
                return RateLimited(
                    "skipped: Intervals.icu rate-limited this run earlier; "
                    "the next sync will fetch it",
                    status=None,
                )
            try:
                return fn(item)
            except Exception as exc:  # noqa: BLE001 - handed back per item by design
                return exc

        if limit == 1 or len(todo) == 1:
            return [run(item) for item in todo]
        with ThreadPoolExecutor(
            max_workers=min(limit, len(todo)), thread_name_prefix="intervals"
        ) as pool:
            return list(pool.map(run, todo))
