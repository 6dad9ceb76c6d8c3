"""The TrainingPeaks parts of latest.json (pure).

- `sources_status`: each source's state, so a coach knows when TrainingPeaks
  data is stale (an expired cookie carries the date of the last good read).
- `tp_planned_entries`: TrainingPeaks planned workouts the Intervals.icu
  calendar does not already hold, as planned_workouts[] entries with
  `origin: "trainingpeaks"`. A TrainingPeaks workout is already there when an
  Intervals.icu entry names it as its tp2intervals source, or has the same
  date and name (the mirror's authority stays Intervals.icu).
- `trainingpeaks_block`: TrainingPeaks' own fitness (CTL/ATL/TSB), its A/B/C
  events and a few personal records, as a cross-check next to Intervals.icu's.
- `structure_summary`: one line read from TrainingPeaks' `structure`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from ..ingest.trainingpeaks import TpRaw
from ..model import Event
from ..tp_model import TpEvent, TpFitnessDay, TpPeak, TpWorkout
from .units import format_duration

PLAN_DAYS = 42
FITNESS_DAYS = 14
TARGET_UNITS = {
    "percentOfFtp": "% FTP",
    "percentOfThresholdHr": "% LTHR",
    "percentOfThresholdPace": "% pace",
    "percentOfMaxHr": "% HRmax",
}


def sources_status(raw: TpRaw) -> dict[str, Any]:
    """{"intervals_icu": {...}, "trainingpeaks": {...}} (Intervals.icu is complete
    whenever a file is written at all)."""
    tp: dict[str, Any] = {"status": raw.status, "last_good_data": raw.last_good}
    if raw.message:
        tp["message"] = raw.message
    return {"intervals_icu": {"status": "ok"}, "trainingpeaks": tp}


def _length(length: Mapping[str, Any]) -> str | None:
    value, unit = length.get("value"), length.get("unit")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if unit == "second":
        return format_duration(value)
    if unit == "meter":
        return f"{value / 1000:g} km" if value >= 1000 else f"{value:g} m"
    return None


def _target(step: Mapping[str, Any], unit: str) -> str:
    for target in step.get("targets") or []:
        if not isinstance(target, dict) or target.get("unit"):
            continue  # a cadence target carries a unit; the main one does not
        low, high = target.get("minValue"), target.get("maxValue")
        if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low != high:
            return f" @ {low:g}-{high:g}{unit}"
        value = low if isinstance(low, (int, float)) else high
        if isinstance(value, (int, float)):
            return f" @ {value:g}{unit}"
    return ""


def _step(step: Mapping[str, Any], unit: str) -> str | None:
    length = _length(step.get("length") or {})
    return f"{length}{_target(step, unit)}" if length else None


def structure_summary(structure: Mapping[str, Any] | None, seconds: float | None) -> str | None:
    """'63m: 10m @ 55-65% FTP, 3 × (8m @ 95-100% FTP, 2m @ 50% FTP), 5m @ 50% FTP'."""
    if not structure:
        return None
    unit = TARGET_UNITS.get(str(structure.get("primaryIntensityMetric")), "%")
    parts = []
    for block in structure.get("structure") or []:
        if not isinstance(block, dict):
            continue
        steps = [
            s
            for s in (_step(x, unit) for x in block.get("steps") or [] if isinstance(x, dict))
            if s
        ]
        if not steps:
            continue
        reps = (block.get("length") or {}).get("value")
        if block.get("type") == "repetition" and isinstance(reps, int) and reps > 1:
            inner = steps[0] if len(steps) == 1 else f"({', '.join(steps)})"
            parts.append(f"{reps} × {inner}")
        else:
            parts.extend(steps)
    if not parts:
        return None
    total = format_duration(seconds) if seconds else None
    return f"{total}: {', '.join(parts)}" if total else ", ".join(parts)


def _known(events: Iterable[Event]) -> tuple[set[str], set[tuple[date, str]]]:
    ids, names = set(), set()
    for e in events:
        if e.origin == "trainingpeaks" and e.origin_id:
            ids.add(e.origin_id)
        if e.date and e.name:
            names.add((e.date, e.name.strip().lower()))
    return ids, names


def tp_planned_entries(
    raw: TpRaw, icu_events: Iterable[Event], today: date
) -> list[dict[str, Any]]:
    """TrainingPeaks planned workouts, today .. today + 42, not already in Intervals.icu."""
    ids, names = _known(icu_events)
    last = today + timedelta(days=PLAN_DAYS)
    out = []
    for w in (TpWorkout.from_raw(r) for r in raw.workouts):
        if w.completed or w.date is None or not today <= w.date <= last:
            continue
        if w.id in ids or (w.title and (w.date, w.title.strip().lower()) in names):
            continue
        seconds = w.planned_seconds
        entry: dict[str, Any] = {
            "id": f"tp-{w.id}" if w.id else None,
            "date": w.date.isoformat(),
            "name": w.title,
            "type": "WORKOUT",
            "sport_type": w.sport,
            "planned_tss": w.tss_planned,
            "duration_hours": round(seconds / 3600, 2) if seconds is not None else None,
            "duration_formatted": format_duration(seconds) if seconds is not None else None,
            "workout_summary": structure_summary(w.structure, seconds),
            "has_terrain": False,
            "origin": "trainingpeaks",
            "origin_id": w.id,
            "planned_if": w.if_planned,
            "planned_distance_m": w.distance_planned,
            "description": w.description or "",
        }
        if w.coach_comments:
            entry["coach_comments"] = w.coach_comments
        out.append(entry)
    return sorted(out, key=lambda e: e["date"])


def _fitness(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any] | None:
    days = [d for d in (TpFitnessDay.from_raw(r) for r in rows) if d.date]
    if not days:
        return None
    last = days[-1]

    def row(d: TpFitnessDay) -> dict[str, Any]:
        assert d.date is not None
        return {"date": d.date.isoformat(), "tss": d.tss, "ctl": d.ctl, "atl": d.atl, "tsb": d.tsb}

    return {
        **row(last),
        "seeded_days": len(days),
        "last_days": [row(d) for d in days[-FITNESS_DAYS:]],
    }


def trainingpeaks_block(raw: TpRaw, today: date) -> dict[str, Any]:
    """TrainingPeaks' fitness, its A/B/C events ahead, and personal records."""
    events = [TpEvent.from_raw(e) for e in raw.events]
    return {
        "fitness": _fitness(raw.fitness),
        "events": [
            {
                "date": e.date.isoformat(),
                "name": e.name,
                "event_type": e.event_type,
                "priority": e.priority,
                "ctl_target": e.ctl_target,
            }
            for e in sorted(events, key=lambda e: e.date or today)
            if e.date and e.date >= today
        ],
        "peaks": {
            key: [
                {
                    "rank": p.rank,
                    "value": p.value,
                    "date": p.date.isoformat() if p.date else None,
                    "workout": p.title,
                }
                for p in (TpPeak.from_raw(r) for r in rows)
            ]
            for key, rows in raw.peaks.items()
        },
    }


def add_trainingpeaks(
    latest: dict[str, Any], raw: TpRaw, icu_events: Iterable[Event], today: date
) -> dict[str, Any]:
    """latest.json with the TrainingPeaks parts added (a new dict)."""
    out = dict(latest)
    out["sources_status"] = sources_status(raw)
    if raw.status == "ok":
        planned = list(out.get("planned_workouts") or [])
        planned += tp_planned_entries(raw, icu_events, today)
        out["planned_workouts"] = sorted(planned, key=lambda e: e.get("date") or "")
        out["trainingpeaks"] = trainingpeaks_block(raw, today)
    return out
