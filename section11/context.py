"""SyncInputs: everything one sync fetched, normalized, with its windows.

The pipeline fills it (I/O); output builders and metrics read it (pure).
"today" is the athlete's local date, decided by the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .curve_model import BestCurve, Curve
from .event_model import Event
from .model import Activity, Athlete
from .wellness_model import Wellness
from .windows import EXTENDED_DAYS


@dataclass(frozen=True)
class ChartCurves:
    """Best-effort curves that only the power and pace chart draws (the documents
    hold the 28-day anchors of the same Ride answer)."""

    power: Mapping[str, BestCurve] | None = None  # Ride, by curve id; None = no answer
    pace_type: str | None = None  # the run type asked for; None = no recent run, no call
    pace: Mapping[str, BestCurve] | None = None  # by curve id; None = no call or no answer


@dataclass(frozen=True)
class SyncInputs:
    today: date  # athlete-local date
    now: datetime  # aware, in the athlete's timezone
    days: int  # display window N (--days)
    athlete: Athlete
    activities: tuple[Activity, ...]  # window max(N, 28) days, API order, stubs removed
    wellness: tuple[Wellness, ...]  # window max(N, 28) days, ascending
    events: tuple[Event, ...]  # today-max(N-1,14) .. today+90 (resolve=true)
    health_events: tuple[Event, ...] | None = None  # SICK/INJURED, 365 d back; None = fetch failed
    hidden_activities: int = 0  # Strava stubs the API would not show
    week_start: int = 0  # Mon=0 .. Sun=6
    zone_preference: Mapping[str, str] = field(default_factory=dict)
    power_curves: Mapping[str, Curve] | None = None  # Ride, keyed by curve id; None = failed
    hr_curves: Mapping[str, Curve] | None = None
    # sustainability: sport type -> curves keyed by id (power / hr)
    sport_power_curves: Mapping[str, Mapping[str, Curve]] = field(default_factory=dict)
    sport_hr_curves: Mapping[str, Mapping[str, Curve]] = field(default_factory=dict)
    chart_curves: ChartCurves = field(default_factory=ChartCurves)
    ftp_history: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {"indoor": {}, "outdoor": {}}
    )
    intervals_entries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    history_weekly: tuple[Mapping[str, Any], ...] = ()  # history.json weekly_180d rows
    chat_notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # activity id -> texts
    version: str = ""
    # 3-year records from the local store (history.json, FTP timeline); empty when unknown
    history_activities: tuple[Activity, ...] = ()
    history_wellness: tuple[Wellness, ...] = ()
    sync_status: Mapping[str, str] = field(
        default_factory=dict
    )  # per source: ok | kept_previous | ...
    intervals_states: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # fetch_state
    # id -> terrain keys of an outdoor activity, metric units (outputs add display blocks)
    activity_terrain: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    route_entries: tuple[Mapping[str, Any], ...] = ()  # routes.json events

    # ------------------------------------------------------------ windows
    def days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    @property
    def display_start(self) -> date:
        return self.days_ago(self.days - 1)

    @property
    def activities_28d(self) -> tuple[Activity, ...]:
        start = self.days_ago(EXTENDED_DAYS - 1)
        return tuple(a for a in self.activities if a.date and start <= a.date <= self.today)

    @property
    def activities_7d(self) -> tuple[Activity, ...]:
        """Display-window activities (N days, labelled "7d" as in the reference)."""
        return tuple(
            a for a in self.activities if a.date and self.display_start <= a.date <= self.today
        )

    @property
    def wellness_28d(self) -> tuple[Wellness, ...]:
        start = self.days_ago(EXTENDED_DAYS - 1)
        return tuple(w for w in self.wellness if start <= w.date <= self.today)

    @property
    def wellness_7d(self) -> tuple[Wellness, ...]:
        return tuple(w for w in self.wellness if self.display_start <= w.date <= self.today)

    def wellness_on(self, day: date) -> Wellness | None:
        return next((w for w in self.wellness if w.date == day), None)

    @property
    def today_wellness(self) -> Wellness | None:
        return self.wellness_on(self.today)

    @property
    def yesterday_wellness(self) -> Wellness | None:
        return self.wellness_on(self.days_ago(1))

    @property
    def past_events(self) -> tuple[Event, ...]:
        return tuple(
            e for e in self.events if e.date and self.display_start <= e.date <= self.today
        )

    @property
    def future_events(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.date and e.date >= self.today)

    @property
    def near_future_events(self) -> tuple[Event, ...]:
        end = self.today + timedelta(days=42)
        return tuple(e for e in self.events if e.date and self.today <= e.date <= end)
