"""The record modules (model.py, event_model.py, wellness_model.py): raw API dicts -> records;
null tolerance, fallbacks, absurd values."""

from __future__ import annotations

import math
from datetime import date

import pytest

from section11.event_model import Event
from section11.model import Activity, Athlete, SportSetting, num, parse_date
from section11.wellness_model import Wellness, wellness_from_raw


def test_num_accepts_only_sane_finite_numbers():
    assert num(3) == 3 and num(0.0) == 0.0 and num(-5) == -5
    for bad in (None, True, "7", math.nan, math.inf, 1e13, -(10**15), [1], {"v": 1}):
        assert num(bad) is None


def test_present_but_null_containers_and_fallbacks():
    a = Activity.from_raw(
        {
            "id": "i1",
            "start_date_local": "2026-11-20T07:00:00",
            "type": "Ride",
            "icu_zone_times": None,
            "icu_hr_zone_times": None,
            "icu_hr_decoupling": None,
            "decoupling": 0.0,
            "average_watts": None,
            "icu_average_watts": 201,
        }
    )
    assert a.power_zone_times == () and a.hr_zone_times == ()
    assert a.decoupling == 0.0  # a measured 0.0 is kept (deviation F1)
    assert a.avg_power == 201
    athlete = Athlete.from_raw({"id": "i1", "sportSettings": None, "icu_api_key": "k"})
    assert athlete.sport_settings == () and not hasattr(athlete, "icu_api_key")
    assert Event.from_raw({"id": 5, "workout_doc": None, "attachments": None}).steps == ()


def test_strava_stub_is_recognised():
    stub = Activity.from_raw(
        {
            "id": "16358453283",
            "start_date_local": "2025-11-04T19:21:15",
            "source": "STRAVA",
            "_note": "STRAVA activities are not available",
        }
    )
    assert stub.is_stub and stub.type is None


def test_absurd_wellness_values_are_absent_hrv_stays_raw():
    w = Wellness.from_raw(
        {
            "id": "2026-11-20",
            "sleepSecs": 10**12,
            "restingHR": -5,
            "weight": 0,
            "fatigue": 9,
            "hrv": 255,
            "sleepQuality": 2,
            "spO2": 97,
            "sportInfo": None,
        }
    )
    assert w.sleep_secs is None and w.resting_hr is None and w.weight is None
    assert w.fatigue is None and w.sleep_quality == 2 and w.spo2 == 97
    assert (
        w.hrv == 255
    )  # the metrics' validity filter (docs/metrics.md#recovery) decides, not the model
    assert w.sport_info == ()


def test_wellness_sorted_and_deduplicated_by_date():
    rows = wellness_from_raw(
        [
            {"id": "2026-11-21", "ctl": 2},
            {"id": "bad"},
            {"id": "2026-11-20", "ctl": 1},
            {"id": "2026-11-21", "ctl": 3},
            None,
            "x",
        ]
    )
    assert [(w.date.isoformat(), w.ctl) for w in rows] == [("2026-11-20", 1), ("2026-11-21", 3)]


# API timestamp forms: the date is the one written, whatever the offset says.
TIMESTAMPS = [
    ("2026-03-01T07:12:44Z", date(2026, 3, 1)),
    ("2026-03-01T07:12:44", date(2026, 3, 1)),
    ("2026-03-01T07:12:44.123+01:00", date(2026, 3, 1)),
    ("2026-03-01", date(2026, 3, 1)),
    ("2026-03-01T23:59:59-05:00", date(2026, 3, 1)),
    ("2026-03-01T00:30:00+14:00", date(2026, 3, 1)),
    ("2026-02-28T07:12:44.123456789", date(2026, 2, 28)),
    ("2028-02-29T12:00:00Z", date(2028, 2, 29)),
]
UNPARSEABLE = [
    None,
    20260301,
    "",
    "2026-03",
    "not a date",
    "2026-02-30",
    "2026-03-01T25:00:00",
    "2026-03-01Tnoon",
    "9999-12-31T24:00:00",
    ["2026-03-01"],
]


@pytest.mark.parametrize("raw, expected", TIMESTAMPS)
def test_api_timestamps_give_the_date_written(raw, expected):
    assert parse_date(raw) == expected
    activity = Activity.from_raw({"id": "i1", "start_date_local": raw, "type": "Ride"})
    assert activity.date == expected
    assert Event.from_raw({"id": 1, "start_date_local": raw}).date == expected


@pytest.mark.parametrize("raw", UNPARSEABLE)
def test_unparseable_timestamps_are_none(raw):
    assert parse_date(raw) is None
    assert Activity.from_raw({"id": "i1", "start_date_local": raw, "type": "Ride"}).date is None
    assert Event.from_raw({"id": 1, "start_date_local": raw}).date is None


def test_activity_reads_pace_gap_and_coach_fields():
    a = Activity.from_raw(
        {
            "id": "i1",
            "pace": 3.2,
            "gap": 3.3,
            "average_pace": 9.9,  # not an API field: ignored
            "race": True,
            "compliance": 0.0,  # a real 0 is kept
            "icu_lap_count": 3.0,
            "icu_recording_time": -5,  # impossible: absent
            "hr_load_type": "HRSS",
            "device_name": "Garmin fenix 7",
        }
    )
    assert (a.pace, a.gap, a.race, a.compliance) == (3.2, 3.3, True, 0.0)
    assert a.lap_count == 3 and isinstance(a.lap_count, int) and a.recording_time is None
    assert a.hr_load_type == "HRSS" and a.device_name == "Garmin fenix 7"
    assert Activity.from_raw({"id": "i2", "icu_lap_count": 2.5, "race": "yes"}).lap_count is None
    assert Activity.from_raw({"id": "i2", "race": "yes"}).race is None


def test_sport_setting_power_model():
    s = SportSetting.from_raw(
        {
            "sweet_spot_min": 84,
            "sweet_spot_max": 0,
            "mmp_model": {"criticalPower": 266, "wPrime": "x"},
        }
    )
    assert s.sweet_spot_min == 84 and s.sweet_spot_max is None  # 0 = unset
    assert s.mmp_model is not None and s.mmp_model.critical_power == 266
    assert s.mmp_model.w_prime is None
    assert SportSetting.from_raw({"mmp_model": {"type": "FFT_CURVES"}}).mmp_model is None
    assert SportSetting.from_raw({"mmp_model": None}).mmp_model is None
