"""A real runner's activities, wellness and sport settings through the model and the
activity, wellness and threshold records: pace, intensity, coach fields and custom
wellness fields, checked against figures computed here from the raw records.

The records are public data read at run time from the sample-data folder that
tests/kit/realworld.py locates; a checkout without them skips this module.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from section11.model import Athlete, activities_from_raw
from section11.outputs.activities import activity_record
from section11.outputs.profile import thresholds_sports
from section11.outputs.wellness import wellness_record
from section11.wellness_model import wellness_from_raw
from tests.kit.realworld import ICU

pytestmark = pytest.mark.skipif(
    not ICU.is_dir(), reason=f"real-world Intervals.icu payloads not present at {ICU}"
)
ATHLETE = Athlete.from_raw({"id": "i1"})


def _load(name: str) -> Any:
    return json.loads((ICU / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def raw_activities() -> list[dict[str, Any]]:
    return _load("juancarbonell__activities_history@8f66b30.json")


@pytest.fixture(scope="module")
def records(raw_activities) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(raw record, recent_activities record) of every real activity."""
    activities = activities_from_raw(raw_activities)
    assert len(activities) == len(raw_activities)
    return [
        (raw, activity_record(a, athlete=ATHLETE, units={}))
        for raw, a in zip(raw_activities, activities)
    ]


def mm_ss(seconds: float) -> str:
    whole = int(seconds + 0.5)
    return f"{whole // 60}:{whole % 60:02d}"


def test_every_run_has_its_pace_per_km(records):
    runs = [(raw, rec) for raw, rec in records if raw["type"] == "Run"]
    assert len(runs) == 185
    for raw, rec in runs:
        assert raw["pace"] is not None, raw["id"]  # every real run carries a speed
        secs = 1000 / raw["pace"]
        assert rec["pace_secs"] == pytest.approx(secs, abs=0.05), raw["id"]
        assert rec["pace"] == f"{mm_ss(secs)}/km" and rec["pace_unit"] == "km"
        assert rec["avg_pace"] == raw["pace"]
        if raw["gap"] is not None:
            gap = 1000 / raw["gap"]
            assert rec["grade_adjusted_pace_secs"] == pytest.approx(gap, abs=0.05)
            assert rec["grade_adjusted_pace"] == f"{mm_ss(gap)}/km"
        else:
            assert rec["grade_adjusted_pace"] is None
    # sane running paces: 2:30-12:00 per km
    assert all(150 < rec["pace_secs"] < 720 for _, rec in runs)


def test_no_pace_for_rides_rowing_and_strength(records):
    others = [
        rec for raw, rec in records if raw["type"] in ("Ride", "VirtualRow", "WeightTraining")
    ]
    assert len(others) == 126
    assert all(rec["pace"] is None and rec["pace_secs"] is None for rec in others)
    walk = next(rec for raw, rec in records if raw["type"] == "Walk")
    assert walk["pace_unit"] == "km" and walk["pace"] is not None


def test_intensity_factor_is_a_fraction(records):
    for raw, rec in records:
        if raw["icu_intensity"] is None:
            assert rec["intensity_factor"] is None
        else:
            assert rec["intensity_factor"] == round(raw["icu_intensity"] / 100, 2)
            assert 0 < rec["intensity_factor"] < 2


def test_coach_fields_come_through(records):
    for raw, rec in records:
        assert rec["device_name"] == raw["device_name"]
        assert rec["race"] is raw["race"]
        assert rec["athlete_max_hr"] == raw["athlete_max_hr"]
        assert rec["lap_count"] == raw["icu_lap_count"]
        assert rec["recording_time_secs"] == raw["icu_recording_time"]
        assert rec["elapsed_time_secs"] == raw["elapsed_time"]
        assert rec["hr_load_type"] == raw["hr_load_type"]
        assert rec["trimp"] == round(raw["trimp"], 1)
        assert rec["min_temp_device"] == raw["min_temp"]
        assert rec["weather"] is None  # has_weather is false on every real record
    compliances = [(raw, rec) for raw, rec in records if raw["compliance"] is not None]
    assert compliances and all(
        rec["compliance_pct"] == round(raw["compliance"], 1) for raw, rec in compliances
    )


def test_custom_wellness_fields_of_a_garmin_user():
    raw_days = _load("juancarbonell__wellness_history@1616799.json")
    by_day = {raw["id"]: raw for raw in raw_days}
    days = wellness_from_raw(raw_days)
    assert len(days) == 366
    for day in days:
        raw = by_day[day.date.isoformat()]
        expected = {
            key: raw[key] for key in ("BodyBatteryMax", "BodyBatteryMin") if raw[key] is not None
        }
        assert wellness_record(day)["custom_fields"] == expected


def test_real_sport_settings_give_the_power_model_and_sweet_spot():
    settings = _load("nl_doc__sport_settings.json")
    ride = next(s for s in settings if "Ride" in s["types"])
    sports = thresholds_sports(Athlete.from_raw({"id": "i1", "sportSettings": settings}))
    model = ride["mmp_model"]
    assert sports["cycling"]["power_model"] == {
        "type": model["type"],
        "critical_power": model["criticalPower"],
        "w_prime": model["wPrime"],
        "p_max": model["pMax"],
        "ftp": model["ftp"],
    }
    assert (sports["cycling"]["sweet_spot_min_pct"], sports["cycling"]["sweet_spot_max_pct"]) == (
        ride["sweet_spot_min"],
        ride["sweet_spot_max"],
    )
    assert sports["run"]["power_model"] is None and sports["run"]["sweet_spot_min_pct"] is None
