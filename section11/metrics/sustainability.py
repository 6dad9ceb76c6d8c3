"""Sustainability profile: what the athlete sustains for 1 min .. 2 h (docs/metrics.md#sustainability).

Pure functions. The pipeline asks `sustainability_families(acts_28d)` which
families are active and which sport types to fetch, requests one power curve
and one HR curve per type for the 42-day window (`sustainability_curve_id`),
and passes the parsed curves (`{type: {curve id: Curve}}`) to
`sustainability_profile`.

Deliberate deviations from the reference (docs/deviations.md):
* quirk 12: a family whose power curve has fewer than 2 anchors, but whose HR
  curve has at least 2, keeps its anchors (HR and %LTHR, power fields null)
  with a note, instead of losing everything;
* ftp_staleness_days is measured on the FTP series (outdoor or indoor) that
  supplied ftp_used, not on the newest change of either series;
* non-positive weights, FTP, W' and LTHR are treated as missing (no division
  by zero, no negative model watts).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from ..curve_model import Curve
from ..numbers import finite, round_half_even
from ..sports import family_of
from ..wellness_model import Wellness
from .curves import curve_id

WINDOW_DAYS = 42
MIN_OBSERVED = 2

# family -> sport types fetched (outdoor first) and anchor durations (s)
FAMILY_TYPES: dict[str, tuple[str, ...]] = {
    "cycling": ("Ride", "VirtualRide"),
    "ski": ("NordicSki", "VirtualSki"),
    "rowing": ("Rowing", "VirtualRow"),
}
FAMILY_ANCHORS: dict[str, tuple[int, ...]] = {
    "cycling": (300, 600, 1200, 1800, 3600, 5400, 7200),
    "ski": (60, 120, 300, 600, 1200, 1800),
    "rowing": (60, 120, 300, 600, 1200, 1800),
}
INDOOR_TYPES = frozenset({"VirtualRide"})  # "observed_indoor" (cycling only)
# Coggan-style share of FTP a trained rider sustains for d seconds
COGGAN_FACTORS: dict[int, float] = {
    300: 1.06,
    600: 0.97,
    1200: 0.93,
    1800: 0.90,
    3600: 0.86,
    5400: 0.82,
    7200: 0.78,
}
STALE_FTP_DAYS = 90

NO_FAMILY_NOTE = (
    "No cycling, ski or rowing activity in the last 28 days, so no sustainability "
    "curves were requested."
)
NO_CURVES_NOTE = (
    "No power or heart-rate curves were available for the 42-day window (the requests "
    "failed or returned nothing)."
)


# ----------------------------------------------------------------- windows


def sustainability_window(today: date) -> dict:
    """The 42-day window today-41 .. today as `{days, start, end}` (ISO dates)."""
    start = today - timedelta(days=WINDOW_DAYS - 1)
    return {"days": WINDOW_DAYS, "start": start.isoformat(), "end": today.isoformat()}


def sustainability_curve_id(today: date) -> str:
    """Curve id `r.{today-41}.{today}` to request for every sustainability type."""
    return curve_id(today - timedelta(days=WINDOW_DAYS - 1), today)


def sustainability_families(acts_28d: Iterable) -> dict[str, tuple[str, ...]]:
    """Active families (cycling, ski, rowing; table order) -> sport types to fetch.

    A family is active with >= 1 activity of any of its mapped types in the 28-day
    list (e.g. a GravelRide activates cycling, though only Ride and VirtualRide
    curves are fetched).
    """
    present = {family_of(a.type, None) for a in acts_28d}
    return {family: types for family, types in FAMILY_TYPES.items() if family in present}


# ----------------------------------------------------------------- shared inputs


def _positive(value: float | None) -> float | None:
    value = finite(value)
    return value if value is not None and value > 0 else None


def _ratio(numerator, denominator, digits: int, scale: float = 1.0) -> float | None:
    if numerator is None or _positive(denominator) is None:
        return None
    return round_half_even(numerator / denominator * scale, digits)


def body_weight(
    wellness_7d: Iterable[Wellness], wellness_28d: Iterable[Wellness], athlete_weight: float | None
) -> tuple[float | None, str | None]:
    """(weight_kg round 1, weight_source) per docs/metrics.md#sustainability: newest display-window weigh-in
    ("wellness_recent"), newest 28-day weigh-in ("wellness_extended"), the athlete
    profile weight ("athlete_profile"), else (None, None)."""
    for records, source in ((wellness_7d, "wellness_recent"), (wellness_28d, "wellness_extended")):
        for record in sorted(records, key=lambda w: w.date, reverse=True):
            weight = _positive(record.weight)
            if weight is not None:
                return round(float(weight), 1), source
    weight = _positive(athlete_weight)
    if weight is not None:
        return round(float(weight), 1), "athlete_profile"
    return None, None


def _history_dates(series) -> list[date]:
    dates = []
    for key in series or {}:
        try:
            dates.append(date.fromisoformat(str(key)[:10]))
        except ValueError:
            continue
    return dates


def ftp_staleness_days(
    ftp_history: Mapping[str, Mapping[str, float]] | None, today: date, series: str | None = None
) -> int | None:
    """Days since ftp_history.json last recorded an FTP change (docs/metrics.md#sustainability).

    `series` ("outdoor"/"indoor") restricts the count to the FTP actually used;
    when that series is empty (or `series` is None) both series count, as in the
    reference. Dates are sync dates, not test dates. Never negative.
    """
    history = ftp_history or {}
    dates = _history_dates(history.get(series)) if series else []
    if not dates:
        dates = _history_dates(history.get("outdoor")) + _history_dates(history.get("indoor"))
    if not dates:
        return None
    return max(0, (today - max(dates)).days)


def cycling_ftp(thresholds_sports: Mapping[str, Mapping] | None) -> tuple[float | None, str | None]:
    """(user-set cycling FTP, ftp_history series): `ftp` ("outdoor"), else
    `ftp_indoor` ("indoor"); not eFTP. Non-positive values are missing."""
    entry = (thresholds_sports or {}).get("cycling") or {}
    outdoor = _positive(entry.get("ftp"))
    if outdoor is not None:
        return outdoor, "outdoor"
    indoor = _positive(entry.get("ftp_indoor"))
    if indoor is not None:
        return indoor, "indoor"
    return None, None


# ----------------------------------------------------------------- per family


def _best_power(curves: Iterable[tuple[str, Curve | None]], secs: int):
    """(max positive watts at exactly `secs`, its sport type); ties keep the first."""
    best, best_type = None, None
    for sport_type, curve in curves:
        value = curve.at(secs) if curve is not None else None
        if value is not None and (best is None or value > best):
            best, best_type = value, sport_type
    return best, best_type


def _best_hr(curves: Iterable[Curve | None], secs: int) -> int | None:
    at_secs = (c.at(secs) for c in curves if c is not None)
    values = [round(v) for v in at_secs if v is not None]
    return max(values) if values else None


def _source(family: str, sport_type: str | None) -> str | None:
    if sport_type is None:
        return None
    if family != "cycling":
        return "observed"
    return "observed_indoor" if sport_type in INDOOR_TYPES else "observed_outdoor"


def _anchor(family: str, secs: int, watts, watts_type, hr, weight, lthr, ftp, w_prime) -> dict:
    entry = {
        "actual_watts": watts,
        "actual_wpkg": _ratio(watts, weight, 2),
        "actual_hr": hr,
        "pct_lthr": _ratio(hr, lthr, 1, 100.0),
        "source": _source(family, watts_type),
    }
    if family == "cycling":
        coggan = cp = None
        if ftp is not None and math.isfinite(ftp * COGGAN_FACTORS[secs]):
            coggan = round(ftp * COGGAN_FACTORS[secs])
        if ftp is not None and w_prime is not None:
            cp_value = ftp + w_prime / secs
            cp = round(cp_value) if math.isfinite(cp_value) else None
        divergence = None
        if watts is not None and _positive(cp) is not None:
            diff = (watts - cp) / cp * 100
            divergence = round(diff, 1) + 0.0 if math.isfinite(diff) else None
        entry.update(
            {
                "coggan_watts": coggan,
                "coggan_wpkg": _ratio(coggan, weight, 2),
                "cp_model_watts": cp,
                "cp_model_wpkg": _ratio(cp, weight, 2),
                "model_divergence_pct": divergence,
            }
        )
    return entry


def _model_trust_note(ftp, w_prime, staleness) -> str:
    parts = [
        "coggan_* = FTP x typical share sustained for that duration (population "
        "ratios, not the athlete's own); cp_model_* = FTP + W'/duration, using FTP as "
        "critical power, which overstates short durations and is rough beyond ~20 min. "
        "model_divergence_pct = observed vs CP model; a negative value at long "
        "durations often just means no maximal effort of that length in 42 days."
    ]
    if ftp is None:
        parts.append("No user-set cycling FTP, so the model columns are null.")
    elif w_prime is None:
        parts.append("No W' in today's power model, so the CP-model columns are null.")
    if staleness is None:
        parts.append("FTP age unknown (no ftp_history entries).")
    elif staleness > STALE_FTP_DAYS:
        parts.append(
            f"The FTP value has not changed for {staleness} days; if it was not "
            "re-tested, the model columns may be off."
        )
    return " ".join(parts)


def _family_block(
    family: str,
    power: list[tuple[str, Curve | None]],
    hr: list[Curve | None],
    weight,
    lthr,
    ftp,
    w_prime,
    staleness,
) -> dict:
    """One family of docs/metrics.md#sustainability (anchors, coverage, cycling model fields)."""
    anchors = FAMILY_ANCHORS[family]
    measured = {}
    for secs in anchors:
        watts, watts_type = _best_power(power, secs)
        measured[secs] = (watts, watts_type, _best_hr(hr, secs))
    n_power = sum(m[0] is not None for m in measured.values())
    n_hr = sum(m[2] is not None for m in measured.values())
    coverage = round(n_power / len(anchors), 2)
    if n_power < MIN_OBSERVED and n_hr < MIN_OBSERVED:
        return {
            "anchors": None,
            "coverage_ratio": coverage,
            "note": (
                f"Too little data in 42 days: {n_power} of {len(anchors)} power "
                f"anchors and {n_hr} heart-rate anchors observed (at least "
                f"{MIN_OBSERVED} needed)."
            ),
        }
    block: dict = {
        "anchors": {
            f"{secs}s": _anchor(family, secs, *measured[secs], weight, lthr, ftp, w_prime)
            for secs in anchors
        },
        "coverage_ratio": coverage,
    }
    if n_power < MIN_OBSERVED:
        block["note"] = (
            f"Only {n_power} of {len(anchors)} power anchors observed in 42 "
            f"days (HR-only training or no power meter); heart-rate anchors "
            f"({n_hr}) are shown, power columns are incomplete."
        )
    if family == "cycling":
        block.update(
            {
                "ftp_used": ftp,
                "w_prime_used": w_prime,
                "ftp_staleness_days": staleness,
                "model_trust_note": _model_trust_note(ftp, w_prime, staleness),
            }
        )
    return block


# ----------------------------------------------------------------- profile


def sustainability_profile(
    power_by_type: Mapping[str, Mapping[str, Curve]] | None,
    hr_by_type: Mapping[str, Mapping[str, Curve]] | None,
    today: date,
    wellness_7d: Iterable[Wellness],
    wellness_28d: Iterable[Wellness],
    athlete_weight: float | None,
    thresholds_sports: Mapping[str, Mapping] | None,
    w_prime: float | None,
    ftp_history: Mapping[str, Mapping[str, float]] | None,
    families: Iterable[str] | None = None,
) -> dict:
    """`capability.sustainability_profile` (docs/metrics.md#sustainability).

    power_by_type / hr_by_type: sport type -> {curve id -> Curve} for the 42-day
    window (a type whose fetch failed is simply absent). `families`: the active
    families (keys of `sustainability_families`); when None, the families whose
    types appear in either mapping. thresholds_sports: the docs/metrics.md#thresholds-and-profile per-family dict
    (lthr, ftp, ftp_indoor). w_prime: the power model's W' in joules.
    """
    power_by_type = power_by_type or {}
    hr_by_type = hr_by_type or {}
    window = sustainability_window(today)
    if families is None:
        present = set(power_by_type) | set(hr_by_type)
        families = [f for f, types in FAMILY_TYPES.items() if present & set(types)]
    wanted = set(families)
    active = [f for f in FAMILY_TYPES if f in wanted]
    if not active:
        return {"note": NO_FAMILY_NOTE, "window": window}

    cid = sustainability_curve_id(today)
    curves = {}
    for family in active:
        types = FAMILY_TYPES[family]
        power = [(t, (power_by_type.get(t) or {}).get(cid)) for t in types]
        hr = [(hr_by_type.get(t) or {}).get(cid) for t in types]
        curves[family] = (power, hr)
    fetched = [c for power, hr in curves.values() for c in [p for _, p in power] + hr]
    if all(c is None for c in fetched):
        return {"note": NO_CURVES_NOTE, "window": window}

    weight, weight_source = body_weight(wellness_7d, wellness_28d, athlete_weight)
    ftp, ftp_series = cycling_ftp(thresholds_sports)
    staleness = ftp_staleness_days(ftp_history, today, ftp_series)
    wp = _positive(w_prime)
    profile: dict = {"window": window, "weight_kg": weight, "weight_source": weight_source}
    for family in active:
        power, hr = curves[family]
        lthr = _positive(((thresholds_sports or {}).get(family) or {}).get("lthr"))
        profile[family] = _family_block(family, power, hr, weight, lthr, ftp, wp, staleness)
    return profile
