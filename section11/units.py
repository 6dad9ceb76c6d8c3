"""Unit preferences and unit conversion into `display` blocks.

Every number in the outputs is stored in a canonical metric unit (km, m, m/km,
kg, metres for height, km/h). Next to it, a `display` block carries the same
value converted to the athlete's preferred unit, so an AI reader can quote the
athlete's own units without doing arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .model import Athlete
from .sports import family_of

# The reference only knew MPS/KPH/MPH, MM/IN and height "IN"; the API's actual
# enums are MPS|KNOTS|KMH|MPH|BFT, MM|INCHES and CM|FEET (docs/architecture.md#api-client
# docs/metrics.md#sport-families), so km/h, inch and feet users fell back to metric labels. Both spellings
# are accepted here (docs/deviations.md).
WIND_UNITS = {"MPS": "m/s", "KPH": "km/h", "KMH": "km/h", "MPH": "mph", "KNOTS": "kn", "BFT": "Bft"}
RAIN_UNITS = {"MM": "mm", "IN": "in", "INCHES": "in"}
IMPERIAL_HEIGHT_UNITS = frozenset({"IN", "FEET"})

METRIC_UNITS: Mapping[str, str] = {
    "wind": "m/s",
    "temp": "c",
    "rain": "mm",
    "distance": "metric",
    "weight": "kg",
    "height": "cm",
}

KM_TO_MI = 0.621371
M_TO_FT = 3.28084
M_PER_KM_TO_FT_PER_MI = 5.28
KG_TO_LB = 2.20462
M_TO_IN = 39.3701

# Pace is time over a distance that depends on the sport: per km on foot, per 100 m in
# the water; other sports (rides, rowing, strength) have no pace.
PACE_DISTANCE_M: Mapping[str, int] = {"run": 1000, "walk": 1000, "swim": 100}
PACE_UNIT_LABEL: Mapping[int, str] = {1000: "km", 100: "100m"}

KINDS = ("distance", "elevation", "elevation_per_distance", "weight", "height", "speed")


def unit_preferences(athlete: Athlete | None) -> dict[str, str]:
    """The athlete's unit dict {wind, temp, rain, distance, weight, height} (docs/metrics.md#units).

    Also emitted as `athlete_profile.display_preferences`.
    """
    if athlete is None:
        return dict(METRIC_UNITS)
    pref = athlete.measurement_preference
    return {
        "wind": WIND_UNITS.get(athlete.wind_speed or "", "m/s"),
        "temp": "f" if athlete.fahrenheit else "c",
        "rain": RAIN_UNITS.get(athlete.rain or "", "mm"),
        "distance": "metric" if pref is None or pref == "meters" else "imperial",
        "weight": "lb" if athlete.weight_pref_lb else "kg",
        "height": "in" if athlete.height_units in IMPERIAL_HEIGHT_UNITS else "cm",
    }


def to_display(
    value: float | None, kind: str, units: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """`{value, unit}` of a canonical value in the preferred unit, or None (docs/metrics.md#units).

    kind: distance (km), elevation (m), elevation_per_distance (m/km), speed
    (km/h) follow the `distance` preference; weight (kg) the `weight`
    preference; height (m) the `height` preference.
    """
    if value is None or isinstance(value, bool):
        return None
    units = units or METRIC_UNITS
    imperial = units.get("distance") == "imperial"
    if kind == "distance":
        return (
            {"value": round(value * KM_TO_MI, 2), "unit": "mi"}
            if imperial
            else {"value": round(value, 2), "unit": "km"}
        )
    if kind == "elevation":
        return (
            {"value": round(value * M_TO_FT), "unit": "ft"}
            if imperial
            else {"value": round(value), "unit": "m"}
        )
    if kind == "elevation_per_distance":
        return (
            {"value": round(value * M_PER_KM_TO_FT_PER_MI), "unit": "ft/mi"}
            if imperial
            else {"value": round(value), "unit": "m/km"}
        )
    if kind == "speed":
        return (
            {"value": round(value * KM_TO_MI, 1), "unit": "mph"}
            if imperial
            else {"value": round(value, 1), "unit": "km/h"}
        )
    if kind == "weight":
        return (
            {"value": round(value * KG_TO_LB, 1), "unit": "lb"}
            if units.get("weight") == "lb"
            else {"value": round(value, 1), "unit": "kg"}
        )
    if kind == "height":
        return (
            {"value": round(value * M_TO_IN), "unit": "in"}
            if units.get("height") == "in"
            else {"value": round(value * 100), "unit": "cm"}
        )
    raise ValueError(f"unknown display kind {kind!r}")


def pace_distance(activity_type: str | None) -> int | None:
    """Metres the sport's pace is given over (1000 run/walk/hike, 100 swim), else None."""
    family = family_of(activity_type, None)
    return PACE_DISTANCE_M.get(family) if family is not None else None


def pace_seconds(speed_mps: float | None, metres: int) -> float | None:
    """Seconds to cover `metres` at `speed_mps` (unrounded); None without a positive
    speed, or for one so small (a subnormal float) that no finite time results."""
    if speed_mps is None or isinstance(speed_mps, bool) or not speed_mps > 0:
        return None
    seconds = metres / speed_mps
    return seconds if math.isfinite(seconds) else None


def format_pace(seconds: float, metres: int) -> str:
    """ "4:05/km" or "1:52/100m": whole seconds (rounded) as m:ss over the distance."""
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}/{PACE_UNIT_LABEL[metres]}"
