"""Phase detection v2 (docs/metrics.md#stream-1-what-happened-docs/metrics.md#output).

Implements stream 1 (retrospective features from weekly rows, docs/metrics.md#stream-1-what-happened), stream 2
(prospective features from the formatted planned_workouts and the race
calendar's next_race, docs/metrics.md#stream-2-what-is-planned), data quality (docs/metrics.md#data-quality), the classifier (docs/metrics.md#classifier) and
the ``phase_detection`` block with ``phase_detected`` / ``phase_triggers``
(docs/metrics.md#output). The weekly rows come from ``phase_rows.live_weekly_rows`` (live) or
from history.json weekly_180d rows (backfill, docs/metrics.md#history-tiers: ``is_backfill=True``).

Quirks 8 and 9 (docs/metrics.md#reference-quirks), decided:
* 9 fixed: with nothing planned the reference returned early and reported
  ``current_week_hard_days_completed`` / ``_total`` as 0 even after hard days.
  Stream 2 now always runs the full path; with an empty plan it yields the
  same defaults (no delta, 0 sessions, coverage 0.0, no suggestion) plus the
  real completed hard days. The classifier's outcome is unchanged (it reads
  the hard-day total only with >= 3 planned sessions).
* 8, live data quality: live rows now carry ``intensity_basis_breakdown``
  (phase_rows), so HR_ONLY_MAJORITY can fire live. weeks_available stays the
  row count (4 live): the 28-day window always exists and an empty week is
  real data (a break), not missing lookback.
* 8, path C of the Deload rule stays backfill-only: live, the 3 finalized rows
  cannot hold "3 prior weeks + the reduced week"; the reduced week is still
  seen live through previous_phase (the backfilled Deload, rule 6).
* 8, stale completed-week features: fixed in phase_rows (computed from this
  sync's data with the weekly_180d definitions).
Transition codes are upper case: PHASE_TRANSITION_BASE_TO_BUILD.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ..model import num, parse_date, text
from ..numbers import finite_mean, round_float
from ..sports import RACE_CATEGORIES, TRAINING_CATEGORIES, family_of
from .load import ACWR_CAUTION, ACWR_OPTIMAL
from .monotony import MONOTONY_HIGH
from .phase_rows import PHASES

A_B_RACES = ("RACE_A", "RACE_B")
HARD_NAME_WORDS = (
    "interval",
    "vo2",
    "threshold",
    "sprint",
    "tempo",
    "race",
    "hard",
    "intensity",
    "sweet spot",
)
HARD_SUMMARY_MARKS = ("×", "sets")
DEFAULT_EXPECTED_SESSIONS = 5
REDUCED = 0.80  # planned load at or below 80 % of recent weeks = reducing

# stream 1 (retrospective)
LOOKBACK_WEEKS = 4  # finalized rows read by stream 1, rows read by data quality
ACWR_TREND_BAND = 0.1  # last - first ACWR beyond +/- this: rising / falling
CTL_SLOPE_FLAT = 1.0  # CTL/week: above is rising, -this..this is flat
CTL_SLOPE_STEEP = 2.0  # CTL/week: steep rise (3 build points)
HARD_DAYS_BUILD = 1.5  # mean hard days per week of a build
HARD_DAYS_HIGH = 2.5  # mean hard days: 2 build points
HARD_DAYS_LOW = 1.0  # mean hard days at or below: 2 base points
# stream 2 (prospective)
PRIOR_WEEKS = 3  # recent weeks whose mean TSS the planned load is compared with
TAPER_DAYS = 14  # A/B race this close: Taper
PEAK_DAYS = 21  # A/B race this close: Peak candidate
REBOUND = 0.85  # next week's planned load back at this share: the deload is a dip
PLAN_GAP_COVERAGE = 0.3  # next-week plan coverage below this: a plan gap
# data quality
MIN_WEEKS_GOOD = 3  # fewer weekly rows: quality "poor"
MIN_WEEKS_CLASSIFY = 2  # poor quality with fewer rows: no phase
# classifier (rules 1-9)
TSS_RELIABLE_SESSIONS = 3  # planned sessions for the planned TSS delta to count
PEAK_CTL_FRACTION = 0.95  # CTL within 5 % of its recent high
PEAK_MIN_CTL_WEEKS = 3
PEAK_MIN_SLOPE = -0.5
RECOVERY_HARD_DAYS = 0.5  # mean hard days below: no hard days
DELOAD_B_HARD_DAYS = 2.0  # path B: mean hard days of the build
BUILD_RESUME_HARD_SESSIONS = 2  # hard sessions planned after a Deload: Build (medium)
BUILD_WEEK_HARD_DAYS = 2  # this week's hard days total: a build point (<= 1: a base point)
MARGIN_DECISIVE = 2  # build - base points beyond +/- this ignore the previous phase
MARGIN_HIGH_CONFIDENCE = 3
_FROM_ROWS = object()


def _n(value: Any) -> float | None:
    return num(value)


def _slope(values: Sequence[float]) -> float | None:
    """OLS slope of values against 0..k-1, 2 dp; None with fewer than 2 values."""
    if len(values) < 2:
        return None
    try:
        slope = statistics.linear_regression(range(len(values)), values).slope
    except (statistics.StatisticsError, OverflowError, ValueError, ZeroDivisionError):
        return None
    return round_float(slope, 2)


# ----------------------------------------------------------------- docs/metrics.md#stream-1-what-happened


def stream1_features(rows: Sequence[Mapping[str, Any]], is_backfill: bool = False) -> dict:
    """Stream 1 (retrospective) features and suggestion (docs/metrics.md#stream-1-what-happened).

    Live, the current row is excluded (finalized = rows[:-1]); in backfill the
    target row is the last finalized one. recent = last <= 4 finalized rows.
    ctl_slope = OLS slope of the non-null ctl_end values (CTL/week, 2 dp);
    acwr_trend from last - first non-null acwr (> 0.1 rising, < -0.1 falling);
    hard_day_avg = mean hard days (1 dp); monotony_trend "elevated" when the
    last non-null monotony > 2.5 (needs 2 values).
    """
    finalized = list(rows) if is_backfill else list(rows[:-1])
    recent = finalized[-LOOKBACK_WEEKS:]
    ctl_values = [v for v in (_n(r.get("ctl_end")) for r in recent) if v is not None]
    acwr_values = [v for v in (_n(r.get("acwr")) for r in recent) if v is not None]
    monotony_values = [v for v in (_n(r.get("monotony")) for r in recent) if v is not None]
    tss_values = [_n(r.get("total_tss")) or 0 for r in recent]
    primary_tss_values = [_n(r.get("primary_sport_tss")) or 0 for r in recent]
    hard_values = [_n(r.get("hard_days")) or 0 for r in recent]

    acwr_trend = None
    if len(acwr_values) >= 2:
        diff = acwr_values[-1] - acwr_values[0]
        acwr_trend = (
            "rising"
            if diff > ACWR_TREND_BAND
            else "falling"
            if diff < -ACWR_TREND_BAND
            else "stable"
        )
    monotony_trend = None
    if len(monotony_values) >= 2:
        monotony_trend = "elevated" if monotony_values[-1] > MONOTONY_HIGH else "normal"
    slope = _slope(ctl_values)
    hard_avg = round_float(finite_mean(hard_values), 1) if hard_values else None

    suggestion = None
    last_acwr = _n(recent[-1].get("acwr")) if recent else None
    if (
        monotony_trend == "elevated"
        and last_acwr is not None
        and (last_acwr >= ACWR_CAUTION or (last_acwr >= ACWR_OPTIMAL and acwr_trend == "rising"))
    ):
        suggestion = "Overreached"
    elif slope is not None and hard_avg is not None:
        if slope > CTL_SLOPE_FLAT and hard_avg >= HARD_DAYS_BUILD:
            suggestion = "Build"
        elif -CTL_SLOPE_FLAT <= slope <= CTL_SLOPE_FLAT and hard_avg <= HARD_DAYS_BUILD:
            suggestion = "Base"
    return {
        "recent": recent,
        "weeks_available": len(rows),
        "ctl_values": ctl_values,
        "ctl_slope": slope,
        "tss_values": tss_values,
        "primary_tss_values": primary_tss_values,
        "acwr_trend": acwr_trend,
        "hard_day_values": hard_values,
        "hard_day_avg": hard_avg,
        "monotony_trend": monotony_trend,
        "suggestion": suggestion,
    }


# ----------------------------------------------------------------- docs/metrics.md#stream-2-what-is-planned


def is_hard_planned(entry: Mapping[str, Any]) -> bool:
    """A planned entry looks hard (docs/metrics.md#stream-2-what-is-planned): its workout_summary has "×" or "sets",
    it is a race, or its name mentions interval/vo2/threshold/sprint/tempo/race/
    hard/intensity/sweet spot (case-insensitive)."""
    summary = (text(entry.get("workout_summary")) or "").lower()
    if any(mark in summary for mark in HARD_SUMMARY_MARKS):
        return True
    if entry.get("type") in RACE_CATEGORIES:
        return True
    name = (text(entry.get("name")) or "").lower()
    return any(word in name for word in HARD_NAME_WORDS)


def _planned_tss(entry: Mapping[str, Any]) -> float:
    value = _n(entry.get("planned_tss"))
    return value if value is not None and value > 0 else 0.0


def _ratio(numerator: float, denominator: float | None, digits: int = 2) -> float | None:
    if denominator is None or not denominator > 0 or not numerator > 0:
        return None
    return round_float(numerator / denominator, digits)


def stream2_features(
    planned_workouts: Iterable[Mapping[str, Any]] | None,
    next_race: Mapping[str, Any] | None,
    today: date,
    week_start: int,
    rows: Sequence[Mapping[str, Any]],
    s1: Mapping[str, Any],
    primary_sport: str | None,
) -> dict:
    """Stream 2 (prospective) features and suggestion (docs/metrics.md#stream-2-what-is-planned; quirk 9 fixed, no early return).

    Training-category entries dated today..end of the current training week
    form the current-week list, the following 7 days the next-week list.
    planned_tss_delta = (current-week planned TSS x 7 / days left incl. today)
    / mean TSS of the last <= 3 recent weeks (primary sport only when it has
    load); next_week_tss_delta = next-week planned TSS / the same mean;
    coverage = entries / expected sessions (mean recent activity count, >= 1).
    """
    race = next_race if isinstance(next_race, Mapping) else {}
    proximity = _n(race.get("days_until"))
    category = race.get("category") if isinstance(race.get("category"), str) else None

    days_to_end = ((week_start - 1) % 7 - today.weekday()) % 7
    current_end = today + timedelta(days=days_to_end)
    next_start, next_end = current_end + timedelta(days=1), current_end + timedelta(days=7)
    current, upcoming = [], []
    for entry in planned_workouts or ():
        if not isinstance(entry, Mapping) or entry.get("type") not in TRAINING_CATEGORIES:
            continue
        day = parse_date(entry.get("date"))
        if day is None:
            continue
        if today <= day <= current_end:
            current.append(entry)
        elif next_start <= day <= next_end:
            upcoming.append(entry)

    def primary_only(entries):
        return [e for e in entries if family_of(text(e.get("sport_type"))) == primary_sport]

    counts = [_n(r.get("activity_count")) or 0 for r in s1["recent"]]
    avg_count = finite_mean(counts)
    expected = max(1, round(avg_count)) if avg_count is not None else DEFAULT_EXPECTED_SESSIONS

    use_primary = bool(primary_sport) and any(v > 0 for v in s1["primary_tss_values"])
    series = s1["primary_tss_values"] if use_primary else s1["tss_values"]
    avg_prev = finite_mean(series[-PRIOR_WEEKS:])
    if use_primary:
        current_tss = sum(_planned_tss(e) for e in primary_only(current))
        next_tss = sum(_planned_tss(e) for e in primary_only(upcoming))
    else:
        current_tss = sum(_planned_tss(e) for e in current)
        next_tss = sum(_planned_tss(e) for e in upcoming)
    planned_delta = _ratio(current_tss * 7 / (days_to_end + 1), avg_prev)
    next_delta = _ratio(next_tss, avg_prev)
    hard_planned = sum(1 for e in current if is_hard_planned(e))
    completed = int(_n(rows[-1].get("hard_days")) or 0) if rows else 0
    coverage_current = round(len(current) / expected, 2)
    coverage_next = round(len(upcoming) / expected, 2)

    suggestion = None
    race_ab = category in A_B_RACES and proximity is not None and proximity >= 0
    if race_ab and proximity is not None and proximity <= TAPER_DAYS:
        suggestion = "Taper"
    elif (
        race_ab
        and proximity is not None
        and proximity <= PEAK_DAYS
        and planned_delta is not None
        and planned_delta > REDUCED
    ):
        suggestion = "Peak"
    elif planned_delta is not None and planned_delta <= REDUCED:
        if next_delta is not None and next_delta >= REBOUND:
            suggestion = "Deload"
        elif coverage_next >= PLAN_GAP_COVERAGE:
            suggestion = "Deload"
    return {
        "race_proximity": proximity,
        "race_category": category,
        "planned_tss_delta": planned_delta,
        "hard_sessions_planned": hard_planned,
        "current_week_hard_days_completed": completed,
        "current_week_hard_days_total": completed + hard_planned,
        "next_week_tss_delta": next_delta,
        "plan_coverage_current_week": coverage_current,
        "plan_coverage_next_week": coverage_next,
        "next_7d_sessions": len(current),
        "suggestion": suggestion,
    }


# ----------------------------------------------------------------- docs/metrics.md#data-quality


def data_quality(
    rows: Sequence[Mapping[str, Any]],
    weeks_available: int,
    zone_preference: Mapping[str, str] | None,
) -> tuple[str, list[str]]:
    """(quality, reason codes) (docs/metrics.md#data-quality): "poor" + INSUFFICIENT_LOOKBACK under 3 weeks;
    "mixed" + HR_ONLY_MAJORITY when most of the last <= 4 rows had only HR-based
    hard days and no family is configured for HR zones."""
    quality, codes = "good", []
    if weeks_available < MIN_WEEKS_GOOD:
        quality = "poor"
        codes.append("INSUFFICIENT_LOOKBACK")
    recent = list(rows[-LOOKBACK_WEEKS:])
    hr_only = 0
    for row in recent:
        breakdown = row.get("intensity_basis_breakdown")
        if (
            isinstance(breakdown, Mapping)
            and (_n(breakdown.get("hr")) or 0) > 0
            and not (_n(breakdown.get("power")) or 0)
        ):
            hr_only += 1
    prefers_hr = any(v == "hr" for v in (zone_preference or {}).values())
    if hr_only > len(recent) / 2 and not prefers_hr:
        codes.append("HR_ONLY_MAJORITY")
        if quality == "good":
            quality = "mixed"
    return quality, codes


# ----------------------------------------------------------------- docs/metrics.md#classifier


def _deload(
    s1: Mapping[str, Any], s2: Mapping[str, Any], tss_reliable: bool, build_history: bool
) -> bool:
    """Rule 7 paths A, B and C (docs/metrics.md#classifier)."""
    delta, sessions = s2["planned_tss_delta"], s2["next_7d_sessions"]
    slope, hard_avg, weeks = s1["ctl_slope"], s1["hard_day_avg"], s1["weeks_available"]
    if tss_reliable and delta <= REDUCED and build_history:
        return True  # A
    if (
        sessions > 0
        and not tss_reliable
        and build_history
        and slope > CTL_SLOPE_FLAT
        and hard_avg >= DELOAD_B_HARD_DAYS
    ):
        return True  # B
    if sessions != 0:
        return False
    tss, hard = s1["tss_values"], s1["hard_day_values"]  # C (reachable in backfill only)
    if len(tss) < PRIOR_WEEKS + 1 or len(hard) < PRIOR_WEEKS + 1:
        return False
    prior3 = finite_mean(tss[-PRIOR_WEEKS - 1 : -1])
    prior3_hard = finite_mean(hard[-PRIOR_WEEKS - 1 : -1])
    if prior3 is None or prior3_hard is None:
        return False
    prior_build = prior3_hard >= HARD_DAYS_BUILD and prior3 > 0 and weeks >= PRIOR_WEEKS + 1
    return prior_build and tss[-1] / prior3 <= REDUCED


def _score(s1: Mapping[str, Any], s2: Mapping[str, Any]) -> tuple[int, int]:
    """Rule 9 points (build, base)."""
    build = base = 0
    slope, hard_avg = s1["ctl_slope"], s1["hard_day_avg"]
    if slope is not None:
        if slope > CTL_SLOPE_STEEP:
            build += 3
        elif slope > CTL_SLOPE_FLAT:
            build += 2
        elif slope > 0:
            build += 1
        elif slope >= -CTL_SLOPE_FLAT:
            base += 2
    if hard_avg is not None:
        if hard_avg >= HARD_DAYS_HIGH:
            build += 2
        elif hard_avg >= HARD_DAYS_BUILD:
            build += 1
        elif hard_avg <= HARD_DAYS_LOW:
            base += 2
        else:
            base += 1
    if s1["acwr_trend"] == "rising":
        build += 1
    elif s1["acwr_trend"] in ("stable", "falling"):
        base += 1
    if s2["next_7d_sessions"] >= TSS_RELIABLE_SESSIONS:
        cw = s2["current_week_hard_days_total"]
        if cw is None:
            cw = s2["hard_sessions_planned"]
        if cw >= BUILD_WEEK_HARD_DAYS:
            build += 1
        elif cw < BUILD_WEEK_HARD_DAYS:
            base += 1
    return build, base


def classify_phase(
    s1: Mapping[str, Any], s2: Mapping[str, Any], quality: str, previous_phase: str | None
) -> tuple[str | None, str, list[str]]:
    """(phase, confidence, classifier reason codes): first matching rule of docs/metrics.md#classifier.

    1 insufficient data; 2 Overreached (stream-1 safety); 3 Taper (A/B race
    <= 14 d); 4 Peak (A/B race <= 21 d, CTL near its high); 5 Recovery
    (declining CTL, no hard days); 6 Build after a Deload; 7 Deload (build
    history and reduced load, paths A/B/C); 8 Recovery without build history;
    9 Build/Base scoring with hysteresis towards the previous phase.
    """
    weeks, slope, hard_avg = s1["weeks_available"], s1["ctl_slope"], s1["hard_day_avg"]
    delta, sessions = s2["planned_tss_delta"], s2["next_7d_sessions"]
    hard_planned = s2["hard_sessions_planned"]
    cov_current, cov_next = s2["plan_coverage_current_week"], s2["plan_coverage_next_week"]
    proximity = s2["race_proximity"]
    tss_reliable = delta is not None and sessions >= TSS_RELIABLE_SESSIONS
    not_reducing = not tss_reliable or delta > REDUCED
    race_ab = s2["race_category"] in A_B_RACES and proximity is not None and proximity >= 0
    poor = quality == "poor"

    if poor and weeks < MIN_WEEKS_CLASSIFY:
        return None, "low", ["INSUFFICIENT_DATA"]
    if s1["suggestion"] == "Overreached":
        return "Overreached", "high", ["SAFETY_ACWR_OR_MONOTONY"]
    if race_ab and proximity <= TAPER_DAYS:
        if tss_reliable and delta <= REDUCED:
            return "Taper", "high", ["RACE_IMMINENT_VOLUME_REDUCING"]
        return "Taper", "medium", ["RACE_IMMINENT"]
    ctl_values = s1["ctl_values"]
    if (
        race_ab
        and proximity <= PEAK_DAYS
        and not_reducing
        and len(ctl_values) >= PEAK_MIN_CTL_WEEKS
        and ctl_values[-1] >= PEAK_CTL_FRACTION * max(ctl_values)
        and slope is not None
        and slope >= PEAK_MIN_SLOPE
    ):
        return "Peak", "medium", ["RACE_APPROACHING_CTL_HIGH"]
    if (
        slope is not None
        and hard_avg is not None
        and slope < -CTL_SLOPE_FLAT
        and hard_avg < RECOVERY_HARD_DAYS
        and weeks >= MIN_WEEKS_GOOD
    ):
        return "Recovery", "low" if poor else "medium", ["DECLINING_LOAD_NO_HARD_DAYS"]
    if previous_phase == "Deload":
        if hard_planned >= BUILD_RESUME_HARD_SESSIONS:
            return "Build", "medium", ["BUILD_RESUMING_AFTER_DELOAD"]
        if hard_planned >= 1 or (cov_current > 0 and not_reducing):
            return "Build", "low", ["BUILD_RESUMING_AFTER_DELOAD_TENTATIVE"]
    build_history = (
        slope is not None
        and hard_avg is not None
        and slope > 0
        and hard_avg >= HARD_DAYS_BUILD
        and weeks >= MIN_WEEKS_GOOD
    )
    if (hard_planned == 0 or (hard_planned == 1 and sessions >= TSS_RELIABLE_SESSIONS)) and _deload(
        s1, s2, tss_reliable, build_history
    ):
        next_delta = s2["next_week_tss_delta"]
        if next_delta is not None and next_delta >= REDUCED:
            return "Deload", "high", ["BUILD_HISTORY_REDUCED_LOAD_REBOUND_CONFIRMED"]
        if cov_next < PLAN_GAP_COVERAGE:
            return "Deload", "medium", ["BUILD_HISTORY_REDUCED_LOAD", "PLAN_GAP_NEXT_WEEK"]
        return "Deload", "medium", ["BUILD_HISTORY_REDUCED_LOAD"]
    if (
        tss_reliable
        and delta <= REDUCED
        and hard_planned <= 1
        and not build_history
        and slope is not None
        and slope < -CTL_SLOPE_FLAT
    ):
        return "Recovery", "low" if poor else "medium", ["NO_BUILD_HISTORY_LOW_LOAD"]

    build, base = _score(s1, s2)
    margin = build - base
    hysteresis = previous_phase if previous_phase in ("Build", "Base") else None
    codes: list[str] = []
    phase: str | None
    if margin >= MARGIN_DECISIVE:
        phase = "Build"
    elif margin <= -MARGIN_DECISIVE:
        phase = "Base"
    elif margin > 0:
        phase = hysteresis or "Build"
    elif margin < 0:
        phase = hysteresis or "Base"
    else:
        phase = hysteresis
        codes.append("BUILD_BASE_AMBIGUOUS")
    if phase is None:
        confidence = "low"
    elif abs(margin) >= MARGIN_HIGH_CONFIDENCE and quality == "good":
        confidence = "high"
    elif abs(margin) >= MARGIN_DECISIVE or quality == "good":
        confidence = "medium"
    else:
        confidence = "low"
    if phase and previous_phase and phase != previous_phase and previous_phase != "Overreached":
        codes.append(f"PHASE_TRANSITION_{previous_phase.upper()}_TO_{phase.upper()}")
    if poor:
        confidence = {"high": "medium", "medium": "low"}.get(confidence, confidence)
    if cov_current == 0 and cov_next == 0:
        if confidence == "high":
            confidence = "medium"
        codes.append("NO_PLANNED_WORKOUTS")
    return phase, confidence, codes


def phase_duration_weeks(rows: Sequence[Mapping[str, Any]], phase: str | None) -> int:
    """1 + consecutive rows before the current one (newest backwards) whose
    phase_detected equals ``phase``; 0 when phase is None (docs/metrics.md#classifier)."""
    if phase is None:
        return 0
    weeks = 1
    for row in reversed(rows[:-1]):
        if row.get("phase_detected") != phase:
            break
        weeks += 1
    return weeks


# ----------------------------------------------------------------- docs/metrics.md#output


def phase_detection(
    rows: Sequence[Mapping[str, Any]],
    today: date,
    week_start: int,
    zone_preference: Mapping[str, str] | None = None,
    planned_workouts: Iterable[Mapping[str, Any]] | None = (),
    next_race: Mapping[str, Any] | None = None,
    *,
    previous_phase: Any = _FROM_ROWS,
    is_backfill: bool = False,
    primary_sport: str | None = None,
) -> dict:
    """``derived_metrics.phase_detection`` (docs/metrics.md#output).

    Live: ``rows`` = the four live weekly rows, previous_phase defaults to the
    last completed row's phase_detected. Backfill (docs/metrics.md#history-tiers): ``rows`` = up to 4
    weekly_180d rows ending with the target week, ``is_backfill=True``, the
    freshly assigned previous phase passed in, no plan, no race, ``today`` =
    the target week's start. ``primary_sport`` defaults to the last row's.
    """
    rows = list(rows)
    if previous_phase is _FROM_ROWS:
        previous_phase = rows[-2].get("phase_detected") if len(rows) >= 2 else None
    previous_phase = previous_phase if previous_phase in PHASES else None
    if primary_sport is None and rows:
        primary_sport = text(rows[-1].get("primary_sport"))
    s1 = stream1_features(rows, is_backfill)
    s2 = stream2_features(planned_workouts, next_race, today, week_start, rows, s1, primary_sport)
    quality, quality_codes = data_quality(rows, s1["weeks_available"], zone_preference)
    phase, confidence, codes = classify_phase(s1, s2, quality, previous_phase)
    agreement = None
    if s1["suggestion"] is not None and s2["suggestion"] is not None:
        agreement = s1["suggestion"] == s2["suggestion"]
    return {
        "phase": phase,
        "confidence": confidence,
        "reason_codes": quality_codes + codes,
        "basis": {
            "stream_1": {
                "ctl_slope": s1["ctl_slope"],
                "acwr_trend": s1["acwr_trend"],
                "hard_day_pattern": s1["hard_day_avg"],
                "weeks_available": s1["weeks_available"],
            },
            "stream_2": {
                "planned_tss_delta": s2["planned_tss_delta"],
                "hard_sessions_planned": s2["hard_sessions_planned"],
                "current_week_hard_days_completed": s2["current_week_hard_days_completed"],
                "current_week_hard_days_total": s2["current_week_hard_days_total"],
                "race_proximity": s2["race_proximity"],
                "next_week_load": s2["next_week_tss_delta"],
                "plan_coverage_current_week": s2["plan_coverage_current_week"],
                "plan_coverage_next_week": s2["plan_coverage_next_week"],
            },
            "data_quality": quality,
            "stream_agreement": agreement,
        },
        "previous_phase": previous_phase,
        "phase_duration_weeks": phase_duration_weeks(rows, phase),
        "dossier_declared": None,
        "dossier_agreement": None,
    }


def phase_keys(detection: Mapping[str, Any]) -> dict:
    """derived_metrics ``phase_detection``, ``phase_detected`` (= phase) and
    ``phase_triggers`` (= reason_codes), in emitted order (docs/metrics.md#output-layout, docs/metrics.md#phase-detection)."""
    return {
        "phase_detection": detection,
        "phase_detected": detection.get("phase"),
        "phase_triggers": list(detection.get("reason_codes") or []),
    }
