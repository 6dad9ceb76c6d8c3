"""The TrainingPeaks parts of latest.json (pure).

- `sources_status`: each source's state, so a coach knows when TrainingPeaks
  data is stale (an expired cookie carries the date of the last good read).
- `tp_planned_entries`: TrainingPeaks planned workouts the Intervals.icu
  calendar does not already hold, as planned_workouts[] entries with
  `origin: "trainingpeaks"`. A TrainingPeaks workout is already there when an
  Intervals.icu entry names it as its tp2intervals source, or has the same
  date and name (the mirror's authority stays Intervals.icu).
- `trainingpeaks_block`: TrainingPeaks' own fitness (CTL/ATL/TSB), its A/B/C
  events, the Annual Training Plan week (or why there is none), personal
  records, and `power_check`: its best 28-day Bike powers next to
  Intervals.icu's power-curve anchors, as a cross-check.
- `race_calendar` entries on a TrainingPeaks event's day gain a
  `trainingpeaks` note: its A/B/C priority, CTL target, and whether only
  TrainingPeaks holds the race.
- `structure_summary`: one line read from TrainingPeaks' `structure`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from ..event_model import Event
from ..ingest.trainingpeaks import TpRaw
from ..tp_model import TpAtpWeek, TpEvent, TpFitnessDay, TpPeak, TpWorkout
from .units import format_duration

PLAN_DAYS = 42
FITNESS_DAYS = 14
WEEK_DAYS = 7
RACE_CATEGORIES = ("RACE_A", "RACE_B", "RACE_C")
# TrainingPeaks Bike power record type -> seconds (the power-curve anchors)
CHECK_SECONDS = {
    "power5sec": 5,
    "power1min": 60,
    "power5min": 300,
    "power20min": 1200,
    "power60min": 3600,
}
CHECK_NOTE = (
    "Best power at fixed durations over the last 28 days as TrainingPeaks and "
    "Intervals.icu each report it (Intervals.icu: Ride curves, the current window of "
    "power_curve_delta). A gap of more than a few percent usually means a session is in "
    "one account and not the other, or a different power source or smoothing."
)
TARGET_UNITS = {
    "percentOfFtp": "% FTP",
    "percentOfThresholdHr": "% LTHR",
    "percentOfThresholdPace": "% pace",
    "percentOfMaxHr": "% HRmax",
}


def sources_status(raw: TpRaw, alone: bool = False) -> dict[str, Any]:
    """{"intervals_icu": {...}, "trainingpeaks": {...}} (Intervals.icu is complete
    whenever a file is written at all; `alone`: there is no Intervals.icu account)."""
    tp: dict[str, Any] = {"status": raw.status, "last_good_data": raw.last_good}
    if raw.message:
        tp["message"] = raw.message
    icu = "not_configured" if alone else "ok"
    return {"intervals_icu": {"status": icu}, "trainingpeaks": tp}


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


def with_tp_details(entries: Iterable[Mapping[str, Any]], raw: TpRaw) -> list[dict[str, Any]]:
    """TrainingPeaks-alone planned_workouts[] entries (built from the calendar like
    Intervals.icu's) with what only TrainingPeaks' record holds: the structure
    summary, planned IF and distance, coach comments."""
    workouts = {w.id: w for w in (TpWorkout.from_raw(r) for r in raw.workouts) if w.id}
    out = []
    for entry in entries:
        tp_workout = entry.get("origin") == "trainingpeaks" and entry.get("type") == "WORKOUT"
        origin_id = entry.get("origin_id") if tp_workout else None
        w = workouts.get(origin_id) if isinstance(origin_id, str) else None
        entry = dict(entry)
        if w is not None and not w.completed:
            if entry.get("workout_summary") is None:
                entry["workout_summary"] = structure_summary(w.structure, w.planned_seconds)
            entry["planned_if"] = w.if_planned
            entry["planned_distance_m"] = w.distance_planned
            if w.coach_comments:
                entry["coach_comments"] = w.coach_comments
        out.append(entry)
    return out


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


def atp_week(raw: TpRaw, today: date) -> dict[str, Any] | None:
    """The Annual Training Plan week holding today; None when the plan has none."""
    for w in (TpAtpWeek.from_raw(r) for r in raw.atp):
        if w.week is not None and w.week <= today < w.week + timedelta(days=WEEK_DAYS):
            return {
                "week_start": w.week.isoformat(),
                "period": w.period,
                "planned_tss": w.planned_tss,
                "race_name": w.race_name,
                "race_priority": w.race_priority,
                "weeks_to_priority_event": w.weeks_to_priority_event,
            }
    return None


def trainingpeaks_block(raw: TpRaw, today: date) -> dict[str, Any]:
    """TrainingPeaks' fitness, its A/B/C events ahead, the plan week, personal records."""
    events = [TpEvent.from_raw(e) for e in raw.events]
    week = atp_week(raw, today)
    return {
        "fitness": _fitness(raw.fitness),
        "atp_week": week,
        "atp_week_reason": None
        if week is not None
        else raw.atp_missing or "the Annual Training Plan has no week holding today",
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


def _pct(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs <= 0:
        return None
    return round((ours - theirs) / theirs * 100, 1) + 0.0


def power_check(raw: TpRaw, latest: Mapping[str, Any]) -> dict[str, Any]:
    """TrainingPeaks' best 28-day Bike powers next to Intervals.icu's curve anchors."""
    delta = (latest.get("derived_metrics") or {}).get("capability", {}).get("power_curve_delta")
    delta = delta if isinstance(delta, Mapping) else {}
    anchors = delta.get("anchors") if isinstance(delta.get("anchors"), Mapping) else {}
    rows = []
    for kind, seconds in CHECK_SECONDS.items():
        records = [TpPeak.from_raw(r) for r in raw.check_peaks.get(kind, [])]
        best = max((r.value for r in records if r.value is not None), default=None)
        anchor = anchors.get(f"{seconds}s") if anchors else None
        icu = anchor.get("current_watts") if isinstance(anchor, Mapping) else None
        rows.append(
            {
                "duration_s": seconds,
                "trainingpeaks_watts": best,
                "intervals_icu_watts": icu,
                "difference_pct": _pct(best, icu),
            }
        )
    return {"window": delta.get("current_window"), "anchors": rows, "note": CHECK_NOTE}


def race_note(
    entry: Mapping[str, Any], events: Iterable[TpEvent], icu_race_days: set[str]
) -> dict[str, Any]:
    """A race_calendar entry with its TrainingPeaks priority and CTL target
    when TrainingPeaks has an A/B/C event that day (a copy)."""
    day = entry.get("date")
    match = next((e for e in events if e.priority and e.date and e.date.isoformat() == day), None)
    if match is None:
        return dict(entry)
    return {
        **entry,
        "trainingpeaks": {
            "priority": match.priority,
            "ctl_target": match.ctl_target,
            "event_type": match.event_type,
            "only_in_trainingpeaks": day not in icu_race_days,
        },
    }


def _with_race_notes(
    calendar: Mapping[str, Any], raw: TpRaw, calendar_events: Iterable[Event]
) -> dict[str, Any]:
    events = [TpEvent.from_raw(e) for e in raw.events]
    icu_days = {
        e.date.isoformat()
        for e in calendar_events
        if e.date and e.category in RACE_CATEGORIES and e.origin != "trainingpeaks"
    }
    out = dict(calendar)
    out["all_races"] = [race_note(r, events, icu_days) for r in calendar.get("all_races") or []]
    if isinstance(out.get("next_race"), Mapping):
        out["next_race"] = race_note(out["next_race"], events, icu_days)
    return out


def add_trainingpeaks(
    latest: dict[str, Any],
    raw: TpRaw,
    calendar_events: Iterable[Event],
    today: date,
    alone: bool = False,
) -> dict[str, Any]:
    """latest.json with the TrainingPeaks parts added (a new dict).

    `calendar_events`: the calendar the documents were built from (Intervals.icu's
    entries and the TrainingPeaks races merged into it). `alone`: TrainingPeaks
    is the only source, its planned workouts are already the calendar."""
    out = dict(latest)
    out["sources_status"] = sources_status(raw, alone)
    if raw.status == "ok":
        calendar_events = list(calendar_events)
        planned = list(out.get("planned_workouts") or [])
        if alone:
            out["planned_workouts"] = with_tp_details(planned, raw)
        else:
            planned += tp_planned_entries(raw, calendar_events, today)
            out["planned_workouts"] = sorted(planned, key=lambda e: e.get("date") or "")
        if isinstance(out.get("race_calendar"), Mapping):
            out["race_calendar"] = _with_race_notes(out["race_calendar"], raw, calendar_events)
        block = trainingpeaks_block(raw, today)
        block["power_check"] = power_check(raw, out)
        out["trainingpeaks"] = block
    return out
