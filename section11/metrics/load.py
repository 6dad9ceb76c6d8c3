"""Daily TSS arrays and the acute:chronic workload ratio (docs/metrics.md#load-and-acwr).

docs/metrics.md#load-and-acwr daily TSS arrays and the 7d/28d totals, docs/metrics.md#load-and-acwr live ACWR (today included,
retrospective, never a readiness input), docs/metrics.md#load-and-acwr start-of-day ACWR (today's
activities removed; the readiness basis).

TSS is each activity's `icu_training_load` (model.Activity.load), null -> 0.
The caller passes the activity lists; the daily arrays always span exactly the
last 7 / 28 calendar days ending today, whatever the lists hold (quirk 2: with
--days N < 7 the older acute days are simply empty).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from ..model import Activity
from ..numbers import finite, round_float

ACUTE_DAYS = 7
CHRONIC_DAYS = 28

ACWR_UNDERTRAINING = 0.8
ACWR_OPTIMAL = 1.3
ACWR_CAUTION = 1.5

SCOPE_LIVE = "live_retrospective"
SCOPE_START_OF_DAY = "start_of_day"


# ----------------------------------------------------------------- helpers


def activity_tss(activity: Activity) -> float:
    """An activity's TSS: icu_training_load, null -> 0 (docs/metrics.md#conventions)."""
    return activity.load if activity.load is not None else 0.0


# ----------------------------------------------------------------- docs/metrics.md#load-and-acwr


def daily_tss(activities: Iterable[Activity], today: date, days: int) -> list[float]:
    """Daily TSS array (docs/metrics.md#load-and-acwr), oldest first: index i is the day today-(days-1-i).

    Each day sums the loads of the activities dated that day, in list order;
    activities without a date or outside the span are ignored.
    """
    if days <= 0:
        return []
    start = today - timedelta(days=days - 1)
    out = [0.0] * days
    for activity in activities:
        day = activity.date
        if day is None or not start <= day <= today:
            continue
        out[(day - start).days] += activity_tss(activity)
    return out


def tss_total(activities: Iterable[Activity], today: date, days: int) -> float:
    """Unrounded Σ daily_tss(activities, today, days): the value ratios are built from."""
    return sum(daily_tss(activities, today, days))


# ----------------------------------------------------------------- docs/metrics.md#load-and-acwr


def acwr_value(tss_7d: float, tss_28d: float) -> float | None:
    """ACWR = round((T7/7) / (T28/28), 2), null unless the chronic load is > 0 (docs/metrics.md#load-and-acwr)."""
    acute = tss_7d / ACUTE_DAYS
    chronic = tss_28d / CHRONIC_DAYS
    if finite(acute) is None or finite(chronic) is None or not chronic > 0:
        return None
    return round_float(acute / chronic, 2)


def acwr_interpretation(value: float | None) -> str | None:
    """ACWR band (docs/metrics.md#load-and-acwr): undertraining < 0.8 <= optimal < 1.3 <= caution < 1.5 <= danger."""
    if value is None:
        return None
    if value < ACWR_UNDERTRAINING:
        return "undertraining"
    if value < ACWR_OPTIMAL:
        return "optimal"
    if value < ACWR_CAUTION:
        return "caution"
    return "danger"


def acwr_start_of_day(
    acts_7d: Sequence[Activity], acts_28d: Sequence[Activity], today: date
) -> dict:
    """`acwr_start_of_day` block (docs/metrics.md#load-and-acwr): the live formula after removing every
    activity dated today from both lists (windows are not shifted)."""
    before_7d = [a for a in acts_7d if a.date != today]
    before_28d = [a for a in acts_28d if a.date != today]
    value = acwr_value(
        tss_total(before_7d, today, ACUTE_DAYS), tss_total(before_28d, today, CHRONIC_DAYS)
    )
    return {
        "value": value,
        "interpretation": acwr_interpretation(value),
        "scope": SCOPE_START_OF_DAY,
        "as_of_date": today.isoformat(),
        "current_day_load_included": False,
        "acute_days": ACUTE_DAYS,
        "chronic_days": CHRONIC_DAYS,
    }


def load_block(acts_7d: Sequence[Activity], acts_28d: Sequence[Activity], today: date) -> dict:
    """Load keys of derived_metrics (docs/metrics.md#load-and-acwr): acwr, acwr_interpretation, acwr_scope,
    acwr_readiness_eligible, acwr_start_of_day, tss_7d_total, tss_28d_total.

    The totals are emitted rounded to 0 decimals (a float, e.g. 412.0); ACWR is
    built from the unrounded totals.
    """
    t7 = tss_total(acts_7d, today, ACUTE_DAYS)
    t28 = tss_total(acts_28d, today, CHRONIC_DAYS)
    value = acwr_value(t7, t28)
    return {
        "acwr": value,
        "acwr_interpretation": acwr_interpretation(value),
        "acwr_scope": SCOPE_LIVE,
        "acwr_readiness_eligible": False,
        "acwr_start_of_day": acwr_start_of_day(acts_7d, acts_28d, today),
        "tss_7d_total": round_float(t7, 0),
        "tss_28d_total": round_float(t28, 0),
    }
