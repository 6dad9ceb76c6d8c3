"""Live weekly rows for phase detection (docs/metrics.md#weekly-rows).

Four training-week rows (oldest first, the last one is the current, in-progress
week) built from the 28-day activity list, then completed weeks enriched.
Every row lies inside the 28-day window. Row keys:
week_start, week_end (ISO dates), total_tss, primary_sport_tss, primary_sport,
hard_days, intensity_basis_breakdown, activity_count, ctl_end, atl_end, acwr,
monotony, phase_detected. History rows (history.json weekly_180d) carry the
same keys, so the stream functions in ``phase`` read either kind.

Quirk 8 (docs/metrics.md#reference-quirks), decided: the reference took every completed-week feature from
history.json, which is regenerated about monthly, so recent completed weeks
were often missing or partial snapshots. Here completed weeks are computed
from the data this sync already has, with the same definitions as
weekly_180d (docs/metrics.md#history-tiers):
* ctl_end / atl_end: last truthy wellness CTL / ATL of the week (1 dp) from the
  wellness list passed in; history only when the list has none for the week;
* monotony: mean / sample sd of the week's 7 daily loads when >= 3 days carry
  load (2 dp), from the activities;
* acwr: the weekly_180d definition (week TSS / 7) / (previous 3 weeks' TSS / 21),
  with the previous weeks' TSS from these rows or, older, from history rows;
  the history row's value only when that cannot be computed;
* intensity_basis_breakdown is computed for live rows too ({power, hr} hard
  days by basis, null with no hard days), so the HR-only data-quality check
  of docs/metrics.md#data-quality works live (it never could in the reference);
* phase_detected still comes from history (the backfilled phase).
The sport family of an activity uses the "other" default everywhere (quirk 5b,
as zones.py and the primary sport of docs/metrics.md#monotony-and-strain).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ..model import Activity, num
from ..numbers import round_float
from ..wellness_model import Wellness
from .load import activity_tss, daily_tss
from .weeks import DAYS_PER_WEEK, hard_day_breakdown, week_monotony, week_start_of, weekly_acwr
from .zones import classify_hard_day, day_zone_seconds

WEEKS = 4
PHASES = ("Build", "Base", "Peak", "Taper", "Deload", "Recovery", "Overreached")


def week_hard_days(
    activities: Iterable[Activity], zone_preference: Mapping[str, str] | None
) -> tuple[int, dict | None]:
    """(hard days, intensity_basis_breakdown) of one week's activities (docs/metrics.md#zones-and-hard-days, docs/metrics.md#history-tiers)."""
    days = day_zone_seconds(activities, zone_preference).values()
    return hard_day_breakdown(classify_hard_day(per_basis) for per_basis in days)


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
    """The weekly ACWR of a completed week, 2 dp; None without the 3 previous weeks' TSS."""
    previous = [tss_by_week.get(week - timedelta(weeks=k)) for k in (3, 2, 1)]
    acute = tss_by_week.get(week)
    if acute is None:
        return None
    known = [p for p in previous if p is not None]
    if len(known) < len(previous):
        return None
    return round_float(weekly_acwr(acute, known), 2)


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
    """The four live weekly rows, oldest first (docs/metrics.md#weekly-rows; module docstring for the fixes).

    Per week ws..ws+6: total_tss = round(Σ TSS, 0); primary_sport_tss = the
    same over activities of ``primary_sport``; hard_days (docs/metrics.md#zones-and-hard-days per day);
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
        we = ws + timedelta(days=DAYS_PER_WEEK - 1)
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
        row["monotony"] = week_monotony(daily_tss(week_acts[ws], we, DAYS_PER_WEEK))
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
    """``derived_metrics.hard_days_this_week``: hard days of the current row (docs/metrics.md#zones-and-hard-days)."""
    return rows[-1].get("hard_days") if rows else None
