"""DFA a1 capability profile `capability.dfa_a1_profile` (docs/metrics.md#dfa-a1-profile).

Input: the activity entries of the current intervals.json (retention 14 days),
each `{activity_id, date, start_datetime, type, name, dfa: {...}}`; entries
without a `dfa` block are ignored. The caller passes the retained entries; this
module does not filter by date. The blocks may come from an older cache, so
every field is read defensively (missing or wrongly typed = absent).

DFA is interpretive (Tier 2): nothing here feeds readiness.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..numbers import finite, finite_mean, round_float
from ..sports import DFA_VALIDATED_FAMILIES, INDOOR_CYCLING_TYPES, family_of
from .dfa import (
    BANDS,
    CROSSINGS,
    DWELL_REASON_PRIORITY,
    ESTIMATE_REASON_PRIORITY,
    MIN_ELIGIBLE_SESSIONS,
    TRAILING_WINDOW,
    reason_rank,
)

# marker prefix per crossing block key
_PREFIX = {"easy_guard_crossing": "easy_guard", "lt1_crossing": "lt1", "lt2_crossing": "lt2"}

NOT_VALIDATED_NOTE = (
    "The DFA a1 markers (1.0 easy guard, 0.75 ~LT1/VT1, 0.5 ~LT2/VT2) have been "
    "validated against lab thresholds for cycling only. For this sport read the "
    "heart-rate and power values as indicative, not as threshold estimates."
)


# ----------------------------------------------------------------- helpers


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, Mapping) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _is_sufficient(dfa: Mapping) -> bool:
    return _get(dfa.get("quality"), "sufficient") is True


def _sort_key(entry: Mapping) -> str:
    return _text(entry.get("start_datetime")) or _text(entry.get("date")) or ""


def _tiz_split(dfa: Mapping) -> dict[str, float | int]:
    return {label: finite(_get(dfa.get(key), "pct")) or 0.0 for key, label in BANDS}


def _is_eligible(crossing: Any) -> bool:
    return _get(crossing, "reason") == "ok" and _get(crossing, "estimate_eligible") is True


# ----------------------------------------------------------------- latest session


def _latest_session(entries: list[Mapping]) -> dict:
    """Newest sufficient session, else the newest one with its numbers null (docs/metrics.md#dfa-a1-profile)."""
    chosen = next((e for e in entries if _is_sufficient(e["dfa"])), entries[0])
    dfa = chosen["dfa"]
    sufficient = _is_sufficient(dfa)
    sport = chosen.get("type")
    drift = dfa.get("drift") if sufficient else None
    activity_id = chosen.get("activity_id")
    interpretable = _get(drift, "interpretable")
    return {
        "activity_id": activity_id
        if isinstance(activity_id, (str, int)) and not isinstance(activity_id, bool)
        else None,
        "date": _text(chosen.get("date")),
        "name": _text(chosen.get("name")),
        "sport": _text(sport),
        "validated": family_of(_text(sport)) in DFA_VALIDATED_FAMILIES,
        "avg": finite(dfa.get("avg")) if sufficient else None,
        "tiz_split_pct": _tiz_split(dfa) if sufficient else None,
        "drift_delta": finite(_get(drift, "delta")),
        "drift_interpretable": interpretable if isinstance(interpretable, bool) else None,
        "quality_pct": finite(_get(dfa.get("quality"), "valid_pct")),
        "sufficient": sufficient,
    }


# ----------------------------------------------------------------- trailing by sport


def _pooled(crossing_key: str, field: str, sessions: list[Mapping]) -> tuple[int | None, int]:
    """int-rounded mean of crossing.field over eligible sessions with a value, and their count."""
    values = []
    for entry in sessions:
        crossing = entry["dfa"].get(crossing_key)
        if _is_eligible(crossing):
            value = finite(crossing.get(field))
            if value is not None:
                values.append(value)
    mean = finite_mean(values)
    return (round(mean) if mean is not None else None), len(values)


def _most_common(reasons: list[str], priority: Sequence[str]) -> str | None:
    if not reasons:
        return None
    counts = Counter(reasons)
    return min(counts, key=lambda r: (-counts[r], reason_rank(r, priority)))


def _marker_reason(crossing_key: str, window: list[Mapping], eligible: int) -> str:
    """docs/metrics.md#dfa-a1-profile per-marker reason: ok / insufficient_sessions / the dominant blocker."""
    if eligible >= MIN_ELIGIBLE_SESSIONS:
        return "ok"
    if eligible > 0:
        return "insufficient_sessions"
    crossings = [e["dfa"].get(crossing_key) for e in window]
    crossings = [c for c in crossings if isinstance(c, Mapping)]
    estimate_reasons = [c.get("estimate_reason") for c in crossings if c.get("reason") == "ok"]
    estimate_reasons = [r for r in estimate_reasons if isinstance(r, str) and r != "ok"]
    found = _most_common(estimate_reasons, ESTIMATE_REASON_PRIORITY)
    if found is None:
        dwell = [c.get("reason") for c in crossings]
        dwell = [r for r in dwell if isinstance(r, str) and r != "ok"]
        found = _most_common(dwell, DWELL_REASON_PRIORITY)
    return found or "no_samples_in_band"


def _marker_fields(crossing_key: str, marker: float, window: list[Mapping], cycling: bool) -> dict:
    """Crossing/eligible counts, estimate and reason for one marker over the window."""
    crossings = [e["dfa"].get(crossing_key) for e in window]
    crossing_sessions = sum(1 for c in crossings if _get(c, "reason") == "ok")
    eligible = sum(1 for c in crossings if _is_eligible(c))
    estimate = None
    if eligible >= MIN_ELIGIBLE_SESSIONS:
        hr, _ = _pooled(crossing_key, "avg_hr", window)
        if cycling:
            outdoor = [e for e in window if e.get("type") not in INDOOR_CYCLING_TYPES]
            indoor = [e for e in window if e.get("type") in INDOOR_CYCLING_TYPES]
            w_out, n_out = _pooled(crossing_key, "avg_watts", outdoor)
            w_in, n_in = _pooled(crossing_key, "avg_watts", indoor)
            estimate = {
                "marker_dfa_a1": marker,
                "hr": hr,
                "watts_outdoor": w_out,
                "watts_indoor": w_in,
                "n_sessions": eligible,
                "n_sessions_outdoor": n_out,
                "n_sessions_indoor": n_in,
            }
        else:
            watts, _ = _pooled(crossing_key, "avg_watts", window)
            estimate = {"marker_dfa_a1": marker, "hr": hr, "watts": watts, "n_sessions": eligible}
    return {
        "crossing_sessions": crossing_sessions,
        "eligible_sessions": eligible,
        "estimate": estimate,
        "reason": _marker_reason(crossing_key, window, eligible),
    }


def _confidence(lt1_eligible: int, lt2_eligible: int) -> str | None:
    best = max(lt1_eligible, lt2_eligible)
    if best >= 6:
        return "high"
    if best >= 4:
        return "moderate"
    if best >= MIN_ELIGIBLE_SESSIONS:
        return "low"
    return None


def _family_block(family: str, window: list[Mapping]) -> dict:
    """docs/metrics.md#dfa-a1-profile trailing block for one sport family (window = newest <= 7 sufficient sessions)."""
    dfas = [e["dfa"] for e in window]
    avgs = [v for v in (finite(d.get("avg")) for d in dfas) if v is not None]
    deltas = []
    for d in dfas:
        drift = d.get("drift")
        if _get(drift, "interpretable") is True:
            delta = finite(drift.get("delta"))
            if delta is not None:
                deltas.append(delta)
    valid_pcts = [
        v for v in (finite(_get(d.get("quality"), "valid_pct")) for d in dfas) if v is not None
    ]
    dates = [d for d in (_text(e.get("date")) for e in window) if d]
    cycling = family == "cycling"
    markers = {
        _PREFIX[key]: _marker_fields(key, marker, window, cycling) for key, marker in CROSSINGS
    }

    block: dict[str, Any] = {
        "n_sessions": len(window),
        "date_range": [min(dates), max(dates)] if dates else [None, None],
        "avg_dfa_a1": round_float(finite_mean(avgs), 3),
        "drift_delta_mean": round_float(finite_mean(deltas), 3),
    }
    for prefix in markers:
        block[f"{prefix}_crossing_sessions"] = markers[prefix]["crossing_sessions"]
    for prefix in markers:
        block[f"{prefix}_eligible_sessions"] = markers[prefix]["eligible_sessions"]
    for prefix in markers:
        block[f"{prefix}_estimate"] = markers[prefix]["estimate"]
        block[f"{prefix}_reason"] = markers[prefix]["reason"]
    block["quality_avg_pct"] = round_float(finite_mean(valid_pcts), 1)
    validated = family in DFA_VALIDATED_FAMILIES
    block["validated"] = validated
    block["confidence"] = _confidence(
        markers["lt1"]["eligible_sessions"], markers["lt2"]["eligible_sessions"]
    )
    if not validated:
        block["note"] = NOT_VALIDATED_NOTE
    return block


# ----------------------------------------------------------------- public


def dfa_a1_profile(entries: Sequence[Mapping] | None) -> dict | None:
    """docs/metrics.md#dfa-a1-profile `capability.dfa_a1_profile` from intervals.json activity entries.

    None when no entry carries a dfa block. Sessions are ordered newest first by
    `start_datetime` (fallback `date`); `trailing_by_sport` pools the newest 7
    sufficient sessions of each sport family (unknown types -> "other").
    """
    usable = [
        e for e in (entries or ()) if isinstance(e, Mapping) and isinstance(e.get("dfa"), Mapping)
    ]
    if not usable:
        return None
    ordered = sorted(usable, key=_sort_key, reverse=True)

    windows: dict[str, list[Mapping]] = {}
    for entry in ordered:
        if not _is_sufficient(entry["dfa"]):
            continue
        family = family_of(_text(entry.get("type"))) or "other"
        window = windows.setdefault(family, [])
        if len(window) < TRAILING_WINDOW:
            window.append(entry)
    return {
        "latest_session": _latest_session(ordered),
        "trailing_by_sport": {
            family: _family_block(family, window) for family, window in windows.items()
        },
    }
