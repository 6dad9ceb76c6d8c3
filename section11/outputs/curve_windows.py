"""The windows of the power and pace chart: the last 28 and 90 days and the season.

The 28-day window is the current window of the curve deltas (the same curve id,
so the chart's 28-day curve is the one latest.json's anchors come from). The
season is Intervals.icu's current season (`s0`: from the athlete's latest
SEASON_START event, else the calendar year).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from ..metrics.curves import curve_id
from ..sports import family_of

LAST_28 = "last_28d"
LAST_90 = "last_90d"
SEASON = "season"
SEASON_ID = "s0"
DAYS = {LAST_28: 28, LAST_90: 90}
PACE_TYPE = "Run"  # pace curves are asked for this type when the athlete runs


def chart_curve_ids(today: date) -> dict[str, str]:
    """Window key -> curve id, shortest window first."""
    out = {key: curve_id(today - timedelta(days=days - 1), today) for key, days in DAYS.items()}
    out[SEASON] = SEASON_ID
    return out


def pace_type(recent_types: Iterable[str | None]) -> str | None:
    """The type to ask pace curves for: PACE_TYPE when a recent activity is a run."""
    return PACE_TYPE if any(family_of(t) == "run" for t in recent_types) else None
