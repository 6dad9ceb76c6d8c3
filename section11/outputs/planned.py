"""planned_workouts[] and workout_summary_stats (docs/metrics.md#planned-workouts).

Each entry with structured steps gets a one-line `workout_summary` written by
`workout_text.workout_summary` (every step kind: repeats, power/HR/pace/RPE
targets, ramps, distance steps, free text). The reference summarized only two
interval patterns of power workouts (docs/deviations.md, quirk 14).

workout_summary_stats counts each attempted entry under exactly one outcome:
attempted = success + bail_no_workout_doc + bail_unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from ..event_model import Event
from ..sports import TRAINING_CATEGORIES
from .activities import split_coach_notes
from .units import format_duration
from .workout_text import workout_summary

DESCRIPTION_DAYS = 7  # days 0..7 carry the full description
PREVIEW_LINES = 3
OUTCOMES = ("success", "bail_no_workout_doc", "bail_unreadable")


# ----------------------------------------------------------------- entries


def new_stats() -> dict[str, int]:
    return {"attempted": 0, **dict.fromkeys(OUTCOMES, 0)}


def summary_outcome(event: Event) -> tuple[str | None, str | None]:
    """(workout_summary, outcome) of one calendar entry; outcome None = not attempted.

    Attempted: entries with structured steps, and training entries with a
    non-blank description (a summary could be expected for them).
    """
    if event.steps:
        summary = workout_summary({"steps": list(event.steps)}, event.type)
        return summary, "success" if summary is not None else "bail_unreadable"
    if (event.description or "").strip() and event.category in TRAINING_CATEGORIES:
        return None, "bail_no_workout_doc"
    return None, None


def _start_time(start_local: str | None) -> str | None:
    if not start_local or len(start_local) < 16:
        return None
    hhmm = start_local[11:16]
    return None if hhmm == "00:00" else hhmm


def planned_entry(
    event: Event, today: date, summary: str | None, routes_with_terrain: Iterable[str] = frozenset()
) -> dict[str, Any]:
    """One planned_workouts[] entry (docs/metrics.md#planned-workouts)."""
    notes, cleaned = split_coach_notes(event.description)
    days_ahead = (event.date - today).days if event.date else 0
    out: dict[str, Any] = {
        "id": event.id,
        "date": event.date.isoformat() if event.date else None,
        "name": event.name,
        "type": event.category,
        "sport_type": event.type,
        "planned_tss": event.load,
        "duration_hours": round(event.moving_time / 3600, 2)
        if event.moving_time is not None
        else None,
        "duration_formatted": format_duration(event.moving_time)
        if event.moving_time is not None
        else None,
        "workout_summary": summary,
        "has_terrain": event.id is not None and event.id in set(routes_with_terrain),
    }
    if notes:
        out["coach_notes"] = notes
    start = _start_time(event.start_local)
    if start:
        out["start_time"] = start
    if event.indoor is True:
        out["indoor"] = True
    if event.origin:
        out["origin"] = event.origin
        out["origin_id"] = event.origin_id
    if days_ahead <= DESCRIPTION_DAYS:
        out["description"] = cleaned
    elif summary is None:
        lines = [line.strip() for line in cleaned.splitlines() if line.strip()]
        out["description_preview"] = "\n".join(lines[:PREVIEW_LINES]) if lines else None
    return out


def planned_workouts(
    events: Iterable[Event],
    today: date,
    routes_with_terrain: Iterable[str] = frozenset(),
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """(planned_workouts[], workout_summary_stats) for the calendar entries given (docs/metrics.md#planned-workouts).

    `events` are today … today+42, all categories, in API order
    (`SyncInputs.near_future_events`). routes_with_terrain: event ids with a
    terrain summary (`routes.terrain_event_ids`).
    """
    terrain_ids = set(routes_with_terrain)
    stats = new_stats()
    entries = []
    for event in events:
        summary, outcome = summary_outcome(event)
        if outcome is not None:
            stats["attempted"] += 1
            stats[outcome] += 1
        entries.append(planned_entry(event, today, summary, terrain_ids))
    return entries, stats
