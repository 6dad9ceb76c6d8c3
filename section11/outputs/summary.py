"""summary, weekly_summary and READ_THIS_FIRST.quick_stats (docs/metrics.md#summaries).

All three cover the display window ("last N days including today"), so an AI
reader never has to add up activities itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..metrics.common import valid_hrv
from ..model import Activity
from ..numbers import finite_mean
from ..units import to_display
from ..wellness_model import Wellness
from .units import format_minutes

UNKNOWN_TYPE = "Unknown"

SUMMARY_NOTE = (
    "Totals are pre-computed from every activity in the window; "
    "quote them instead of re-adding recent_activities."
)


def _totals(activities: list[Activity]) -> tuple[float, float]:
    seconds = sum(a.moving_time or 0 for a in activities)
    tss = sum(a.load for a in activities if a.load)
    return seconds, tss


def summary(
    activities: Iterable[Activity], days: int, units: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`summary` block with per-type totals, types sorted alphabetically (docs/metrics.md#summaries)."""
    activities = list(activities)
    by_type: dict[str, dict[str, float]] = {}
    for a in activities:
        bucket = by_type.setdefault(
            a.type or UNKNOWN_TYPE, {"count": 0, "seconds": 0, "tss": 0, "km": 0}
        )
        bucket["count"] += 1
        bucket["seconds"] += a.moving_time or 0
        bucket["tss"] += a.load or 0
        bucket["km"] += (a.distance or 0) / 1000
    seconds, _ = _totals(activities)
    return {
        "period_description": f"Last {days} days of training (including today)",
        "note": SUMMARY_NOTE,
        "total_duration_decimal_hours": round(seconds / 3600, 2),
        "total_activities": len(activities),
        "by_activity_type": {
            name: {
                "duration_decimal_hours": round(b["seconds"] / 3600, 2),
                "count": b["count"],
                "tss": round(b["tss"], 0),
                "distance_km": round(b["km"], 1),
                "display": {"distance": to_display(round(b["km"], 1), "distance", units)},
            }
            for name, b in sorted(by_type.items())
        },
    }


def quick_stats(activities: Iterable[Activity]) -> dict[str, Any]:
    """READ_THIS_FIRST.quick_stats (docs/metrics.md#summaries)."""
    activities = list(activities)
    seconds, tss = _totals(activities)
    return {
        "total_training_hours": round(seconds / 3600, 2),
        "total_training_formatted": format_minutes(seconds),
        "total_activities": len(activities),
        "total_tss": round(tss, 0),
    }


def weekly_summary(activities: Iterable[Activity], wellness: Iterable[Wellness]) -> dict[str, Any]:
    """`weekly_summary` over the display window (docs/metrics.md#summaries).

    avg_hrv uses only physiologically valid rMSSD values (10..250 ms);
    avg_resting_hr ignores missing and zero values.
    """
    activities = list(activities)
    wellness = list(wellness)
    seconds, tss = _totals(activities)
    hrv = finite_mean(v for v in (valid_hrv(w.hrv) for w in wellness) if v is not None)
    rhr = finite_mean(w.resting_hr for w in wellness if w.resting_hr)
    return {
        "total_training_hours": round(seconds / 3600, 2),
        "total_training_formatted": format_minutes(seconds),
        "total_tss": round(tss, 0),
        "activities_count": len(activities),
        "avg_hrv": round(hrv, 1) if hrv is not None else None,
        "avg_resting_hr": round(rhr, 1) if rhr is not None else None,
    }
