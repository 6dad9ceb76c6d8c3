"""Top-level `alerts[]` (docs/metrics.md#alerts).

Every metric alert of docs/metrics.md#alerts (ACWR, monotony with deload context, strain,
Recovery Index, HRV and resting-HR streaks, durability, TID drift), sorted by
(tier, severity); race alerts (docs/metrics.md#race-calendar) are built by the race module and
appended unchanged after the sorted metric alerts.

Alert shape, in emitted key order: {metric, value, severity, threshold,
context, persistence_days, tier} plus {scope, readiness_eligible} on the two
live-ACWR alerts. An empty list means "no flags".

Quirk 10 (docs/metrics.md#reference-quirks), decided:
* Race alerts stay appended after the sorted metric alerts (reproduced). Their
  tier 1 marks relevance, not urgency: sorting them in would put info-level race
  reminders ahead of tier-2 alarms, and readers of the reference find them last.
* HRV boundary (fixed): the alert and its low-day streak use one predicate, the
  delta rounded to 1 decimal <= -20 %, so a day exactly 20 % down both fires the
  alert and counts toward persistence (the reference's strict streak test could
  report a -20 % alert with a streak of 0). The resting-HR alert likewise uses
  the rounded delta >= +5 bpm for alert and streak. Both predicates are the ones
  readiness (docs/metrics.md#readiness) uses for a red HRV/RHR signal, so "alert fires" and "signal
  is red" always agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..numbers import finite, round_half_even
from ..wellness_model import Wellness
from .common import valid_hrv
from .load import ACWR_OPTIMAL
from .monotony import MONOTONY_HIGH
from .recovery import RI_AMBER, RI_RED, valid_rhr

SEVERITY_RANK = {"alarm": 0, "warning": 1, "info": 2}

ACWR_ALARM = 1.35
MONOTONY_WARNING = 2.3
DELOAD_DEFICIT_PCT = 20.0
STRAIN_ALARM = 3500
HRV_LOW_PCT = -20.0
RHR_HIGH_BPM = 5.0
STREAK_ALARM_AFTER = 2  # a streak > 2 days turns the HRV/RHR warning into an alarm
DURABILITY_MEAN_PCT = 5.0
DURABILITY_GAP_PCT = 2.0
DURABILITY_MIN_N7 = 3
DURABILITY_MIN_N28 = 5
HIGH_DRIFT_SESSIONS = 3


# ----------------------------------------------------------------- helpers


def _dict(value: Any) -> Mapping:
    return value if isinstance(value, Mapping) else {}


def make_alert(
    metric: str,
    value: Any,
    severity: str,
    threshold: Any,
    context: str,
    persistence_days: int | None,
    tier: int,
) -> dict:
    """One alert dict in the reference's key order (docs/metrics.md#alerts)."""
    return {
        "metric": metric,
        "value": value,
        "severity": severity,
        "threshold": threshold,
        "context": context,
        "persistence_days": persistence_days,
        "tier": tier,
    }


# ----------------------------------------------------------------- HRV / RHR deltas


def hrv_delta_pct(hrv: float | None, baseline: float | None) -> float | None:
    """HRV change vs the 7d baseline in %, 1 decimal (docs/metrics.md#alerts HRV, docs/metrics.md#readiness hrv signal).

    round((hrv - B) / B * 100, 1); None unless both are positive finite numbers.
    """
    hrv, baseline = finite(hrv), finite(baseline)
    if not hrv or not baseline or baseline <= 0:
        return None
    try:
        return round_half_even((hrv - baseline) / baseline * 100, 1)
    except (OverflowError, ZeroDivisionError):
        return None


def rhr_delta_bpm(rhr: float | None, baseline: float | None) -> float | None:
    """Resting-HR change vs the 7d baseline in bpm, 1 decimal (docs/metrics.md#alerts RHR, docs/metrics.md#readiness rhr signal).

    round(rhr - B, 1); None unless both are positive finite numbers.
    """
    rhr, baseline = finite(rhr), finite(baseline)
    if not rhr or not baseline or baseline <= 0:
        return None
    return round_half_even(rhr - baseline, 1)


def hrv_is_low(delta_pct: float | None) -> bool:
    """The shared HRV red/alert boundary: delta <= -20 % (inclusive)."""
    return delta_pct is not None and delta_pct <= HRV_LOW_PCT


def rhr_is_high(delta_bpm: float | None) -> bool:
    """The shared RHR red/alert boundary: delta >= +5 bpm (inclusive)."""
    return delta_bpm is not None and delta_bpm >= RHR_HIGH_BPM


def hrv_low_streak(wellness_7d: Sequence[Wellness], baseline: float | None) -> int:
    """Consecutive records, newest backwards, with a valid HRV at least 20 % below
    the baseline (docs/metrics.md#alerts HRV streak; same boundary as the alert, quirk 10 fixed).
    Stops at the first record that does not qualify (missing/invalid HRV included)."""
    streak = 0
    for record in reversed(wellness_7d):
        if not hrv_is_low(hrv_delta_pct(valid_hrv(record.hrv), baseline)):
            break
        streak += 1
    return streak


def rhr_high_streak(wellness_7d: Sequence[Wellness], baseline: float | None) -> int:
    """Consecutive records, newest backwards, with resting HR at least 5 bpm above
    the baseline (docs/metrics.md#alerts RHR streak). Stops at the first non-qualifying record."""
    streak = 0
    for record in reversed(wellness_7d):
        if not rhr_is_high(rhr_delta_bpm(valid_rhr(record.resting_hr), baseline)):
            break
        streak += 1
    return streak


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


# ----------------------------------------------------------------- tier 2: load


def acwr_alerts(derived: Mapping) -> list[dict]:
    """Live-ACWR alerts (docs/metrics.md#alerts): >= 1.35 alarm, 1.3..1.35 warning; tier 2,
    scope "live_retrospective", readiness_eligible false (readiness reads the
    start-of-day ACWR instead)."""
    acwr = finite(derived.get("acwr"))
    if acwr is None or acwr < ACWR_OPTIMAL:
        return []
    if acwr >= ACWR_ALARM:
        severity, threshold = "alarm", f"{ACWR_ALARM:g}"
        context = (
            f"Live ACWR {acwr} is at or above {ACWR_ALARM:g}: the last 7 days' load is well "
            "above the 28-day average, so injury and illness risk is raised. "
            "Retrospective (today's training included); the readiness decision "
            "uses the start-of-day ACWR."
        )
    else:
        severity, threshold = "warning", f"{ACWR_OPTIMAL:g}"
        context = (
            f"Live ACWR {acwr} is in the {ACWR_OPTIMAL:g}-{ACWR_ALARM:g} caution band: load is rising "
            "faster than the 28-day average. Retrospective (today's training "
            "included); the readiness decision uses the start-of-day ACWR."
        )
    out = make_alert("acwr", acwr, severity, threshold, context, None, 2)
    out["scope"] = "live_retrospective"
    out["readiness_eligible"] = False
    return [out]


def deload_context(tss_7d_total: float | None, tss_28d_total: float | None) -> str | None:
    """Deload context for monotony (docs/metrics.md#alerts): with weekly_avg = tss_28d_total / 4, the
    last 7 days are a deload when (weekly_avg - tss_7d_total) / weekly_avg * 100 >= 20.

    Returns the text naming the deficit, else None (also for no or non-positive
    28-day load, or a missing 7-day total).
    """
    t7, t28 = finite(tss_7d_total), finite(tss_28d_total)
    if t7 is None or not t28 or t28 <= 0:
        return None
    t7, t28 = float(t7), float(t28)
    weekly_avg = t28 / 4
    deficit = (weekly_avg - t7) / weekly_avg * 100
    if not math.isfinite(deficit) or deficit < DELOAD_DEFICIT_PCT:
        return None
    return (
        f"Deload context: 7-day load {round_half_even(t7, 0)} TSS is "
        f"{round_half_even(deficit, 1)}% below the 28-day weekly average of "
        f"{round_half_even(weekly_avg, 1)} TSS, so evenly easy days are expected and the "
        "high monotony is not a warning sign."
    )


def monotony_alerts(derived: Mapping) -> list[dict]:
    """Monotony alert on effective monotony (docs/metrics.md#alerts): >= 2.5 alarm, 2.3..2.5 warning,
    both downgraded to info in a deload week; tier 2. A multi-sport note is added
    when the primary-sport monotony is lower than the total."""
    effective = finite(derived.get("effective_monotony"))
    if effective is None or effective < MONOTONY_WARNING:
        return []
    deload = deload_context(derived.get("tss_7d_total"), derived.get("tss_28d_total"))
    if effective >= MONOTONY_HIGH:
        threshold, severity = MONOTONY_HIGH, "alarm"
        base = (
            f"Effective monotony {effective} is at or above 2.5: daily load has been "
            "very uniform, which raises strain; alternate hard and easy days."
        )
    else:
        threshold, severity = MONOTONY_WARNING, "warning"
        base = (
            f"Effective monotony {effective} is between 2.3 and 2.5: daily load is "
            "becoming uniform; keep easy days easy and hard days hard."
        )
    parts = [base]
    total = finite(derived.get("monotony"))
    primary = finite(derived.get("primary_sport_monotony"))
    if (
        derived.get("multi_sport_detected") is True
        and primary is not None
        and total is not None
        and primary < total
    ):
        parts.append(
            f"Multi-sport: judged on the primary sport ({primary}); the "
            f"all-sport monotony {total} is inflated by mixing sports."
        )
    if deload:
        severity = "info"
        parts.append(deload)
    return [make_alert("monotony", effective, severity, threshold, " ".join(parts), None, 2)]


def strain_alerts(derived: Mapping) -> list[dict]:
    """Strain alarm (docs/metrics.md#alerts): strain > 3500; tier 2."""
    strain = finite(derived.get("strain"))
    if strain is None or not strain > STRAIN_ALARM:
        return []
    context = (
        f"Strain {strain} (weekly TSS x monotony) is above 3500: a lot of load with "
        "little day-to-day variation; plan an easier day."
    )
    return [make_alert("strain", strain, "alarm", STRAIN_ALARM, context, None, 2)]


# ----------------------------------------------------------------- tier 1: recovery


def recovery_index_alerts(derived: Mapping) -> list[dict]:
    """Recovery Index alerts (docs/metrics.md#alerts): RI < 0.6 alarm; else RI < 0.7 and yesterday's
    RI < 0.7 warning with persistence 2; tier 1."""
    ri = finite(derived.get("recovery_index"))
    if ri is None:
        return []
    if ri < RI_RED:
        context = (
            f"Recovery Index {ri} is below {RI_RED:g} (HRV and resting HR against their "
            "7-day baselines): deload-level fatigue."
        )
        return [make_alert("recovery_index", ri, "alarm", RI_RED, context, None, 1)]
    ri_y = finite(derived.get("recovery_index_yesterday"))
    if ri < RI_AMBER and ri_y is not None and ri_y < RI_AMBER:
        context = (
            f"Recovery Index {ri} today and {ri_y} yesterday, both below {RI_AMBER:g}: "
            "moderate fatigue for 2 days running."
        )
        return [make_alert("recovery_index", ri, "warning", RI_AMBER, context, 2, 1)]
    return []


def hrv_alerts(derived: Mapping, wellness_7d: Sequence[Wellness]) -> list[dict]:
    """HRV alert (docs/metrics.md#alerts): latest HRV at least 20 % below the 7d baseline; alarm when
    the low-day streak is > 2 days, else warning; persistence = streak; tier 1."""
    hrv = finite(derived.get("latest_hrv"))
    baseline = finite(derived.get("hrv_baseline_7d"))
    delta = hrv_delta_pct(hrv, baseline)
    if not hrv_is_low(delta):
        return []
    streak = hrv_low_streak(wellness_7d, baseline)
    severity = "alarm" if streak > STREAK_ALARM_AFTER else "warning"
    value = round_half_even(hrv, 1)
    context = (
        f"HRV {value} ms is {delta}% against the 7-day baseline of {baseline} ms; "
        f"at least 20% low for {_days(streak)} in a row."
    )
    return [
        make_alert("hrv", value, severity, f"↓>20% vs baseline ({baseline})", context, streak, 1)
    ]


def rhr_alerts(derived: Mapping, wellness_7d: Sequence[Wellness]) -> list[dict]:
    """Resting-HR alert (docs/metrics.md#alerts): latest resting HR at least 5 bpm above the 7d
    baseline; alarm when the high-day streak is > 2 days, else warning;
    persistence = streak; tier 1."""
    rhr = finite(derived.get("latest_rhr"))
    baseline = finite(derived.get("rhr_baseline_7d"))
    delta = rhr_delta_bpm(rhr, baseline)
    if not rhr_is_high(delta):
        return []
    streak = rhr_high_streak(wellness_7d, baseline)
    severity = "alarm" if streak > STREAK_ALARM_AFTER else "warning"
    value = round_half_even(rhr, 1)
    context = (
        f"Resting HR {value} bpm is +{delta} bpm against the 7-day baseline of "
        f"{baseline} bpm; at least 5 bpm high for {_days(streak)} in a row."
    )
    return [
        make_alert("rhr", value, severity, f"↑≥5bpm vs baseline ({baseline})", context, streak, 1)
    ]


# ----------------------------------------------------------------- tier 3: capability


def durability_alerts(durability: Mapping | None) -> list[dict]:
    """Durability alerts (docs/metrics.md#alerts, tier 3) from `capability.durability` (docs/metrics.md#capability):
    28d mean decoupling > 5 % with >= 5 sessions → alarm; else a declining trend
    with the 7d mean > 2 points above the 28d mean (>= 3 and >= 5 sessions) →
    warning; independently >= 3 high-drift (> 5 %) sessions in 7d → warning."""
    block = _dict(durability)
    out: list[dict] = []
    mean7 = finite(block.get("mean_decoupling_7d"))
    mean28 = finite(block.get("mean_decoupling_28d"))
    n7 = finite(block.get("qualifying_sessions_7d")) or 0
    n28 = finite(block.get("qualifying_sessions_28d")) or 0
    gap = round_half_even(mean7 - mean28, 2) if mean7 is not None and mean28 is not None else None
    if mean28 is not None and mean28 > DURABILITY_MEAN_PCT and n28 >= DURABILITY_MIN_N28:
        context = (
            f"Mean aerobic decoupling over 28 days is {mean28}% across {n28} steady "
            "sessions of 90+ min (above 5%): heart rate drifts up late in long "
            "efforts, a sign of limited aerobic durability."
        )
        out.append(
            make_alert("durability", mean28, "alarm", "28d mean > 5% (N28>=5)", context, None, 3)
        )
    elif (
        block.get("trend") == "declining"
        and gap is not None
        and gap > DURABILITY_GAP_PCT
        and n7 >= DURABILITY_MIN_N7
        and n28 >= DURABILITY_MIN_N28
    ):
        context = (
            f"Durability declining: 7-day mean decoupling {mean7}% is {gap} points "
            f"above the 28-day mean of {mean28}% ({n7} and {n28} steady sessions)."
        )
        out.append(
            make_alert(
                "durability",
                mean7,
                "warning",
                "7d mean > 28d mean + 2 points, trend declining (N7>=3, N28>=5)",
                context,
                None,
                3,
            )
        )
    high = finite(block.get("high_drift_count_7d"))
    if high is not None and high >= HIGH_DRIFT_SESSIONS:
        context = (
            f"{high} steady sessions in the last 7 days had aerobic decoupling above "
            "5%: check fuelling, heat and pacing of long efforts."
        )
        out.append(
            make_alert(
                "durability",
                high,
                "warning",
                ">= 3 sessions with decoupling > 5% in 7d",
                context,
                None,
                3,
            )
        )
    return out


def tid_alerts(comparison: Mapping | None) -> list[dict]:
    """TID drift alerts (docs/metrics.md#alerts, tier 3) from `capability.tid_comparison` (docs/metrics.md#seiler-tid):
    drift "acute_depolarization" or "shifting" → warning."""
    block = _dict(comparison)
    drift = block.get("drift")
    cls_7d = block.get("classification_7d")
    cls_28d = block.get("classification_28d")
    cls_7d = cls_7d if isinstance(cls_7d, str) else None
    cls_28d = cls_28d if isinstance(cls_28d, str) else None
    if drift == "acute_depolarization":
        pi_7d, pi_28d = finite(block.get("pi_7d")), finite(block.get("pi_28d"))
        context = (
            f"Intensity distribution: the 7-day polarization index {pi_7d} fell below "
            f"2.0 while the 28-day index is {pi_28d}; recent training is less "
            "polarized (more middle-zone time)."
        )
        return [
            make_alert(
                "tid_distribution", pi_7d, "warning", "7d PI < 2.0, 28d PI >= 2.0", context, None, 3
            )
        ]
    if drift == "shifting":
        context = (
            f"Intensity distribution changed: the last 7 days are {cls_7d} while the "
            f"28-day pattern is {cls_28d}."
        )
        return [
            make_alert(
                "tid_distribution",
                cls_7d,
                "warning",
                "7d/28d classification mismatch",
                context,
                None,
                3,
            )
        ]
    return []


# ----------------------------------------------------------------- assembly


def sort_alerts(alerts: Iterable[Mapping]) -> list:
    """Stable sort by (tier ascending, severity alarm < warning < info) (docs/metrics.md#alerts)."""

    def key(alert: Mapping):
        tier = finite(alert.get("tier"))
        return (tier if tier is not None else 99, SEVERITY_RANK.get(str(alert.get("severity")), 3))

    return sorted(alerts, key=key)


def build_alerts(
    derived: Mapping, wellness_7d: Sequence[Wellness], race_alerts: Iterable[Mapping] | None = ()
) -> list:
    """`alerts[]` (docs/metrics.md#alerts): every metric alert, sorted by (tier, severity), then the
    race alerts of docs/metrics.md#race-calendar appended in the order given (quirk 10, kept).

    `derived` is the derived_metrics dict (docs/metrics.md#output-layout keys; missing keys mean no data),
    `wellness_7d` the display-window wellness records, ascending by date (for the
    HRV and resting-HR streaks).
    """
    derived = _dict(derived)
    capability = _dict(derived.get("capability"))
    wellness_7d = list(wellness_7d or ())
    alerts: list = []
    alerts += acwr_alerts(derived)
    alerts += monotony_alerts(derived)
    alerts += strain_alerts(derived)
    alerts += recovery_index_alerts(derived)
    alerts += hrv_alerts(derived, wellness_7d)
    alerts += rhr_alerts(derived, wellness_7d)
    alerts += durability_alerts(capability.get("durability"))
    alerts += tid_alerts(capability.get("tid_comparison"))
    return sort_alerts(alerts) + list(race_alerts or ())
