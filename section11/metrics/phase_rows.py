"""Live weekly rows for phase detection (spec/metrics.md §19.1).

Four training-week rows (oldest first, the last one is the current, in-progress
week) built from the 28-day activity list, then completed weeks enriched.
Every row lies inside the 28-day window. Row keys:
week_start, week_end (ISO dates), total_tss, primary_sport_tss, primary_sport,
hard_days, intensity_basis_breakdown, activity_count, ctl_end, atl_end, acwr,
monotony, phase_detected. History rows (history.json weekly_180d) carry the
same keys, so the stream functions in ``phase`` read either kind.

Quirk 8 (§32), decided: the reference took every completed-week feature from
history.json, which is regenerated about monthly, so recent completed weeks
were often missing or partial snapshots. Here completed weeks are computed
from the data this sync already has, with the same definitions as
weekly_180d (§29.3):
* ctl_end / atl_end: last truthy wellness CTL / ATL of the week (1 dp) from the
  wellness list passed in; history only when the list has none for the week;
* monotony: mean / sample sd of the week's 7 daily loads when >= 3 days carry
  load (2 dp), from the activities;
* acwr: the weekly_180d definition (week TSS / 7) / (previous 3 weeks' TSS / 21),
  with the previous weeks' TSS from these rows or, older, from history rows;
  the history row's value only when that cannot be computed;
* intensity_basis_breakdown is computed for live rows too ({power, hr} hard
  days by basis, null with no hard days), so the HR-only data-quality check
  of §19.4 works live (it never could in the reference);
* phase_detected still comes from history (the backfilled phase).
The sport family of an activity uses the "other" default everywhere (quirk 5b,
as zones.py and the primary sport of §8.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ..model import Activity, Wellness, num
from ..numbers import round_float
from .load import activity_tss, daily_tss
from .monotony import foster_monotony
from .zones import classify_hard_day, day_zone_seconds

WEEKS = 4
WEEK_MONOTONY_MIN_ACTIVE_DAYS = 3
PHASES = ("Build", "Base", "Peak", "Taper", "Deload", "Recovery", "Overreached")


def week_start_of(day: date, week_start: int) -> date:
    """Start of the training week holding ``day`` (week_start: Mon=0 .. Sun=6) (§4.3, §19.1)."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def week_hard_days(
    activities: Iterable[Activity], zone_preference: Mapping[str, str] | None
) -> tuple[int, dict | None]:
    """(hard days, intensity_basis_breakdown) of one week's activities (§11.4, §29.3).

    The breakdown counts hard days by basis {"power": n, "hr": n} ("mixed"
    days are not counted) and is None when no day is hard.
    """
    hard = 0
    breakdown = {"power": 0, "hr": 0}
    for per_basis in day_zone_seconds(activities, zone_preference).values():
        is_hard, basis = classify_hard_day(per_basis)
        if is_hard:
            hard += 1
            if basis in breakdown:
                breakdown[basis] += 1
    return hard, (breakdown if hard else None)


def week_monotony(activities: Sequence[Activity], week_end: date) -> float | None:
    """weekly_180d monotony of a complete week (§29.3): round(mean / sample sd of the
    7 daily loads, 2) when >= 3 days carry load and the sd is > 0, else None."""
    daily = daily_tss(activities, week_end, 7)
    if sum(1 for d in daily if d > 0) < WEEK_MONOTONY_MIN_ACTIVE_DAYS:
        return None
    return foster_monotony(daily)


def _last_truthy(wellness: Iterable[Wellness], start: date, end: date, field: str) -> float | None:
    value = None
    for record in sorted((w for w in wellness if start <= w.date <= end), key=lambda w: w.date):
        v = getattr(record, field)
        if v:
            value = v
    return round_float(value, 1)


def _truthy_round(value: Any, digits: int) -> float | None:
    value = num(value)
    return round_float(value, digits) if value else None


def _history_by_week(history_weekly: Iterable[Mapping[str, Any]]) -> dict[date, Mapping[str, Any]]:
    out: dict[date, Mapping[str, Any]] = {}
    for row in history_weekly or ():
        if not isinstance(row, Mapping):
            continue
        start = row.get("week_start")
        try:
            day = date.fromisoformat(start[:10]) if isinstance(start, str) else None
        except ValueError:
            day = None
        if day is not None:
            out[day] = row
    return out


def _week_acwr(week: date, tss_by_week: Mapping[date, float]) -> float | None:
    """(TSS_week / 7) / (Σ TSS of the 3 previous weeks / 21), 2 dp (§29.3 post-pass)."""
    previous = [tss_by_week.get(week - timedelta(days=7 * k)) for k in (1, 2, 3)]
    acute = tss_by_week.get(week)
    if acute is None or any(p is None for p in previous):
        return None
    chronic = sum(previous) / 21
    if not chronic > 0:
        return None
    return round_float(acute / 7 / chronic, 2)


def _phase(value: Any) -> str | None:
    return value if value in PHASES else None


def live_weekly_rows(
    acts_28d: Sequence[Activity],
    today: date,
    week_start: int,
    primary_sport: str | None,
    zone_preference: Mapping[str, str] | None = None,
    *,
    ctl: float | None = None,
    atl: float | None = None,
    acwr: float | None = None,
    monotony: float | None = None,
    history_weekly: Iterable[Mapping[str, Any]] = (),
    wellness: Iterable[Wellness] = (),
) -> list[dict]:
    """The four live weekly rows, oldest first (§19.1; module docstring for the fixes).

    Per week ws..ws+6: total_tss = round(Σ TSS, 0); primary_sport_tss = the
    same over activities of ``primary_sport``; hard_days (§11.4 per day);
    activity_count. The current row carries ctl_end = round(ctl, 1), atl_end
    (None when falsy), the live ``acwr`` and total ``monotony`` of derived
    metrics. ``history_weekly`` are history.json weekly_180d rows (any number,
    matched by week_start); ``wellness`` the 28-day wellness records.
    """
    wellness = list(wellness or ())
    history = _history_by_week(history_weekly)
    current = week_start_of(today, week_start)
    starts = [current - timedelta(days=7 * i) for i in range(WEEKS - 1, -1, -1)]
    rows: list[dict] = []
    week_acts: dict[date, list[Activity]] = {}
    for ws in starts:
        we = ws + timedelta(days=6)
        acts = [a for a in acts_28d if a.date is not None and ws <= a.date <= min(we, today)]
        week_acts[ws] = acts
        hard, breakdown = week_hard_days(acts, zone_preference)
        primary = sum(
            activity_tss(a) for a in acts if primary_sport is not None and a.family == primary_sport
        )
        rows.append(
            {
                "week_start": ws.isoformat(),
                "week_end": we.isoformat(),
                "total_tss": round_float(sum(activity_tss(a) for a in acts), 0),
                "primary_sport_tss": round_float(primary, 0),
                "primary_sport": primary_sport,
                "hard_days": hard,
                "intensity_basis_breakdown": breakdown,
                "activity_count": len(acts),
                "ctl_end": None,
                "atl_end": None,
                "acwr": None,
                "monotony": None,
                "phase_detected": None,
            }
        )

    tss_by_week: dict[date, float] = {}
    for day, row in history.items():
        value = num(row.get("total_tss"))
        if value is not None and day < starts[0]:
            tss_by_week[day] = value
    for ws, row in zip(starts, rows):
        if row["total_tss"] is not None:
            tss_by_week[ws] = row["total_tss"]

    for ws, row in zip(starts[:-1], rows[:-1]):
        we = ws + timedelta(days=6)
        old = history.get(ws, {})
        row["ctl_end"] = _last_truthy(wellness, ws, we, "ctl")
        if row["ctl_end"] is None:
            row["ctl_end"] = _truthy_round(old.get("ctl_end"), 1)
        row["atl_end"] = _last_truthy(wellness, ws, we, "atl")
        if row["atl_end"] is None:
            row["atl_end"] = _truthy_round(old.get("atl_end"), 1)
        row["monotony"] = week_monotony(week_acts[ws], we)
        row["acwr"] = _week_acwr(ws, tss_by_week)
        if row["acwr"] is None:
            row["acwr"] = round_float(num(old.get("acwr")), 2)
        row["phase_detected"] = _phase(old.get("phase_detected"))

    last = rows[-1]
    last["ctl_end"] = _truthy_round(ctl, 1)
    last["atl_end"] = _truthy_round(atl, 1)
    last["acwr"] = round_float(num(acwr), 2)
    last["monotony"] = round_float(num(monotony), 2)
    return rows


def hard_days_this_week(rows: Sequence[Mapping[str, Any]]) -> int | None:
    """``derived_metrics.hard_days_this_week``: hard days of the current row (§11.5)."""
    return rows[-1].get("hard_days") if rows else None
