"""recent_activities[] (docs/metrics.md#recent-activities).

One record per completed activity of the extended window, in API order.
Everything is read from `model.Activity`; per-activity extras that need I/O
(terrain from streams, DFA blocks, chat messages) arrive as plain mappings.

Deviations (docs/deviations.md): `weather_summary` is rebuilt from the
activity's own Open-Meteo fields on every run instead of being copied forward
from the previous latest.json (same values, no dependence on the working
directory); 0.0 values survive the field fallback chains (model.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..model import Activity, Athlete
from ..sports import is_outdoor
from ..units import (
    PACE_UNIT_LABEL,
    format_pace,
    pace_distance,
    pace_seconds,
    to_display,
    unit_preferences,
)
from .units import format_duration

UNKNOWN_TYPE = "Unknown"
UNKNOWN_DATE = "unknown"
SPEED_UNIT = "KPH"
MAX_ZONES = 7
TERRAIN_KEYS = ("terrain_summary", "terrain_status", "terrain_error")

# effort_response bands: IF lower bound -> expected RPE (low, high), checked top down
EFFORT_BANDS: tuple[tuple[float, tuple[int, int]], ...] = (
    (1.05, (9, 10)),
    (0.95, (8, 9)),
    (0.85, (6, 8)),
    (0.75, (4, 6)),
    (0.65, (2, 4)),
)

WEATHER_SUMMARY_FIELDS: tuple[tuple[str, str], ...] = (
    ("avg_wind_speed", "average_wind_speed"),
    ("avg_wind_gust", "average_wind_gust"),
    ("prevailing_wind_deg", "prevailing_wind_deg"),
    ("headwind_pct", "headwind_percent"),
    ("tailwind_pct", "tailwind_percent"),
    ("avg_temp", "average_weather_temp"),
    ("avg_temp_device", "average_temp"),
    ("avg_feels_like", "average_feels_like"),
    ("min_feels_like", "min_feels_like"),
    ("max_feels_like", "max_feels_like"),
    ("min_temp", "min_weather_temp"),
    ("max_temp", "max_weather_temp"),
    ("clouds_pct", "average_clouds"),
    ("rain", "max_rain"),
    ("snow", "max_snow"),
)
WEATHER_SOURCE = "intervals_open_meteo"
TEMP_SIGN = {"c": "°C", "f": "°F"}
WEATHER_UNAVAILABLE = "unavailable"


def effort_response(intensity: float | None, rpe: float | None) -> str | None:
    """RPE against the RPE band expected for the session's IF (docs/metrics.md#recent-activities).

    "positive" = felt easier than expected, "negative" = harder, "neutral"
    inside the band; None without IF, without a positive RPE or below IF 0.65.
    """
    if intensity is None or rpe is None or rpe <= 0:
        return None
    if_dec = intensity / 100
    for lower, (low, high) in EFFORT_BANDS:
        if if_dec >= lower:
            if rpe < low:
                return "positive"
            if rpe > high:
                return "negative"
            return "neutral"
    return None


def zone_distribution(activity: Activity) -> dict[str, Any] | None:
    """Per-activity {hr_zones, power_zones} seconds by zone, or None when both empty (docs/metrics.md#recent-activities).

    An empty side is null. Zeros are kept.
    """
    hr = {f"z{i + 1}_time": secs for i, secs in enumerate(activity.hr_zone_times[:MAX_ZONES])}
    power = {}
    valid_ids = {f"z{i}" for i in range(1, MAX_ZONES + 1)}
    for zone_id, secs in activity.power_zone_times:
        key = zone_id.lower()
        if key in valid_ids:
            power[f"{key}_time"] = secs
    if not hr and not power:
        return None
    return {"hr_zones": hr or None, "power_zones": power or None}


def weather_summary(activity: Activity, units: Mapping[str, str]) -> dict[str, Any]:
    """Open-Meteo weather of an outdoor activity (docs/metrics.md#recent-activities); floats to 2 dp, nulls kept."""
    out: dict[str, Any] = {
        "source": WEATHER_SOURCE,
        "units": {"wind": units.get("wind"), "temp": units.get("temp"), "rain": units.get("rain")},
    }
    for key, api_field in WEATHER_SUMMARY_FIELDS:
        value = activity.weather.get(api_field)
        out[key] = round(value, 2) if isinstance(value, float) else value
    return out


def weather_text(activity: Activity, units: Mapping[str, str]) -> str | None:
    """One line of the activity's Open-Meteo weather, e.g. "14.2°C (feels like 12.0°C),
    wind 4.3 m/s, 80% cloud, rain 0.4 mm"; None without weather data.

    The API has no weather text on the activity, only these numbers.
    """
    w = activity.weather
    if not activity.has_weather or not w:
        return None
    temp_sign = TEMP_SIGN.get(units.get("temp", "c"), "°C")
    parts = []
    temp, feels = w.get("average_weather_temp"), w.get("average_feels_like")
    if temp is not None:
        feels_part = f" (feels like {feels:.1f}{temp_sign})" if feels is not None else ""
        parts.append(f"{temp:.1f}{temp_sign}{feels_part}")
    if (wind := w.get("average_wind_speed")) is not None:
        parts.append(f"wind {wind:.1f} {units.get('wind', 'm/s')}")
    if (clouds := w.get("average_clouds")) is not None:
        parts.append(f"{clouds:.0f}% cloud")
    for key, label in (("max_rain", "rain"), ("max_snow", "snow")):
        if (amount := w.get(key)) is not None and amount > 0:
            parts.append(f"{label} {amount:g} {units.get('rain', 'mm')}")
    return ", ".join(parts) or None


def pace_fields(activity: Activity) -> dict[str, Any]:
    """Pace and grade-adjusted pace in the sport's unit (per km on foot, per 100 m
    swimming), as "m:ss/unit" and as seconds; null where the sport has no pace or the
    activity no speed."""
    metres = pace_distance(activity.type)
    pace = pace_seconds(activity.pace, metres) if metres else None
    gap = pace_seconds(activity.gap, metres) if metres else None
    return {
        "pace": _pace_text(pace, metres),
        "pace_secs": _round(pace, 1),
        "pace_unit": PACE_UNIT_LABEL[metres] if metres and pace is not None else None,
        "grade_adjusted_pace": _pace_text(gap, metres),
        "grade_adjusted_pace_secs": _round(gap, 1),
    }


def _pace_text(seconds: float | None, metres: int | None) -> str | None:
    return format_pace(seconds, metres) if seconds is not None and metres else None


def _round(value: float | None, digits: int) -> float | None:
    return round(value, digits) if value is not None else None


def session_fields(activity: Activity) -> dict[str, Any]:
    """Times, loads, race and plan compliance, device: what a coach reads next to the
    headline numbers."""
    a = activity
    return {
        "elevation_loss_m": a.elevation_loss,
        "moving_time_secs": a.moving_time,
        "elapsed_time_secs": a.elapsed_time,
        "recording_time_secs": a.recording_time,
        "coasting_time_secs": a.coasting_time,
        "lap_count": a.lap_count,
        "race": a.race,
        "compliance_pct": _round(a.compliance, 1),
        "trimp": _round(a.trimp, 1),
        "hr_load": a.hr_load,
        "hr_load_type": a.hr_load_type,
        "power_load": a.power_load,
        "pace_load": a.pace_load,
        "pace_load_type": a.pace_load_type,
        "min_temp_device": a.min_temp,
        "max_temp_device": a.max_temp,
        "athlete_max_hr": a.athlete_max_hr,
        "device_name": a.device_name,
    }


def split_coach_notes(description: str | None) -> tuple[list[str], str]:
    """(coach notes, cleaned description) of a description (docs/metrics.md#recent-activities, docs/metrics.md#planned-workouts).

    Leading lines starting with "NOTE:" (any case, blank lines between them
    skipped) are coach notes; the description from the first other non-blank
    line on is kept as the cleaned text (stripped).
    """
    if not description:
        return [], ""
    lines = description.splitlines()
    notes: list[str] = []
    start = len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[:5].lower() == "note:":
            remainder = stripped[5:].strip()
            if remainder:
                notes.append(remainder)
            continue
        start = index
        break
    return notes, "\n".join(lines[start:]).strip()


def has_intervals(entry: Mapping[str, Any] | None) -> bool:
    """True when the intervals.json entry has at least one WORK segment (docs/metrics.md#recent-activities)."""
    if not entry:
        return False
    segments = entry.get("intervals")
    if not isinstance(segments, list):
        return False
    return any(isinstance(s, Mapping) and s.get("type") == "WORK" for s in segments)


def has_dfa(entry: Mapping[str, Any] | None) -> bool:
    return entry is not None and isinstance(entry.get("dfa"), Mapping)


def _speed_kph(mps: float | None) -> float | None:
    return round(mps * 3.6, 1) if mps else None


def activity_record(
    activity: Activity,
    *,
    athlete: Athlete,
    units: Mapping[str, str],
    intervals_entry: Mapping[str, Any] | None = None,
    terrain: Mapping[str, Any] | None = None,
    chat_notes: Sequence[str] = (),
    dfa_summary: Callable[[Mapping[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """One `recent_activities[]` record, keys in the reference's order (docs/metrics.md#recent-activities)."""
    a = activity
    distance_km = round((a.distance or 0) / 1000, 2)
    avg_speed = _speed_kph(a.avg_speed)
    max_speed = _speed_kph(a.max_speed)
    out: dict[str, Any] = {
        "id": a.id,
        "date": a.start_local or UNKNOWN_DATE,
        "type": a.type or UNKNOWN_TYPE,
        "name": a.name,
        "duration_hours": round((a.moving_time or 0) / 3600, 2),
        "duration_formatted": format_duration(a.moving_time or 0),
        "distance_km": distance_km,
        "tss": a.load,
        "intensity_factor": _round(a.intensity / 100, 2) if a.intensity is not None else None,
        "avg_power": a.avg_power,
        "normalized_power": a.norm_power,
        "avg_hr": a.avg_hr,
        "max_hr": a.max_hr,
        "avg_cadence": a.avg_cadence,
        "avg_speed": avg_speed,
        "avg_speed_unit": SPEED_UNIT,
        "max_speed": max_speed,
        "max_speed_unit": SPEED_UNIT,
        "avg_pace": a.pace,
        **pace_fields(a),
        "avg_temp": a.device_temp,
        "avg_temp_unit": "F" if athlete.fahrenheit else "C",
        "weather": weather_text(a, units),
        "humidity": None,  # Intervals.icu records no humidity; kept from the reference
        "wind_speed": a.wind_speed,
        "wind_speed_unit": athlete.wind_speed or "MPS",
        "work_kj": round(a.joules / 1000, 1) if a.joules is not None else None,
        "calories": a.calories,
        "carbs_used": a.carbs_used,
        "carbs_ingested": a.carbs_ingested,
        "variability_index": a.variability_index,
        "decoupling": a.decoupling,
        "efficiency_factor": a.efficiency_factor,
        "hrrc": a.hrr,
        "elevation_m": a.elevation_gain,
        **session_fields(a),
        "display": {
            "distance": to_display(distance_km, "distance", units),
            "elevation": to_display(a.elevation_gain, "elevation", units),
            "avg_speed": to_display(avg_speed, "speed", units),
            "max_speed": to_display(max_speed, "speed", units),
        },
        "feel": a.feel,
        "rpe": a.rpe,
        "effort_response": effort_response(a.intensity, a.rpe),
        "zone_distribution": zone_distribution(a),
        "has_intervals": has_intervals(intervals_entry),
        "has_dfa": has_dfa(intervals_entry),
    }
    if dfa_summary is not None and intervals_entry is not None and has_dfa(intervals_entry):
        compact = dfa_summary(intervals_entry["dfa"])
        if compact is not None:
            out["dfa_summary"] = compact
    if is_outdoor(a.type):
        for key in TERRAIN_KEYS:
            if terrain and terrain.get(key) is not None:
                out[key] = terrain[key]
        if a.has_weather:
            out["weather_summary"] = weather_summary(a, units)
        else:
            out["weather_status"] = WEATHER_UNAVAILABLE
    description = (a.description or "").strip()
    if description:
        out["description"] = description
    notes, _ = split_coach_notes(a.description)
    if notes:
        out["coach_notes"] = notes
    chats = [c for c in chat_notes if isinstance(c, str) and c.strip()]
    if chats:
        out["chat_notes"] = chats
    if a.peloton is not None:
        out["peloton"] = dict(a.peloton)
    if a.trainingpeaks is not None:
        out["trainingpeaks"] = dict(a.trainingpeaks)
    return out


def recent_activities(
    activities: Iterable[Activity],
    *,
    athlete: Athlete,
    units: Mapping[str, str] | None = None,
    intervals_entries: Mapping[str, Mapping[str, Any]] | None = None,
    chat_notes: Mapping[str, Sequence[str]] | None = None,
    activity_terrain: Mapping[str, Mapping[str, Any]] | None = None,
    dfa_summary: Callable[[Mapping[str, Any]], Any] | None = None,
) -> list[dict[str, Any]]:
    """`recent_activities[]` for the given activities, in their order (docs/metrics.md#recent-activities).

    intervals_entries: intervals.json entries by activity id (has_intervals,
    has_dfa, dfa_summary); chat_notes: message texts by activity id;
    activity_terrain: by activity id, a mapping with terrain_summary or
    terrain_status (+ terrain_error) for outdoor activities; dfa_summary: the
    compact-summary function of the DFA module (docs/metrics.md#dfa-a1).
    """
    units = units if units is not None else unit_preferences(athlete)
    intervals_entries = intervals_entries or {}
    chat_notes = chat_notes or {}
    activity_terrain = activity_terrain or {}
    return [
        activity_record(
            a,
            athlete=athlete,
            units=units,
            intervals_entry=intervals_entries.get(a.id),
            terrain=activity_terrain.get(a.id),
            chat_notes=chat_notes.get(a.id, ()),
            dfa_summary=dfa_summary,
        )
        for a in activities
    ]
