"""Plan adherence: consistency index (docs/metrics.md#consistency).

Implements:
  docs/metrics.md#consistency ``consistency_index`` and ``consistency_details`` (date-level adherence of
      planned WORKOUT days in the display window), and
  docs/metrics.md#consistency / docs/metrics.md#output-layout ``data_quality.planned_workouts_7d`` (training-category entries
      of the same window; a different filter from the index, as the reference).

Quirk 17 (docs/metrics.md#reference-quirks), decided:
* fixed: a planned day counts as missed only once it is over. A WORKOUT planned
  for today (or, if a caller passes one, a later day) that has no activity yet
  is *pending*: it is left out of ``planned_dates`` until it is done or the day
  has passed, so a morning sync no longer reports today's session as missed.
  A day that already has an activity counts as planned and matched as before.
* kept: only WORKOUT entries are planned days (races are not), and any
  activity of any sport completes a day; consumers read the index that way.

Pure: the caller passes the display-window calendar entries (``past_events``),
the display-window activities and the athlete-local ``today``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..event_model import Event
from ..model import Activity
from ..sports import TRAINING_CATEGORIES

PLANNED_CATEGORY = "WORKOUT"

NO_PLANNED_NOTE = (
    "No planned workouts that are due yet in this period, so adherence cannot be "
    "measured. A workout planned for today counts only once it is done or the day is over."
)


def _iso(days: Iterable[date]) -> list[str]:
    return [d.isoformat() for d in sorted(days)]


def consistency_block(
    past_events: Iterable[Event], activities: Iterable[Activity], today: date
) -> dict:
    """``consistency_index`` and ``consistency_details`` (docs/metrics.md#consistency).

    planned = dates of WORKOUT entries; completed = dates with any activity;
    matched = planned ∩ completed; index = round(|matched| / |planned|, 2).
    Pending days (planned on or after ``today`` and not yet completed) are
    not planned days yet (quirk 17 fix). Without planned days the index is
    None and the details carry a note instead of the date lists.
    """
    completed = {a.date for a in activities if a.date is not None}
    planned = {e.date for e in past_events if e.date is not None and e.category == PLANNED_CATEGORY}
    planned = {d for d in planned if d < today or d in completed}
    matched = planned & completed
    if not planned:
        return {
            "consistency_index": None,
            "consistency_details": {
                "planned_days": 0,
                "completed_days": len(completed),
                "matched_days": 0,
                "note": NO_PLANNED_NOTE,
            },
        }
    return {
        "consistency_index": round(len(matched) / len(planned), 2),
        "consistency_details": {
            "planned_days": len(planned),
            "completed_days": len(completed),
            "matched_days": len(matched),
            "planned_dates": _iso(planned),
            "completed_dates": _iso(completed),
        },
    }


def planned_workouts_count(past_events: Iterable[Event]) -> int:
    """``data_quality.planned_workouts_7d``: display-window entries whose category
    is a training category (WORKOUT, RACE_A/B/C) (docs/metrics.md#consistency, docs/metrics.md#output-layout)."""
    return sum(1 for e in past_events if e.category in TRAINING_CATEGORIES)
