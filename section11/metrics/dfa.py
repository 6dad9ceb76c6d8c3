"""DFA a1 (AlphaHRV) per-session block and compact summary (docs/metrics.md#dfa-a1-docs/metrics.md#dfa-a1).

docs/metrics.md#dfa-a1 constants, docs/metrics.md#dfa-a1 the per-session `dfa` block stored in intervals.json
(quality gate, percentiles, time in DFA bands, drift, and the three marker
crossing blocks with segment detection, gap bridging, dwell reasons and the
per-segment estimate eligibility), docs/metrics.md#dfa-a1 the compact `dfa_summary` attached to
recent_activities[].

Input is the raw list returned by `GET /activity/{id}/streams` (a list of
`{type, data, ...}` dicts). Only `dfa_a1`, `artifacts`, `heartrate` and `watts`
are read; everything else is ignored. Pure: no I/O, no clock.

Cost is linear in the number of samples: one pass to normalise and filter,
one pass per band family, one per marker; each qualifying segment's span check
touches only its own samples plus a lookback bounded by 200 beats.

Decisions (see docs/deviations.md):
* A `dfa_a1` stream whose data is missing or empty yields no block (None), the
  same as no stream: there is nothing to describe.
* Heart-rate averages (band `avg_hr`, crossing `avg_hr`) skip samples <= 0
  (strap dropouts) instead of averaging the zeros in; the estimate-eligibility
  rules already treat them as unknown heart rate.
* Rounded drift deltas never come out as negative zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeGuard

from ..numbers import finite, finite_float, finite_mean, round_float, round_int

# ----------------------------------------------------------------- docs/metrics.md#dfa-a1 constants

EASY_GUARD_MARKER = 1.0
LT1_MARKER = 0.75
LT2_MARKER = 0.5
MARKER_HALF_BAND = 0.05
MIN_DWELL_SAMPLES = 60
MAX_BRIDGED_GAP = 5
MIN_ELIGIBLE_SESSIONS = 3
ARTIFACT_DROP_PCT = 5.0
MIN_VALID_A1 = 0.01
SUFFICIENT_MIN_VALID = 1200
SUFFICIENT_MIN_PCT = 70.0
DRIFT_MAX_SUPRA_PCT = 15.0
DRIFT_MIN_THIRD = 60
POWER_CV_LIMIT_PCT = 12.0
LOOKBACK_BEATS = 200
TRAILING_WINDOW = 7

ESTIMATE_REASON_PRIORITY: tuple[str, ...] = (
    "lookback_incomplete",
    "lookback_gap",
    "unknown_artifact",
    "excessive_artifact",
    "unknown_hr",
    "unknown_power",
    "non_positive_power_mean",
    "non_stationary_power",
)
DWELL_REASON_PRIORITY: tuple[str, ...] = (
    "no_samples_in_band",
    "insufficient_total_dwell",
    "no_contiguous_dwell",
)

# (block key, marker) in emitted order
CROSSINGS: tuple[tuple[str, float], ...] = (
    ("easy_guard_crossing", EASY_GUARD_MARKER),
    ("lt1_crossing", LT1_MARKER),
    ("lt2_crossing", LT2_MARKER),
)
# (block key, summary label) in emitted order
BANDS: tuple[tuple[str, str], ...] = (
    ("tiz_easy", "easy"),
    ("tiz_endurance", "endurance"),
    ("tiz_tempo", "tempo"),
    ("tiz_supra", "supra"),
)
_STREAM_TYPES = ("dfa_a1", "artifacts", "heartrate", "watts")


# ----------------------------------------------------------------- helpers


def reason_rank(reason: str, priority: Sequence[str]) -> tuple[int, str]:
    """Sort key: listed reasons in their priority order, unknown ones after, by name."""
    try:
        return (priority.index(reason), reason)
    except ValueError:
        return (len(priority), reason)


def _streams_by_type(streams: Any) -> dict[str, Sequence[Any]]:
    """type -> data list for the four DFA streams (last one wins on duplicates)."""
    found: dict[str, Sequence[Any]] = {}
    if not isinstance(streams, (list, tuple)):
        return found
    for stream in streams:
        if not isinstance(stream, Mapping):
            continue
        kind = stream.get("type")
        if kind in _STREAM_TYPES:
            data = stream.get("data")
            if isinstance(data, (list, tuple)):
                found[kind] = data
            else:
                found.pop(kind, None)
    return found


def _aligned(data: Sequence | None, n: int) -> list[float | None]:
    """Normalised copy of a stream padded with None / truncated to n samples."""
    if not data:
        return [None] * n
    out = [finite_float(v) for v in data[:n]]
    if len(out) < n:
        out.extend([None] * (n - len(out)))
    return out


# ----------------------------------------------------------------- quality


def _quality(n: int, valid: int, artifact_values: list[float]) -> dict:
    """docs/metrics.md#dfa-a1 `quality` sub-block."""
    art_cnt = len(artifact_values)
    valid_pct = round(100 * valid / n, 1) if n else 0.0
    if art_cnt == 0:
        state = "absent"
    elif art_cnt == n:
        state = "complete"
    else:
        state = "partial"
    rate = finite_mean(artifact_values)
    return {
        "valid_secs": valid,
        "total_secs": n,
        "valid_pct": valid_pct,
        "artifact_state": state,
        "artifact_coverage_pct": round(100 * art_cnt / n, 3) if n else 0.0,
        "artifact_rate_avg": round(rate, 2) if rate is not None else None,
        "sufficient": valid >= SUFFICIENT_MIN_VALID and valid_pct >= SUFFICIENT_MIN_PCT,
    }


def _empty_block(quality: dict) -> dict:
    block: dict[str, Any] = {key: None for key in ("avg", "p25", "p50", "p75")}
    for key, _ in BANDS:
        block[key] = None
    block["drift"] = None
    for key, _ in CROSSINGS:
        block[key] = None
    block["quality"] = quality
    return block


# ----------------------------------------------------------------- bands and drift


def _band_index(a1: float) -> int:
    """0 easy (> 1.0), 1 endurance (0.75..1.0), 2 tempo (0.5..<0.75), 3 supra (< 0.5)."""
    if a1 > 1.0:
        return 0
    if a1 >= 0.75:
        return 1
    if a1 >= 0.5:
        return 2
    return 3


def _avg_hr(values: Iterable[float | None]) -> int | None:
    """int-rounded mean heart rate over known samples (> 0; zeros are dropouts)."""
    return round_int(finite_mean([v for v in values if v is not None and v > 0]))


def _avg_watts(values: Iterable[float | None]) -> int | None:
    """int-rounded mean power over known samples (coasting zeros count)."""
    return round_int(finite_mean([v for v in values if v is not None]))


def _bands(
    kept_idx: list[int], kept_a1: list[float], hr: list[float | None], watts: list[float | None]
) -> dict:
    """docs/metrics.md#dfa-a1 tiz_easy / tiz_endurance / tiz_tempo / tiz_supra (null when empty)."""
    members: list[list[int]] = [[], [], [], []]
    for i, a1 in zip(kept_idx, kept_a1):
        members[_band_index(a1)].append(i)
    m = len(kept_a1)
    out: dict[str, Any] = {}
    for (key, _), idx in zip(BANDS, members):
        if not idx:
            out[key] = None
            continue
        out[key] = {
            "secs": len(idx),
            "pct": round(100 * len(idx) / m, 1),
            "avg_hr": _avg_hr(hr[i] for i in idx),
            "avg_watts": _avg_watts(watts[i] for i in idx),
        }
    return out


def _drift(kept_a1: list[float], supra: dict | None) -> dict | None:
    """docs/metrics.md#dfa-a1 drift: first vs last third of the valid samples (needs a third >= 60)."""
    third = len(kept_a1) // 3
    if third < DRIFT_MIN_THIRD:
        return None
    first = round_float(finite_mean(kept_a1[:third]), 3)
    last = round_float(finite_mean(kept_a1[-third:]), 3)
    delta = round_float(last - first, 3) if first is not None and last is not None else None
    supra_pct = supra["pct"] if supra else 0.0
    return {
        "first_third_avg": first,
        "last_third_avg": last,
        "delta": delta,
        "interpretable": supra_pct <= DRIFT_MAX_SUPRA_PCT,
    }


# ----------------------------------------------------------------- crossings


def _segments(kept_idx: list[int], kept_a1: list[float], lo: float, hi: float) -> list[list[int]]:
    """In-band sample indices grouped into segments; gaps of <= 5 samples are bridged."""
    segments: list[list[int]] = []
    current: list[int] | None = None
    previous = -1
    for i, a1 in zip(kept_idx, kept_a1):
        if not (lo <= a1 <= hi):
            continue
        if current is None or i - previous - 1 > MAX_BRIDGED_GAP:
            current = []
            segments.append(current)
        current.append(i)
        previous = i
    return segments


class _Lookback:
    """Prefix sums of beats and the last unusable heart-rate sample before each index.

    Lets a segment whose lookback can never reach 200 beats fail without walking
    (matters only for implausibly low heart rates, where the walk would be long).
    """

    def __init__(self, hr: Sequence[float | None]):
        self.prefix = prefix = [0.0] * (len(hr) + 1)
        self.last_bad = last_bad = [-1] * len(hr)
        total, bad = 0.0, -1
        for i, h in enumerate(hr):
            if h is None or h <= 0:
                bad = i
            else:
                total += h / 60
            prefix[i + 1] = total
            last_bad[i] = bad

    def certain_failure(self, start: int) -> str | None:
        """The lookback reason if the beats before `start` clearly fall short of 200."""
        if start <= 0:
            return "lookback_incomplete"
        bad = self.last_bad[start - 1]
        available = self.prefix[start] - self.prefix[bad + 1]
        if available < LOOKBACK_BEATS - 1e-6:  # margin: float sums; near 200 walk exactly
            return "lookback_gap" if bad >= 0 else "lookback_incomplete"
        return None


def _complete(values: Sequence[float | None]) -> TypeGuard[Sequence[float]]:
    """True when no sample of the span is missing (None)."""
    return None not in values


def segment_estimate_reason(
    start: int,
    end: int,
    hr: Sequence[float | None],
    watts: Sequence[float | None],
    artifacts: Sequence[float | None],
    lookback: _Lookback | None = None,
) -> str:
    """docs/metrics.md#dfa-a1 segment estimate eligibility over the full-length normalised streams.

    Walks back from `start` until 200 beats are covered, then checks artifacts,
    heart rate and power over lookback + segment (original indices start..end).
    """
    if lookback is not None:
        shortfall = lookback.certain_failure(start)
        if shortfall is not None:
            return shortfall
    beats = 0.0
    i = start - 1
    while i >= 0 and beats < LOOKBACK_BEATS:
        h = hr[i]
        if h is None or h <= 0:
            return "lookback_gap"
        beats += h / 60
        i -= 1
    if beats < LOOKBACK_BEATS:
        return "lookback_incomplete"
    lo, hi = i + 1, end + 1
    span_art = artifacts[lo:hi]
    if not _complete(span_art):
        return "unknown_artifact"
    if max(span_art) > ARTIFACT_DROP_PCT:
        return "excessive_artifact"
    span_hr = hr[lo:hi]
    if not _complete(span_hr) or min(span_hr) <= 0:
        return "unknown_hr"
    span_w = watts[lo:hi]
    if not _complete(span_w):
        return "unknown_power"
    mean_w = finite_mean(span_w)
    if mean_w is None:  # not representable: treat as unusable power
        return "non_stationary_power"
    if mean_w <= 0:
        return "non_positive_power_mean"
    if _cv_pct(span_w, mean_w) > POWER_CV_LIMIT_PCT:
        return "non_stationary_power"
    return "ok"


class _LazyLookback:
    """Builds the _Lookback index on first use (sessions without segments skip it)."""

    def __init__(self, hr: Sequence[float | None]):
        self._hr = hr
        self._index: _Lookback | None = None

    def get(self) -> _Lookback:
        if self._index is None:
            self._index = _Lookback(self._hr)
        return self._index


def _cv_pct(values: Sequence[float], mean_value: float) -> float:
    """100 * population sd / mean (inf when the spread is not representable)."""
    n = len(values)
    try:
        variance = math.fsum((v - mean_value) * (v - mean_value) for v in values) / n
    except OverflowError:
        return math.inf
    if not math.isfinite(variance):
        return math.inf
    return 100 * math.sqrt(variance) / mean_value


def _crossing(
    marker: float,
    kept_idx: list[int],
    kept_a1: list[float],
    hr: list[float | None],
    watts: list[float | None],
    artifacts: list[float | None],
    lookback: _LazyLookback,
) -> dict:
    """docs/metrics.md#dfa-a1 crossing block for one marker (band marker +/- 0.05)."""
    lo, hi = marker - MARKER_HALF_BAND, marker + MARKER_HALF_BAND
    segments = _segments(kept_idx, kept_a1, lo, hi)
    total = sum(len(s) for s in segments)
    qualifying = [s for s in segments if len(s) >= MIN_DWELL_SAMPLES]
    if total == 0:
        reason = "no_samples_in_band"
    elif total < MIN_DWELL_SAMPLES:
        reason = "insufficient_total_dwell"
    elif not qualifying:
        reason = "no_contiguous_dwell"
    else:
        reason = "ok"
    seg_reasons = [
        segment_estimate_reason(s[0], s[-1], hr, watts, artifacts, lookback.get())
        for s in qualifying
    ]
    failing = [r for r in seg_reasons if r != "ok"]
    if reason != "ok":
        eligible, estimate_reason = False, reason
    elif not failing:
        eligible, estimate_reason = True, "ok"
    else:
        eligible = False
        estimate_reason = min(failing, key=lambda r: reason_rank(r, ESTIMATE_REASON_PRIORITY))
    pooled = [i for s in qualifying for i in s]
    return {
        "marker_dfa_a1": marker,
        "secs_in_band": total,
        "contiguous_secs": max((len(s) for s in segments), default=0),
        "n_qualifying_segments": len(qualifying),
        "n_eligible_segments": len(seg_reasons) - len(failing),
        "reason": reason,
        "estimate_eligible": eligible,
        "estimate_reason": estimate_reason,
        "avg_hr": _avg_hr(hr[i] for i in pooled) if pooled else None,
        "avg_watts": _avg_watts(watts[i] for i in pooled) if pooled else None,
    }


# ----------------------------------------------------------------- docs/metrics.md#dfa-a1 block


def dfa_block(streams: Any) -> dict | None:
    """docs/metrics.md#dfa-a1 per-session `dfa` block from the raw streams list; None without dfa_a1 data."""
    by_type = _streams_by_type(streams)
    raw_a1 = by_type.get("dfa_a1")
    if not raw_a1:
        return None
    n = len(raw_a1)
    a1 = _aligned(raw_a1, n)
    artifacts = [
        a if a is not None and a >= 0 else None for a in _aligned(by_type.get("artifacts"), n)
    ]
    hr = _aligned(by_type.get("heartrate"), n)
    watts = _aligned(by_type.get("watts"), n)

    kept_idx: list[int] = []
    kept_a1: list[float] = []
    for i, (x, art) in enumerate(zip(a1, artifacts)):
        if x is None or x < MIN_VALID_A1:
            continue
        if art is not None and art > ARTIFACT_DROP_PCT:
            continue
        kept_idx.append(i)
        kept_a1.append(x)
    quality = _quality(n, len(kept_a1), [a for a in artifacts if a is not None])
    if not quality["sufficient"]:
        return _empty_block(quality)

    m = len(kept_a1)
    ordered = sorted(kept_a1)
    block: dict[str, Any] = {
        "avg": round_float(finite_mean(kept_a1), 3),
        "p25": round(ordered[m // 4], 3),
        "p50": round(ordered[m // 2], 3),
        "p75": round(ordered[(3 * m) // 4], 3),
    }
    block.update(_bands(kept_idx, kept_a1, hr, watts))
    block["drift"] = _drift(kept_a1, block["tiz_supra"])
    lookback = _LazyLookback(hr)
    for key, marker in CROSSINGS:
        block[key] = _crossing(marker, kept_idx, kept_a1, hr, watts, artifacts, lookback)
    block["quality"] = quality
    return block


# ----------------------------------------------------------------- docs/metrics.md#dfa-a1 summary


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, Mapping) else None


def dfa_summary(block: Mapping | None) -> dict | None:
    """docs/metrics.md#dfa-a1 compact `dfa_summary`; None unless the block's quality is sufficient."""
    if not isinstance(block, Mapping) or _get(block.get("quality"), "sufficient") is not True:
        return None
    tiz_pct: dict[str, float] = {}
    secs: dict[str, float] = {}
    for key, label in BANDS:
        band = block.get(key)
        tiz_pct[label] = finite(_get(band, "pct")) or 0.0
        secs[label] = finite(_get(band, "secs")) or 0
    dominant = None
    for _, label in reversed(BANDS):  # supra first: exact ties go to the higher intensity
        if dominant is None or secs[label] > secs[dominant]:
            dominant = label
    summary: dict[str, Any] = {
        "avg": finite(block.get("avg")),
        "dominant_band": dominant,
        "tiz_pct": tiz_pct,
        "valid_pct": finite(_get(block.get("quality"), "valid_pct")),
        "sufficient": True,
    }
    drift = block.get("drift")
    delta = finite(_get(drift, "delta"))
    if delta is not None:
        interpretable = _get(drift, "interpretable")
        summary["drift_delta"] = delta
        summary["drift_interpretable"] = interpretable if isinstance(interpretable, bool) else None
    for key, prefix in (("lt1_crossing", "lt1"), ("lt2_crossing", "lt2")):
        crossing = block.get(key)
        if _get(crossing, "estimate_eligible") is not True:
            continue
        for field, name in (("avg_watts", "watts"), ("avg_hr", "hr")):
            value = finite(_get(crossing, field))
            if value is not None:
                summary[f"{prefix}_{name}"] = value
    return summary
