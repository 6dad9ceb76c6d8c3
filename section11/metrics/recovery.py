"""HRV / resting HR baselines and the Recovery Index (docs/metrics.md#recovery).

docs/metrics.md#recovery HRV validity (rMSSD in 10..250 ms; SDNN is never HRV), docs/metrics.md#recovery 7d/28d
baselines, docs/metrics.md#recovery latest values, docs/metrics.md#recovery Recovery Index today and yesterday.
The caller passes the wellness lists (ascending by date): "7d" is the display
window, "28d" the extended 28-day window.

Resting HR counts only when > 0: the reference's truthiness test already
dropped 0; we also drop negative values, and report `latest_rhr` 0 as null
(a resting HR of 0 is no measurement).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..numbers import finite, finite_mean, round_float
from ..wellness_model import Wellness
from .common import valid_hrv

# Recovery Index bands: below RI_RED is red (an alarm), below RI_AMBER amber (a warning).
RI_RED = 0.6
RI_AMBER = 0.7


def valid_rhr(value: float | None) -> float | None:
    """Resting HR if it is a positive number, else None (docs/metrics.md#recovery truthiness, plus > 0)."""
    if value is None or finite(value) is None or not value > 0:
        return None
    return value


def hrv_values(wellness: Iterable[Wellness]) -> list[float]:
    """Valid rMSSD values (docs/metrics.md#recovery), in list order."""
    return [v for v in (valid_hrv(w.hrv) for w in wellness) if v is not None]


def rhr_values(wellness: Iterable[Wellness]) -> list[float]:
    """Positive resting-HR values, in list order."""
    return [v for v in (valid_rhr(w.resting_hr) for w in wellness) if v is not None]


def _baseline(values: list[float]) -> float | None:
    """Rounded mean (1 decimal); None for no values or an overflowing garbage sum."""
    return round_float(finite_mean(values), 1)


def recovery_index(
    hrv: float | None, rhr: float | None, hrv_baseline: float | None, rhr_baseline: float | None
) -> float | None:
    """Recovery Index (docs/metrics.md#recovery) = round((hrv / B_hrv) / (rhr / B_rhr), 2).

    Null unless all four are truthy; the baselines are the rounded 7d ones.
    """
    if not (hrv and rhr and hrv_baseline and rhr_baseline):
        return None
    try:
        return round_float((hrv / hrv_baseline) / (rhr / rhr_baseline), 2)
    except (ZeroDivisionError, OverflowError):
        return None


def recovery_block(wellness_7d: Sequence[Wellness], wellness_28d: Sequence[Wellness]) -> dict:
    """Recovery keys of derived_metrics, in emitted order (docs/metrics.md#recovery–docs/metrics.md#recovery): recovery_index,
    recovery_index_yesterday, hrv_baseline_7d, rhr_baseline_7d, hrv_baseline_28d,
    rhr_baseline_28d, latest_hrv, latest_rhr.

    "Latest" is the last record of the 7d list, normally today's. When today's
    row exists without an rMSSD (the watch has not synced yet), latest_hrv and
    the Recovery Index are null rather than silently reusing yesterday's night:
    readiness then reports the HRV signal as unavailable, as the reference does.
    recovery_index_yesterday uses the second-to-last record against the same
    (today's) 7d baselines.
    """
    hrv_b7 = _baseline(hrv_values(wellness_7d))
    rhr_b7 = _baseline(rhr_values(wellness_7d))
    latest = wellness_7d[-1] if wellness_7d else None
    previous = wellness_7d[-2] if len(wellness_7d) >= 2 else None
    latest_hrv = valid_hrv(latest.hrv) if latest else None
    latest_rhr = valid_rhr(latest.resting_hr) if latest else None
    if previous is not None:
        ri_yesterday = recovery_index(
            valid_hrv(previous.hrv), valid_rhr(previous.resting_hr), hrv_b7, rhr_b7
        )
    else:
        ri_yesterday = None
    return {
        "recovery_index": recovery_index(latest_hrv, latest_rhr, hrv_b7, rhr_b7),
        "recovery_index_yesterday": ri_yesterday,
        "hrv_baseline_7d": hrv_b7,
        "rhr_baseline_7d": rhr_b7,
        "hrv_baseline_28d": _baseline(hrv_values(wellness_28d)),
        "rhr_baseline_28d": _baseline(rhr_values(wellness_28d)),
        "latest_hrv": latest_hrv,
        "latest_rhr": latest_rhr,
    }


def recovery_data_points(wellness_7d: Sequence[Wellness]) -> dict:
    """data_quality.hrv_data_points / rhr_data_points: counts of the values the 7d
    baselines were built from (docs/metrics.md#recovery)."""
    return {
        "hrv_data_points": len(hrv_values(wellness_7d)),
        "rhr_data_points": len(rhr_values(wellness_7d)),
    }
