"""Raw Intervals.icu wellness rows -> `Wellness` records, one per day.

The API field behind each wellness value, the custom fields an athlete defined,
and the plausible range of each measurement (a value outside is absent).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .model import as_dict, as_list, num, parse_date, text


@dataclass(frozen=True)
class SportInfo:
    type: str | None
    eftp: float | None
    w_prime: float | None
    p_max: float | None


# wellness output name -> API field, in the order the reference emits them
WELLNESS_FIELDS: tuple[tuple[str, str], ...] = (
    ("weight", "weight"),
    ("resting_hr", "restingHR"),
    ("hrv", "hrv"),
    ("hrv_sdnn", "hrvSDNN"),
    ("sleep_secs", "sleepSecs"),
    ("sleep_quality", "sleepQuality"),
    ("sleep_score", "sleepScore"),
    ("mental_energy", "mentalEnergy"),
    ("avg_sleeping_hr", "avgSleepingHR"),
    ("vo2max", "vo2max"),
    ("fatigue", "fatigue"),
    ("soreness", "soreness"),
    ("stress", "stress"),
    ("mood", "mood"),
    ("motivation", "motivation"),
    ("injury", "injury"),
    ("hydration", "hydration"),
    ("spo2", "spO2"),
    ("blood_glucose", "bloodGlucose"),
    ("systolic", "systolic"),
    ("diastolic", "diastolic"),
    ("baevsky_si", "baevskySI"),
    ("lactate", "lactate"),
    ("respiration", "respiration"),
    ("body_fat", "bodyFat"),
    ("abdomen", "abdomen"),
    ("steps", "steps"),
    ("hydration_volume", "hydrationVolume"),
    ("kcal_consumed", "kcalConsumed"),
    ("carbohydrates", "carbohydrates"),
    ("protein", "protein"),
    ("fat_total", "fatTotal"),
    ("readiness", "readiness"),
    ("ctl", "ctl"),
    ("atl", "atl"),
    ("ramp_rate", "rampRate"),
    ("ctl_load", "ctlLoad"),
)


# API wellness fields that are not measurements (or are read elsewhere): every other
# numeric field of a row is a custom field the athlete defined (e.g. BodyBatteryMax).
WELLNESS_OTHER_KEYS = frozenset(
    {
        "id",
        "updated",
        "sportInfo",
        "menstrualPhase",
        "menstrualPhasePredicted",
        "atlLoad",
        "comments",
        "locked",
        "tempWeight",
        "tempRestingHR",
    }
)
WELLNESS_KNOWN_KEYS = WELLNESS_OTHER_KEYS | {key for _, key in WELLNESS_FIELDS}


def custom_wellness_fields(raw: Mapping[str, Any]) -> dict[str, float | int]:
    """Numeric values of the fields the API does not define (custom fields), sorted."""
    return {
        key: value
        for key in sorted(raw)
        if key not in WELLNESS_KNOWN_KEYS and (value := num(raw[key])) is not None
    }


# Physiologically possible ranges of wellness fields; a value outside is a device or
# entry error and is treated as absent (an absurd sleep of 10^12 s must not rate
# "green"). HRV is left raw: the metrics apply their own validity filter (docs/metrics.md#recovery).
PLAUSIBLE_WELLNESS: dict[str, tuple[float, float]] = {
    "weight": (20, 400),
    "resting_hr": (20, 250),
    "avg_sleeping_hr": (20, 250),
    "sleep_secs": (0, 86400),
    "sleep_score": (0, 100),
    "readiness": (0, 100),
    "sleep_quality": (1, 4),
    "fatigue": (1, 4),
    "soreness": (1, 4),
    "stress": (1, 4),
    "mood": (1, 4),
    "motivation": (1, 4),
    "injury": (1, 4),
    "hydration": (1, 4),
    "spo2": (50, 100),
    "respiration": (3, 80),
    "body_fat": (1, 80),
    "vo2max": (10, 100),
    "steps": (0, 300000),
    "systolic": (50, 300),
    "diastolic": (20, 200),
}


def plausible(name: str, value: float | None) -> float | None:
    bounds = PLAUSIBLE_WELLNESS.get(name)
    if value is None or bounds is None:
        return value
    return value if bounds[0] <= value <= bounds[1] else None


@dataclass(frozen=True)
class Wellness:
    date: date
    weight: float | None = None
    resting_hr: float | None = None
    hrv: float | None = None  # rMSSD, ms (unfiltered; metrics apply validity)
    hrv_sdnn: float | None = None
    sleep_secs: float | None = None
    sleep_quality: float | None = None
    sleep_score: float | None = None
    mental_energy: float | None = None
    avg_sleeping_hr: float | None = None
    vo2max: float | None = None
    fatigue: float | None = None
    soreness: float | None = None
    stress: float | None = None
    mood: float | None = None
    motivation: float | None = None
    injury: float | None = None
    hydration: float | None = None
    spo2: float | None = None
    blood_glucose: float | None = None
    systolic: float | None = None
    diastolic: float | None = None
    baevsky_si: float | None = None
    lactate: float | None = None
    respiration: float | None = None
    body_fat: float | None = None
    abdomen: float | None = None
    steps: float | None = None
    hydration_volume: float | None = None
    kcal_consumed: float | None = None
    carbohydrates: float | None = None
    protein: float | None = None
    fat_total: float | None = None
    readiness: float | None = None
    ctl: float | None = None
    atl: float | None = None
    ramp_rate: float | None = None
    ctl_load: float | None = None
    menstrual_phase: str | None = None
    menstrual_phase_predicted: str | None = None
    sport_info: tuple[SportInfo, ...] = ()
    custom_fields: Mapping[str, float | int] = field(default_factory=dict)  # by API name
    updated: str | None = None  # change token
    filled_from: Mapping[str, str] = field(default_factory=dict)  # field -> source that filled it

    @classmethod
    def from_raw(cls, raw: Any) -> Wellness | None:
        """None when the record has no usable date id."""
        raw = as_dict(raw)
        day = parse_date(raw.get("id"))
        if day is None:
            return None
        values: dict[str, Any] = {
            name: plausible(name, num(raw.get(key))) for name, key in WELLNESS_FIELDS
        }
        sport_info = tuple(
            SportInfo(
                text(s.get("type")), num(s.get("eftp")), num(s.get("wPrime")), num(s.get("pMax"))
            )
            for s in as_list(raw.get("sportInfo"))
            if isinstance(s, dict)
        )
        return cls(
            date=day,
            menstrual_phase=text(raw.get("menstrualPhase")),
            menstrual_phase_predicted=text(raw.get("menstrualPhasePredicted")),
            sport_info=sport_info,
            custom_fields=custom_wellness_fields(raw),
            updated=text(raw.get("updated")),
            **values,
        )

    def sport(self, sport_type: str) -> SportInfo | None:
        return next((s for s in self.sport_info if s.type == sport_type), None)


def wellness_from_raw(items: Any) -> list[Wellness]:
    """Wellness records sorted by date ascending, one per date (last wins)."""
    by_date: dict[date, Wellness] = {}
    for item in as_list(items):
        record = Wellness.from_raw(item)
        if record is not None:
            by_date[record.date] = record
    return [by_date[d] for d in sorted(by_date)]
