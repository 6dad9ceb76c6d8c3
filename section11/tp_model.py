"""TrainingPeaks records as small frozen dataclasses (the TrainingPeaks half
of model.py: the only place that knows TrainingPeaks' field names).

Durations come in hours as floats, distances in metres, dates as
"YYYY-MM-DDT00:00:00"; `structure` is a JSON string. Absent and null are
the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from .model import as_dict, num, parse_date, text
from .sources.trainingpeaks import sport_name


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
            planned_seconds=planned * 3600 if planned is not None else None,
            actual_seconds=actual * 3600 if actual is not None else None,
            tss_planned=num(raw.get("tssPlanned")),
            tss_actual=num(raw.get("tssActual")),
            if_planned=num(raw.get("ifPlanned")),
            if_actual=num(raw.get("if")),
            distance_planned=num(raw.get("distancePlanned")),
            description=text(raw.get("description")),
            coach_comments=text(raw.get("coachComments")),
            structure=_structure(raw.get("structure")),
        )


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

    @classmethod
    def from_raw(cls, raw: Any) -> TpEvent:
        raw = as_dict(raw)
        priority = text(raw.get("atpPriority"))
        return cls(
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
