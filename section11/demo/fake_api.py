"""Routes of the fake Intervals.icu API (docs/architecture.md#api-client–docs/architecture.md#api-client, checklist docs/architecture.md#demo-and-test-kit).

`FakeApi.dispatch` turns one request (method, path, query, Authorization
header) into a reply from the served `DemoData`; `server.py` carries it over
HTTP. Choices where the real API is unknown or a test needs a fixed answer:

- a missing required parameter (`oldest` on activities, `type` on power
  curves) or a malformed curve spec answers 422 `{"status", "error"}`; a value
  of the wrong type (bad date, non-numeric limit) answers 500 with a
  Spring-style MethodArgumentTypeMismatchException text (docs/architecture.md#api-client);
- a `.json` suffix is accepted on every route (the client asks for `streams.json`);
  other suffixes (`.csv`) are not served;
- `/wellness/{date}` for a day without a record answers `{"id": date}`;
- a Strava stub answers 422 on detail, intervals and streams (messages: its list);
- when the dataset gives intervals without groups, `icu_groups` is derived
  from the WORK intervals' `group_id` (sums, moving-time-weighted means, maxima);
- `resolve` absent/false strips `_power`/`_hr`/`_pace`/`_distance` from workout steps;
- server-relative attachment urls ("/files/...") are made absolute.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from dateutil.relativedelta import relativedelta

from .dataset import DemoData

API = "/api/v1"
JSON = "application/json"
RESOLVED_KEYS = ("_power", "_hr", "_pace", "_distance")  # added by events?resolve=true
ACCESS_DENIED = {"status": 403, "error": "Access denied"}
STRAVA_ERROR = {"status": 422, "error": "Cannot read Strava activities via the API"}


@dataclass
class Reply:
    status: int
    body: bytes
    ctype: str = JSON
    headers: dict[str, str] | None = None


class Fail(Exception):
    """Answer with `status` and a JSON body (None: a Spring-style 404/401 body)."""

    def __init__(self, status: int, payload: Any = None):
        super().__init__(status)
        self.status = status
        self.payload = payload


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(payload, separators=(",", ":")).encode("utf-8"), JSON, headers)


def error_body(status: int, text: str | None = None) -> dict[str, Any]:
    return {"status": status, "error": text or _phrase(status)}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _spring(status: int, path: str) -> dict[str, Any]:
    """Spring Boot's default error body (docs/architecture.md#api-client)."""
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
    return {"timestamp": stamp, "status": status, "error": _phrase(status), "path": path}


def _type_mismatch(name: str, value: str, java_type: str) -> Fail:
    return Fail(
        500,
        error_body(
            500,
            (
                "org.springframework.web.method.annotation.MethodArgumentTypeMismatchException: "
                f"Failed to convert value of type 'java.lang.String' to required type '{java_type}'; "
                f"parameter '{name}', value '{value[:40]}'"
            ),
        ),
    )


# ----------------------------------------------------------------- parameters


def _bound(query: dict[str, str], name: str, *, end: bool) -> datetime | None:
    """`oldest`/`newest` as a local datetime: a date-only value covers the whole day."""
    text = (query.get(name) or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), dtime.max if end else dtime.min)
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise _type_mismatch(name, text, "java.time.LocalDateTime") from None


def _int(query: dict[str, str], name: str) -> int | None:
    text = (query.get(name) or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise _type_mismatch(name, text, "int") from None


def _flag(query: dict[str, str], name: str) -> bool:
    return (query.get(name) or "").strip().lower() in ("true", "1", "yes", "on")


def _csv_list(query: dict[str, str], name: str) -> list[str]:
    return [p.strip() for p in (query.get(name) or "").split(",") if p.strip()]


def _local_start(record: dict[str, Any]) -> datetime | None:
    text = record.get("start_date_local")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def _within(moment: datetime | None, lo: datetime | None, hi: datetime | None) -> bool:
    return moment is not None and (lo is None or moment >= lo) and (hi is None or moment <= hi)


def _project(rows: list[dict[str, Any]], fields: list[str]) -> list[dict[str, Any]]:
    """`fields=a,b`: only those keys, nulls dropped (docs/architecture.md#api-client)."""
    if not fields:
        return rows
    wanted = set(fields)
    return [{k: v for k, v in r.items() if k in wanted and v is not None} for r in rows]


def _limit(rows: list[Any], limit: int | None) -> list[Any]:
    return rows if limit is None else rows[: max(0, limit)]


def _strip_resolved(value: Any) -> Any:
    """A copy of a workout_doc without the `_power`/`_hr`/`_pace` step targets."""
    if isinstance(value, dict):
        return {k: _strip_resolved(v) for k, v in value.items() if k not in RESOLVED_KEYS}
    if isinstance(value, list):
        return [_strip_resolved(v) for v in value]
    return value


_SUMS = ("elapsed_time", "moving_time", "distance", "training_load", "joules", "joules_above_ftp")
_MEANS = (
    "average_watts",
    "weighted_average_watts",
    "intensity",
    "average_heartrate",
    "average_cadence",
    "average_speed",
)
_MAXES = ("max_watts", "max_heartrate")


def derive_groups(intervals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`icu_groups` from intervals sharing a `group_id` (docs/architecture.md#api-client): count, first
    start_index, sums, moving-time-weighted means (ints stay ints), maxima."""
    members: dict[str, list[dict[str, Any]]] = {}
    for iv in intervals:
        if isinstance(iv, dict) and iv.get("group_id"):
            members.setdefault(str(iv["group_id"]), []).append(iv)
    groups = []
    for gid, items in members.items():
        group: dict[str, Any] = {
            "id": gid,
            "count": len(items),
            "start_index": items[0].get("start_index"),
        }
        for key in _SUMS:
            vals = [m[key] for m in items if isinstance(m.get(key), (int, float))]
            group[key] = (
                (round(sum(vals), 2) if any(isinstance(v, float) for v in vals) else sum(vals))
                if vals
                else None
            )
        for key in _MEANS:
            pairs = [
                (m[key], m.get("moving_time") or 1)
                for m in items
                if isinstance(m.get(key), (int, float))
            ]
            weight = sum(w for _, w in pairs)
            if not pairs or weight <= 0:
                group[key] = None
                continue
            value = sum(v * w for v, w in pairs) / weight
            group[key] = (
                round(value) if all(isinstance(v, int) for v, _ in pairs) else round(value, 2)
            )
        for key in _MAXES:
            vals = [m[key] for m in items if isinstance(m.get(key), (int, float))]
            group[key] = max(vals) if vals else None
        groups.append(group)
    return groups


# ----------------------------------------------------------------- the API


def _route(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>[^/]+?)", template)
    return re.compile(regex + r"(?:\.json)?")


class FakeApi:
    """Request -> reply for the /api/v1 routes and /files/ (no HTTP plumbing)."""

    def __init__(self, fake: Any):
        self.fake = fake  # has .data, .base_url, .current_today()

    @property
    def data(self) -> DemoData:
        return self.fake.data

    def dispatch(self, method: str, path: str, query: dict[str, str], auth: str | None) -> Reply:
        try:
            if method != "GET":
                return json_reply(405, error_body(405), {"Allow": "GET"})
            if path.startswith("/files/"):
                return self.file(path)
            if not path.startswith(API + "/"):
                raise Fail(404)
            self.authenticate(auth, path)
            rest = path[len(API) :]
            for pattern, handler in self.ROUTES:
                match = pattern.fullmatch(rest)
                if match is None:
                    continue
                args = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                payload = handler(self, query, **args)
                return json_reply(200, payload)
            raise Fail(404)
        except Fail as fail:
            payload = fail.payload if fail.payload is not None else _spring(fail.status, path)
            headers = (
                {"WWW-Authenticate": 'Basic realm="intervals.icu"'} if fail.status == 401 else None
            )
            return json_reply(fail.status, payload, headers)
        except Exception as exc:  # noqa: BLE001 - a dataset bug is a 500, not a dead server
            return json_reply(
                500, error_body(500, f"fake server: {type(exc).__name__} in the dataset")
            )

    # ------------------------------------------------------------ auth (docs/architecture.md#api-client)

    def authenticate(self, header: str | None, path: str) -> None:
        """Basic `API_KEY:<key>`: missing/empty -> 401; anything else wrong -> 403."""
        scheme, _, credentials = (header or "").strip().partition(" ")
        credentials = credentials.strip()
        if not scheme or not credentials:
            raise Fail(401)
        if scheme.lower() != "basic":
            raise Fail(403, ACCESS_DENIED)
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Fail(403, ACCESS_DENIED) from None
        user, sep, password = decoded.partition(":")
        if not sep or not password:
            raise Fail(401)
        expected = str(self.data.api_key or "").encode("utf-8")
        if (
            user != "API_KEY"
            or not expected
            or not hmac.compare_digest(password.encode("utf-8"), expected)
        ):
            raise Fail(403, ACCESS_DENIED)

    def athlete_ok(self, athlete_id: str) -> None:
        if athlete_id not in ("0", str(self.data.athlete_id)):
            raise Fail(403, ACCESS_DENIED)

    # ------------------------------------------------------------ helpers

    def absolute(self, record: dict[str, Any]) -> dict[str, Any]:
        """A copy whose server-relative attachment urls carry this server's base url."""
        attachments = record.get("attachments")
        if not isinstance(attachments, list) or not attachments:
            return record
        fixed = [
            {**a, "url": self.fake.base_url + a["url"]}
            if isinstance(a, dict) and isinstance(a.get("url"), str) and a["url"].startswith("/")
            else a
            for a in attachments
        ]
        return {**record, "attachments": fixed}

    def activity(self, aid: str, *, strava_ok: bool = False) -> dict[str, Any]:
        for record in self.data.activities:
            if str(record.get("id")) == aid:
                if record.get("source") == "STRAVA" and not strava_ok:
                    raise Fail(422, STRAVA_ERROR)
                return record
        raise Fail(404)

    def intervals_of(self, aid: str) -> tuple[list[Any], list[Any]]:
        raw = self.data.activity_intervals(aid)
        if isinstance(raw, dict):  # a whole IntervalsDTO
            intervals = list(raw.get("icu_intervals") or [])
            groups = raw.get("icu_groups")
            return intervals, list(groups) if groups is not None else derive_groups(intervals)
        intervals = list(raw or [])
        return intervals, derive_groups(intervals)

    # ------------------------------------------------------------ athlete routes (docs/architecture.md#api-client–docs/architecture.md#api-client)

    def get_athlete(self, q, id):
        self.athlete_ok(id)
        return self.data.athlete

    def get_sport_settings(self, q, id):
        self.athlete_ok(id)
        return (self.data.athlete or {}).get("sportSettings") or []

    def get_sport_setting(self, q, id, sid):
        for item in self.get_sport_settings(q, id):
            if str(item.get("id")) == sid or sid in (item.get("types") or []):
                return item
        raise Fail(404)

    def get_activities(self, q, id):
        self.athlete_ok(id)
        oldest = _bound(q, "oldest", end=False)
        if oldest is None:
            raise Fail(422, error_body(422, "Required parameter 'oldest' is not present"))
        newest = _bound(q, "newest", end=True) or datetime.combine(
            self.fake.current_today(), dtime.max
        )
        route_id = _int(q, "route_id")
        rows = [
            (start, a)
            for a in self.data.activities
            if (start := _local_start(a)) is not None
            and _within(start, oldest, newest)
            and (route_id is None or a.get("route_id") == route_id)
        ]
        rows.sort(key=lambda pair: pair[0], reverse=True)
        picked = [self.absolute(a) for _, a in _limit(rows, _int(q, "limit"))]
        return _project(picked, _csv_list(q, "fields"))

    def get_wellness(self, q, id):
        self.athlete_ok(id)
        lo, hi = _bound(q, "oldest", end=False), _bound(q, "newest", end=True)
        lo_day, hi_day = (lo.date() if lo else None), (hi.date() if hi else None)
        rows = []
        for row in self.data.wellness:
            try:
                day = date.fromisoformat(str(row.get("id")))
            except ValueError:
                continue
            if (lo_day is None or day >= lo_day) and (hi_day is None or day <= hi_day):
                rows.append((day, row))
        rows.sort(key=lambda pair: pair[0])
        return _project([r for _, r in rows], _csv_list(q, "fields"))

    def get_wellness_day(self, q, id, day):
        self.athlete_ok(id)
        try:
            wanted = date.fromisoformat(day).isoformat()
        except ValueError:
            raise _type_mismatch("date", day, "java.time.LocalDate") from None
        for row in self.data.wellness:
            if str(row.get("id")) == wanted:
                return row
        return {"id": wanted}

    def get_events(self, q, id):
        """Start-date window (default today..today+6, newest inclusive), category, resolve (docs/architecture.md#api-client)."""
        self.athlete_ok(id)
        oldest = _bound(q, "oldest", end=False) or datetime.combine(
            self.fake.current_today(), dtime.min
        )
        newest = _bound(q, "newest", end=True) or datetime.combine(
            oldest.date() + timedelta(days=6), dtime.max
        )
        categories = set(_csv_list(q, "category"))
        resolve = _flag(q, "resolve")
        rows = [
            (start, e)
            for e in self.data.events
            if (start := _local_start(e)) is not None
            and _within(start, oldest, newest)
            and (not categories or e.get("category") in categories)
        ]
        rows.sort(key=lambda pair: pair[0])
        out = []
        for _, event in _limit(rows, _int(q, "limit")):
            event = self.absolute(event)
            if not resolve and isinstance(event.get("workout_doc"), dict):
                event = {**event, "workout_doc": _strip_resolved(event["workout_doc"])}
            out.append(event)
        return out

    def curve_range(self, spec: str, ref: date) -> tuple[date, date]:
        """`r.A.B`, `Nd`, `Ny`, `all`, `sN` (+ `-kj0`/`-kj1`) -> inclusive dates (docs/architecture.md#api-client)."""
        base = re.sub(r"-kj[01]$", "", spec)
        if m := re.fullmatch(r"r\.(\d{4}-\d{2}-\d{2})\.(\d{4}-\d{2}-\d{2})", base):
            try:
                start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            except ValueError:
                pass  # an impossible date: an invalid curve
            else:
                if start <= end:
                    return start, end
        elif m := re.fullmatch(r"([1-9]\d{0,4})d", base):
            return ref - timedelta(days=int(m.group(1)) - 1), ref
        elif m := re.fullmatch(r"([1-9]\d?)y", base):
            return ref - relativedelta(years=int(m.group(1))) + timedelta(days=1), ref
        elif base == "all":
            starts = [s.date() for a in self.data.activities if (s := _local_start(a))]
            return min(starts + [ref]), ref
        elif m := re.fullmatch(r"s(\d)", base):
            return self.season(int(m.group(1)), ref)
        raise Fail(422, error_body(422, f"Invalid curve '{spec[:40]}'"))

    def season(self, back: int, ref: date) -> tuple[date, date]:
        """Season N back: SEASON_START events on or before `ref`, else calendar years."""
        starts = sorted(
            {
                s.date()
                for e in self.data.events
                if e.get("category") == "SEASON_START"
                and (s := _local_start(e))
                and s.date() <= ref
            },
            reverse=True,
        )
        if back < len(starts):
            end = ref if back == 0 else starts[back - 1] - timedelta(days=1)
            return starts[back], end
        year = ref.year - back
        return date(year, 1, 1), (ref if back == 0 else date(year, 12, 31))

    def curves(self, q, id, kind):
        self.athlete_ok(id)
        sport = (q.get("type") or "").strip() or None
        if kind in ("power", "pace") and sport is None:
            raise Fail(422, error_body(422, "Required parameter 'type' is not present"))
        newest = _bound(q, "newest", end=True)
        ref = newest.date() if newest else self.fake.current_today()
        specs = _csv_list(q, "curves") or ["1y"]
        ranges = [(spec, *self.curve_range(spec, ref)) for spec in specs]
        return {
            "list": [self.data.curve(kind, sport, start, end, spec) for spec, start, end in ranges],
            "activities": {},
        }

    def get_power_curves(self, q, id):
        return self.curves(q, id, "power")

    def get_hr_curves(self, q, id):
        return self.curves(q, id, "hr")

    def get_pace_curves(self, q, id):
        return self.curves(q, id, "pace")

    # ------------------------------------------------------------ activity routes (docs/architecture.md#api-client–docs/architecture.md#api-client)

    def get_activity(self, q, aid):
        record = self.absolute(self.activity(aid))
        if _flag(q, "intervals"):
            intervals, groups = self.intervals_of(aid)
            record = {**record, "icu_intervals": intervals, "icu_groups": groups}
        return record

    def get_activities_by_ids(self, q, id, ids):
        """Several activities by id (comma-separated); unknown ids are left out."""
        self.athlete_ok(id)
        out = []
        for aid in ids.split(","):
            try:
                out.append(self.get_activity(q, aid))
            except Fail:
                continue
        return out

    def get_intervals(self, q, aid):
        record = self.activity(aid)
        intervals, groups = self.intervals_of(aid)
        return {
            "id": record.get("id"),
            "analyzed": record.get("analyzed"),
            "icu_intervals": intervals,
            "icu_groups": groups,
        }

    def get_streams(self, q, aid):
        self.activity(aid)
        streams = list(self.data.activity_streams(aid) or [])
        wanted = set(_csv_list(q, "types"))
        return [
            s for s in streams if not wanted or (isinstance(s, dict) and s.get("type") in wanted)
        ]

    def get_messages(self, q, aid):
        self.activity(aid, strava_ok=True)
        return _limit(list(self.data.activity_messages(aid) or []), _int(q, "limit"))

    def file(self, path: str) -> Reply:
        """Attachment bodies, unauthenticated (docs/architecture.md#api-client)."""
        attachments = self.data.attachments or {}
        for key in (path, unquote(path), path[1:], unquote(path)[1:]):
            if key in attachments:
                ctype, body = attachments[key]
                return Reply(200, bytes(body), ctype or "application/octet-stream")
        raise Fail(404)

    ROUTES = [
        (_route(t), h)
        for t, h in (
            ("/athlete/{id}", get_athlete),
            ("/athlete/{id}/sport-settings", get_sport_settings),
            ("/athlete/{id}/sport-settings/{sid}", get_sport_setting),
            ("/athlete/{id}/activities", get_activities),
            ("/athlete/{id}/activities/{ids}", get_activities_by_ids),
            ("/athlete/{id}/wellness", get_wellness),
            ("/athlete/{id}/wellness/{day}", get_wellness_day),
            ("/athlete/{id}/events", get_events),
            ("/athlete/{id}/power-curves", get_power_curves),
            ("/athlete/{id}/hr-curves", get_hr_curves),
            ("/athlete/{id}/pace-curves", get_pace_curves),
            ("/activity/{aid}", get_activity),
            ("/activity/{aid}/intervals", get_intervals),
            ("/activity/{aid}/streams", get_streams),
            ("/activity/{aid}/messages", get_messages),
        )
    ]
