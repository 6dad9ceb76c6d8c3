"""recent_activities[] (docs/metrics.md#recent-activities)."""

import pytest

from section11.model import Activity, Athlete
from section11.outputs.activities import (
    activity_record,
    effort_response,
    has_dfa,
    has_intervals,
    recent_activities,
    split_coach_notes,
    weather_summary,
    zone_distribution,
)
from section11.units import unit_preferences

ATHLETE = Athlete.from_raw({"id": "i1"})
UNITS = unit_preferences(ATHLETE)
IMPERIAL_ATHLETE = Athlete.from_raw(
    {
        "id": "i1",
        "measurement_preference": "feet",
        "fahrenheit": True,
        "wind_speed": "MPH",
        "rain": "IN",
    }
)

BASE_KEYS = [
    "id",
    "date",
    "type",
    "name",
    "duration_hours",
    "duration_formatted",
    "distance_km",
    "tss",
    "intensity_factor",
    "avg_power",
    "normalized_power",
    "avg_hr",
    "max_hr",
    "avg_cadence",
    "avg_speed",
    "avg_speed_unit",
    "max_speed",
    "max_speed_unit",
    "avg_pace",
    "pace",
    "pace_secs",
    "pace_unit",
    "grade_adjusted_pace",
    "grade_adjusted_pace_secs",
    "avg_temp",
    "avg_temp_unit",
    "weather",
    "humidity",
    "wind_speed",
    "wind_speed_unit",
    "work_kj",
    "calories",
    "carbs_used",
    "carbs_ingested",
    "variability_index",
    "decoupling",
    "efficiency_factor",
    "hrrc",
    "elevation_m",
    "elevation_loss_m",
    "moving_time_secs",
    "elapsed_time_secs",
    "recording_time_secs",
    "coasting_time_secs",
    "lap_count",
    "race",
    "compliance_pct",
    "trimp",
    "hr_load",
    "hr_load_type",
    "power_load",
    "pace_load",
    "pace_load_type",
    "min_temp_device",
    "max_temp_device",
    "athlete_max_hr",
    "device_name",
    "display",
    "feel",
    "rpe",
    "effort_response",
    "zone_distribution",
    "has_intervals",
    "has_dfa",
]


def act(**raw):
    return Activity.from_raw({"id": "a1", "start_date_local": "2025-03-10T08:00:00", **raw})


# ---------------------------------------------------------------- effort_response


@pytest.mark.parametrize(
    "intensity, rpe, expected",
    [
        (None, 5, None),
        (80, None, None),
        (80, 0, None),
        (80, -1, None),
        (64.9, 1, None),  # below 0.65: no band
        (65, 1, "positive"),
        (65, 2, "neutral"),
        (65, 4, "neutral"),
        (65, 5, "negative"),
        (74.9, 5, "negative"),  # still [0.65,0.75) -> 2-4
        (75, 3, "positive"),
        (75, 4, "neutral"),
        (75, 6, "neutral"),
        (75, 7, "negative"),
        (84.9, 7, "negative"),
        (85, 5, "positive"),
        (85, 6, "neutral"),
        (85, 8, "neutral"),
        (85, 9, "negative"),
        (95, 7, "positive"),
        (95, 8, "neutral"),
        (95, 9, "neutral"),
        (95, 10, "negative"),
        (104.9, 10, "negative"),
        (105, 8, "positive"),
        (105, 9, "neutral"),
        (105, 10, "neutral"),
        (130, 10, "neutral"),
    ],
)
def test_effort_response_band_edges(intensity, rpe, expected):
    assert effort_response(intensity, rpe) == expected


# ---------------------------------------------------------------- zones


def test_zone_distribution_both():
    a = act(
        icu_hr_zone_times=[60, None, 0, 30, 1, 2, 3, 99],
        icu_zone_times=[
            {"id": "Z1", "secs": 100},
            {"id": "Z2", "secs": 0},
            {"id": "SS", "secs": 50},
            {"id": "Z7", "secs": 5},
        ],
    )
    assert zone_distribution(a) == {
        "hr_zones": {
            "z1_time": 60,
            "z2_time": 0,
            "z3_time": 0,
            "z4_time": 30,
            "z5_time": 1,
            "z6_time": 2,
            "z7_time": 3,
        },
        "power_zones": {"z1_time": 100, "z2_time": 0, "z7_time": 5},
    }


def test_zone_distribution_zeros_kept_and_empty_sides():
    assert zone_distribution(act(icu_hr_zone_times=[0, 0])) == {
        "hr_zones": {"z1_time": 0, "z2_time": 0},
        "power_zones": None,
    }
    assert zone_distribution(act(icu_zone_times=[{"id": "z3", "secs": 7}])) == {
        "hr_zones": None,
        "power_zones": {"z3_time": 7},
    }


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"icu_hr_zone_times": None, "icu_zone_times": None},
        {"icu_hr_zone_times": [], "icu_zone_times": [{"id": "SS", "secs": 4}]},
    ],
)
def test_zone_distribution_null(raw):
    assert zone_distribution(act(**raw)) is None


# ---------------------------------------------------------------- notes


@pytest.mark.parametrize(
    "text, notes, cleaned",
    [
        (None, [], ""),
        ("", [], ""),
        ("Felt good", [], "Felt good"),
        (
            "NOTE: keep it easy\nnote:  fuel 60g/h \n\nMain set felt ok\nNOTE: not a note",
            ["keep it easy", "fuel 60g/h"],
            "Main set felt ok\nNOTE: not a note",
        ),
        ("\n  Note: indented\n\nNOTE:\nRest", ["indented"], "Rest"),
        ("NOTE: only", ["only"], ""),
        ("Notes: not the prefix", [], "Notes: not the prefix"),
    ],
)
def test_split_coach_notes(text, notes, cleaned):
    assert split_coach_notes(text) == (notes, cleaned)


# ---------------------------------------------------------------- intervals flags


@pytest.mark.parametrize(
    "entry, intervals, dfa",
    [
        (None, False, False),
        ({}, False, False),
        ({"intervals": [{"type": "RECOVERY"}]}, False, False),
        ({"intervals": [{"type": "RECOVERY"}, {"type": "WORK"}]}, True, False),
        ({"intervals": None, "dfa": {"avg": 0.9}}, False, True),
        ({"intervals": [], "dfa": None}, False, False),
    ],
)
def test_intervals_flags(entry, intervals, dfa):
    assert has_intervals(entry) is intervals and has_dfa(entry) is dfa


# ---------------------------------------------------------------- full record

FULL = dict(
    type="VirtualRide",
    name="Zwift",
    moving_time=5400,
    distance=45678,
    icu_training_load=85,
    icu_intensity=85.3,
    average_watts=210,
    weighted_average_watts=225,
    average_heartrate=140,
    max_heartrate=170,
    average_cadence=88,
    average_speed=8.4583,
    max_speed=15.0,
    average_temp=21.5,
    icu_joules=1134049,
    calories=1100,
    carbs_used=200,
    carbs_ingested=90,
    icu_variability_index=1.07,
    icu_hr_decoupling=0.0,
    decoupling=4.5,
    icu_efficiency_factor=1.6,
    icu_hrr={"hrr": 30},
    total_elevation_gain=312.4,
    feel=2,
    icu_rpe=6,
    description="  NOTE: hold 220W\nWindy day  ",
)


def test_full_record_fields():
    rec = activity_record(act(**FULL), athlete=ATHLETE, units=UNITS)
    assert list(rec) == BASE_KEYS + ["description", "coach_notes"]
    assert rec["date"] == "2025-03-10T08:00:00"
    assert rec["duration_hours"] == 1.5 and rec["duration_formatted"] == "1h30m"
    assert rec["distance_km"] == 45.68  # 45.678 -> 45.68
    assert rec["avg_speed"] == 30.4  # 8.4583*3.6 = 30.4499 -> 30.4
    assert rec["max_speed"] == 54.0
    assert rec["avg_speed_unit"] == rec["max_speed_unit"] == "KPH"
    assert rec["avg_temp"] == 21.5 and rec["avg_temp_unit"] == "C"
    assert rec["wind_speed_unit"] == "MPS"
    assert rec["work_kj"] == 1134.0  # 1134.049 -> 1134.0
    assert rec["decoupling"] == 0.0  # F1: 0.0 is kept
    assert rec["hrrc"] == 30
    assert rec["display"] == {
        "distance": {"value": 45.68, "unit": "km"},
        "elevation": {"value": 312, "unit": "m"},
        "avg_speed": {"value": 30.4, "unit": "km/h"},
        "max_speed": {"value": 54.0, "unit": "km/h"},
    }
    assert rec["effort_response"] == "neutral"  # IF 0.853 -> band 6-8, RPE 6
    assert rec["intensity_factor"] == 0.85  # icu_intensity 85.3 % -> fraction, 2 dp
    assert rec["pace"] is None and rec["pace_unit"] is None  # a ride has no pace
    assert rec["weather"] is None and rec["humidity"] is None  # indoor: no weather
    assert rec["description"] == "NOTE: hold 220W\nWindy day"
    assert rec["coach_notes"] == ["hold 220W"]
    # indoor type: no terrain/weather keys at all
    assert not any(k.startswith(("terrain", "weather_")) for k in rec)


def test_minimal_record_defaults():
    rec = activity_record(Activity.from_raw({}), athlete=ATHLETE, units=UNITS)
    assert list(rec) == BASE_KEYS
    assert rec["id"] == "unknown_1" and rec["date"] == "unknown" and rec["type"] == "Unknown"
    assert rec["duration_hours"] == 0 and rec["duration_formatted"] == "0s"
    assert rec["distance_km"] == 0 and rec["avg_speed"] is None and rec["work_kj"] is None
    assert rec["display"]["avg_speed"] is None and rec["display"]["elevation"] is None
    assert rec["zone_distribution"] is None and rec["effort_response"] is None
    assert rec["has_intervals"] is False and rec["has_dfa"] is False


def test_imperial_units_and_labels():
    rec = activity_record(
        act(type="Run", distance=10000, average_speed=3.0, total_elevation_gain=100),
        athlete=IMPERIAL_ATHLETE,
        units=unit_preferences(IMPERIAL_ATHLETE),
    )
    assert rec["avg_temp_unit"] == "F" and rec["wind_speed_unit"] == "MPH"
    assert rec["display"]["distance"] == {"value": 6.21, "unit": "mi"}
    assert rec["display"]["elevation"] == {"value": 328, "unit": "ft"}
    assert rec["display"]["avg_speed"] == {"value": 6.7, "unit": "mph"}  # 10.8 km/h*0.621371=6.71


WEATHER = dict(
    has_weather=True,
    average_wind_speed=4.567,
    average_wind_gust=8.0,
    prevailing_wind_deg=270,
    headwind_percent=40.123,
    tailwind_percent=None,
    average_weather_temp=12.345,
    average_temp=14.0,
    average_feels_like=10.555,
    min_feels_like=8.0,
    max_feels_like=12.0,
    min_weather_temp=9.0,
    max_weather_temp=15.0,
    average_clouds=75,
    max_rain=0.5,
    max_snow=0.0,
)


def test_outdoor_weather_summary():
    rec = activity_record(act(type="Ride", **WEATHER), athlete=ATHLETE, units=UNITS)
    assert "weather_status" not in rec
    assert rec["weather_summary"] == {
        "source": "intervals_open_meteo",
        "units": {"wind": "m/s", "temp": "c", "rain": "mm"},
        "avg_wind_speed": 4.57,
        "avg_wind_gust": 8.0,
        "prevailing_wind_deg": 270,
        "headwind_pct": 40.12,
        "tailwind_pct": None,
        "avg_temp": 12.35,
        "avg_temp_device": 14.0,
        "avg_feels_like": 10.55,
        "min_feels_like": 8.0,
        "max_feels_like": 12.0,
        "min_temp": 9.0,
        "max_temp": 15.0,
        "clouds_pct": 75,
        "rain": 0.5,
        "snow": 0.0,
    }
    # as binary floats 12.345 is 12.34500000000000064 (-> 12.35) and 10.555 is
    # 10.55499999999999972 (-> 10.55); 4.567 -> 4.57, 40.123 -> 40.12


def test_weather_line_from_the_open_meteo_fields():
    rec = activity_record(act(type="Ride", **WEATHER), athlete=ATHLETE, units=UNITS)
    # one decimal: 12.345 -> "12.3", 10.555 -> "10.6"; snow 0.0 is left out
    assert rec["weather"] == "12.3°C (feels like 10.6°C), wind 4.6 m/s, 75% cloud, rain 0.5 mm"
    imperial = unit_preferences(IMPERIAL_ATHLETE)
    line = activity_record(act(type="Run", **WEATHER), athlete=IMPERIAL_ATHLETE, units=imperial)
    assert line["weather"] == "12.3°F (feels like 10.6°F), wind 4.6 mph, 75% cloud, rain 0.5 in"
    assert line["humidity"] is None  # the API records no humidity


def test_weather_line_without_weather_or_with_partial_fields():
    assert (
        activity_record(
            act(type="Ride", has_weather=False, average_weather_temp=9.0),
            athlete=ATHLETE,
            units=UNITS,
        )["weather"]
        is None
    )
    rec = activity_record(
        act(type="Ride", has_weather=True, average_wind_speed=3.0, max_snow=1.5),
        athlete=ATHLETE,
        units=UNITS,
    )
    assert rec["weather"] == "wind 3.0 m/s, snow 1.5 mm"


RUN = dict(
    type="Run",
    pace=1000 / 245,  # 4:05/km
    gap=1000 / 241.4,  # 4:01.4/km
    race=True,
    compliance=100.16129,
    trimp=95.40028,
    hr_load=61,
    hr_load_type="HRSS",
    pace_load=58,
    pace_load_type="RUN",
    power_load=None,
    total_elevation_loss=120.5,
    moving_time=3000,
    elapsed_time=3300,
    icu_recording_time=3250,
    coasting_time=7,
    icu_lap_count=11,
    device_name="Garmin fenix 7",
    min_temp=16,
    max_temp=27,
    athlete_max_hr=190,
)


def test_run_pace_and_coach_fields():
    rec = activity_record(act(**RUN), athlete=ATHLETE, units=UNITS)
    assert rec["avg_pace"] == RUN["pace"]  # the API's speed, m/s
    assert rec["pace"] == "4:05/km" and rec["pace_secs"] == 245.0 and rec["pace_unit"] == "km"
    assert rec["grade_adjusted_pace"] == "4:01/km" and rec["grade_adjusted_pace_secs"] == 241.4
    assert {k: rec[k] for k in BASE_KEYS[BASE_KEYS.index("elevation_loss_m") : -7]} == {
        "elevation_loss_m": 120.5,
        "moving_time_secs": 3000,
        "elapsed_time_secs": 3300,
        "recording_time_secs": 3250,
        "coasting_time_secs": 7,
        "lap_count": 11,
        "race": True,
        "compliance_pct": 100.2,
        "trimp": 95.4,
        "hr_load": 61,
        "hr_load_type": "HRSS",
        "power_load": None,
        "pace_load": 58,
        "pace_load_type": "RUN",
        "min_temp_device": 16,
        "max_temp_device": 27,
        "athlete_max_hr": 190,
        "device_name": "Garmin fenix 7",
    }


@pytest.mark.parametrize(
    "sport, speed, expected",
    [
        ("Swim", 100 / 112, ("1:52/100m", 112.0, "100m")),
        ("Walk", 1.45, ("11:30/km", 689.7, "km")),
        ("Hike", 1000 / 59.6, ("1:00/km", 59.6, "km")),  # 59.6 s rounds to a whole minute
        ("Ride", 8.4, (None, None, None)),
        ("WeightTraining", 0.0, (None, None, None)),
        ("Run", 0.0, (None, None, None)),
        ("Run", None, (None, None, None)),
    ],
)
def test_pace_by_sport(sport, speed, expected):
    rec = activity_record(act(type=sport, pace=speed), athlete=ATHLETE, units=UNITS)
    assert (rec["pace"], rec["pace_secs"], rec["pace_unit"]) == expected
    assert rec["grade_adjusted_pace"] is None  # no gap sent


def test_outdoor_without_weather_is_unavailable():
    rec = activity_record(act(type="Hike", has_weather=False), athlete=ATHLETE, units=UNITS)
    assert rec["weather_status"] == "unavailable" and "weather_summary" not in rec


def test_weather_units_follow_preferences():
    summary = weather_summary(act(type="Run", **WEATHER), unit_preferences(IMPERIAL_ATHLETE))
    assert summary["units"] == {"wind": "mph", "temp": "f", "rain": "in"}


def test_terrain_intervals_dfa_and_chat():
    entries = {"a1": {"intervals": [{"type": "WORK"}], "dfa": {"quality": {"sufficient": True}}}}
    terrain = {
        "a1": {"terrain_status": "failed", "terrain_error": "http_404", "terrain_summary": None}
    }
    out = recent_activities(
        [act(type="Ride", has_weather=False)],
        athlete=ATHLETE,
        intervals_entries=entries,
        chat_notes={"a1": ("Great ride!", "  ")},
        activity_terrain=terrain,
        dfa_summary=lambda block: {"avg": 0.8},
    )
    rec = out[0]
    assert rec["has_intervals"] is True and rec["has_dfa"] is True
    assert rec["dfa_summary"] == {"avg": 0.8}
    assert rec["terrain_status"] == "failed" and rec["terrain_error"] == "http_404"
    assert "terrain_summary" not in rec
    assert rec["chat_notes"] == ["Great ride!"]
    assert list(rec)[len(BASE_KEYS) :] == [
        "dfa_summary",
        "terrain_status",
        "terrain_error",
        "weather_status",
        "chat_notes",
    ]


def test_dfa_summary_none_is_omitted_and_indoor_ignores_terrain():
    out = recent_activities(
        [act(type="VirtualRide")],
        athlete=ATHLETE,
        intervals_entries={"a1": {"dfa": {}}},
        activity_terrain={"a1": {"terrain_status": "no_gps"}},
        dfa_summary=lambda block: None,
    )
    assert "dfa_summary" not in out[0] and "terrain_status" not in out[0]
    assert out[0]["has_dfa"] is True


def test_recent_activities_keeps_order():
    acts = [Activity.from_raw({"id": i, "type": "Run"}) for i in (3, 1, 2)]
    assert [r["id"] for r in recent_activities(acts, athlete=ATHLETE)] == ["3", "1", "2"]
