"""TrainingPeaks records as small frozen dataclasses (the TrainingPeaks half
of model.py: the only place that knows TrainingPeaks' field names).

Durations come in hours as floats, distances in metres, dates as
"YYYY-MM-DDT00:00:00"; `structure` is a JSON string. Absent and null are
the same.

The `*_records` functions turn these into the model's own records
(`Activity`, `Wellness`, `Athlete`, `Event`) for the TrainingPeaks-alone
path (section11/source_only.py) and for the merge with Intervals.icu
(section11/tp_merge.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from .event_model import Event
from .model import Activity, Athlete, SportSetting, as_dict, as_list, num, parse_date, text
from .sources.trainingpeaks import sport_name
from .wellness_model import Wellness, plausible

SOURCE = "TRAININGPEAKS"  # Activity.source of a session read from TrainingPeaks alone
ID_PREFIX = "tp_"
# workoutTypeValueId -> the Intervals.icu activity type the metrics know
ACTIVITY_TYPES: dict[int, str] = {
    1: "Swim",
    2: "Ride",
    3: "Run",
    8: "MountainBikeRide",
    9: "WeightTraining",
    11: "NordicSki",
    12: "Rowing",
    13: "Walk",
    29: "WeightTraining",
}
OTHER_ACTIVITY_TYPE = "Workout"
# consolidatedtimedmetrics detail type -> (Wellness field, scale to the model's unit)
HEALTH_TYPES: dict[int, tuple[str, float]] = {
    60: ("hrv", 1.0),
    5: ("resting_hr", 1.0),
    6: ("sleep_secs", 3600.0),  # hours -> seconds
    9: ("weight", 1.0),
    58: ("steps", 1.0),
    53: ("spo2", 1.0),
}
RACE_CATEGORIES = {"A": "RACE_A", "B": "RACE_B", "C": "RACE_C"}
CYCLING_TYPES = ("Ride", "VirtualRide", "GravelRide", "MountainBikeRide")
RUNNING_TYPES = ("Run", "VirtualRun", "TrailRun")


@dataclass(frozen=True)
class TpWorkout:
    id: str | None
    date: date | None
    title: str | None
    sport: str | None
    completed: bool
    planned_seconds: float | None
    actual_seconds: float | None
    tss_planned: float | None
    tss_actual: float | None
    if_planned: float | None
    if_actual: float | None
    distance_planned: float | None
    description: str | None
    coach_comments: str | None
    structure: dict[str, Any] | None
    type_id: int | None = None
    start: str | None = None  # local start "YYYY-MM-DDTHH:MM:SS" of a completed workout
    athlete_comments: str | None = None
    feeling: float | None = None
    rpe: float | None = None
    distance: float | None = None  # m
    avg_power: float | None = None
    norm_power: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_cadence: float | None = None
    avg_speed: float | None = None  # m/s
    elevation_gain: float | None = None
    calories: float | None = None
    energy_kj: float | None = None

    @classmethod
    def from_raw(cls, raw: Any) -> TpWorkout:
        raw = as_dict(raw)
        planned, actual = num(raw.get("totalTimePlanned")), num(raw.get("totalTime"))
        wid = raw.get("workoutId")
        return cls(
            id=str(wid) if isinstance(wid, (int, str)) and wid != "" else None,
            date=parse_date(text(raw.get("workoutDay"))),
            title=text(raw.get("title")),
            sport=sport_name(raw.get("workoutTypeValueId")),
            completed=raw.get("completed") is True or bool(actual and actual > 0),
            planned_seconds=round(planned * 3600) if planned is not None else None,
            actual_seconds=round(actual * 3600) if actual is not None else None,
            tss_planned=num(raw.get("tssPlanned")),
            tss_actual=num(raw.get("tssActual")),
            if_planned=num(raw.get("ifPlanned")),
            if_actual=num(raw.get("if")),
            distance_planned=num(raw.get("distancePlanned")),
            description=text(raw.get("description")),
            coach_comments=text(raw.get("coachComments")),
            structure=_structure(raw.get("structure")),
            type_id=_int(raw.get("workoutTypeValueId")),
            start=text(raw.get("startTime")),
            athlete_comments=text(raw.get("athleteComments")),
            feeling=num(raw.get("feeling")),
            rpe=num(raw.get("rpe")),
            distance=num(raw.get("distance")),
            avg_power=num(raw.get("powerAverage")),
            norm_power=num(raw.get("normalizedPowerActual")),
            avg_hr=num(raw.get("heartRateAverage")),
            max_hr=num(raw.get("heartRateMaximum")),
            avg_cadence=num(raw.get("cadenceAverage")),
            avg_speed=num(raw.get("velocityAverage")),
            elevation_gain=num(raw.get("elevationGain")),
            calories=num(raw.get("calories")),
            energy_kj=num(raw.get("energy")),
        )

    @property
    def activity_type(self) -> str:
        return ACTIVITY_TYPES.get(self.type_id or 0, OTHER_ACTIVITY_TYPE)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _structure(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str) and value.strip():
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class TpFitnessDay:
    date: date | None
    tss: float | None
    ctl: float | None
    atl: float | None
    tsb: float | None

    @classmethod
    def from_raw(cls, raw: Any) -> TpFitnessDay:
        raw = as_dict(raw)
        return cls(
            date=parse_date(text(raw.get("workoutDay"))),
            tss=num(raw.get("tssActual")),
            ctl=num(raw.get("ctl")),
            atl=num(raw.get("atl")),
            tsb=num(raw.get("tsb")),
        )


@dataclass(frozen=True)
class TpEvent:
    date: date | None
    name: str | None
    event_type: str | None
    priority: str | None  # A / B / C
    ctl_target: float | None
    id: str | None = None
    description: str | None = None

    @classmethod
    def from_raw(cls, raw: Any) -> TpEvent:
        raw = as_dict(raw)
        priority = text(raw.get("atpPriority"))
        eid = raw.get("id")
        return cls(
            id=str(eid) if isinstance(eid, (int, str)) and eid != "" else None,
            description=text(raw.get("description")),
            date=parse_date(text(raw.get("eventDate"))),
            name=text(raw.get("name")),
            event_type=text(raw.get("eventType")),
            priority=priority if priority in ("A", "B", "C") else None,
            ctl_target=num(raw.get("ctlTarget")),
        )


@dataclass(frozen=True)
class TpPeak:
    rank: int | None
    value: float | None
    date: date | None
    title: str | None

    @classmethod
    def from_raw(cls, raw: Any) -> TpPeak:
        raw = as_dict(raw)
        rank = raw.get("rank")
        return cls(
            rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
            value=num(raw.get("value")),
            date=parse_date(text(raw.get("workoutDate"))),
            title=text(raw.get("workoutTitle")),
        )


@dataclass(frozen=True)
class TpAtpWeek:
    """One week of the Annual Training Plan."""

    week: date | None  # first day of the week
    planned_tss: float | None  # `volume`
    period: str | None  # Base 1, Build 2, Peak, Race, Transition...
    race_name: str | None
    race_priority: str | None
    weeks_to_priority_event: float | None

    @classmethod
    def from_raw(cls, raw: Any) -> TpAtpWeek:
        raw = as_dict(raw)
        return cls(
            week=parse_date(text(raw.get("week"))),
            planned_tss=num(raw.get("volume")),
            period=text(raw.get("period")),
            race_name=text(raw.get("raceName")),
            race_priority=text(raw.get("racePriority")),
            weeks_to_priority_event=num(raw.get("weeksToNextPriorityEvent")),
        )


# ----------------------------------------------------------------- model records


def health_by_day(rows: Any) -> dict[date, dict[str, float]]:
    """Health metric entries as {day: {Wellness field: value}} (the later entry of
    a day wins; implausible values are dropped as for Intervals.icu wellness)."""
    out: dict[date, dict[str, float]] = {}
    for entry in sorted(as_list(rows), key=lambda e: text(as_dict(e).get("timeStamp")) or ""):
        entry = as_dict(entry)
        day = parse_date(text(entry.get("timeStamp")))
        if day is None:
            continue
        for detail in as_list(entry.get("details")):
            detail = as_dict(detail)
            kind, value = HEALTH_TYPES.get(_int(detail.get("type")) or 0), num(detail.get("value"))
            if kind is None or value is None:
                continue
            checked = plausible(kind[0], value * kind[1])
            if checked is not None:
                out.setdefault(day, {})[kind[0]] = checked
    return out


def wellness_records(health: Any, fitness: Any) -> list[Wellness]:
    """One Wellness per day with a health metric or a fitness value, ascending;
    CTL and ATL are TrainingPeaks' own (its performance data)."""
    values: dict[date, dict[str, Any]] = dict(health_by_day(health))
    for day in (TpFitnessDay.from_raw(r) for r in as_list(fitness)):
        if day.date is not None and (day.ctl is not None or day.atl is not None):
            values.setdefault(day.date, {}).update(ctl=day.ctl, atl=day.atl)
    return [Wellness(date=d, **fields) for d, fields in sorted(values.items())]


def activity_record(w: TpWorkout) -> Activity | None:
    """A completed TrainingPeaks workout as an activity of its own (None for a
    planned one or one without a day)."""
    if not w.completed or w.date is None or w.id is None:
        return None
    start = (
        w.start if w.start and parse_date(w.start) == w.date else w.date.isoformat() + "T00:00:00"
    )
    return Activity(
        id=ID_PREFIX + w.id,
        date=w.date,
        start_local=start[:19],
        type=w.activity_type,
        name=w.title,
        source=SOURCE,
        moving_time=w.actual_seconds,
        elapsed_time=w.actual_seconds,
        distance=w.distance,
        elevation_gain=w.elevation_gain,
        load=w.tss_actual,
        intensity=round(w.if_actual * 100, 1) if w.if_actual is not None else None,
        avg_power=w.avg_power,
        norm_power=w.norm_power,
        avg_hr=w.avg_hr,
        max_hr=w.max_hr,
        avg_cadence=w.avg_cadence,
        avg_speed=w.avg_speed,
        joules=w.energy_kj * 1000 if w.energy_kj is not None else None,
        calories=w.calories,
        rpe=w.rpe,
    )


def athlete_record(user: Any) -> Athlete:
    """The account (`/users/v3/user`, unwrapped) as the athlete: name, sex, date
    of birth, weight, and the cycling and running FTPs as sport settings."""
    user = as_dict(user)
    athletes = as_list(user.get("athletes"))
    first = as_dict(athletes[0]) if athletes else {}
    uid = user.get("userId") or user.get("personId") or first.get("athleteId")
    settings = [
        SportSetting(types=types, ftp=ftp)
        for types, ftp in (
            (CYCLING_TYPES, num(first.get("cyclingFtp"))),
            (RUNNING_TYPES, num(first.get("runningFtp"))),
        )
        if ftp
    ]
    name = " ".join(p for p in (text(user.get("firstName")), text(user.get("lastName"))) if p)
    birth = text(first.get("dateOfBirth"))
    return Athlete(
        id=str(uid) if isinstance(uid, (int, str)) and uid != "" else None,
        name=name or None,
        timezone=text(user.get("timeZone")),
        sex=(text(first.get("sex")) or "").upper()[:1] or None,
        date_of_birth=birth[:10] if birth else None,
        weight=num(first.get("weight")),
        sport_settings=tuple(settings),
    )


def planned_event(w: TpWorkout) -> Event | None:
    """A planned TrainingPeaks workout as a calendar WORKOUT entry."""
    if w.completed or w.date is None:
        return None
    return Event(
        id=ID_PREFIX + w.id if w.id else None,
        date=w.date,
        start_local=w.date.isoformat() + "T00:00:00",
        category="WORKOUT",
        type=w.activity_type,
        name=w.title,
        description=w.description,
        load=w.tss_planned,
        moving_time=w.planned_seconds,
        distance=w.distance_planned,
        origin="trainingpeaks",
        origin_id=w.id,
    )


def race_event(e: TpEvent) -> Event | None:
    """A TrainingPeaks event with an A/B/C priority as a RACE_A/B/C calendar entry."""
    if e.date is None or e.priority is None:
        return None
    return Event(
        id=ID_PREFIX + "event_" + e.id if e.id else None,
        date=e.date,
        start_local=e.date.isoformat() + "T00:00:00",
        category=RACE_CATEGORIES[e.priority],
        name=e.name,
        description=e.description,
        origin="trainingpeaks",
        origin_id=e.id,
    )
