"""Replay a sync of the demo athlete on any past date, without HTTP.

`DemoReplay(data).inputs(day)` returns the `SyncInputs` that the fetch phase
(section11.pipeline.fetch_inputs) would build if the fake server were asked on
`day` (athlete-local date): the same windows (activities and wellness over
max(N, 28) days, the 3-year history records, calendar events from
day - max(N-1, 14) to day + 90, SICK / INJURED markers 365 days back), the same
normalization (section11.model), the same filtering (Strava stubs removed and
counted). The raw records are parsed once, so replaying hundreds of days stays
cheap.

Differences from a live sync, by design: no activity messages, and curves only
when asked for (`curves=True`; no alert or readiness rule reads them). A
replayed day includes every activity of that day, as a late-evening sync would.
The demo data itself was generated for `data.today`; replaying a date after it
is refused, since nothing exists there yet.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from section11.context import SyncInputs
from section11.curve_model import curves_from_raw
from section11.demo.dataset import DemoData
from section11.event_model import Event, events_from_raw
from section11.metrics.curves import delta_curve_ids
from section11.metrics.sustainability import sustainability_curve_id, sustainability_families
from section11.model import Activity, Athlete, activities_from_raw
from section11.sports import HEALTH_CATEGORIES
from section11.wellness_model import wellness_from_raw
from section11.windows import EXTENDED_DAYS, HISTORY_DAYS

DEFAULT_DAYS = 7
# the fetch windows of a sync (docs/architecture.md#one-sync), as the fetch phase uses them
EVENTS_BACK_DAYS = 14
EVENTS_AHEAD_DAYS = 90
HEALTH_BACK_DAYS = 365
SYNC_HOUR = 21  # a replayed day is seen from the evening: its training is done


def _zone(name: str | None):
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


class DemoReplay:
    """The demo athlete's records, parsed once, sliced per replayed day."""

    def __init__(self, data: DemoData):
        self.data = data
        self.athlete = Athlete.from_raw(data.athlete)
        # activities: oldest first here (bisect), handed out newest first (API order)
        parsed = activities_from_raw(data.activities)
        dated = sorted(
            (a for a in parsed if a.date is not None), key=lambda a: (a.start_local or "", a.id)
        )
        self._acts = dated
        self._act_days = [a.date for a in dated]
        visible = [a for a in dated if not a.is_stub]
        self._visible = visible
        self._visible_days = [a.date for a in visible]
        self._wellness = wellness_from_raw(data.wellness)
        self._well_days = [w.date for w in self._wellness]
        # events: the server indexes them on their local start date, ascending
        events = sorted(
            (e for e in events_from_raw(data.events) if e.date is not None),
            key=lambda e: (e.start_local or "", e.id or ""),
        )
        self._events = events
        self._event_days = [e.date for e in events]

    # ------------------------------------------------------------ slices
    def _activities(self, first: date, last: date) -> list[Activity]:
        lo, hi = bisect_left(self._act_days, first), bisect_right(self._act_days, last)
        return list(reversed(self._acts[lo:hi]))

    def _events_between(self, first: date, last: date) -> list[Event]:
        lo, hi = bisect_left(self._event_days, first), bisect_right(self._event_days, last)
        return self._events[lo:hi]

    def inputs(
        self,
        today: date,
        *,
        days: int = DEFAULT_DAYS,
        week_start: int = 0,
        now: datetime | None = None,
        curves: bool = False,
    ) -> SyncInputs:
        """The SyncInputs of a sync on `today` (mirrors pipeline.fetch_inputs)."""
        if self.data.today is not None and today > self.data.today:
            raise ValueError(f"the demo data ends on {self.data.today}; cannot replay {today}")
        zone = _zone(self.athlete.timezone)
        if now is None:
            now = datetime.combine(today, time(SYNC_HOUR), tzinfo=zone)
        span = max(days, EXTENDED_DAYS)
        oldest = today - timedelta(days=span - 1)
        listed = self._activities(oldest, today)
        activities = tuple(a for a in listed if not a.is_stub)
        lo, hi = bisect_left(self._well_days, oldest), bisect_right(self._well_days, today)
        wellness = tuple(self._wellness[lo:hi])
        first = today - timedelta(days=HISTORY_DAYS - 1)
        lo, hi = bisect_left(self._visible_days, first), bisect_right(self._visible_days, today)
        history = tuple(reversed(self._visible[lo:hi]))
        lo, hi = bisect_left(self._well_days, first), bisect_right(self._well_days, today)
        history_wellness = tuple(self._wellness[lo:hi])
        ahead = today + timedelta(days=EVENTS_AHEAD_DAYS)
        events = tuple(
            self._events_between(today - timedelta(days=max(days - 1, EVENTS_BACK_DAYS)), ahead)
        )
        health = tuple(
            e
            for e in self._events_between(today - timedelta(days=HEALTH_BACK_DAYS), ahead)
            if e.category in HEALTH_CATEGORIES
        )
        power = hr = None
        sport_power: dict = {}
        sport_hr: dict = {}
        if curves:
            power, hr, sport_power, sport_hr = self._curves(activities, today)
        return SyncInputs(
            today=today,
            now=now,
            days=days,
            athlete=self.athlete,
            activities=activities,
            wellness=wellness,
            events=events,
            health_events=health,
            hidden_activities=len(listed) - len(activities),
            week_start=week_start,
            power_curves=power,
            hr_curves=hr,
            sport_power_curves=sport_power,
            sport_hr_curves=sport_hr,
            history_activities=history,
            history_wellness=history_wellness,
        )

    # ------------------------------------------------------------ curves
    def _curves(self, activities, today: date):
        """Curves as section11.ingest.curves.fetch_curves would get them from the fake server."""

        def fetch(kind: str, sport: str | None, ids: list[str], keys: tuple[str, ...]):
            items = []
            for cid in ids:
                start, end = _curve_range(cid, today)
                items.append(self.data.curve(kind, sport, start, end, cid))
            return curves_from_raw({"list": items}, keys)

        delta_ids = list(delta_curve_ids(today))
        window_42 = sustainability_curve_id(today)
        families = sustainability_families(
            [a for a in activities if a.date and a.date >= today - timedelta(days=27)]
        )
        types = [t for family_types in families.values() for t in family_types]
        ride = fetch("power", "Ride", [*delta_ids, window_42], ("watts", "values"))
        power = {k: v for k, v in ride.items() if k in delta_ids}
        hr = fetch("hr", None, delta_ids, ("values",))
        sport_power = {
            t: (ride if t == "Ride" else fetch("power", t, [window_42], ("watts", "values")))
            for t in types
        }
        sport_hr = {t: fetch("hr", t, [window_42], ("values",)) for t in types}
        return power, hr, sport_power, sport_hr


def _curve_range(curve_id: str, today: date) -> tuple[date, date]:
    """(start, end) of an explicit "r.START.END" curve id, else the last N days of a
    "<N>d" id (the only two shapes the pipeline asks for)."""
    if curve_id.startswith("r."):
        _, start, end = curve_id.split(".", 2)
        return date.fromisoformat(start), date.fromisoformat(end)
    if curve_id.endswith("d") and curve_id[:-1].isdigit():
        return today - timedelta(days=int(curve_id[:-1]) - 1), today
    raise ValueError(f"unsupported curve id {curve_id!r}")


def replay_inputs(data: DemoData, today: date, **options) -> SyncInputs:
    """One-off convenience: `DemoReplay(data).inputs(today, **options)`."""
    return DemoReplay(data).inputs(today, **options)
