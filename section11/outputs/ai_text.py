"""READ_THIS_FIRST: the guidance block at the top of latest.json (docs/metrics.md#ai-text).

These texts tell an AI coach how to read the file. Apart from `data_period`,
`extended_data_note`, `zone_preference` and `quick_stats` they are fixed; the
wording is our own, the keys and the scales are the reference's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_ZONE_PREFERENCE = "default (power preferred, HR fallback)"

INSTRUCTION_FOR_AI = (
    "Do not add up recent_activities yourself. The totals are already computed: use "
    "summary (per activity type), weekly_summary and READ_THIS_FIRST.quick_stats for "
    "volume and load, and derived_metrics for load ratios, recovery, zones and capability. "
    "recent_activities is the per-session detail for questions about a single workout."
)

DISPLAY_FORMATTING = (
    'When quoting durations, use the ready-made *_formatted strings (e.g. "1h30m") '
    "rather than converting decimal hours. When a value has a display block, quote the "
    "display value and unit: they follow the athlete's unit preferences."
)

CAPABILITY_METRICS_NOTE = (
    "derived_metrics.capability describes what the athlete can sustain, not how tired "
    "they are. durability: aerobic decoupling (HR drift against power or pace) of long "
    "steady sessions; below 5 % is good aerobic durability. efficiency_factor: output per "
    "heartbeat (NP / average HR) on steady rides; a rising trend means better aerobic "
    "fitness. hrrc: heart-rate recovery after hard efforts; faster recovery is better. "
    "tid_comparison: training-intensity distribution of the last 7 days against the last "
    "28. power_curve_delta and hr_curve_delta: best efforts of the last 28 days against "
    "the 28 days before, per duration. sustainability_profile: modelled power or pace "
    "the athlete can hold for race-relevant durations, with the model's trust level. "
    "dfa_a1_profile: DFA alpha-1 from HRV streams (AlphaHRV); about 1.0 marks an easy "
    "ceiling, 0.75 the first threshold (LT1/VT1) and 0.5 the second (LT2/VT2). DFA "
    "estimates are validated for cycling only; other sports are indicative. Every block "
    "carries its sample size, a confidence or a reason: when a block is null or says "
    "insufficient data, say so instead of guessing, and weigh low-confidence values "
    "accordingly."
)

READINESS_DECISION_NOTE = (
    "readiness_decision is a pre-computed go / modify / skip suggestion for today. It "
    "checks priorities in order: P0 is a safety stop (very low recovery index or a "
    "tier-1 alarm), P1 a strong skip or modify case backed by more than one signal, P2 "
    "a modify when red or enough amber signals are present, P3 a go. Signals are HRV "
    "and resting HR against the 7-day baseline, sleep, ACWR, recovery index and, at "
    "P2, TSB. The ACWR used here is taken at the start of the day, so today's completed "
    "training does not count against today's decision. When rMSSD HRV is missing but "
    "SDNN exists, the HRV signal is unavailable with reason "
    "rmssd_missing_sdnn_available: the two are different measures and are not mixed. "
    "In race week and in a Taper phase the rule is tighter: one red signal together with "
    "an amber one is a skip. A modification lists its triggers (red signals first, then "
    "amber ones, then tsb) and suggests whether to reduce intensity, volume or both. "
    "load_recovery_ratio is 7-day load divided by (recovery index x 100): about 3 to 8 is "
    "normal, higher means load is outrunning recovery. "
    "Present the decision with its reason and modification; the athlete decides."
)

HEALTH_CONTEXT_NOTE = (
    "health_context lists SICK and INJURED markers from the athlete's calendar: current "
    "(active today), recent (ended within the recent window) and upcoming. A marker "
    "only says the athlete logged it; it carries no severity. When "
    "clarification_required is true, ask the athlete how they are before prescribing "
    "intensity. It is context only and does not feed readiness_decision."
)

WELLNESS_FIELD_SCALES: dict[str, Any] = {
    "note": (
        "Subjective wellness fields use Intervals.icu's 1-4 scales, where 1 is "
        "always the best state and 4 the worst. Do not read them as 1-10 scores."
    ),
    "sleep_quality": {"1": "GREAT", "2": "OK", "3": "POOR", "4": "WORST"},
    "fatigue": {
        "1": "None",
        "2": "Some",
        "3": "High",
        "4": "Extreme",
        "ui_note": "Shown as 'Pre training' fatigue in the Intervals.icu app.",
    },
    "soreness": {
        "1": "None",
        "2": "Some",
        "3": "High",
        "4": "Extreme",
        "ui_note": "Shown as 'Pre training' soreness in the Intervals.icu app.",
    },
    "stress": {"1": "LOW", "2": "AVG", "3": "HIGH", "4": "EXTREME"},
    "mood": {"1": "GREAT", "2": "GOOD", "3": "OK", "4": "GRUMPY"},
    "motivation": {"1": "EXTREME", "2": "HIGH", "3": "AVG", "4": "LOW"},
    "injury": {"1": "NONE", "2": "NIGGLE", "3": "POOR", "4": "INJURED"},
    "hydration": {"1": "GOOD", "2": "OK", "3": "POOR", "4": "BAD"},
    "menstrual": (
        "menstrual_phase and menstrual_phase_predicted are phase names as "
        "recorded in Intervals.icu, not 1-4 scores."
    ),
}


def data_period(days: int) -> str:
    return f"Last {days} days (including today)"


def extended_data_note(days: int, extended_days: int = 28) -> str:
    return (
        f"Baselines, ACWR chronic load and the other 28-day metrics use the last "
        f"{extended_days} days (including today) so trends have enough data; "
        f"recent_activities lists every activity of the last {max(days, extended_days)} "
        f"days. Totals in summary and weekly_summary cover the data_period only."
    )


def zone_preference_text(preference: Mapping[str, str] | None) -> Any:
    """The configured {family: basis} dict, or the default description."""
    return dict(preference) if preference else DEFAULT_ZONE_PREFERENCE


def read_this_first(
    days: int,
    zone_preference: Mapping[str, str] | None,
    quick_stats: Mapping[str, Any],
    extended_days: int = 28,
) -> dict[str, Any]:
    """The READ_THIS_FIRST block, keys in the reference's order (docs/metrics.md#output-layout, docs/metrics.md#ai-text)."""
    return {
        "instruction_for_ai": INSTRUCTION_FOR_AI,
        "display_formatting": DISPLAY_FORMATTING,
        "data_period": data_period(days),
        "extended_data_note": extended_data_note(days, extended_days),
        "capability_metrics_note": CAPABILITY_METRICS_NOTE,
        "readiness_decision_note": READINESS_DECISION_NOTE,
        "health_context_note": HEALTH_CONTEXT_NOTE,
        "zone_preference": zone_preference_text(zone_preference),
        "wellness_field_scales": {
            k: (dict(v) if isinstance(v, dict) else v) for k, v in WELLNESS_FIELD_SCALES.items()
        },
        "quick_stats": dict(quick_stats),
    }
