"""Training monotony, strain, stress tolerance, load-recovery ratio
(docs/metrics.md#monotony-and-strain), and the assembled load/recovery keys of
derived_metrics (docs/metrics.md#output-layout order, docs/metrics.md#load-and-acwr–docs/metrics.md#recovery).

docs/metrics.md#monotony-and-strain Foster monotony of the total daily TSS, docs/metrics.md#monotony-and-strain per-sport daily arrays,
primary sport, primary-sport monotony, effective monotony, multi-sport flag,
docs/metrics.md#monotony-and-strain monotony_interpretation; docs/metrics.md#monotony-and-strain strain, stress_tolerance, load_recovery_ratio.

Quirk 4 (docs/metrics.md#reference-quirks), decided:
* strain is weekly TSS x the *effective* monotony (the reference uses total
  monotony). For multi-sport athletes the reference already judges monotony by
  the primary sport (interpretation, monotony alert), while strain kept the
  total figure it calls "inflated by multi-sport", so a triathlete could get a
  strain alarm next to "monotony normal". Single-sport athletes see no change.
* stress_tolerance stays (strain / monotony) / 100 with the same monotony, so
  it remains ~ tss_7d_total / 100 as consumers know it.
* load_recovery_ratio keeps the reference scale TSS_7d / (RI x 100).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from ..model import Activity
from ..numbers import finite_mean, round_float
from ..wellness_model import Wellness
from .common import sample_sd
from .load import ACUTE_DAYS, daily_tss, load_block, tss_total
from .recovery import recovery_block

ELEVATED_MONOTONY = 2.0
# Monotony at or above this is too uniform a load: the alerts' alarm, phase's "elevated".
MONOTONY_HIGH = 2.5
PRIMARY_MIN_ACTIVE_DAYS = 3


# ----------------------------------------------------------------- docs/metrics.md#monotony-and-strain


def foster_monotony(daily: Sequence[float]) -> float | None:
    """Foster monotony = round(mean(D) / sample_sd(D), 2) (docs/metrics.md#monotony-and-strain).

    Null when every day is 0, when the sd is 0 (identical days) or when the
    array holds an overflowed (non-finite) day.
    """
    if not any(daily) or not all(math.isfinite(d) for d in daily):
        return None
    try:
        sd = sample_sd(daily)
        avg = finite_mean(daily)
        if sd is None or avg is None or not sd > 0:
            return None
        return round_float(avg / sd, 2)
    except (OverflowError, ValueError, ZeroDivisionError):
        return None


def sport_daily_tss(
    acts_7d: Sequence[Activity], today: date, days: int = ACUTE_DAYS
) -> dict[str, list[float]]:
    """Per-family daily TSS arrays (docs/metrics.md#monotony-and-strain), oldest first, families in the order
    first met in the activity list.

    Only activities with TSS > 0 inside the last `days` days count; unknown
    types belong to "other". A family appears only if it has load in the span.
    """
    start = today - timedelta(days=days - 1)
    arrays: dict[str, list[float]] = {}
    for activity in acts_7d:
        load, day = activity.load, activity.date
        if load is None or not load > 0 or day is None or not start <= day <= today:
            continue
        arrays.setdefault(activity.family or "other", [0.0] * days)[(day - start).days] += load
    return arrays


def monotony_interpretation(
    monotony: float | None, effective: float | None, multi_sport: bool
) -> str | None:
    """docs/metrics.md#monotony-and-strain: "elevated" if effective monotony > 2.0 else "normal"; with multi-sport
    inflation (effective < total) the label carries both numbers."""
    if effective is None:
        return None
    label = "elevated" if effective > ELEVATED_MONOTONY else "normal"
    if multi_sport and monotony and effective < monotony:
        return f"{label} (primary sport {effective}, total {monotony} inflated by multi-sport)"
    return label


def monotony_block(acts_7d: Sequence[Activity], today: date) -> dict:
    """Monotony keys of derived_metrics in emitted order (docs/metrics.md#monotony-and-strain): monotony,
    monotony_interpretation, primary_sport, primary_sport_monotony,
    primary_sport_tss_7d, effective_monotony, multi_sport_detected."""
    monotony = foster_monotony(daily_tss(acts_7d, today, ACUTE_DAYS))
    arrays = sport_daily_tss(acts_7d, today)
    primary = max(arrays, key=lambda f: sum(arrays[f])) if arrays else None
    primary_monotony = None
    primary_tss = None
    if primary is not None:
        days = arrays[primary]
        primary_tss = round_float(sum(days), 0)
        if sum(1 for d in days if d > 0) >= PRIMARY_MIN_ACTIVE_DAYS:
            primary_monotony = foster_monotony(days)
    multi_sport = len(arrays) > 1
    effective = primary_monotony if multi_sport and primary_monotony is not None else monotony
    return {
        "monotony": monotony,
        "monotony_interpretation": monotony_interpretation(monotony, effective, multi_sport),
        "primary_sport": primary,
        "primary_sport_monotony": primary_monotony,
        "primary_sport_tss_7d": primary_tss,
        "effective_monotony": effective,
        "multi_sport_detected": multi_sport,
    }


# ----------------------------------------------------------------- docs/metrics.md#monotony-and-strain


def strain_block(tss_7d_total: float, monotony: float | None, recovery_index: float | None) -> dict:
    """docs/metrics.md#monotony-and-strain: strain = round(T7 x monotony, 0); stress_tolerance =
    round(strain / monotony / 100, 1); load_recovery_ratio = round(T7 / (RI x 100), 1).

    tss_7d_total is the unrounded 7-day total (load.tss_total). section11 passes
    the effective monotony here (quirk 4, see the module docstring); passing
    the total monotony reproduces the reference.
    """
    strain = None
    if monotony:
        strain = round_float(tss_7d_total * monotony, 0)
    stress_tolerance = None
    if strain and monotony:
        stress_tolerance = round_float(strain / monotony / 100, 1)
    lrr = None
    if recovery_index and recovery_index > 0:
        lrr = round_float(tss_7d_total / (recovery_index * 100), 1)
    return {"strain": strain, "stress_tolerance": stress_tolerance, "load_recovery_ratio": lrr}


# ----------------------------------------------------------------- assembly


def load_recovery_metrics(
    acts_7d: Sequence[Activity],
    acts_28d: Sequence[Activity],
    wellness_7d: Sequence[Wellness],
    wellness_28d: Sequence[Wellness],
    today: date,
) -> dict:
    """derived_metrics keys recovery_index … tss_28d_total in the docs/metrics.md#output-layout order (docs/metrics.md#load-and-acwr–docs/metrics.md#recovery)."""
    recovery = recovery_block(wellness_7d, wellness_28d)
    load = load_block(acts_7d, acts_28d, today)
    mono = monotony_block(acts_7d, today)
    strain = strain_block(
        tss_total(acts_7d, today, ACUTE_DAYS),
        mono["effective_monotony"],
        recovery["recovery_index"],
    )
    out: dict = {}
    out.update(recovery)
    out.update(
        (k, load[k])
        for k in (
            "acwr",
            "acwr_interpretation",
            "acwr_scope",
            "acwr_readiness_eligible",
            "acwr_start_of_day",
        )
    )
    out.update(mono)
    out.update(strain)
    out["tss_7d_total"] = load["tss_7d_total"]
    out["tss_28d_total"] = load["tss_28d_total"]
    return out
