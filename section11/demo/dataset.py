"""Deterministic synthetic demo athlete shaped like the real Intervals.icu API.

`build_demo(today)` returns a DemoData whose raw records look like the real API
(docs/architecture.md#api-client-docs/architecture.md#api-client, Appendix A): the athlete object (secrets included),
1100 days of activities (with Strava stubs) and wellness rows, and calendar
events from 400 days back to 120 days ahead with course files. Per-activity
streams, intervals, messages and best-effort curves are generated lazily. The
fake server (server.py) serves it.

Determinism: each calendar day's records depend only on (seed, that date), so
moving `today` forward keeps every older day identical (ids and values). Only
the last RECENT_DAYS days carry today-relative overrides: the autumn break, the
February illness, the June injury and the story episodes (story.py: camp, heat
wave, ...) are skipped there (so the pipeline's 28-day windows always hold
normal training), and "yesterday" gets a run and/or an outdoor ride if the last
two days lack one. So a day can change when it leaves the recent window only if
it falls in a break/illness/injury/episode, and the last two days can change
when today moves. Goal races sit relative to the week of today.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from . import curves, plan, profile, workouts
from . import streams as stream_gen
from . import wellness as wellness_gen
from .activities import Clock, Detail, build_activity, stamp, strava_stub
from .events import goal_race_events, goal_races, markers_and_notes, session_event

HISTORY_DAYS = 1100
EVENTS_BACK_DAYS = 400
EVENTS_AHEAD_DAYS = 120
PLAN_AHEAD_DAYS = 42
RECENT_DAYS = 35  # covers the pipeline's 28-day windows plus a week of lag
PMC_GRID = 512  # warm-up start snaps to this grid so CTL/ATL do not move with today
PMC_WARMUP = 700
CACHE_SIZE = 12  # activities whose samples stay cached (about 1.5 MB each)
_CACHE_LOCK = threading.Lock()  # the fake server calls in from several threads


@dataclass
class DemoData:
    athlete_id: str
    api_key: str
    athlete: dict[str, Any]  # raw athlete object, secrets included
    activities: list[dict[str, Any]]  # every activity incl. Strava stubs, newest first
    wellness: list[dict[str, Any]]  # one row per day, ascending
    events: list[dict[str, Any]]  # attachment urls are server-relative ("/files/...")
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (ctype, body)
    today: date | None = None
    seed: int = 11
    details: dict[str, Detail] = field(default_factory=dict, repr=False, compare=False)
    _series: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)
    _profiles: dict[tuple[str, str], dict[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )

    # ------------------------------------------------------------ lookups
    def _detail(self, activity_id: str) -> Detail:
        """The activity's generator state; KeyError for unknown ids and Strava stubs."""
        return self.details[str(activity_id)]

    def _samples(self, detail: Detail) -> dict[str, list]:
        """The activity's sample arrays, generated once: the recently used ones are
        cached, and generated under the lock, so the streams and intervals requests
        the server threads answer at the same time share one generation."""
        aid = detail.activity["id"]
        with _CACHE_LOCK:
            samples = self._series.pop(aid, None)
            if samples is None:
                samples = stream_gen.series(detail, self.seed)
            while len(self._series) >= CACHE_SIZE:
                self._series.pop(next(iter(self._series)))  # the least recently used
            self._series[aid] = samples
        return samples

    def activity_intervals(self, activity_id: str) -> list[dict[str, Any]]:
        """`icu_intervals` of an activity (docs/architecture.md#api-client shape). KeyError: unknown id or Strava stub."""
        detail = self._detail(activity_id)
        return stream_gen.intervals(detail, self._samples(detail), self.seed)

    def activity_streams(self, activity_id: str) -> list[dict[str, Any]]:
        """All streams of an activity (docs/architecture.md#api-client shape). KeyError: unknown id or Strava stub."""
        detail = self._detail(activity_id)
        return stream_gen.stream_list(self._samples(detail))

    def activity_messages(self, activity_id: str) -> list[dict[str, Any]]:
        """Comments on an activity (docs/architecture.md#api-client shape), newest first. KeyError: unknown id."""
        aid = str(activity_id)
        if aid not in self.details:
            if any(a.get("id") == aid for a in self.activities):
                return []  # a Strava stub: nothing visible
            raise KeyError(aid)
        return _messages(self.seed, self.details[aid])

    def curve(
        self, kind: str, sport_type: str | None, start: date, end: date, curve_id: str
    ) -> dict[str, Any]:
        """Best-effort curve over activities of exactly `sport_type` (None = all) dated
        start..end inclusive (docs/architecture.md#api-client element). `kind` is "power", "hr" or "pace"."""
        chosen = [
            d
            for d in self.details.values()
            if start <= d.session.day <= end
            and (sport_type is None or d.session.sport == sport_type)
        ]
        chosen.sort(key=lambda d: d.activity["start_date_local"])
        profiles = [self._profile(kind, d) for d in chosen]
        weight = round(profile.weight_trend(self.seed, end), 1)
        return curves.build_curve(kind, chosen, profiles, start, end, curve_id, weight)

    def _profile(self, kind: str, detail: Detail) -> dict[int, int]:
        key = (kind, detail.activity["id"])
        found = self._profiles.get(key)
        if found is None:
            fn = {"power": curves.power_profile, "pace": curves.pace_profile}.get(
                kind, curves.hr_profile
            )
            found = self._profiles[key] = fn(detail, self.seed)
        return found


# ----------------------------------------------------------------- messages

ATHLETE_LINES = [
    "Legs heavy for the first 20 min, then fine.",
    "Windy out there, held back on the climbs.",
    "Felt great, could have done one more rep.",
    "HR strap was acting up in the first 10 min.",
    "Stomach not great, need to test the new gels again.",
]
COACH_LINES = [
    "Nice pacing on the reps. Keep the easy day easy tomorrow.",
    "Good. Next week we extend the main set by one rep.",
    "Watch the cadence when you fatigue, it dropped in the last set.",
]


def _messages(seed: int, detail: Detail) -> list[dict[str, Any]]:
    session = detail.session
    n = session.day.toordinal()
    rng = random.Random(f"{seed}:{detail.key}:messages")
    if not ((n % 3 == 1 and session.k == 0) or rng.random() < 0.08):
        return []
    act = detail.activity
    end = datetime.fromisoformat(act["start_date"].replace("Z", "+00:00")) + timedelta(
        seconds=act.get("elapsed_time") or 0
    )
    first = end + timedelta(minutes=rng.randint(20, 150), seconds=rng.randint(0, 59))
    base_id = 5_000_000_000 + n * 100 + session.k * 10
    out = [
        _message(
            base_id + 1,
            profile.ATHLETE_ID,
            f"{profile.FIRSTNAME} {profile.LASTNAME}",
            first,
            rng.choice(ATHLETE_LINES),
            act["id"],
        )
    ]
    if n % 2 == 0:
        blank = n % 4 == 0
        second = first + timedelta(hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
        out.append(
            _message(
                base_id + 2,
                "i500099",
                "Coach Demo",
                second,
                "   " if blank else rng.choice(COACH_LINES),
                act["id"],
            )
        )
    return sorted(out, key=lambda m: m["created"], reverse=True)


def _message(mid: int, athlete: str, name: str, moment: datetime, content: str, aid: str) -> dict:
    return {
        "id": mid,
        "athlete_id": athlete,
        "name": name,
        "created": stamp(moment),
        "type": "TEXT",
        "content": content,
        "activity_id": aid,
        "start_index": None,
        "end_index": None,
        "answer": None,
        "attachment_url": None,
        "attachment_mime_type": None,
        "deleted": None,
        "deleted_by_id": None,
        "seen": True,
    }


# ----------------------------------------------------------------- build


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _sessions(seed: int, today: date) -> dict[date, list[workouts.Session]]:
    """Every session from the history start to today, with the recent-days overrides."""
    start = today - timedelta(days=HISTORY_DAYS)
    recent = today - timedelta(days=RECENT_DAYS - 1)
    out = {day: plan.plan_day(seed, day, healthy=day >= recent) for day in _days(start, today)}
    yesterday = today - timedelta(days=1)
    last_two = [
        s for d in (yesterday, today) for s in out[d] if not s.skipped and "stub" not in s.flags
    ]
    have_run = any(s.sport in workouts.RUNS for s in last_two)
    have_ride = any(
        s.sport in workouts.OUTDOOR_RIDES and "no_power" not in s.flags for s in last_two
    )
    out[yesterday] = out[yesterday] + plan.recent_extras(seed, yesterday, have_run, have_ride)
    return out


def _loads(
    seed: int, today: date, sessions: dict[date, list[workouts.Session]]
) -> tuple[date, dict[date, float]]:
    start = today - timedelta(days=HISTORY_DAYS)
    first = date.fromordinal((start.toordinal() - PMC_WARMUP) // PMC_GRID * PMC_GRID)
    loads: dict[date, float] = {}
    for day in _days(first, start - timedelta(days=1)):
        loads[day] = float(sum(workouts.session_load(s, seed) for s in plan.plan_day(seed, day)))
    for day, items in sessions.items():
        loads[day] = float(sum(workouts.session_load(s, seed) for s in items))
    return first, loads


def build_demo(
    today: date, timezone: str = "Europe/Amsterdam", seed: int = 11, density: int = 1
) -> DemoData:
    """The demo athlete as seen on `today` (athlete-local date).

    `density` > 1 (the benchmark's denser history) repeats every activity older
    than the recent window that many times in all, a few hours apart, so the
    3-year history grows while the recent weeks, and their per-activity calls,
    stay as they are."""
    clock = Clock(timezone)
    start = today - timedelta(days=HISTORY_DAYS)
    recent = today - timedelta(days=RECENT_DAYS - 1)
    sessions = _sessions(seed, today)

    details: dict[str, Detail] = {}
    activities: list[dict[str, Any]] = []
    for day in _days(start, today):
        for session in sessions[day]:
            if session.skipped:
                continue
            if "stub" in session.flags:
                activities.append(strava_stub(session))
                continue
            detail = build_activity(seed, session, clock)
            details[detail.activity["id"]] = detail
            activities.append(detail.activity)

    first, loads = _loads(seed, today, sessions)
    model = wellness_gen.pmc(loads, first, today)
    for detail in details.values():
        ctl, atl = model[detail.session.day]
        detail.activity["icu_ctl"] = round(ctl, 2)
        detail.activity["icu_atl"] = round(atl, 2)
    rows = []
    for day in _days(start, today):
        healthy = day >= recent
        if wellness_gen.missing_row(day) and not healthy:
            continue
        ctl, atl = model[day]
        week_ago = model[day - timedelta(days=7)][0]
        prev_ctl, prev_atl = model[day - timedelta(days=1)]
        rows.append(
            wellness_gen.row(
                seed, day, ctl, atl, ctl - week_ago, loads[day], prev_ctl - prev_atl, healthy
            )
        )

    events, files = _events(seed, today, sessions)
    activities += denser_copies(activities, recent - timedelta(days=DENSITY_MARGIN_DAYS), density)
    activities.sort(key=lambda a: (a["start_date_local"], a["id"]), reverse=True)
    return DemoData(
        athlete_id=profile.ATHLETE_ID,
        api_key=profile.DEMO_API_KEY,
        athlete=profile.athlete_object(seed, today, timezone, profile.DEMO_API_KEY),
        activities=activities,
        wellness=rows,
        events=events,
        attachments=files,
        today=today,
        seed=seed,
        details=details,
    )


DENSITY_MARGIN_DAYS = 60  # copies stay clear of the curve and plan windows


def denser_copies(
    activities: list[dict[str, Any]], before: date, density: int
) -> list[dict[str, Any]]:
    """density - 1 copies of each activity dated before `before`, ids suffixed,
    each started one hour after the previous one."""
    copies = []
    for activity in activities:
        start = datetime.fromisoformat(activity["start_date_local"])
        if start.date() >= before:
            continue
        for k in range(1, density):
            shifted = (start + timedelta(hours=k)).isoformat()
            copies.append(
                {**activity, "id": f"{activity['id']}{k:02d}", "start_date_local": shifted}
            )
    return copies


def _events(seed: int, today: date, sessions: dict[date, list[workouts.Session]]):
    first = today - timedelta(days=EVENTS_BACK_DAYS)
    last = today + timedelta(days=EVENTS_AHEAD_DAYS)
    races, files = goal_race_events(seed, today)
    race_days = set(goal_races(today).values())
    events = list(races)
    for day in _days(first, today + timedelta(days=PLAN_AHEAD_DAYS)):
        future = day > today
        day_sessions = plan.plan_day(seed, day) if future else sessions.get(day, [])
        if future and day in race_days:
            continue
        for session in day_sessions:
            if not (session.planned or session.race) or "stub" in session.flags:
                continue
            done = not future and not session.skipped
            events.append(session_event(seed, session, done))
    for day in _days(today + timedelta(days=PLAN_AHEAD_DAYS + 1), last):
        if day in race_days:
            continue
        for session in plan.plan_day(seed, day):
            if session.race:
                events.append(session_event(seed, session, False))
    events += markers_and_notes(seed, first, last)
    events.sort(key=lambda e: (e["start_date_local"], e["id"]))
    return events, files
