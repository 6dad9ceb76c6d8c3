"""A fake TrainingPeaks internal API on loopback, serving a `TpView`.

`FakeTrainingPeaks(view).start()` answers over real HTTP/1.1 on 127.0.0.1 the
calls the TrainingPeaks client makes: the cookie-for-token exchange, the user,
workout lists (refused past 90 days, as the real API does), one workout,
performance data, personal records, events, health metrics, calendar
notes and Annual Training Plan weeks. Like the real service:

- the token endpoint wants the `Production_tpAuth` cookie and answers 401
  when it is wrong or `expire_cookie()` was called;
- every other path wants a bearer token it issued (`revoke_tokens()` makes
  the current ones stale, as an hour passing would).

`hooks` lets a caller answer a request before the API does (tests use it to
inject outages and rate limits: tests/kit/tp_faults.py). The request log holds
method, path and status, never a header.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .json_handler import JsonHandler
from .loopback import Loopback
from .tp_view import TP_ATHLETE_ID, TpView, fitness_series, personal_records

MAX_RANGE_DAYS = 90
TOKEN_SECONDS = 3600

Reply = tuple[int, dict[str, str], Any]  # status, headers, JSON body
Hook = Callable[[str, str], Reply | None]  # (method, path) -> an answer, or None to pass


@dataclass(frozen=True)
class TpRequest:
    method: str
    path: str
    query: dict[str, str]
    status: int


_ATHLETE = r"/(?P<aid>\d+)"
_RANGE = r"/(?P<start>\d{4}-\d{2}-\d{2})/(?P<end>\d{4}-\d{2}-\d{2})"
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"/users/v3/user"), "user"),
    ("GET", re.compile(rf"/fitness/v6/athletes{_ATHLETE}/workouts{_RANGE}"), "workouts"),
    ("GET", re.compile(rf"/fitness/v6/athletes{_ATHLETE}/workouts/(?P<wid>\d+)"), "workout"),
    (
        "POST",
        re.compile(rf"/fitness/v1/athletes{_ATHLETE}/reporting/performancedata{_RANGE}"),
        "fitness",
    ),
    ("GET", re.compile(rf"/personalrecord/v2/athletes{_ATHLETE}/(?P<sport>\w+)"), "peaks"),
    ("GET", re.compile(rf"/fitness/v6/athletes{_ATHLETE}/events{_RANGE}"), "events"),
    (
        "GET",
        re.compile(rf"/metrics/v3/athletes{_ATHLETE}/consolidatedtimedmetrics{_RANGE}"),
        "health",
    ),
    ("GET", re.compile(rf"/fitness/v1/athletes{_ATHLETE}/calendarNote{_RANGE}"), "notes"),
    ("GET", re.compile(rf"/fitness/v1/athletes{_ATHLETE}/atp{_RANGE}"), "atp"),
]


def _message(status: int, text: str) -> Reply:
    return status, {}, {"message": text}


def _in_range(text: str, start: date, end: date) -> bool:
    return start <= date.fromisoformat(text[:10]) <= end


class _Handler(JsonHandler):
    server_version = "FakeTrainingPeaks/1.0"

    def serve(self, method: str, body: bytes) -> None:
        fake: FakeTrainingPeaks = self.server.fake  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        status, headers, payload = fake.answer(method, split.path, query, self.headers)
        fake.log(TpRequest(method, split.path, query, status))
        self.send_json(status, payload, headers)


class FakeTrainingPeaks:
    """The fake service; use as a context manager or start()/stop()."""

    def __init__(self, view: TpView, token_factory: Callable[[], str] | None = None):
        self.view = view
        self._new_token = token_factory or (lambda: "tp-" + secrets.token_hex(24))
        self.hooks: list[Hook] = []
        self.cookie_valid = True
        self._tokens: set[str] = set()
        self._lock = threading.Lock()
        self._log: list[TpRequest] = []
        self._http = Loopback(_Handler, self)
        self.base_url = ""

    # ------------------------------------------------------------ lifecycle

    def start(self) -> str:
        self.base_url = self._http.start()
        return self.base_url

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> FakeTrainingPeaks:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ state

    def expire_cookie(self) -> None:
        """The cookie stops working (as it does every few weeks)."""
        self.cookie_valid = False
        self.revoke_tokens()

    def revoke_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def log(self, record: TpRequest) -> None:
        with self._lock:
            self._log.append(record)

    @property
    def requests(self) -> list[TpRequest]:
        with self._lock:
            return list(self._log)

    # ------------------------------------------------------------ answers

    def answer(self, method: str, path: str, query: dict[str, str], headers: Any) -> Reply:
        for hook in list(self.hooks):
            reply = hook(method, path)
            if reply is not None:
                return reply
        if path == "/users/v3/token" and method == "GET":
            return self._token(headers.get("Cookie") or "")
        if not self._bearer_ok(headers.get("Authorization") or ""):
            return _message(401, "Authorization has been denied for this request.")
        for verb, pattern, name in ROUTES:
            match = pattern.fullmatch(path)
            if match and verb == method:
                args = match.groupdict()
                aid = args.get("aid")
                if aid is not None and aid != str(self._athlete_id()):
                    return _message(403, "Access denied")
                return getattr(self, f"_{name}")(args, query)
        if path.endswith("/events") or path.endswith("/workouts"):
            return _message(405, "The requested resource does not support http method 'GET'.")
        return _message(404, "No HTTP resource was found that matches the request URI.")

    def _athlete_id(self) -> int:
        return int(self.view.user["user"].get("userId") or TP_ATHLETE_ID)

    def _token(self, cookie_header: str) -> Reply:
        pairs = dict(part.strip().split("=", 1) for part in cookie_header.split(";") if "=" in part)
        if not self.cookie_valid or pairs.get("Production_tpAuth") != self.view.cookie:
            return _message(401, "Authorization has been denied for this request.")
        token = self._new_token()
        with self._lock:
            self._tokens.add(token)
        body = {
            "success": True,
            "token": {"access_token": token, "expires_in": TOKEN_SECONDS, "token_type": "bearer"},
        }
        return 200, {}, body

    def _bearer_ok(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            return scheme == "Bearer" and token in self._tokens

    @staticmethod
    def _range(args: dict[str, str]) -> tuple[date, date]:
        return date.fromisoformat(args["start"]), date.fromisoformat(args["end"])

    def _user(self, _args: dict[str, str], _query: dict[str, str]) -> Reply:
        return 200, {}, self.view.user

    def _workouts(self, args: dict[str, str], _query: dict[str, str]) -> Reply:
        start, end = self._range(args)
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            return _message(400, f"Date range cannot exceed {MAX_RANGE_DAYS} days")
        rows = [w for w in self.view.workouts if _in_range(w["workoutDay"], start, end)]
        return 200, {}, rows

    def _workout(self, args: dict[str, str], _query: dict[str, str]) -> Reply:
        row = self.view.workout(int(args["wid"]))
        if row is None:
            return _message(404, "Workout not found")
        return 200, {}, row

    def _fitness(self, args: dict[str, str], _query: dict[str, str]) -> Reply:
        start, end = self._range(args)
        return 200, {}, fitness_series(self.view, start, end)

    def _peaks(self, args: dict[str, str], query: dict[str, str]) -> Reply:
        sport, pr_type = args["sport"], query.get("prType", "")
        try:
            start = datetime.fromisoformat(query["startDate"])
            end = datetime.fromisoformat(query["endDate"])
        except (KeyError, ValueError):
            return _message(400, "startDate and endDate are required")
        if sport not in ("Bike", "Run"):
            return _message(400, f"Sport {sport} is not supported")
        return 200, {}, personal_records(self.view, sport, pr_type, start, end)

    def _events(self, args: dict[str, str], _query: dict[str, str]) -> Reply:
        start, end = self._range(args)
        return 200, {}, [e for e in self.view.events if _in_range(e["eventDate"], start, end)]

    def _health(self, args: dict[str, str], _query: dict[str, str]) -> Reply:
        start, end = self._range(args)
        return 200, {}, [h for h in self.view.health if _in_range(h["timeStamp"], start, end)]

    def _notes(self, args: dict[str, str], _query: dict[str, str]) -> Reply:
        start, end = self._range(args)
        return 200, {}, [n for n in self.view.notes if _in_range(n["noteDate"], start, end)]

    def _atp(self, args: dict[str, str], _query: dict[str, str]) -> Reply:
        start, end = self._range(args)
        return 200, {}, [w for w in self.view.atp if _in_range(w["week"], start, end)]
