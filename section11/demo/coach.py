"""The demo coach: several demo athletes behind one coach key on the fake API.

`build_coach_demo` builds a roster of demo athletes (each its own seed, ids
and activity ids; the first is the coach's own account) plus one athlete
who revoked the share: `GET /athletes` lists them all, but every path of the
revoked one answers 403. `FakeCoachIntervals` serves the roster: the coach key
reads every shared athlete, an athlete's own key reads that athlete only.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .dataset import DemoData, build_demo
from .fake_api import ACCESS_DENIED, API, Fail, FakeApi, Reply, error_body, json_reply
from .server import FakeIntervals

COACH_KEY = "demo-coach-key-section11-not-a-real-key"
# (athlete id, seed, first name); the first is the coach's own account
ROSTER = (("i500011", 11, "Demo"), ("i500012", 12, "Anna"), ("i500013", 13, "Bram"))
REVOKED = ("i500014", "Chris")  # listed by /athletes, shares nothing any more
_ATHLETE_PATH = re.compile(r"/athlete/([^/]+?)(?:\.json)?(?:/.*)?")
_ACTIVITY_PATH = re.compile(r"/activity/([^/]+?)(?:\.json)?(?:/.*)?")


@dataclass
class CoachData:
    """Who the coach key may read (served), who revoked, and the /athletes listing."""

    key: str
    served: dict[str, DemoData]  # athlete id -> data (in listing order; the first is the coach)
    revoked: set[str] = field(default_factory=set)
    listing: list[dict[str, Any]] = field(default_factory=list)


def _relabel(data: DemoData, athlete_id: str, name: str, digit: int) -> DemoData:
    """The data as another athlete: own id, name and key; activity ids made unique
    by a leading `digit` (0: kept as they are)."""

    def new(aid: str) -> str:
        if not digit:
            return aid
        return f"i{digit}{aid[1:]}" if aid.startswith("i") else f"{digit}{aid}"

    mapping = {str(a["id"]): new(str(a["id"])) for a in data.activities}
    for record in data.activities:  # the details share these dicts
        record["id"] = mapping[str(record["id"])]
    for event in data.events:
        if event.get("paired_activity_id") in mapping:
            event["paired_activity_id"] = mapping[event["paired_activity_id"]]
    athlete = {**data.athlete, "id": athlete_id, "name": f"{name} Athlete", "firstname": name}
    return dataclasses.replace(
        data,
        athlete_id=athlete_id,
        api_key=f"demo-key-{athlete_id}-not-a-real-key",
        athlete=athlete,
        details={mapping[k]: v for k, v in data.details.items()},
    )


def build_coach_demo(
    today: date,
    timezone: str = "Europe/Amsterdam",
    roster: Sequence[tuple[str, int, str]] = ROSTER,
    revoked: Sequence[tuple[str, str]] = (REVOKED,),
) -> CoachData:
    """The coach's athletes as seen on `today`: `roster` (id, seed, first name) shared,
    `revoked` (id, first name) listed but refused."""
    served: dict[str, DemoData] = {}
    for index, (athlete_id, seed, name) in enumerate(roster):
        data = build_demo(today, timezone=timezone, seed=seed)
        served[athlete_id] = _relabel(data, athlete_id, name, index + 1 if index else 0)
    listing = [{"id": a, "name": f"{n} Athlete"} for a, _, n in roster]
    listing += [{"id": a, "name": f"{n} Athlete"} for a, n in revoked]
    return CoachData(key=COACH_KEY, served=served, revoked={a for a, _ in revoked}, listing=listing)


def _password(header: str | None) -> str | None:
    scheme, _, credentials = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2]


@dataclass
class _View:
    """What FakeApi needs of its server, for one athlete of the roster."""

    fake: FakeIntervals
    data: DemoData

    @property
    def base_url(self) -> str:
        return self.fake.base_url

    def current_today(self) -> date:
        return self.data.today or self.fake.current_today()


class CoachApi:
    """Routes a request to the athlete it concerns; `/athletes` answers the listing."""

    def __init__(self, fake: FakeIntervals, coach: CoachData):
        self.coach = coach
        first = next(iter(coach.served.values()))
        self.own_id = first.athlete_id
        self.owners = {
            str(a["id"]): d for d in coach.served.values() for a in d.activities
        }  # activity id -> its athlete
        self.apis = {
            aid: (
                FakeApi(_View(fake, dataclasses.replace(d, api_key=coach.key))),
                FakeApi(_View(fake, d)),
            )
            for aid, d in coach.served.items()
        }  # athlete id -> (API under the coach key, API under the athlete's own key)
        self.revoked_api = FakeApi(_View(fake, dataclasses.replace(first, api_key=coach.key)))

    def dispatch(self, method: str, path: str, query: dict[str, str], auth: str | None) -> Reply:
        rest = path[len(API) :] if path.startswith(API + "/") else ""
        if rest in ("/athletes", "/athletes.json") and method == "GET":
            return self.listing(path, auth)
        if path.startswith("/files/"):
            return self.file(method, path, query, auth)
        athlete = self.athlete_of(rest)
        if athlete in self.coach.revoked:
            return self.revoked(path, auth)
        by_coach, by_own = self.apis.get(athlete or self.own_id) or self.apis[self.own_id]
        own = _password(auth) == by_own.data.api_key
        return (by_own if own else by_coach).dispatch(method, path, query, auth)

    def athlete_of(self, rest: str) -> str | None:
        if match := _ATHLETE_PATH.fullmatch(rest):
            return self.own_id if match.group(1) == "0" else match.group(1)
        if match := _ACTIVITY_PATH.fullmatch(rest):
            owner = self.owners.get(match.group(1))
            return owner.athlete_id if owner else None
        return None

    def listing(self, path: str, auth: str | None) -> Reply:
        return self.checked(path, auth) or json_reply(200, self.coach.listing)

    def revoked(self, path: str, auth: str | None) -> Reply:
        """The coach key no longer reads this athlete: 403 (after the usual 401 checks)."""
        return self.checked(path, auth) or json_reply(403, ACCESS_DENIED)

    def checked(self, path: str, auth: str | None) -> Reply | None:
        """The coach key's authentication: None when it passes, else the error reply."""
        try:
            self.revoked_api.authenticate(auth, path)
        except Fail as fail:
            return json_reply(fail.status, fail.payload or error_body(fail.status))
        return None

    def file(self, method: str, path: str, query: dict[str, str], auth: str | None) -> Reply:
        """Attachment bodies (unauthenticated), from whichever athlete has the path."""
        reply = None
        for _, api in self.apis.values():
            reply = api.dispatch(method, path, query, auth)
            if reply.status != 404:
                break
        return reply or json_reply(404, error_body(404))


class FakeCoachIntervals(FakeIntervals):
    """The fake Intervals.icu API serving a coach's roster (see the module doc)."""

    def __init__(self, coach: CoachData, host: str = "127.0.0.1", port: int = 0):
        super().__init__(next(iter(coach.served.values())), host, port)
        self.coach = coach
        self._api = CoachApi(self, coach)  # type: ignore[assignment]
