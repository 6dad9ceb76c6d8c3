"""`readiness_decision`: today's go / modify / skip (docs/metrics.md#readiness).

docs/metrics.md#readiness phase modifiers, docs/metrics.md#readiness signals (hrv, rhr, sleep, start-of-day acwr, ri,
and tsb once P2 is reached), docs/metrics.md#readiness priority ladder P0–P3, docs/metrics.md#readiness modification
builder. Inputs are the derived_metrics dict, the alerts list (race alerts
included), today's wellness record, the detected phase and its duration, the
race-week block and TSB; nothing else.

The live ACWR and its alerts are never read: only the start-of-day ACWR is a
readiness input, and alerts flagged `readiness_eligible: false` are ignored.

Quirk 11 (docs/metrics.md#reference-quirks), decided:
* tighten_red (race week, Taper) now changes the outcome: one red signal
  corroborated by at least one amber signal is a skip instead of a modify
  (two reds skip in every phase; a lone red still modifies). In the reference
  the flag only changed which branch produced the same "modify", although the
  phase table promises a tighter rule right before a race, when a red signal
  under reduced load is more likely illness than training stress.
* P1-modify (TSB < -25 with HRV down > 10 %) lists red as well as amber
  signals and "tsb" itself as triggers. The reference took amber signals only,
  so a red HRV left the triggers empty and the guidance "preserve/preserve" on a
  modify decision. With tsb named, the adjustment is reduce/reduce, which
  matches what P2 gives for an amber HRV plus an amber TSB.
HRV and RHR red boundaries are shared with the alerts (alerts.hrv_is_low /
rhr_is_high), so a red signal and its alert always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..numbers import finite, round_half_even
from ..wellness_model import Wellness
from .alerts import (
    hrv_delta_pct,
    hrv_is_low,
    rhr_delta_bpm,
    rhr_is_high,
)
from .load import ACWR_CAUTION, ACWR_OPTIMAL
from .recovery import RI_AMBER, RI_RED

AMBER_OR_RED = ("amber", "red")
STATUSES = ("green", "amber", "red", "unavailable")

HRV_AMBER_PCT = -10.0
RHR_AMBER_BPM = 3.0
SLEEP_RED_H = 5.0
SLEEP_AMBER_H = 7.0
TSB_RED = -30.0
TSB_P1_MODIFY = -25.0
# Phase modifiers (docs/metrics.md#readiness): amber signals that make the day amber, and the TSB amber line.
AMBER_SIGNALS_DEFAULT = 2
AMBER_SIGNALS_TIGHT = 1  # race week, Taper
AMBER_SIGNALS_BUILD = 3
TSB_AMBER_DEFAULT = -15
TSB_AMBER_BUILD = -20
LIMITED_DATA_UNAVAILABLE = 3  # more unavailable signals than this -> limited-data remark

AUTONOMIC = frozenset({"hrv", "rhr", "ri"})


# ----------------------------------------------------------------- docs/metrics.md#readiness


def phase_modifier(phase: str | None, race_week_active: bool) -> dict:
    """Phase modifiers (docs/metrics.md#readiness): race week (takes precedence) 1 / -15 / tighten,
    Build 3 / -20, Taper 1 / -15 / tighten, anything else 2 / -15.

    Keys: amber_threshold, tsb_amber, tighten_red, modifier_applied.
    """
    values: tuple[int, int, bool, str]
    if race_week_active:
        values = (AMBER_SIGNALS_TIGHT, TSB_AMBER_DEFAULT, True, "race_week_tightened")
    elif phase == "Build":
        values = (AMBER_SIGNALS_BUILD, TSB_AMBER_BUILD, False, "build_loosened")
    elif phase == "Taper":
        values = (AMBER_SIGNALS_TIGHT, TSB_AMBER_DEFAULT, True, "taper_tightened")
    else:
        values = (AMBER_SIGNALS_DEFAULT, TSB_AMBER_DEFAULT, False, "default")
    return dict(zip(("amber_threshold", "tsb_amber", "tighten_red", "modifier_applied"), values))


# ----------------------------------------------------------------- docs/metrics.md#readiness


def hrv_signal(
    latest_hrv: float | None, baseline_7d: float | None, latest_wellness: Wellness | None = None
) -> dict:
    """HRV signal (docs/metrics.md#readiness): d = round((hrv - B7) / B7 * 100, 1); red d <= -20,
    amber d <= -10, else green (increases are green). Unavailable without an
    rMSSD or baseline; reason "rmssd_missing_sdnn_available" when the rMSSD is
    missing but today's record has an SDNN (never substituted: different measure)."""
    delta = hrv_delta_pct(latest_hrv, baseline_7d)
    value, baseline = round_half_even(latest_hrv, 1), round_half_even(baseline_7d, 1)
    if delta is None:
        out = {"status": "unavailable", "value": value, "baseline_7d": baseline, "delta_pct": None}
        if (
            finite(latest_hrv) is None
            and latest_wellness is not None
            and latest_wellness.hrv_sdnn is not None
        ):
            out["reason"] = "rmssd_missing_sdnn_available"
        return out
    if hrv_is_low(delta):
        status = "red"
    elif delta <= HRV_AMBER_PCT:
        status = "amber"
    else:
        status = "green"
    return {"status": status, "value": value, "baseline_7d": baseline, "delta_pct": delta}


def rhr_signal(latest_rhr: float | None, baseline_7d: float | None) -> dict:
    """Resting-HR signal (docs/metrics.md#readiness): d = round(rhr - B7, 1); red d >= 5, amber d >= 3,
    else green. Unavailable without a resting HR or baseline."""
    delta = rhr_delta_bpm(latest_rhr, baseline_7d)
    value, baseline = round_half_even(latest_rhr, 1), round_half_even(baseline_7d, 1)
    if delta is None:
        status = "unavailable"
    elif rhr_is_high(delta):
        status = "red"
    elif delta >= RHR_AMBER_BPM:
        status = "amber"
    else:
        status = "green"
    return {"status": status, "value": value, "baseline_7d": baseline, "delta_bpm": delta}


def sleep_signal(latest_wellness: Wellness | None) -> dict:
    """Sleep signal (docs/metrics.md#readiness): h = round(sleepSecs / 3600, 2); red h < 5, amber h < 7,
    else green. No (or a non-positive) sleep time is unavailable. Sleep quality is
    reported, never scored."""
    secs = finite(latest_wellness.sleep_secs) if latest_wellness else None
    quality = latest_wellness.sleep_quality if latest_wellness else None
    hours = round_half_even(secs / 3600, 2) if secs and secs > 0 else None
    if hours is None:
        status = "unavailable"
    elif hours < SLEEP_RED_H:
        status = "red"
    elif hours < SLEEP_AMBER_H:
        status = "amber"
    else:
        status = "green"
    return {"status": status, "hours": hours, "quality": quality}


def acwr_signal(start_of_day: Mapping | None) -> dict:
    """Start-of-day ACWR signal (docs/metrics.md#readiness, docs/metrics.md#load-and-acwr): red >= 1.5, amber >= 1.3, else green
    (a low ratio is green)."""
    block = start_of_day if isinstance(start_of_day, Mapping) else {}
    value = finite(block.get("value"))
    if value is None:
        status = "unavailable"
    elif value >= ACWR_CAUTION:
        status = "red"
    elif value >= ACWR_OPTIMAL:
        status = "amber"
    else:
        status = "green"
    as_of = block.get("as_of_date")
    return {
        "status": status,
        "value": value,
        "scope": "start_of_day",
        "as_of_date": as_of if isinstance(as_of, str) else None,
        "current_day_load_included": False,
    }


def ri_signal(ri: float | None, ri_yesterday: float | None) -> dict:
    """Recovery Index signal (docs/metrics.md#readiness): red RI < 0.6; amber RI < 0.7 and yesterday's
    RI present and < 0.7; else green."""
    ri, ri_y = finite(ri), finite(ri_yesterday)
    if ri is None:
        status = "unavailable"
    elif ri < RI_RED:
        status = "red"
    elif ri < RI_AMBER and ri_y is not None and ri_y < RI_AMBER:
        status = "amber"
    else:
        status = "green"
    return {"status": status, "value": ri, "value_yesterday": ri_y}


def tsb_signal(tsb: float | None, tsb_amber: float) -> dict:
    """TSB signal (docs/metrics.md#readiness, added at P2): red tsb < -30, amber tsb < the phase's
    tsb_amber, else green."""
    tsb = finite(tsb)
    if tsb is None:
        return {"status": "unavailable", "value": None}
    if tsb < TSB_RED:
        status = "red"
    elif tsb < tsb_amber:
        status = "amber"
    else:
        status = "green"
    return {"status": status, "value": round_half_even(tsb, 1)}


def signal_summary(signals: Mapping[str, Mapping]) -> dict:
    """Counts of each status (docs/metrics.md#readiness signal_summary)."""
    counts = dict.fromkeys(STATUSES, 0)
    for signal in signals.values():
        counts[signal["status"]] += 1
    return counts


def _named(signals: Mapping[str, Mapping], *statuses: str) -> list[str]:
    return [name for name, s in signals.items() if s["status"] in statuses]


# ----------------------------------------------------------------- docs/metrics.md#readiness


def build_modification(triggers: Iterable[str]) -> dict:
    """Modification builder (docs/metrics.md#readiness), first rule that applies:
    no triggers → preserve/preserve; acwr → reduce/reduce, cap Z2; >= 2 triggers →
    reduce/reduce; only sleep → preserve intensity, reduce volume; only autonomic
    (hrv/rhr/ri) → reduce intensity, preserve volume; tsb without autonomic or sleep
    → preserve intensity, reduce volume; otherwise reduce/reduce."""
    triggers = list(triggers)
    names = set(triggers)
    cap = None
    if not triggers:
        intensity, volume = "preserve", "preserve"
    elif "acwr" in names:
        intensity, volume, cap = "reduce", "reduce", "Z2"
    elif len(triggers) >= 2:
        intensity, volume = "reduce", "reduce"
    elif names == {"sleep"}:
        intensity, volume = "preserve", "reduce"
    elif names <= AUTONOMIC:
        intensity, volume = "reduce", "preserve"
    elif "tsb" in names and not names & (AUTONOMIC | {"sleep"}):
        intensity, volume = "preserve", "reduce"
    else:
        intensity, volume = "reduce", "reduce"
    return {
        "triggers": triggers,
        "suggested_adjustments": {"intensity": intensity, "volume": volume, "cap_zone": cap},
    }


# ----------------------------------------------------------------- docs/metrics.md#readiness


def _alerts_for_readiness(alerts: Iterable[Any] | None) -> list[Mapping]:
    """Alerts readiness may read: dicts not flagged readiness_eligible false."""
    return [
        a
        for a in (alerts or ())
        if isinstance(a, Mapping) and a.get("readiness_eligible") is not False
    ]


def _unique(names: Iterable[Any]) -> list:
    out: list = []
    for name in names:
        if name not in out:
            out.append(name)
    return out


def _status_list(signals: Mapping[str, Mapping], names: Iterable[str]) -> str:
    return ", ".join(f"{n} ({signals[n]['status']})" for n in names)


def readiness_decision(
    derived: Mapping,
    alerts: Iterable[Mapping] | None,
    latest_wellness: Wellness | None,
    phase: str | None,
    phase_weeks: int | None,
    race_week: Mapping | None,
    tsb: float | None,
) -> dict:
    """`readiness_decision` (docs/metrics.md#readiness): the first matching rung of the priority ladder.

    P0 skip: RI < 0.6 or a tier-1 alarm. P1 skip: start-of-day ACWR >= 1.5 with a
    corroborating amber/red wellness signal, TSB < -30 with HRV down > 10 %, or
    RI < 0.7 with a tier-1 alert persisting >= 2 days. P1 modify: TSB < -25 with
    HRV down > 10 %. P2 (TSB signal added): two reds skip, one red modifies (skips
    when tightened and corroborated by an amber), enough ambers modify. P3 go.
    """
    derived = derived if isinstance(derived, Mapping) else {}
    race_week_active = isinstance(race_week, Mapping) and race_week.get("active") is True
    mods = phase_modifier(phase, race_week_active)
    tsb = finite(tsb)
    tsb = float(tsb) if tsb is not None else None
    ri = finite(derived.get("recovery_index"))
    signals: dict = {
        "hrv": hrv_signal(
            derived.get("latest_hrv"), derived.get("hrv_baseline_7d"), latest_wellness
        ),
        "rhr": rhr_signal(derived.get("latest_rhr"), derived.get("rhr_baseline_7d")),
        "sleep": sleep_signal(latest_wellness),
        "acwr": acwr_signal(derived.get("acwr_start_of_day")),
        "ri": ri_signal(ri, derived.get("recovery_index_yesterday")),
    }
    phase_context = {
        "phase": phase,
        "phase_week": phase_weeks,
        "amber_threshold": mods["amber_threshold"],
        "modifier_applied": mods["modifier_applied"],
    }

    def result(
        recommendation: str,
        priority: int,
        defers: bool,
        modification: dict | None,
        reason: str,
        alarm_refs: list,
    ) -> dict:
        return {
            "recommendation": recommendation,
            "priority": priority,
            "signals": signals,
            "signal_summary": signal_summary(signals),
            "phase_context": phase_context,
            "race_week_defers": defers,
            "modification": modification,
            "reason": reason,
            "alarm_refs": alarm_refs,
        }

    usable = _alerts_for_readiness(alerts)

    # P0: safety stop
    tier1_alarms = [a for a in usable if a.get("tier") == 1 and a.get("severity") == "alarm"]
    if (ri is not None and ri < RI_RED) or tier1_alarms:
        parts = []
        if ri is not None and ri < RI_RED:
            parts.append(f"Recovery Index {ri} < {RI_RED}")
        if tier1_alarms:
            parts.append(
                "tier-1 alarms: "
                + ", ".join(f"{a.get('metric')} ({a.get('value')})" for a in tier1_alarms)
            )
        return result(
            "skip",
            0,
            False,
            None,
            "P0 safety stop. " + "; ".join(parts) + ".",
            _unique(a.get("metric") for a in tier1_alarms),
        )

    # P1: skip on corroborated load, deep fatigue or persistent recovery alerts
    hrv_delta = signals["hrv"]["delta_pct"]
    hrv_down = hrv_delta is not None and hrv_delta < HRV_AMBER_PCT
    sod = signals["acwr"]["value"]
    reasons: list[str] = []
    refs: list = []
    corroborating = [
        n for n in ("hrv", "rhr", "sleep", "ri") if signals[n]["status"] in AMBER_OR_RED
    ]
    if sod is not None and sod >= ACWR_CAUTION and corroborating:
        reasons.append(
            f"start-of-day ACWR {sod} >= {ACWR_CAUTION} corroborated by "
            + _status_list(signals, corroborating)
        )
    if tsb is not None and tsb < TSB_RED and hrv_down:
        reasons.append(
            f"TSB {round_half_even(tsb, 1)} < {TSB_RED:g} with HRV {hrv_delta}% vs baseline"
        )
    if ri is not None and ri < RI_AMBER:
        persistent = [
            a
            for a in usable
            if a.get("tier") == 1
            and a.get("severity") in ("warning", "alarm")
            and (finite(a.get("persistence_days")) or 0) >= 2
        ]
        if persistent:
            reasons.append(
                f"Recovery Index {ri} < {RI_AMBER} with persistent tier-1 alerts: "
                + ", ".join(
                    f"{a.get('metric')} ({a.get('persistence_days')} days)" for a in persistent
                )
            )
            refs = _unique(a.get("metric") for a in persistent)
    if reasons:
        return result("skip", 1, False, None, "P1 skip. " + "; ".join(reasons) + ".", refs)

    # P1: modify on accumulated fatigue with suppressed HRV (quirk 11: red and tsb count)
    if tsb is not None and tsb < TSB_P1_MODIFY and hrv_down:
        triggers = _named(signals, "red") + _named(signals, "amber") + ["tsb"]
        reason = (
            f"P1 modify. TSB {round_half_even(tsb, 1)} < {TSB_P1_MODIFY:g} with HRV "
            f"{hrv_delta}% vs baseline: accumulated fatigue, lighten today's session."
        )
        return result("modify", 1, race_week_active, build_modification(triggers), reason, [])

    # P2: count signals with TSB added
    signals["tsb"] = tsb_signal(tsb, mods["tsb_amber"])
    red = _named(signals, "red")
    amber = _named(signals, "amber")
    modifier = mods["modifier_applied"]
    if len(red) >= 2:
        return result(
            "skip", 2, False, None, f"P2 skip. {len(red)} red signals: {', '.join(red)}.", []
        )
    if red and mods["tighten_red"] and amber:
        return result(
            "skip",
            2,
            False,
            None,
            f"P2 skip ({modifier}). Red {red[0]} corroborated by amber "
            f"{', '.join(amber)}; a tightened phase does not train through a "
            "corroborated red signal.",
            [],
        )
    if red:
        extra = f" with amber {', '.join(amber)}" if amber else ""
        return result(
            "modify",
            2,
            race_week_active,
            build_modification(red + amber),
            f"P2 modify ({modifier}). Red signal {red[0]}{extra}.",
            [],
        )
    if len(amber) >= mods["amber_threshold"]:
        return result(
            "modify",
            2,
            race_week_active,
            build_modification(amber),
            f"P2 modify ({modifier}). {len(amber)} amber signal(s) "
            f"({', '.join(amber)}) reach the threshold of "
            f"{mods['amber_threshold']}.",
            [],
        )

    # P3: go
    counts = signal_summary(signals)
    reason = (
        f"P3 go. {counts['green']} green, {counts['amber']} amber, {counts['red']} red, "
        f"{counts['unavailable']} unavailable ({modifier}, amber threshold "
        f"{mods['amber_threshold']})."
    )
    if counts["unavailable"] > LIMITED_DATA_UNAVAILABLE:
        reason += (
            f" Limited data: {counts['unavailable']} of {len(signals)} signals are "
            "unavailable, so this go rests on little evidence."
        )
    return result("go", 3, False, None, reason, [])
