"""wellness_data[] and current_status.current_metrics (docs/metrics.md#wellness)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..model import Athlete
from ..units import to_display
from ..wellness_model import Wellness
from .units import format_minutes

# output key -> Wellness attribute, for the fields shared by both builders
# (subjective, vitals, body, nutrition, cycle, readiness), in emitted order.
SHARED_FIELDS: tuple[tuple[str, str], ...] = (
    ("fatigue", "fatigue"),
    ("soreness", "soreness"),
    ("stress", "stress"),
    ("mood", "mood"),
    ("motivation", "motivation"),
    ("injury", "injury"),
    ("hydration", "hydration"),
    ("spO2", "spo2"),
    ("blood_glucose", "blood_glucose"),
    ("systolic", "systolic"),
    ("diastolic", "diastolic"),
    ("baevsky_si", "baevsky_si"),
    ("lactate", "lactate"),
    ("respiration", "respiration"),
    ("body_fat_pct", "body_fat"),
    ("abdomen_cm", "abdomen"),
    ("steps", "steps"),
    ("hydration_volume_l", "hydration_volume"),
    ("kcal_consumed", "kcal_consumed"),
    ("carbohydrates_g", "carbohydrates"),
    ("protein_g", "protein"),
    ("fat_g", "fat_total"),
    ("menstrual_phase", "menstrual_phase"),
    ("menstrual_phase_predicted", "menstrual_phase_predicted"),
    ("readiness", "readiness"),
)


# Wellness field -> its key in a wellness_data[] entry (for `filled_from`)
FILLED_KEYS = {
    "weight": "weight_kg",
    "resting_hr": "resting_hr",
    "hrv": "hrv_rmssd",
    "sleep_secs": "sleep_hours",
    "steps": "steps",
    "spo2": "spO2",
}


def sleep_hours(secs: float | None) -> float | None:
    return round(secs / 3600, 2) if secs is not None else None


def sleep_formatted(secs: float | None) -> str | None:
    """Sleep as "7h32m" (seconds truncated to whole minutes); None without data."""
    return format_minutes(secs) if secs is not None else None


def _shared(record: Wellness | None) -> dict[str, Any]:
    out = {key: (getattr(record, attr) if record else None) for key, attr in SHARED_FIELDS}
    out["custom_fields"] = dict(record.custom_fields) if record else {}
    return out


def wellness_record(record: Wellness, units: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One `wellness_data[]` entry (docs/metrics.md#wellness)."""
    out: dict[str, Any] = {
        "date": record.date.isoformat(),
        "weight_kg": record.weight,
        "display": {"weight": to_display(record.weight, "weight", units)},
        "resting_hr": record.resting_hr,
        "hrv_rmssd": record.hrv,
        "hrv_sdnn": record.hrv_sdnn,
        "sleep_hours": sleep_hours(record.sleep_secs),
        "sleep_formatted": sleep_formatted(record.sleep_secs),
        "sleep_quality": record.sleep_quality,
        "sleep_score": record.sleep_score,
        "mental_energy": record.mental_energy,
        "avg_sleeping_hr": record.avg_sleeping_hr,
        "vo2max": record.vo2max,
    }
    out.update(_shared(record))
    if record.filled_from:
        out["filled_from"] = {
            FILLED_KEYS.get(name, name): source for name, source in record.filled_from.items()
        }
    return out


def wellness_data(
    records: Iterable[Wellness], units: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """`wellness_data[]`: the display-window records, oldest first (docs/metrics.md#wellness)."""
    return [wellness_record(r, units) for r in records]


def current_metrics(
    records: Iterable[Wellness], athlete: Athlete, units: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`current_status.current_metrics` from the last display-window record (docs/metrics.md#wellness).

    Weight and resting HR fall back to the athlete profile values when the
    record has none (or 0).
    """
    records = list(records)
    latest = records[-1] if records else None
    weight = (latest.weight if latest else None) or athlete.weight
    secs = latest.sleep_secs if latest else None
    out: dict[str, Any] = {
        "weight_kg": weight,
        "display": {"weight": to_display(weight, "weight", units)},
        "resting_hr": (latest.resting_hr if latest else None) or athlete.resting_hr,
        "hrv": latest.hrv if latest else None,
        "sleep_quality": latest.sleep_quality if latest else None,
        "sleep_hours": sleep_hours(secs),
        "sleep_formatted": sleep_formatted(secs),
        "sleep_score": latest.sleep_score if latest else None,
    }
    out.update(_shared(latest))
    return out
