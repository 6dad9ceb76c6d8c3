"""Raw Intervals.icu dicts -> small frozen, null-tolerant records: the field
readers every record module shares, the athlete and the activities.

The record modules (this one, `event_model`, `wellness_model`, `curve_model`)
are the only place that knows API field names, their fallbacks and their
null/zero conventions. Everything downstream (metrics, outputs) reads these
records. Present-but-null is treated exactly like absent; a value of the wrong
type (a string where a number belongs, a dict where a list belongs) is treated
as absent too, so schema drift never crashes a sync.

Deliberate deviation from the reference: fallback chains pick the first value
that is *present* (not None), not the first *truthy* one, so a real 0.0
(e.g. decoupling) is kept instead of falling through to null
(docs/deviations.md, quirk 13).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.parser import isoparse

from .sports import family_of

# ----------------------------------------------------------------- coercion

MAX_MAGNITUDE = 1e12  # no training or wellness quantity comes near; beyond it sums overflow


def num(value: Any) -> float | int | None:
    """A finite int/float of sane magnitude, else None (bools, NaN, inf,
    strings and values beyond ±1e12 are absent)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if abs(value) > MAX_MAGNITUDE:
        return None
    return value


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def as_list(value: Any) -> list:
    """A list, or [] for None / anything that is not a list."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def first(raw: Mapping[str, Any], *keys: str, conv=num):
    """First key whose converted value is not None."""
    for key in keys:
        value = conv(raw.get(key))
        if value is not None:
            return value
    return None


def non_negative(value: Any) -> float | int | None:
    """A number that cannot be negative (durations, distances, energy); else None."""
    value = num(value)
    return value if value is not None and value >= 0 else None


def parse_date(value: Any) -> date | None:
    """The calendar date an ISO 8601 date or timestamp is written in, else None.

    The API writes "2026-03-01", "2026-03-01T07:12:44" (local wall clock),
    "2026-03-01T07:12:44Z" and "2026-03-01T07:12:44.123+01:00"; the date is
    the one written, never shifted by the offset. Anything shorter than a full
    date, or that does not parse as a whole, is None.
    """
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return isoparse(value).date()
    except (ValueError, OverflowError):
        return None


def _count(value: Any) -> int | None:
    """A non-negative whole number (an int, or a float without a fraction), else None."""
    value = non_negative(value)
    return int(value) if value is not None and float(value).is_integer() else None


def ident(value: Any) -> str | None:
    """An id as the API writes it (a string or an int) as a string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        return str(value)
    return None


# ----------------------------------------------------------------- athlete


@dataclass(frozen=True)
class PowerModel:
    """The power-duration model Intervals.icu fitted for a sport (`mmp_model`)."""

    type: str | None
    critical_power: float | None  # W
    w_prime: float | None  # J
    p_max: float | None  # W
    ftp: float | None  # W

    @classmethod
    def from_raw(cls, raw: Any) -> PowerModel | None:
        """None without a dict or without any model value."""
        raw = as_dict(raw)
        model = cls(
            type=text(raw.get("type")),
            critical_power=num(raw.get("criticalPower")),
            w_prime=num(raw.get("wPrime")),
            p_max=num(raw.get("pMax")),
            ftp=num(raw.get("ftp")),
        )
        values = (model.critical_power, model.w_prime, model.p_max, model.ftp)
        return model if any(v is not None for v in values) else None


@dataclass(frozen=True)
class SportSetting:
    types: tuple[str, ...]
    ftp: float | None = None
    indoor_ftp: float | None = None
    lthr: float | None = None
    max_hr: float | None = None
    threshold_pace: float | None = None  # m/s
    pace_units: str | None = None
    hr_zones: tuple[float, ...] = ()
    power_zones: tuple[float, ...] = ()
    w_prime: float | None = None
    sweet_spot_min: float | None = None  # % of FTP
    sweet_spot_max: float | None = None
    mmp_model: PowerModel | None = None

    @classmethod
    def from_raw(cls, raw: Any) -> SportSetting:
        raw = as_dict(raw)
        return cls(
            types=tuple(t for t in as_list(raw.get("types")) if isinstance(t, str)),
            ftp=num(raw.get("ftp")),
            indoor_ftp=num(raw.get("indoor_ftp")),
            lthr=num(raw.get("lthr")),
            max_hr=num(raw.get("max_hr")),
            threshold_pace=num(raw.get("threshold_pace")),
            pace_units=text(raw.get("pace_units")),
            hr_zones=tuple(v for v in as_list(raw.get("hr_zones")) if num(v) is not None),
            power_zones=tuple(v for v in as_list(raw.get("power_zones")) if num(v) is not None),
            w_prime=num(raw.get("w_prime")),
            sweet_spot_min=num(raw.get("sweet_spot_min")) or None,
            sweet_spot_max=num(raw.get("sweet_spot_max")) or None,
            mmp_model=PowerModel.from_raw(raw.get("mmp_model")),
        )


@dataclass(frozen=True)
class Athlete:
    """Allow-listed athlete fields. Secrets in the raw object never get here."""

    id: str | None
    name: str | None = None
    timezone: str | None = None
    sex: str | None = None
    date_of_birth: str | None = None
    height_m: float | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    activated: str | None = None
    notes: str | None = None
    weight: float | None = None
    resting_hr: float | None = None
    # unit preferences
    wind_speed: str | None = None
    fahrenheit: bool = False
    rain: str | None = None
    measurement_preference: str | None = None
    weight_pref_lb: bool = False
    height_units: str | None = None
    sport_settings: tuple[SportSetting, ...] = ()

    @classmethod
    def from_raw(cls, raw: Any) -> Athlete:
        raw = as_dict(raw)
        return cls(
            id=ident(raw.get("id")),
            name=text(raw.get("name")),
            timezone=text(raw.get("timezone")),
            sex=text(raw.get("sex")),
            date_of_birth=text(raw.get("icu_date_of_birth")),
            height_m=num(raw.get("height")),
            city=text(raw.get("city")),
            state=text(raw.get("state")),
            country=text(raw.get("country")),
            activated=text(raw.get("icu_activated")),
            notes=text(raw.get("icu_notes")),
            weight=first(raw, "icu_weight", "weight"),
            resting_hr=num(raw.get("icu_resting_hr")),
            wind_speed=text(raw.get("wind_speed")),
            fahrenheit=bool(flag(raw.get("fahrenheit"))),
            rain=text(raw.get("rain")),
            measurement_preference=text(raw.get("measurement_preference")),
            weight_pref_lb=bool(flag(raw.get("weight_pref_lb"))),
            height_units=text(raw.get("height_units")),
            sport_settings=tuple(
                SportSetting.from_raw(s)
                for s in as_list(raw.get("sportSettings"))
                if isinstance(s, dict)
            ),
        )


# ----------------------------------------------------------------- activity

WEATHER_FIELDS = (
    "average_wind_speed",
    "average_wind_gust",
    "prevailing_wind_deg",
    "headwind_percent",
    "tailwind_percent",
    "average_weather_temp",
    "average_temp",
    "average_feels_like",
    "min_feels_like",
    "max_feels_like",
    "min_weather_temp",
    "max_weather_temp",
    "average_clouds",
    "max_rain",
    "max_snow",
)


@dataclass(frozen=True)
class Activity:
    id: str
    date: date | None
    start_local: str | None
    type: str | None
    name: str | None = None
    description: str | None = None
    is_stub: bool = False  # Strava-sourced activity hidden by the API
    source: str | None = None
    moving_time: float | None = None  # s
    elapsed_time: float | None = None
    distance: float | None = None  # m
    elevation_gain: float | None = None  # m
    load: float | None = None  # icu_training_load (TSS)
    ftp: float | None = None  # icu_ftp: the FTP in force for this activity
    intensity: float | None = None  # IF x 100
    avg_power: float | None = None
    norm_power: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_cadence: float | None = None
    avg_speed: float | None = None  # m/s
    max_speed: float | None = None  # m/s
    pace: float | None = None  # `pace`: average speed as the pace basis, m/s
    gap: float | None = None  # grade-adjusted speed, m/s
    joules: float | None = None
    calories: float | None = None
    carbs_used: float | None = None
    carbs_ingested: float | None = None
    variability_index: float | None = None
    decoupling: float | None = None  # icu_hr_decoupling, else decoupling
    efficiency_factor: float | None = None
    hrr: float | None = None  # heart-rate recovery (bpm)
    feel: float | None = None
    rpe: float | None = None
    hr_zone_times: tuple[float, ...] = ()  # index 0 = z1; nulls -> 0
    power_zone_times: tuple[tuple[str, float], ...] = ()  # (id, secs) as listed
    pace_zone_times: tuple[float, ...] = ()
    gap_zone_times: tuple[float, ...] = ()
    interval_summary: tuple[str, ...] = ()
    paired_event_id: str | None = None
    sync_date: str | None = None  # icu_sync_date, the edit token
    intervals_edited: bool = False
    trainer: bool | None = None
    has_weather: bool = False
    weather: Mapping[str, Any] = field(default_factory=dict)  # WEATHER_FIELDS present
    device_temp: float | None = None
    wind_speed: float | None = None
    compliance: float | None = None  # % of the planned workout achieved
    race: bool | None = None
    trimp: float | None = None
    hr_load: float | None = None
    hr_load_type: str | None = None
    power_load: float | None = None
    pace_load: float | None = None
    pace_load_type: str | None = None
    elevation_loss: float | None = None  # m
    recording_time: float | None = None  # s, icu_recording_time
    coasting_time: float | None = None  # s
    lap_count: int | None = None
    device_name: str | None = None
    min_temp: float | None = None  # device temperature
    max_temp: float | None = None
    athlete_max_hr: float | None = None  # the max HR setting in force
    peloton: Mapping[str, Any] | None = None  # the Peloton class it matched, or came from
    trainingpeaks: Mapping[str, Any] | None = None  # the TrainingPeaks workout it matched

    @property
    def family(self) -> str | None:
        """Family with the "other" default (use sports.family_of for None)."""
        return family_of(self.type)

    @classmethod
    def from_raw(cls, raw: Any, index: int = 0) -> Activity:
        raw = as_dict(raw)
        start = text(raw.get("start_date_local"))
        atype = text(raw.get("type"))
        source = text(raw.get("source"))
        hrr_raw = raw.get("icu_hrr")
        if isinstance(hrr_raw, dict):
            hrr = first(hrr_raw, "value", "hrr")
        else:
            hrr = num(hrr_raw)
        power_zones = []
        for item in as_list(raw.get("icu_zone_times")):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                power_zones.append((item["id"], num(item.get("secs")) or 0))
        return cls(
            id=ident(raw.get("id")) or f"unknown_{index + 1}",
            date=parse_date(start),
            start_local=start,
            type=atype,
            name=text(raw.get("name")),
            description=text(raw.get("description")),
            is_stub=atype is None and (source == "STRAVA" or "_note" in raw),
            source=source,
            moving_time=non_negative(raw.get("moving_time")),
            elapsed_time=non_negative(raw.get("elapsed_time")),
            distance=non_negative(raw.get("distance")),
            elevation_gain=num(raw.get("total_elevation_gain")),
            load=num(raw.get("icu_training_load")),
            ftp=num(raw.get("icu_ftp")),
            intensity=num(raw.get("icu_intensity")),
            avg_power=first(
                raw, "average_watts", "avg_watts", "average_power", "avgWatts", "icu_average_watts"
            ),
            norm_power=first(
                raw,
                "weighted_average_watts",
                "np",
                "icu_pm_np",
                "normalizedPower",
                "icu_weighted_avg_watts",
            ),
            avg_hr=first(raw, "average_heartrate", "avg_hr", "average_hr", "avgHr"),
            max_hr=first(raw, "max_heartrate", "max_hr", "maxHr"),
            avg_cadence=first(raw, "average_cadence", "avg_cadence", "icu_average_cadence"),
            avg_speed=num(raw.get("average_speed")),
            max_speed=num(raw.get("max_speed")),
            pace=num(raw.get("pace")),
            gap=num(raw.get("gap")),
            joules=non_negative(raw.get("icu_joules")),
            calories=first(raw, "calories", "icu_calories", conv=non_negative),
            carbs_used=num(raw.get("carbs_used")),
            carbs_ingested=num(raw.get("carbs_ingested")),
            variability_index=num(raw.get("icu_variability_index")),
            decoupling=first(raw, "icu_hr_decoupling", "decoupling"),
            efficiency_factor=num(raw.get("icu_efficiency_factor")),
            hrr=hrr,
            feel=num(raw.get("feel")),
            rpe=num(raw.get("icu_rpe")),
            hr_zone_times=tuple(num(v) or 0 for v in as_list(raw.get("icu_hr_zone_times"))),
            power_zone_times=tuple(power_zones),
            pace_zone_times=tuple(num(v) or 0 for v in as_list(raw.get("pace_zone_times"))),
            gap_zone_times=tuple(num(v) or 0 for v in as_list(raw.get("gap_zone_times"))),
            interval_summary=tuple(
                s for s in as_list(raw.get("interval_summary")) if isinstance(s, str)
            ),
            paired_event_id=ident(raw.get("paired_event_id")),
            sync_date=text(raw.get("icu_sync_date")),
            intervals_edited=flag(raw.get("icu_intervals_edited")) is True,
            trainer=flag(raw.get("trainer")),
            has_weather=bool(flag(raw.get("has_weather"))),
            weather={k: num(raw.get(k)) for k in WEATHER_FIELDS if num(raw.get(k)) is not None},
            device_temp=first(
                raw, "average_weather_temp", "average_temp", "avg_temp", "average_temperature"
            ),
            wind_speed=first(raw, "average_wind_speed", "wind_speed"),
            compliance=num(raw.get("compliance")),
            race=flag(raw.get("race")),
            trimp=num(raw.get("trimp")),
            hr_load=num(raw.get("hr_load")),
            hr_load_type=text(raw.get("hr_load_type")),
            power_load=num(raw.get("power_load")),
            pace_load=num(raw.get("pace_load")),
            pace_load_type=text(raw.get("pace_load_type")),
            elevation_loss=non_negative(raw.get("total_elevation_loss")),
            recording_time=non_negative(raw.get("icu_recording_time")),
            coasting_time=non_negative(raw.get("coasting_time")),
            lap_count=_count(raw.get("icu_lap_count")),
            device_name=text(raw.get("device_name")),
            min_temp=num(raw.get("min_temp")),
            max_temp=num(raw.get("max_temp")),
            athlete_max_hr=num(raw.get("athlete_max_hr")),
        )


def activities_from_raw(items: Any) -> list[Activity]:
    return [Activity.from_raw(a, i) for i, a in enumerate(as_list(items)) if isinstance(a, dict)]
