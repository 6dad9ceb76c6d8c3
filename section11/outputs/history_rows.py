"""history.json tiers: daily_90d, weekly_180d and the monthly rows (docs/metrics.md#history-tiers-docs/metrics.md#history-tiers).

Everything is rolled up from one per-day index (`DayIndex`) built once from
the activity and wellness records, so three years of data cost a few
milliseconds. Pure: records, "today" and settings come in, row dicts go out.

Decisions on the reference's quirks (docs/deviations.md):
  * weekly ACWR of the in-progress week (docs/metrics.md#history-tiers quirk): the reference divided
    the partial week's TSS by 7, so a Tuesday showed a deceptively low ratio.
    The acute rate is now TSS so far / days elapsed in the week (today counts
    once it has an activity; null before any elapsed day); completed weeks are
    unchanged ((TSS / 7) / (TSS of the 3 previous weeks / 21)).
  * the weekly ACWR stays 7d/21d (it is not the live 7d/28d `acwr`); the
    document says so in `notes.weekly_180d`.
  * sport families use the "other" default everywhere (quirk 5b, as
    metrics.zones): an unmapped activity type counts as "other" in
    sport_tss_breakdown and primary_sport instead of vanishing, so the
    breakdown adds up to total_tss.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from ..metrics.capability import durability_values, ef_values, hrrc_values
from ..metrics.common import valid_hrv
from ..metrics.phase import phase_detection
from ..metrics.weeks import (
    ACWR_CHRONIC_WEEKS,
    DAYS_PER_WEEK,
    hard_day_breakdown,
    week_monotony,
    week_start_of,
    weekly_acwr,
)
from ..metrics.zones import classify_hard_day, day_zone_seconds, zone_totals
from ..model import Activity
from ..numbers import finite_mean, round_half_even
from ..sports import family_of
from ..units import to_display
from ..wellness_model import Wellness
from .wellness import SHARED_FIELDS, sleep_formatted, sleep_hours

DAILY_DAYS = 90
WEEKLY_DAYS = 180
MONTH_DAYS_PER_YEAR = 365
PHASE_LOOKBACK_ROWS = 4


# ----------------------------------------------------------------- per-day index


@dataclass
class Day:
    """Everything the tiers need about one calendar day."""

    activities: list[Activity] = field(default_factory=list)
    wellness: Wellness | None = None
    secs: float = 0  # Σ moving time
    tss: float = 0  # Σ load (an int while every load is an int, as the reference)
    longest_secs: float = 0
    zones: Mapping[str, Any] | None = None  # zone_totals of the day
    is_hard: bool | None = None
    basis: str | None = None


class DayIndex:
    """Per-day aggregates of activities and wellness records, keyed by date."""

    def __init__(
        self,
        activities: Iterable[Activity],
        wellness: Iterable[Wellness],
        zone_preference: Mapping[str, str] | None,
    ):
        self.zone_preference = zone_preference
        self.days: dict[date, Day] = {}
        for activity in activities:
            if activity.date is not None:
                self.days.setdefault(activity.date, Day()).activities.append(activity)
        for record in wellness:
            self.days.setdefault(record.date, Day()).wellness = record
        for day, entry in self.days.items():
            self._aggregate(day, entry)

    def _aggregate(self, day: date, entry: Day) -> None:
        acts = entry.activities
        if not acts:
            return
        entry.secs = sum(a.moving_time or 0 for a in acts)
        entry.tss = sum(a.load if a.load is not None else 0 for a in acts)
        entry.longest_secs = max(a.moving_time or 0 for a in acts)
        entry.zones = zone_totals(acts, self.zone_preference)
        per_basis = day_zone_seconds(acts, self.zone_preference).get(day)
        entry.is_hard, entry.basis = classify_hard_day(per_basis)

    def get(self, day: date) -> Day | None:
        return self.days.get(day)

    def span(self, start: date, end: date) -> list[tuple[date, Day | None]]:
        """(date, Day or None) for every date start..end inclusive."""
        return [
            (start + timedelta(days=i), self.days.get(start + timedelta(days=i)))
            for i in range((end - start).days + 1)
        ]


# ----------------------------------------------------------------- shared roll-ups


def _present(days: Sequence[tuple[date, Day | None]]) -> list[Day]:
    return [d for _, d in days if d is not None]


def _acts(days: Sequence[Day]) -> list[Activity]:
    return [a for d in days for a in d.activities]


def _records(days: Sequence[Day]) -> list[Wellness]:
    return [d.wellness for d in days if d.wellness is not None]


def _total_tss(days: Sequence[Day]) -> float:
    total: float = 0
    for d in days:
        total += d.tss
    return total


def zone_percentages(days: Sequence[Day]) -> dict[str, float | None]:
    """z1_z2_pct, z3_pct, z4_plus_pct: shares of the chosen zone time (1 dp), null
    without zone time (docs/metrics.md#history-tiers, zones as docs/metrics.md#zones-and-hard-days/docs/metrics.md#zones-and-hard-days)."""
    z12 = z3 = z4p = total = 0
    for d in days:
        if d.zones:
            z12 += d.zones["z1"] + d.zones["z2"]
            z3 += d.zones["z3"]
            z4p += d.zones["z4_plus"]
            total += d.zones["total"]
    if total <= 0:
        return {"z1_z2_pct": None, "z3_pct": None, "z4_plus_pct": None}
    return {
        "z1_z2_pct": round_half_even(z12 / total * 100, 1),
        "z3_pct": round_half_even(z3 / total * 100, 1),
        "z4_plus_pct": round_half_even(z4p / total * 100, 1),
    }


def _last_truthy(records: Sequence[Wellness], name: str) -> float | None:
    value = None
    for record in records:
        v = getattr(record, name)
        if v:
            value = v
    return value


def _mean_of(values: Iterable[float | None], digits: int) -> float | None:
    return round_half_even(finite_mean(v for v in values if v), digits)


def _hours(secs: float) -> float:
    return round(secs / 3600, 2)


def _hard_days(days: Sequence[Day]) -> tuple[int, dict | None]:
    """(hard days, intensity_basis_breakdown) of the days (docs/metrics.md#zones-and-hard-days, docs/metrics.md#history-tiers)."""
    return hard_day_breakdown((d.is_hard, d.basis) for d in days)


# ----------------------------------------------------------------- docs/metrics.md#history-tiers daily_90d


def daily_row(day: date, entry: Day | None, units: Mapping[str, str] | None) -> dict[str, Any]:
    """One daily_90d row (docs/metrics.md#history-tiers). HRV is the raw value (not validity-filtered)."""
    entry = entry or Day()
    acts = entry.activities
    w = entry.wellness
    types: list[str] = []
    for a in acts:
        if a.type and a.type not in types:
            types.append(a.type)
    ctl = w.ctl if w else None
    atl = w.atl if w else None
    weight = w.weight if w else None
    sleep = w.sleep_secs if w else None
    row: dict[str, Any] = {
        "date": day.isoformat(),
        "total_hours": _hours(entry.secs),
        "total_tss": round(entry.tss, 0),
        "activity_count": len(acts),
        "activity_types": ", ".join(types) or "Rest",
        "ctl": ctl,
        "atl": atl,
        "tsb": round(ctl - atl, 1) if ctl and atl else None,
        "hrv": w.hrv if w else None,
        "rhr": w.resting_hr if w else None,
        "sleep_hours": sleep_hours(sleep),
        "sleep_formatted": sleep_formatted(sleep),
        "sleep_quality": w.sleep_quality if w else None,
        "sleep_score": w.sleep_score if w else None,
        "weight_kg": weight,
        "display": {"weight": to_display(weight, "weight", units)},
        "is_hard_day": entry.is_hard,
        "intensity_basis": entry.basis,
    }
    for key, attr in SHARED_FIELDS:
        row[key] = getattr(w, attr) if w else None
    return row


def daily_rows(index: DayIndex, today: date, units: Mapping[str, str] | None) -> list[dict]:
    """daily_90d: 90 rows, today-89 .. today, oldest first (docs/metrics.md#history-tiers)."""
    start = today - timedelta(days=DAILY_DAYS - 1)
    return [daily_row(day, entry, units) for day, entry in index.span(start, today)]


# ----------------------------------------------------------------- docs/metrics.md#history-tiers weekly_180d


def _sport_breakdown(acts: Sequence[Activity]) -> dict[str, float]:
    """Σ TSS per sport family over activities with TSS > 0, families in first-seen order."""
    out: dict[str, float] = {}
    for a in acts:
        if a.load is not None and a.load > 0:
            family = family_of(a.type) or "other"
            out[family] = out.get(family, 0.0) + a.load
    return out


def _week_monotony(days: Sequence[tuple[date, Day | None]]) -> float | None:
    """metrics.weeks.week_monotony of the daily TSS so far (docs/metrics.md#history-tiers)."""
    return week_monotony([d.tss if d is not None else 0 for _, d in days])


def _capability(acts: Sequence[Activity]) -> dict[str, Any]:
    """Weekly capability rollup (docs/metrics.md#history-tiers): means over the docs/metrics.md#capability gates, N >= 1 suffices."""
    dur, ef, hrr = durability_values(acts), ef_values(acts), hrrc_values(acts)
    return {
        "durability_mean": round_half_even(finite_mean(dur), 2),
        "durability_qualifying": len(dur),
        "ef_mean": round_half_even(finite_mean(ef), 2),
        "ef_qualifying": len(ef),
        "hrrc_mean": round_half_even(finite_mean(hrr), 1),
        "hrrc_qualifying": len(hrr),
    }


def weekly_row(
    ws: date, days: Sequence[tuple[date, Day | None]], units: Mapping[str, str] | None
) -> dict[str, Any]:
    """One weekly_180d row before the ACWR post-pass and the phase backfill (docs/metrics.md#history-tiers)."""
    present = _present(days)
    acts = _acts(present)
    records = _records(present)
    breakdown = _sport_breakdown(acts)
    primary = max(breakdown, key=breakdown.__getitem__) if breakdown else None
    ctl = _last_truthy(records, "ctl")
    atl = _last_truthy(records, "atl")
    weight = round_half_even(_last_truthy(records, "weight"), 1)
    feel = [a.feel for a in acts if a.feel is not None]
    rpe = [a.rpe for a in acts if a.rpe is not None]
    hard, basis_breakdown = _hard_days(present)
    row: dict[str, Any] = {
        "week_start": ws.isoformat(),
        "total_hours": _hours(sum(d.secs for d in present)),
        "total_tss": round(_total_tss(present), 0),
        "primary_sport": primary,
        "primary_sport_tss": round(breakdown[primary], 0) if primary else None,
        "sport_tss_breakdown": (
            {k: round(v, 0) for k, v in breakdown.items()} if breakdown else None
        ),
        "activity_count": len(acts),
        "ctl_end": round_half_even(ctl, 1),
        "atl_end": round_half_even(atl, 1),
        "tsb_end": round(ctl - atl, 1) if ctl and atl else None,
        "ramp_rate": round_half_even(_last_truthy(records, "ramp_rate"), 2),
        "avg_hrv": _mean_of((valid_hrv(r.hrv) for r in records), 1),
        "avg_rhr": _mean_of((r.resting_hr for r in records), 1),
        "avg_sleep_hours": _mean_of((r.sleep_secs / 3600 for r in records if r.sleep_secs), 2),
    }
    row.update(zone_percentages(present))
    row.update(
        {
            "hard_days": hard,
            "longest_ride_hours": _hours(max((d.longest_secs for d in present), default=0)),
            "avg_feel": round_half_even(finite_mean(feel), 1),
            "feel_count": len(feel),
            "avg_rpe": round_half_even(finite_mean(rpe), 1),
            "rpe_count": len(rpe),
            "weight_kg": weight,
            "display": {"weight": to_display(weight, "weight", units)},
            "monotony": _week_monotony(days),
            "intensity_basis_breakdown": basis_breakdown,
        }
    )
    row.update(_capability(acts))
    row["acwr"] = None
    row["phase_detected"] = None
    return row


def apply_weekly_acwr(rows: list[dict], days_in_row: Sequence[int]) -> None:
    """ACWR post-pass (docs/metrics.md#history-tiers), in place: for row i >= 3, acute = total_tss_i / days
    elapsed in the week (7 for completed weeks), chronic = Σ total_tss of rows
    i-3..i-1 / 21; acwr = round(acute / chronic, 2) when chronic > 0, else null.
    Rows 0-2 stay null, and so does a row with no elapsed day.

    Fix of the in-progress quirk: the reference divided the current week's partial
    TSS by 7. Here the current week's elapsed days are the days before today, plus
    today once it has an activity (a morning before training is not a rest day)."""
    for i in range(ACWR_CHRONIC_WEEKS, len(rows)):
        previous = [rows[k]["total_tss"] for k in range(i - ACWR_CHRONIC_WEEKS, i)]
        ratio = weekly_acwr(rows[i]["total_tss"], previous, days_in_row[i])
        if ratio is not None:
            rows[i]["acwr"] = round_half_even(ratio, 2)


def backfill_phases(
    rows: list[dict], week_start: int, zone_preference: Mapping[str, str] | None
) -> None:
    """Phase backfill (docs/metrics.md#history-tiers), in place, for every row but the last (in-progress) one.

    Row i is classified from rows max(0, i-3) .. i with is_backfill, the phase
    just assigned to row i-1 as previous phase, no plan, no race, and "today" =
    the row's week_start.
    """
    previous = None
    for i in range(len(rows) - 1):
        lookback = rows[max(0, i - PHASE_LOOKBACK_ROWS + 1) : i + 1]
        target = date.fromisoformat(rows[i]["week_start"])
        result = phase_detection(
            lookback,
            target,
            week_start,
            zone_preference,
            (),
            None,
            previous_phase=previous,
            is_backfill=True,
        )
        previous = result.get("phase")
        rows[i]["phase_detected"] = previous


def weekly_rows(
    index: DayIndex,
    today: date,
    week_start: int,
    zone_preference: Mapping[str, str] | None,
    units: Mapping[str, str] | None,
    *,
    backfill: bool = True,
) -> list[dict]:
    """weekly_180d (docs/metrics.md#history-tiers): training weeks from the week holding today-180 through the
    in-progress week (each row stops at today), then ACWR and phase backfill."""
    ws = week_start_of(today - timedelta(days=WEEKLY_DAYS), week_start)
    rows: list[dict] = []
    lengths: list[int] = []
    today_entry = index.get(today)
    today_counts = 1 if today_entry is not None and today_entry.activities else 0
    while ws <= today:
        end = ws + timedelta(days=DAYS_PER_WEEK - 1)
        days = index.span(ws, min(end, today))
        rows.append(weekly_row(ws, days, units))
        lengths.append(DAYS_PER_WEEK if end < today else (today - ws).days + today_counts)
        ws += timedelta(days=DAYS_PER_WEEK)
    apply_weekly_acwr(rows, lengths)
    if backfill:
        backfill_phases(rows, week_start, zone_preference)
    return rows


# ----------------------------------------------------------------- docs/metrics.md#history-tiers monthly


def _month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    """The first day of the month after the one starting at ``first``."""
    return first + relativedelta(months=1)


def dominant_phase(
    month_start: date, next_start: date, weekly: Sequence[Mapping[str, Any]]
) -> str | None:
    """Most frequent phase_detected among weekly rows overlapping the month; a tie goes
    to the larger Σ total_tss of the tied phases; null when none (docs/metrics.md#history-tiers)."""
    counts: dict[str, int] = {}
    tss: dict[str, float] = {}
    for row in weekly:
        phase = row.get("phase_detected")
        ws = date.fromisoformat(row["week_start"])
        if not phase or not (ws < next_start and ws + timedelta(days=6) >= month_start):
            continue
        counts[phase] = counts.get(phase, 0) + 1
        tss[phase] = tss.get(phase, 0) + (row.get("total_tss") or 0)
    if not counts:
        return None
    return max(counts, key=lambda p: (counts[p], tss[p]))


def monthly_row(
    first: date,
    today: date,
    index: DayIndex,
    weekly: Sequence[Mapping[str, Any]],
    units: Mapping[str, str] | None,
) -> dict[str, Any]:
    """One monthly row (docs/metrics.md#history-tiers), covering the month's days up to today."""
    next_start = next_month(first)
    last = min(next_start - timedelta(days=1), today)
    days = index.span(first, last)
    present = _present(days)
    records = _records(present)
    ctl_values = [r.ctl for r in records if r.ctl]
    weight = _mean_of((r.weight for r in records), 1)
    hard, _ = _hard_days(present)
    row: dict[str, Any] = {
        "month": first.strftime("%Y-%m"),
        "total_hours": _hours(sum(d.secs for d in present)),
        "total_tss": round(_total_tss(present), 0),
        "activity_count": sum(len(d.activities) for d in present),
        "ctl_peak": round_half_even(max(ctl_values), 1) if ctl_values else None,
        "ctl_low": round_half_even(min(ctl_values), 1) if ctl_values else None,
        "ctl_end": round_half_even(ctl_values[-1], 1) if ctl_values else None,
        "avg_hrv": _mean_of((valid_hrv(r.hrv) for r in records), 1),
        "avg_rhr": _mean_of((r.resting_hr for r in records), 1),
    }
    row.update(zone_percentages(present))
    row.update(
        {
            "hard_days_avg_per_week": round(hard / max(1, len(days) / 7), 1),
            "longest_ride_hours": _hours(max((d.longest_secs for d in present), default=0)),
            "avg_weight_kg": weight,
            "display": {"avg_weight": to_display(weight, "weight", units)},
            "dominant_phase": dominant_phase(first, next_start, weekly),
            "days_with_data": sum(1 for d in present if d.activities or d.wellness is not None),
        }
    )
    return row


def month_starts(today: date, years: int) -> list[date]:
    """First days of the months from the month of today - 365·years days to today's month."""
    first = _month_start(today - timedelta(days=MONTH_DAYS_PER_YEAR * years))
    out = []
    while first <= today:
        out.append(first)
        first = next_month(first)
    return out


def monthly_tiers(
    index: DayIndex,
    today: date,
    total_months: int,
    weekly: Sequence[Mapping[str, Any]],
    units: Mapping[str, str] | None,
) -> dict[str, list[dict]]:
    """monthly_1y / _2y / _3y (docs/metrics.md#history-tiers): a tier is built only when total_months >=
    years x 6, else []; the tiers share their month rows."""
    cache: dict[date, dict] = {}
    tiers: dict[str, list[dict]] = {}
    for years in (1, 2, 3):
        rows: list[dict] = []
        if total_months >= years * 12 * 0.5:
            for first in month_starts(today, years):
                if first not in cache:
                    cache[first] = monthly_row(first, today, index, weekly, units)
                rows.append(copy.deepcopy(cache[first]))
        tiers[f"monthly_{years}y"] = rows
    return tiers
