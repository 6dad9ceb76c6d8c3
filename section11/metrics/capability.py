"""Capability trends from per-activity Intervals.icu values (docs/metrics.md#capability).

docs/metrics.md#capability durability (aggregate aerobic decoupling), docs/metrics.md#capability efficiency factor,
docs/metrics.md#capability heart-rate recovery (HRRc). Each returns a block comparing the "7d" list
with the 28-day list; the caller decides what "7d" covers (the display window).
Nothing is recomputed from streams: decoupling, VI, EF and HRR are the values
Intervals.icu stored on the activity (see model.Activity).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ..model import Activity
from ..numbers import finite, finite_mean, round_float
from ..sports import EF_CYCLING_TYPES

# docs/metrics.md#capability
DURABILITY_MIN_SECS = 5400  # 90 min
MAX_VI = 1.05
HIGH_DRIFT_PCT = 5.0
DURABILITY_TREND_PCT = 1.0
DURABILITY_MIN_N7 = 3
DURABILITY_MIN_N28 = 5
# docs/metrics.md#capability
EF_MIN_SECS = 1200
EF_TREND = 0.03
# docs/metrics.md#capability
HRRC_MIN_N28 = 3
HRRC_TREND_FRACTION = 0.10

DURABILITY_NOTE = (
    "Aerobic decoupling (Pa:HR drift, %) averaged over steady sessions only: at least "
    "90 min moving and variability index 0 < VI <= 1.05, any sport. Below 5 % is good "
    "durability; negative values (HR drifting down relative to output) are valid and "
    "good. trend compares the 7d mean with the 28d mean (a 1-point band is 'stable'; "
    "a falling mean is 'improving'). Needs 2 qualifying sessions per window."
)
EF_NOTE = (
    "Efficiency factor (normalized power / average HR, as computed by Intervals.icu) "
    "averaged over steady rides (Ride, VirtualRide, MountainBikeRide, GravelRide; at "
    "least 20 min, 0 < VI <= 1.05). A higher EF means more power for the same heart "
    "rate. trend compares the 7d mean with the 28d mean (+/-0.03 band is 'stable'). "
    "Needs 2 qualifying rides per window."
)
HRRC_NOTE = (
    "Heart-rate recovery (bpm drop after the hardest effort, as computed by "
    "Intervals.icu), any sport. trend compares the 7d mean with the 28d mean "
    "(+/-10 % band is 'stable'; a higher recovery is 'improving'). The 28d mean needs "
    "3 sessions. Display only: not a readiness input."
)


# ----------------------------------------------------------------- helpers


def _rounded_mean(values: Sequence[float], min_n: int, digits: int) -> float | None:
    if len(values) < min_n:
        return None
    return round_float(finite_mean(values), digits)


def _band_trend(difference: float | None, band: float) -> str | None:
    """'improving' above +band, 'declining' below -band, else 'stable'."""
    if difference is None or not math.isfinite(difference):
        return None
    if difference > band:
        return "improving"
    if difference < -band:
        return "declining"
    return "stable"


def _steady_vi(activity: Activity) -> bool:
    vi = activity.variability_index
    return vi is not None and 0 < vi <= MAX_VI


# ----------------------------------------------------------------- durability


def durability_values(activities: Iterable[Activity]) -> list[float]:
    """Decoupling of qualifying sessions (docs/metrics.md#capability gate), in input order.

    Qualifies: decoupling present (0.0 counts), 0 < VI <= 1.05, moving time >= 5400 s.
    Shared with history.json's weekly capability rollup.
    """
    return [
        a.decoupling
        for a in activities
        if a.decoupling is not None
        and _steady_vi(a)
        and (a.moving_time or 0) >= DURABILITY_MIN_SECS
    ]


def durability(acts_7d: Iterable[Activity], acts_28d: Iterable[Activity]) -> dict:
    """`capability.durability` (docs/metrics.md#capability): mean aerobic decoupling 7d vs 28d.

    Means need >= 2 qualifying sessions; trend = mean7 - mean28 (rounded means),
    < -1.0 improving, > 1.0 declining. reliability_limited when n28 < 5 or n7 < 3.
    """
    v7 = durability_values(acts_7d)
    v28 = durability_values(acts_28d)
    mean7 = _rounded_mean(v7, 2, 2)
    mean28 = _rounded_mean(v28, 2, 2)
    trend = None
    if mean7 is not None and mean28 is not None:
        # lower decoupling is better, so the sign flips against the band helper
        trend = _band_trend(mean28 - mean7, DURABILITY_TREND_PCT)
    limited = len(v28) < DURABILITY_MIN_N28 or len(v7) < DURABILITY_MIN_N7
    reliability_note = None
    if limited:
        reliability_note = (
            f"Small sample: {len(v7)} qualifying session(s) in 7d (at least "
            f"{DURABILITY_MIN_N7} wanted) and {len(v28)} in 28d (at least "
            f"{DURABILITY_MIN_N28} wanted). Only steady sessions of 90+ min count, so "
            "shorter training does not show here; treat means and trend as indicative, "
            "not as a durability problem."
        )
    return {
        "mean_decoupling_7d": mean7,
        "mean_decoupling_28d": mean28,
        "high_drift_count_7d": sum(v > HIGH_DRIFT_PCT for v in v7),
        "high_drift_count_28d": sum(v > HIGH_DRIFT_PCT for v in v28),
        "qualifying_sessions_7d": len(v7),
        "qualifying_sessions_28d": len(v28),
        "trend": trend,
        "reliability_limited": limited,
        "reliability_note": reliability_note,
        "note": DURABILITY_NOTE,
    }


# ----------------------------------------------------------------- efficiency factor


def ef_values(activities: Iterable[Activity]) -> list[float]:
    """EF of qualifying rides (docs/metrics.md#capability gate), in input order.

    Qualifies: EF present, type in EF cycling types, 0 < VI <= 1.05, moving time >= 1200 s.
    """
    return [
        a.efficiency_factor
        for a in activities
        if a.efficiency_factor is not None
        and a.type in EF_CYCLING_TYPES
        and _steady_vi(a)
        and (a.moving_time or 0) >= EF_MIN_SECS
    ]


def efficiency_factor(acts_7d: Iterable[Activity], acts_28d: Iterable[Activity]) -> dict:
    """`capability.efficiency_factor` (docs/metrics.md#capability): mean EF 7d vs 28d.

    Means need >= 2 rides (round 2); trend d = mean7 - mean28: > 0.03 improving,
    < -0.03 declining, else stable.
    """
    v7 = ef_values(acts_7d)
    v28 = ef_values(acts_28d)
    mean7 = _rounded_mean(v7, 2, 2)
    mean28 = _rounded_mean(v28, 2, 2)
    trend = None
    if mean7 is not None and mean28 is not None:
        trend = _band_trend(mean7 - mean28, EF_TREND)
    return {
        "mean_ef_7d": mean7,
        "mean_ef_28d": mean28,
        "qualifying_sessions_7d": len(v7),
        "qualifying_sessions_28d": len(v28),
        "trend": trend,
        "note": EF_NOTE,
    }


# ----------------------------------------------------------------- HRRc


def hrrc_values(activities: Iterable[Activity]) -> list[float]:
    """Positive heart-rate-recovery values as floats (docs/metrics.md#capability); no sport/duration filter."""
    return [float(a.hrr) for a in activities if a.hrr is not None and a.hrr > 0]


def hrrc(acts_7d: Iterable[Activity], acts_28d: Iterable[Activity]) -> dict:
    """`capability.hrrc` (docs/metrics.md#capability): mean heart-rate recovery 7d vs 28d.

    mean7 needs >= 1 value, mean28 >= 3 (round 1); trend p = (m7 - m28) / m28:
    > 0.10 improving, < -0.10 declining, else stable.
    """
    v7 = hrrc_values(acts_7d)
    v28 = hrrc_values(acts_28d)
    mean7 = _rounded_mean(v7, 1, 1)
    mean28 = _rounded_mean(v28, HRRC_MIN_N28, 1)
    trend = None
    if mean7 is not None and mean28 is not None and mean28 > 0:
        trend = _band_trend(finite((mean7 - mean28) / mean28), HRRC_TREND_FRACTION)
    return {
        "mean_hrrc_7d": mean7,
        "mean_hrrc_28d": mean28,
        "qualifying_sessions_7d": len(v7),
        "qualifying_sessions_28d": len(v28),
        "trend": trend,
        "note": HRRC_NOTE,
    }
