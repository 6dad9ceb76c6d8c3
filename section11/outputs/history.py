"""history.json: the long-term document and latest.json's `history` block
(docs/metrics.md#history-tiers).

Pure functions. The pipeline supplies up to three years of records from its
local store and decides when to call `build_history` (`regeneration_reason`
helps) and whether the result may replace the previous file
(`shrink_reason`); nothing here reads files, calls the network or asks the
clock. The tiers themselves are built in `history_rows`.

Deliberate differences from the reference (docs/deviations.md):
  * `script_hash` is replaced by `schema_version` (1): the file is rebuilt when
    the schema or `sync_version` changes, not on every edit of the script.
  * Strava stub activities are left out everywhere (as in latest.json).
  * quirk 15: `summaries.90d.total_activities` counts activities (the
    reference counted active days, now `active_days`). Period averages cover
    the tracked period only — from the first activity in the range, without
    the in-progress week/month — and include weeks/months without training,
    so breaks lower the average instead of being skipped.
  * weakness 9.1.10: regeneration is due whenever the file is older than the
    current training week (any time of day), not only around Sunday/Monday
    midnight every 4 weeks; see `regeneration_reason`.
  * weakness 9.1.5: `shrink_reason` tells the pipeline to keep the previous
    file when the new one lost most activities of the weeks both cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ..metrics.weeks import week_start_of
from ..model import Activity, num, parse_date
from ..numbers import finite_mean, round_half_even
from ..wellness_model import Wellness
from ..windows import HISTORY_DAYS
from .history_rows import (
    DayIndex,
    daily_rows,
    monthly_tiers,
    next_month,
    weekly_rows,
)

SCHEMA_VERSION = 2
SOURCE = "Intervals.icu API"
GAP_MIN_DAYS = 3
CONFIDENCE_HIGH_MONTHS = 12
CONFIDENCE_MEDIUM_MONTHS = 3
SHRINK_MIN_ACTIVITIES = 4
SHRINK_FRACTION = 0.5

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKLY_NOTE = (
    "Training weeks start on {weekday}; the last row is the current week so far. "
    "acwr here is a weekly ratio: (week TSS per day) / (TSS of the 3 previous weeks / 21), "
    "i.e. 7 days against 21 days, not the live 7d/28d acwr of latest.json. For the current "
    "week the acute part is the TSS so far per elapsed day (today counts once it has an "
    "activity). phase_detected is "
    "backfilled for completed weeks from the 4 weeks up to each one, without planned "
    "workouts, so Taper and Peak never appear here."
)
SUMMARIES_NOTE = (
    "Averages cover the tracked period only (from the first activity in the range; the "
    "in-progress week or month is left out of the 180d and yearly averages) and include "
    "weeks or months without training, so breaks lower them. 90d total_activities counts "
    "activities, active_days the days with at least one, rest_days the days without."
)
MONTHLY_NOTE = (
    "monthly_1y, monthly_2y and monthly_3y overlap on purpose: each tier covers its whole "
    "window up to the current month (13, 25 and 37 rows; a month before the first activity "
    "is a row without data, days_with_data 0), so a reader can take one tier alone. A tier "
    "is built only once data_range.total_months reaches 6, 12 or 18, else it is empty: the "
    "longest tier that is not empty holds every month. Read one tier, never add the tiers "
    "up. data_range.total_months counts the calendar months from the first activity's month "
    "to the current month, the partial first and current months included."
)
DAILY_NOTE = (
    "hrv is the value as recorded (not filtered for plausibility); tsb = ctl - atl; "
    "is_hard_day uses the zone-time ladders of hard_days_note in latest.json."
)
MISSING_NOTE = (
    "history.json is not available yet; it is generated on the next sync. Long-term "
    "trends (monthly tiers, phase history) are missing until then."
)
UNREADABLE_NOTE = (
    "history.json could not be read (no valid generated_at or data_range.total_months); "
    "it is regenerated on the next sync."
)


# ----------------------------------------------------------------- inputs


def window_start(today: date) -> date:
    """First date of the history range (docs/metrics.md#history-tiers: today - 1095 days)."""
    return today - timedelta(days=HISTORY_DAYS)


def history_activities(activities: Iterable[Activity], today: date) -> list[Activity]:
    """Dated, non-stub activities of the history range, in input (API) order."""
    start = window_start(today)
    return [
        a for a in activities if not a.is_stub and a.date is not None and start <= a.date <= today
    ]


def history_wellness(wellness: Iterable[Wellness], today: date) -> list[Wellness]:
    """Wellness records of the history range, one per date (last wins), ascending."""
    start = window_start(today)
    by_date = {w.date: w for w in wellness if start <= w.date <= today}
    return [by_date[d] for d in sorted(by_date)]


# ----------------------------------------------------------------- docs/metrics.md#history-tiers


def months_spanned(earliest: date, today: date) -> int:
    """Calendar months from earliest's month to today's month, both counted (at least 1)."""
    return max(1, (today.year - earliest.year) * 12 + today.month - earliest.month + 1)


def data_range(activity_dates: Iterable[date], today: date) -> dict[str, Any]:
    """{earliest, latest, total_months} (docs/metrics.md#history-tiers): first/last activity date (both today
    without activities); total_months = the calendar months from the earliest
    activity's month to the current month, both counted: the rows of a monthly tier
    that reaches back that far (deviation: the reference floored days / 30.44,
    which left out the partial first and current months)."""
    dates = sorted(set(activity_dates))
    earliest = dates[0] if dates else today
    latest = dates[-1] if dates else today
    return {
        "earliest": earliest.isoformat(),
        "latest": latest.isoformat(),
        "total_months": months_spanned(earliest, today),
    }


def data_gaps(activity_dates: Iterable[date]) -> list[dict[str, Any]]:
    """Runs of >= 3 consecutive days without an activity between the first and the
    last activity date (docs/metrics.md#history-tiers): {period: "start to end", days_missing}."""
    dates = sorted(set(activity_dates))
    gaps = []
    for before, after in zip(dates, dates[1:]):
        missing = (after - before).days - 1
        if missing >= GAP_MIN_DAYS:
            first = before + timedelta(days=1)
            last = after - timedelta(days=1)
            gaps.append(
                {"period": f"{first.isoformat()} to {last.isoformat()}", "days_missing": missing}
            )
    return gaps


def _ftp(value: Any) -> float | int | None:
    value = num(value)
    return value if value is not None and value > 0 else None


def ftp_timeline(
    ftp_history: Mapping | None, thresholds_sports: Mapping | None, today: date
) -> list[dict[str, Any]]:
    """ftp_timeline (docs/metrics.md#history-tiers): every ftp_history.json entry as {date, ftp, type,
    source: "FTP"} ("activity" for an entry backfilled from the activities' FTPs); then the cycling thresholds' FTP (outdoor) and indoor FTP, each
    appended as {today, ftp, type, "user_set"} when it differs from that type's latest
    timeline value. Sorted by (date, type). Malformed entries are skipped.

    The current FTPs come from `current_status.thresholds.sports.cycling` (the value
    docs/metrics.md#benchmark-and-ftp-history records), not from the first Ride sport-settings entry.
    """
    entries: list[dict[str, Any]] = []
    latest: dict[str, tuple[date, Any]] = {}
    history = ftp_history if isinstance(ftp_history, Mapping) else {}
    raw_origins = history.get("sources")
    origins: Mapping = raw_origins if isinstance(raw_origins, Mapping) else {}
    for kind in ("indoor", "outdoor"):
        series = history.get(kind)
        if not isinstance(series, Mapping):
            continue
        raw_kind = origins.get(kind)
        kind_origins: Mapping = raw_kind if isinstance(raw_kind, Mapping) else {}
        for key, value in series.items():
            day, ftp = parse_date(key), _ftp(value)
            if day is None or ftp is None or len(key) != 10:
                continue
            origin = "activity" if kind_origins.get(key) == "activity" else "FTP"
            entries.append({"date": day.isoformat(), "ftp": ftp, "type": kind, "source": origin})
            if kind not in latest or day >= latest[kind][0]:
                latest[kind] = (day, ftp)
    sports = thresholds_sports if isinstance(thresholds_sports, Mapping) else {}
    cycling = sports.get("cycling")
    if not isinstance(cycling, Mapping):
        cycling = {}
    for kind, key in (("outdoor", "ftp"), ("indoor", "ftp_indoor")):
        current = _ftp(cycling.get(key))
        if current is not None and (kind not in latest or latest[kind][1] != current):
            entries.append(
                {"date": today.isoformat(), "ftp": current, "type": kind, "source": "user_set"}
            )
    entries.sort(key=lambda e: (e["date"], e["type"]))
    return entries


# ----------------------------------------------------------------- docs/metrics.md#history-tiers


def _first_last_truthy(values: Sequence[Any]) -> tuple[Any, Any]:
    truthy = [v for v in values if v]
    return (truthy[0], truthy[-1]) if truthy else (None, None)


def summary_90d(daily: Sequence[Mapping[str, Any]], earliest: date, today: date) -> dict:
    """summaries.90d (docs/metrics.md#history-tiers; quirk 15 fixed): weekly averages = totals / tracked weeks
    (the days of the 90 on or after the first activity, / 7, at least 1)."""
    tracked_days = min(len(daily), (today - earliest).days + 1)
    weeks = max(1, tracked_days / 7)
    ctl_start, ctl_end = _first_last_truthy([r["ctl"] for r in daily])
    return {
        "avg_weekly_tss": round(sum(r["total_tss"] for r in daily) / weeks, 0),
        "avg_weekly_hours": round(sum(r["total_hours"] for r in daily) / weeks, 1),
        "ctl_start": round_half_even(ctl_start, 1),
        "ctl_end": round_half_even(ctl_end, 1),
        "total_activities": sum(r["activity_count"] for r in daily),
        "active_days": sum(1 for r in daily if r["activity_count"] > 0),
        "rest_days": sum(1 for r in daily if r["activity_count"] == 0),
        "hard_days": sum(1 for r in daily if r["is_hard_day"] is True),
    }


def summary_180d(weekly: Sequence[Mapping[str, Any]], earliest: date) -> dict:
    """summaries.180d (docs/metrics.md#history-tiers; quirk 15 fixed): means over the completed weeks that
    overlap the tracked period, zero weeks included; weeks_tracked = weeks averaged."""
    tracked = [
        r
        for r in weekly[:-1]
        if date.fromisoformat(r["week_start"]) + timedelta(days=6) >= earliest
    ]
    ctl_start, ctl_end = _first_last_truthy([r["ctl_end"] for r in weekly])
    return {
        "avg_weekly_tss": round_half_even(finite_mean(r["total_tss"] for r in tracked), 0),
        "avg_weekly_hours": round_half_even(finite_mean(r["total_hours"] for r in tracked), 1),
        "ctl_start": round_half_even(ctl_start, 1),
        "ctl_end": round_half_even(ctl_end, 1),
        "weeks_tracked": len(tracked),
    }


def _month_end(month: str) -> date:
    return next_month(date.fromisoformat(month + "-01")) - timedelta(days=1)


def summary_tier(monthly: Sequence[Mapping[str, Any]], earliest: date) -> dict:
    """summaries.1y/2y/3y (docs/metrics.md#history-tiers; quirk 15 fixed): mean monthly TSS over the completed
    months that overlap the tracked period, zero months included; CTL peak/low of the
    truthy ctl_end values of every month."""
    tracked = [r for r in monthly[:-1] if _month_end(r["month"]) >= earliest]
    ctl = [r["ctl_end"] for r in monthly if r["ctl_end"]]
    return {
        "avg_monthly_tss": round_half_even(finite_mean(r["total_tss"] for r in tracked), 0),
        "ctl_peak": max(ctl) if ctl else None,
        "ctl_low": min(ctl) if ctl else None,
        "months_tracked": len(tracked),
    }


def summaries(
    daily, weekly, tiers: Mapping[str, Sequence], earliest: date, today: date
) -> dict[str, dict]:
    """summaries{90d, 180d, 1y, 2y, 3y}; yearly keys only for non-empty tiers (docs/metrics.md#history-tiers)."""
    out = {"90d": summary_90d(daily, earliest, today), "180d": summary_180d(weekly, earliest)}
    for years in (1, 2, 3):
        rows = tiers.get(f"monthly_{years}y") or []
        if rows:
            out[f"{years}y"] = summary_tier(rows, earliest)
    return out


# ----------------------------------------------------------------- document


def build_history(
    activities: Sequence[Activity],
    wellness: Sequence[Wellness],
    *,
    today: date,
    now: datetime,
    week_start: int,
    zone_preference: Mapping[str, str] | None,
    ftp_history: Mapping | None,
    thresholds_sports: Mapping | None,
    units: Mapping[str, str] | None,
    version: str,
) -> dict[str, Any]:
    """The history.json document (docs/metrics.md#history-tiers).

    activities / wellness: up to three years of records (anything outside
    today-1095 .. today, undated activities and Strava stubs are ignored).
    today: athlete-local date; now: aware datetime for `generated_at`.
    week_start: Mon=0 .. Sun=6. thresholds_sports: current_status.thresholds.sports.
    units: the athlete's unit preferences (units.unit_preferences).
    """
    acts = history_activities(activities, today)
    records = history_wellness(wellness, today)
    dates = [a.date for a in acts if a.date is not None]
    rng = data_range(dates, today)
    earliest = date.fromisoformat(rng["earliest"])
    index = DayIndex(acts, records, zone_preference)
    daily = daily_rows(index, today, units)
    weekly = weekly_rows(index, today, week_start, zone_preference, units)
    tiers = monthly_tiers(index, today, rng["total_months"], weekly, units)
    return {
        "generated_at": now.isoformat(),
        "source": SOURCE,
        "sync_version": version,
        "schema_version": SCHEMA_VERSION,
        "data_range": rng,
        "ftp_timeline": ftp_timeline(ftp_history, thresholds_sports, today),
        "data_gaps": data_gaps(dates),
        "summaries": summaries(daily, weekly, tiers, earliest, today),
        "notes": {
            "daily_90d": DAILY_NOTE,
            "weekly_180d": WEEKLY_NOTE.format(weekday=WEEKDAY_NAMES[week_start % 7]),
            "summaries": SUMMARIES_NOTE,
            "monthly": MONTHLY_NOTE,
        },
        "daily_90d": daily,
        "weekly_180d": weekly,
        **tiers,
    }


# ----------------------------------------------------------------- reading a document


def generated_date(doc: Any) -> date | None:
    """The athlete-local date of a document's generated_at, or None."""
    if not isinstance(doc, Mapping):
        return None
    stamp = doc.get("generated_at")
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return None


def total_months(doc: Any) -> int | None:
    """data_range.total_months when it is a positive whole number, else None."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("data_range"), Mapping):
        return None
    value = num(doc["data_range"].get("total_months"))
    if value is None or value < 1 or int(value) != value:
        return None
    return int(value)


def history_confidence(months: int) -> str:
    """ "high" with >= 12 months of history, "medium" with >= 3, else "low" (docs/metrics.md#history-tiers)."""
    if months >= CONFIDENCE_HIGH_MONTHS:
        return "high"
    if months >= CONFIDENCE_MEDIUM_MONTHS:
        return "medium"
    return "low"


def history_block(history_doc_or_meta: Mapping | None, today: date) -> dict[str, Any]:
    """latest.json `history` block (docs/metrics.md#history-tiers).

    Available: {available, last_generated, age_days, total_months,
    history_confidence}; age_days counts athlete-local days (never negative).
    Missing, unreadable or without a valid generated_at / total_months:
    {available: false, history_confidence: "low", note}.
    """
    if history_doc_or_meta is None:
        return {"available": False, "history_confidence": "low", "note": MISSING_NOTE}
    generated = generated_date(history_doc_or_meta)
    months = total_months(history_doc_or_meta)
    if generated is None or months is None:
        return {"available": False, "history_confidence": "low", "note": UNREADABLE_NOTE}
    return {
        "available": True,
        "last_generated": generated.isoformat(),
        "age_days": max(0, (today - generated).days),
        "total_months": months,
        "history_confidence": history_confidence(months),
    }


def _row_week(row: Any) -> date | None:
    if not isinstance(row, Mapping) or not isinstance(row.get("week_start"), str):
        return None
    return parse_date(row["week_start"]) if len(row["week_start"]) == 10 else None


def weekly_rows_for_phase(history_doc: Mapping | None) -> list[dict[str, Any]]:
    """The completed weekly_180d rows, oldest first, for live phase detection
    (metrics.phase_rows.live_weekly_rows(history_weekly=...), docs/metrics.md#weekly-rows).

    A row is completed when its last day lies before the generation date; the
    in-progress snapshot is left out so a partial week is never read as a whole
    one (quirk 8). Without a readable generated_at the last row is dropped.
    Malformed rows are skipped; an unreadable document gives [].
    """
    if not isinstance(history_doc, Mapping) or not isinstance(history_doc.get("weekly_180d"), list):
        return []
    rows = [(ws, row) for row in history_doc["weekly_180d"] if (ws := _row_week(row)) is not None]
    generated = generated_date(history_doc)
    if generated is None:
        rows = rows[:-1]
    else:
        rows = [(ws, row) for ws, row in rows if ws + timedelta(days=6) < generated]
    return [dict(row) for _, row in rows]


# ----------------------------------------------------------------- docs/metrics.md#history-tiers regeneration


def regeneration_reason(existing: Any, today: date, *, week_start: int, version: str) -> str | None:
    """Why history.json must be (re)built now, or None (docs/metrics.md#history-tiers; weakness 9.1.10 fixed).

    "missing" (no file), "unreadable" (not a history document), "schema_changed",
    "version_changed" (another sync_version wrote it), "week_start_changed"
    (rows aligned to another weekday), "future" (generated after today: clock
    trouble), "stale" (generated before the current training week began, so a
    week has completed since). No time-of-day gate.
    """
    if existing is None:
        return "missing"
    generated = generated_date(existing)
    weekly = existing.get("weekly_180d") if isinstance(existing, Mapping) else None
    first_week = _row_week(weekly[0]) if isinstance(weekly, list) and weekly else None
    if generated is None or total_months(existing) is None or first_week is None:
        return "unreadable"
    schema = existing.get("schema_version")
    if isinstance(schema, bool) or schema != SCHEMA_VERSION:
        return "schema_changed"
    if existing.get("sync_version") != version:
        return "version_changed"
    if first_week.weekday() != week_start % 7:
        return "week_start_changed"
    if generated > today:
        return "future"
    if generated < week_start_of(today, week_start):
        return "stale"
    return None


def _week_counts(rows: Iterable[Any]) -> dict[date, float]:
    out: dict[date, float] = {}
    for row in rows:
        ws = _row_week(row)
        count = num(row.get("activity_count")) if ws is not None else None
        if ws is not None and count is not None:
            out[ws] = count
    return out


def shrink_reason(previous: Any, new: Mapping) -> str | None:
    """A reason to keep the previous history.json instead of `new`, or None
    (weakness 9.1.5, design "never overwrite history on suspicious input").

    Compares the activity counts of the weeks that were complete in the
    previous file and appear in the new one: losing more than half of them
    (at least SHRINK_MIN_ACTIVITIES before) points at a failed or partial
    fetch, not at deleted training.
    """
    old = _week_counts(weekly_rows_for_phase(previous))
    fresh = _week_counts(new.get("weekly_180d") or [] if isinstance(new, Mapping) else [])
    shared = [ws for ws in old if ws in fresh]
    before = sum(old[ws] for ws in shared)
    after = sum(fresh[ws] for ws in shared)
    if before >= SHRINK_MIN_ACTIVITIES and after < before * SHRINK_FRACTION:
        return (
            f"the new history holds {int(after)} activities in the {len(shared)} "
            f"completed weeks both versions cover, the previous one {int(before)}; "
            "keeping the previous history.json"
        )
    return None
