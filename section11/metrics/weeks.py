"""Training weeks: week start, hard days, monotony and the weekly ACWR (pure).

One definition serves both kinds of weekly row: history.json's weekly_180d
rows (``outputs.history_rows``) and the live rows that phase detection reads
(``metrics.phase_rows``). The weekly ACWR is returned unrounded: each consumer
rounds it at its own edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from .monotony import foster_monotony

DAYS_PER_WEEK = 7
WEEK_MONOTONY_MIN_DAYS = 5  # days elapsed in the week
WEEK_MONOTONY_MIN_ACTIVE_DAYS = 3  # days carrying load
ACWR_CHRONIC_WEEKS = 3  # weeks before the row that form the chronic load


def week_start_of(day: date, week_start: int) -> date:
    """First day of the training week holding ``day`` (week_start: Mon=0 .. Sun=6)."""
    return day - timedelta(days=(day.weekday() - week_start) % DAYS_PER_WEEK)


def hard_day_breakdown(days: Iterable[tuple[bool | None, str | None]]) -> tuple[int, dict | None]:
    """(hard days, intensity_basis_breakdown) of a week's (is_hard, basis) days.

    The breakdown counts hard days by basis {"power": n, "hr": n} ("mixed"
    days are counted in the total only) and is None when no day is hard.
    """
    bases = [basis for is_hard, basis in days if is_hard]
    if not bases:
        return 0, None
    return len(bases), {"power": bases.count("power"), "hr": bases.count("hr")}


def week_monotony(daily: Sequence[float]) -> float | None:
    """Monotony of a week's daily loads so far: round(mean / sample sd, 2) with at
    least 5 days elapsed and 3 days carrying load; None otherwise or when the sd is 0."""
    if len(daily) < WEEK_MONOTONY_MIN_DAYS:
        return None
    if sum(1 for load in daily if load > 0) < WEEK_MONOTONY_MIN_ACTIVE_DAYS:
        return None
    return foster_monotony(daily)


def weekly_acwr(
    week_tss: float, previous_tss: Sequence[float], days: int = DAYS_PER_WEEK
) -> float | None:
    """Weekly ACWR, unrounded: (week TSS / days elapsed) / (Σ TSS of the 3 previous
    weeks / 21). ``days`` is 7 for a completed week. None when the chronic load is
    not positive or no day has elapsed."""
    chronic = sum(previous_tss) / (ACWR_CHRONIC_WEEKS * DAYS_PER_WEEK)
    if not chronic > 0 or days <= 0:
        return None
    return week_tss / days / chronic
