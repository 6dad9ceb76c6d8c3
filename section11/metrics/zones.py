"""Zone extraction, 7-day zone distribution and hard days (docs/metrics.md#zones-and-hard-days).

Implements:
  docs/metrics.md#zones-and-hard-days per-activity zone extraction with zone basis and zone_preference,
  docs/metrics.md#zones-and-hard-days ``zone_distribution_7d``,
  docs/metrics.md#zones-and-hard-days ``grey_zone_percentage``, ``quality_intensity_percentage``,
        ``easy_time_ratio`` and their notes,
  docs/metrics.md#zones-and-hard-days the hard-day classifier over per-basis daily zone seconds,
  docs/metrics.md#zones-and-hard-days the hard-day count for a date range (the caller passes the current
        training week) and ``hard_days_note``.

Deliberate deviations from the reference (docs/deviations.md):
  * quirk 5a: a power zone list whose z1..z7 seconds are all zero counts as
    "no power zones", so the activity's HR zones are used instead of a zero
    total labelled "power";
  * quirk 5b: one family lookup everywhere (unmapped types belong to "other"),
    so an activity gets the same basis in the zone distribution, the hard-day
    classifier and the Seiler TID;
  * zone seconds that are negative or implausibly large (> MAX_ZONE_SECS) are
    treated as missing, so corrupt records cannot produce negative or infinite
    totals.

All functions are pure: records and the zone preference come in, dicts go out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from ..model import Activity
from ..numbers import round_half_even

ZONE_KEYS: tuple[str, ...] = ("z1", "z2", "z3", "z4", "z5", "z6", "z7")
BASES: tuple[str, ...] = ("power", "hr")

# More than ~115 days in one zone of one activity is a corrupt record, not data.
MAX_ZONE_SECS = 10_000_000

GREY_ZONE_NOTE = (
    "Share of zone time spent in Z3 (tempo, the 'grey zone' between easy and hard). "
    "Polarized training keeps this as small as possible."
)
QUALITY_INTENSITY_NOTE = (
    "Share of zone time spent in Z4 and above (threshold and harder). "
    "Polarized training aims for about 20%."
)
EASY_TIME_RATIO_NOTE = (
    "Fraction (0-1) of zone time spent in Z1+Z2; about 0.80 is the polarized target. "
    "Formerly called polarisation_index; it is not the Treff polarization index, which "
    "is seiler_tid_*.polarization_index."
)
HARD_DAYS_NOTE = (
    "A day is hard when the zone time of all its activities, added up per basis, reaches "
    "any rung of a ladder. Power: Z3-Z7 >= 30 min, Z4-Z7 >= 10 min, Z5-Z7 >= 5 min, "
    "Z6-Z7 >= 2 min or Z7 >= 1 min. HR: Z4-Z7 >= 10 min or Z5-Z7 >= 5 min. "
    "Counted over the current training week."
)

# docs/metrics.md#zones-and-hard-days ladders: (zones summed, threshold seconds); any rung reached -> hard.
POWER_LADDER: tuple[tuple[tuple[str, ...], int], ...] = (
    (("z3", "z4", "z5", "z6", "z7"), 1800),
    (("z4", "z5", "z6", "z7"), 600),
    (("z5", "z6", "z7"), 300),
    (("z6", "z7"), 120),
    (("z7",), 60),
)
HR_LADDER: tuple[tuple[tuple[str, ...], int], ...] = (
    (("z4", "z5", "z6", "z7"), 600),
    (("z5", "z6", "z7"), 300),
)


def _plausible(secs: float) -> bool:
    return 0 <= secs <= MAX_ZONE_SECS


# ----------------------------------------------------------------- docs/metrics.md#zones-and-hard-days


def power_zones(activity: Activity) -> dict[str, float] | None:
    """Power zone seconds {"z1".."z7"} of one activity (docs/metrics.md#zones-and-hard-days), or None.

    Ids are matched case-insensitively; "SS" (sweet spot overlaps Z3/Z4) and
    other ids are dropped; zeros are kept as keys. A later duplicate id wins,
    as in the reference. Deviation (quirk 5a): a list whose z1..z7 seconds
    add up to zero is None, so it cannot hide real HR zones.
    """
    zones: dict[str, float] = {}
    for zone_id, secs in activity.power_zone_times:
        key = zone_id.lower()
        if key in ZONE_KEYS:
            zones[key] = secs if _plausible(secs) else 0
    if not zones or sum(zones.values()) <= 0:
        return None
    return zones


def hr_zones(activity: Activity) -> dict[str, float] | None:
    """HR zone seconds {"z1".."z7"} of one activity (docs/metrics.md#zones-and-hard-days), or None.

    Index 0 of ``icu_hr_zone_times`` is z1; only the first seven entries are
    read; zero (and implausible) entries are dropped.
    """
    zones = {
        ZONE_KEYS[i]: secs
        for i, secs in enumerate(activity.hr_zone_times[: len(ZONE_KEYS)])
        if secs and _plausible(secs)
    }
    return zones or None


def preferred_basis(activity: Activity, zone_preference: Mapping[str, str] | None) -> str:
    """ "hr" when the activity's family is configured as "hr", else "power" (docs/metrics.md#sport-families, docs/metrics.md#zones-and-hard-days).

    Deviation (quirk 5b): the family lookup always maps unmapped types to
    "other" (the reference used None in some places and "other" in others).
    """
    family = activity.family
    if zone_preference and family is not None and zone_preference.get(family) == "hr":
        return "hr"
    return "power"


def activity_zones(
    activity: Activity, zone_preference: Mapping[str, str] | None
) -> tuple[dict[str, float], str | None]:
    """Chosen zone seconds and basis of one activity (docs/metrics.md#zones-and-hard-days).

    The preferred basis (power unless the family is configured "hr") is used
    when the activity has it, else the other one; ({}, None) when it has neither.
    """
    power = power_zones(activity)
    hr = hr_zones(activity)
    if preferred_basis(activity, zone_preference) == "hr":
        order = ((hr, "hr"), (power, "power"))
    else:
        order = ((power, "power"), (hr, "hr"))
    for zones, basis in order:
        if zones:
            return zones, basis
    return {}, None


def combined_basis(bases: Iterable[str | None]) -> str | None:
    """ "mixed" if more than one distinct basis was used, the one basis, or None (docs/metrics.md#zones-and-hard-days)."""
    used = {b for b in bases if b is not None}
    if len(used) > 1:
        return "mixed"
    return next(iter(used), None)


# ----------------------------------------------------------------- docs/metrics.md#zones-and-hard-days


def zone_totals(activities: Iterable[Activity], zone_preference: Mapping[str, str] | None) -> dict:
    """Seconds of chosen zone time summed over activities (docs/metrics.md#zones-and-hard-days).

    Returns {"z1", "z2", "z3", "z4_plus", "total", "zone_basis"}; total is the
    sum of all chosen zone seconds (zone time, not moving time). Shared by the
    7d distribution, Seiler TID and history tiers.
    """
    z1: float = 0
    z2: float = 0
    z3: float = 0
    z4p: float = 0
    total: float = 0
    bases: list[str] = []
    for activity in activities:
        zones, basis = activity_zones(activity, zone_preference)
        if basis is None:
            continue
        bases.append(basis)
        z1 += zones.get("z1", 0)
        z2 += zones.get("z2", 0)
        z3 += zones.get("z3", 0)
        z4p += sum(zones.get(k, 0) for k in ("z4", "z5", "z6", "z7"))
        total += sum(zones.values())
    return {
        "z1": z1,
        "z2": z2,
        "z3": z3,
        "z4_plus": z4p,
        "total": total,
        "zone_basis": combined_basis(bases),
    }


def _hours(secs: float) -> float:
    return round(secs / 3600, 2)


def zone_distribution_block(
    acts_7d: Iterable[Activity], zone_preference: Mapping[str, str] | None
) -> dict:
    """derived_metrics keys of docs/metrics.md#zones-and-hard-days, in emitted order.

    zone_distribution_7d{z1_hours, z2_hours, z3_hours, z4_plus_hours,
    total_hours, zone_basis}; grey_zone_percentage = z3/total x 100 (1 dp);
    quality_intensity_percentage = z4+/total x 100 (1 dp); easy_time_ratio =
    (z1+z2)/total (2 dp, 0-1). Percentages and ratio are None with no zone time.
    """
    t = zone_totals(acts_7d, zone_preference)
    total = t["total"]
    has_time = total > 0
    return {
        "zone_distribution_7d": {
            "z1_hours": _hours(t["z1"]),
            "z2_hours": _hours(t["z2"]),
            "z3_hours": _hours(t["z3"]),
            "z4_plus_hours": _hours(t["z4_plus"]),
            "total_hours": _hours(total),
            "zone_basis": t["zone_basis"],
        },
        "grey_zone_percentage": round_half_even(t["z3"] / total * 100, 1) if has_time else None,
        "grey_zone_note": GREY_ZONE_NOTE,
        "quality_intensity_percentage": round_half_even(t["z4_plus"] / total * 100, 1)
        if has_time
        else None,
        "quality_intensity_note": QUALITY_INTENSITY_NOTE,
        "easy_time_ratio": round_half_even((t["z1"] + t["z2"]) / total, 2) if has_time else None,
        "easy_time_ratio_note": EASY_TIME_RATIO_NOTE,
    }


# ----------------------------------------------------------------- docs/metrics.md#zones-and-hard-days


def day_zone_seconds(
    activities: Iterable[Activity], zone_preference: Mapping[str, str] | None
) -> dict[date, dict[str, dict[str, float]]]:
    """Per calendar day, chosen zone seconds accumulated separately per basis (docs/metrics.md#zones-and-hard-days input).

    {day: {"power": {z..: secs}, "hr": {z..: secs}}}; a basis key is present only
    when some activity of that day used it. Days whose activities have no zone
    data map to {} (the classifier then says (None, None)); undated activities
    are skipped.
    """
    days: dict[date, dict[str, dict[str, float]]] = {}
    for activity in activities:
        if activity.date is None:
            continue
        per_basis = days.setdefault(activity.date, {})
        zones, basis = activity_zones(activity, zone_preference)
        if basis is None:
            continue
        bucket = per_basis.setdefault(basis, {})
        for key, secs in zones.items():
            bucket[key] = bucket.get(key, 0) + secs
    return days


def _ladder_hit(zones: Mapping[str, float], ladder) -> bool:
    return any(sum(zones.get(k, 0) for k in keys) >= limit for keys, limit in ladder)


def classify_hard_day(
    per_basis: Mapping[str, Mapping[str, float]] | None,
) -> tuple[bool | None, str | None]:
    """Hard-day classifier for one day's per-basis zone seconds (docs/metrics.md#zones-and-hard-days).

    (None, None) without any basis; otherwise (is_hard, basis) where basis is
    "mixed" when both bases are present. Power is hard at Z3+ >= 1800 s,
    Z4+ >= 600 s, Z5+ >= 300 s, Z6+ >= 120 s or Z7 >= 60 s; HR at Z4+ >= 600 s
    or Z5+ >= 300 s.
    """
    per_basis = per_basis or {}
    power = per_basis.get("power")
    hr = per_basis.get("hr")
    if power is None and hr is None:
        return None, None
    power_hard = power is not None and _ladder_hit(power, POWER_LADDER)
    hr_hard = hr is not None and _ladder_hit(hr, HR_LADDER)
    if power is not None and hr is not None:
        basis = "mixed"
    else:
        basis = "power" if power is not None else "hr"
    return power_hard or hr_hard, basis


def hard_days(
    activities: Iterable[Activity],
    start: date,
    end: date,
    zone_preference: Mapping[str, str] | None,
) -> int:
    """Number of hard days (docs/metrics.md#zones-and-hard-days) among dates start..end inclusive (docs/metrics.md#zones-and-hard-days / docs/metrics.md#weekly-rows).

    For ``hard_days_this_week`` the caller passes the current training week
    start and today (or the week's end) with the 28-day activity list.
    """
    in_range = [a for a in activities if a.date is not None and start <= a.date <= end]
    return sum(
        1
        for per_basis in day_zone_seconds(in_range, zone_preference).values()
        if classify_hard_day(per_basis)[0]
    )


def hard_days_note() -> str:
    """``derived_metrics.hard_days_note``: the hard-day ladders in words (docs/metrics.md#ai-text, docs/metrics.md#zones-and-hard-days)."""
    return HARD_DAYS_NOTE
