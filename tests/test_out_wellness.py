"""wellness_data[] and current_metrics (docs/metrics.md#wellness)."""

from section11.model import Athlete
from section11.outputs.wellness import current_metrics, wellness_data, wellness_record
from section11.wellness_model import Wellness

IMPERIAL = {
    "wind": "mph",
    "temp": "f",
    "rain": "in",
    "distance": "imperial",
    "weight": "lb",
    "height": "in",
}

FULL = {
    "id": "2025-03-10",
    "weight": 70.0,
    "restingHR": 48,
    "hrv": 62.5,
    "hrvSDNN": 80.1,
    "sleepSecs": 27150,
    "sleepQuality": 2,
    "sleepScore": 81,
    "mentalEnergy": 3,
    "avgSleepingHR": 50,
    "vo2max": 56,
    "fatigue": 2,
    "soreness": 1,
    "stress": 3,
    "mood": 2,
    "motivation": 1,
    "injury": 1,
    "hydration": 2,
    "spO2": 97,
    "bloodGlucose": 5.1,
    "systolic": 118,
    "diastolic": 76,
    "baevskySI": 120.5,
    "lactate": 1.2,
    "respiration": 14.5,
    "bodyFat": 12.3,
    "abdomen": 80,
    "steps": 9000,
    "hydrationVolume": 2.5,
    "kcalConsumed": 2600,
    "carbohydrates": 320,
    "protein": 120,
    "fatTotal": 80,
    "menstrualPhase": "FOLLICULAR",
    "menstrualPhasePredicted": "LUTEAL",
    "readiness": 77,
}

RECORD_KEYS = [
    "date",
    "weight_kg",
    "display",
    "resting_hr",
    "hrv_rmssd",
    "hrv_sdnn",
    "sleep_hours",
    "sleep_formatted",
    "sleep_quality",
    "sleep_score",
    "mental_energy",
    "avg_sleeping_hr",
    "vo2max",
    "fatigue",
    "soreness",
    "stress",
    "mood",
    "motivation",
    "injury",
    "hydration",
    "spO2",
    "blood_glucose",
    "systolic",
    "diastolic",
    "baevsky_si",
    "lactate",
    "respiration",
    "body_fat_pct",
    "abdomen_cm",
    "steps",
    "hydration_volume_l",
    "kcal_consumed",
    "carbohydrates_g",
    "protein_g",
    "fat_g",
    "menstrual_phase",
    "menstrual_phase_predicted",
    "readiness",
    "custom_fields",
]


def test_wellness_record_maps_every_field():
    out = wellness_record(Wellness.from_raw(FULL))
    assert list(out) == RECORD_KEYS
    # sleep 27150 s = 7.541666 h -> 7.54; truncated to minutes 27120 s = 7h32m
    assert out["sleep_hours"] == 7.54 and out["sleep_formatted"] == "7h32m"
    assert out["display"] == {"weight": {"value": 70.0, "unit": "kg"}}
    assert out["hrv_rmssd"] == 62.5 and out["hrv_sdnn"] == 80.1
    assert out["spO2"] == 97 and out["blood_glucose"] == 5.1 and out["baevsky_si"] == 120.5
    assert out["body_fat_pct"] == 12.3 and out["abdomen_cm"] == 80
    assert out["hydration_volume_l"] == 2.5 and out["fat_g"] == 80
    assert out["menstrual_phase"] == "FOLLICULAR"
    assert out["menstrual_phase_predicted"] == "LUTEAL"
    assert out["readiness"] == 77 and out["date"] == "2025-03-10"


def test_wellness_record_empty_and_imperial():
    out = wellness_record(
        Wellness.from_raw({"id": "2025-03-10", "sleepSecs": None, "weight": 80.0}), IMPERIAL
    )
    assert out["sleep_hours"] is None and out["sleep_formatted"] is None
    assert out["display"] == {"weight": {"value": 176.4, "unit": "lb"}}  # 80*2.20462=176.37
    assert all(out[k] is None for k in RECORD_KEYS[13:-1]) and out["custom_fields"] == {}


def test_wellness_data_keeps_order():
    records = [Wellness.from_raw({"id": d}) for d in ("2025-03-08", "2025-03-09")]
    assert [r["date"] for r in wellness_data(records)] == ["2025-03-08", "2025-03-09"]


def test_current_metrics_from_latest_record():
    records = [
        Wellness.from_raw({"id": "2025-03-09", "weight": 71.0, "hrv": 40}),
        Wellness.from_raw(FULL),
    ]
    out = current_metrics(records, Athlete.from_raw({"id": "1", "icu_weight": 69}))
    assert list(out)[:8] == [
        "weight_kg",
        "display",
        "resting_hr",
        "hrv",
        "sleep_quality",
        "sleep_hours",
        "sleep_formatted",
        "sleep_score",
    ]
    assert list(out)[8:] == RECORD_KEYS[13:]
    for absent in ("mental_energy", "avg_sleeping_hr", "vo2max", "hrv_sdnn"):
        assert absent not in out
    assert out["weight_kg"] == 70.0 and out["hrv"] == 62.5 and out["resting_hr"] == 48
    assert out["sleep_hours"] == 7.54 and out["readiness"] == 77


def test_current_metrics_falls_back_to_athlete():
    athlete = Athlete.from_raw({"id": "1", "icu_weight": 69.5, "icu_resting_hr": 50})
    out = current_metrics(
        [Wellness.from_raw({"id": "2025-03-10", "weight": None, "restingHR": 0})], athlete
    )
    assert out["weight_kg"] == 69.5 and out["resting_hr"] == 50
    assert out["display"]["weight"] == {"value": 69.5, "unit": "kg"}
    empty = current_metrics([], athlete)
    assert empty["weight_kg"] == 69.5 and empty["hrv"] is None and empty["sleep_hours"] is None
    none = current_metrics([], Athlete.from_raw({"id": "1"}))
    assert none["weight_kg"] is None and none["display"] == {"weight": None}


def test_custom_numeric_fields_are_kept_under_one_map():
    raw = {
        **FULL,
        "BodyBatteryMax": 93,
        "BodyBatteryMin": 31.5,
        "GarminNote": "slept badly",  # not a number: left out
        "HeatScore": None,
        "atlLoad": 60.0,  # an API field, not a custom one
        "tempWeight": True,
        "locked": None,
        "comments": "fine",
    }
    record = Wellness.from_raw(raw)
    assert wellness_record(record)["custom_fields"] == {
        "BodyBatteryMax": 93,
        "BodyBatteryMin": 31.5,
    }
    out = current_metrics([record], Athlete.from_raw({"id": "1"}))
    assert out["custom_fields"] == {"BodyBatteryMax": 93, "BodyBatteryMin": 31.5}
    assert current_metrics([], Athlete.from_raw({"id": "1"}))["custom_fields"] == {}
