"""Unit preferences, display blocks and duration strings (docs/metrics.md#units)."""

import pytest

from section11.model import Athlete
from section11.outputs.units import format_duration, format_minutes
from section11.units import (
    METRIC_UNITS,
    format_pace,
    pace_distance,
    pace_seconds,
    to_display,
    unit_preferences,
)

IMPERIAL = {
    "wind": "mph",
    "temp": "f",
    "rain": "in",
    "distance": "imperial",
    "weight": "lb",
    "height": "in",
}


def test_unit_preferences_defaults_are_metric():
    assert unit_preferences(Athlete.from_raw({"id": "i1"})) == {
        "wind": "m/s",
        "temp": "c",
        "rain": "mm",
        "distance": "metric",
        "weight": "kg",
        "height": "cm",
    }
    assert unit_preferences(None) == dict(METRIC_UNITS)


def test_unit_preferences_imperial():
    athlete = Athlete.from_raw(
        {
            "id": "i1",
            "wind_speed": "MPH",
            "fahrenheit": True,
            "rain": "IN",
            "measurement_preference": "feet",
            "weight_pref_lb": True,
            "height_units": "IN",
        }
    )
    assert unit_preferences(athlete) == IMPERIAL


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"wind_speed": "KPH"}, "km/h"),
        ({"wind_speed": "KMH"}, "km/h"),
        ({"wind_speed": "MPS"}, "m/s"),
        ({"wind_speed": "MPH"}, "mph"),
        ({"wind_speed": "KNOTS"}, "kn"),
        ({"wind_speed": "BFT"}, "Bft"),
        ({"wind_speed": "FURLONGS"}, "m/s"),
        ({"wind_speed": None}, "m/s"),
    ],
)
def test_wind_unit(raw, expected):
    assert unit_preferences(Athlete.from_raw({"id": "1", **raw}))["wind"] == expected


@pytest.mark.parametrize(
    "raw, key, expected",
    [
        ({"rain": "MM"}, "rain", "mm"),
        ({"rain": "IN"}, "rain", "in"),
        ({"rain": "INCHES"}, "rain", "in"),
        ({"rain": None}, "rain", "mm"),
        ({"height_units": "CM"}, "height", "cm"),
        ({"height_units": "IN"}, "height", "in"),
        ({"height_units": "FEET"}, "height", "in"),
        ({"height_units": None}, "height", "cm"),
    ],
)
def test_rain_and_height_units(raw, key, expected):
    assert unit_preferences(Athlete.from_raw({"id": "1", **raw}))[key] == expected


@pytest.mark.parametrize(
    "pref, expected",
    [
        ("meters", "metric"),
        (None, "metric"),
        ("feet", "imperial"),
        ("miles", "imperial"),
    ],
)
def test_distance_preference(pref, expected):
    athlete = Athlete.from_raw({"id": "1", "measurement_preference": pref})
    assert unit_preferences(athlete)["distance"] == expected


@pytest.mark.parametrize(
    "value, kind, expected",
    [
        (
            42.195,
            "distance",
            {"value": 42.2, "unit": "km"},
        ),  # round(42.195, 2) on the float = 42.2 (binary 42.19499..)
        (10.0, "distance", {"value": 10.0, "unit": "km"}),
        (523.6, "elevation", {"value": 524, "unit": "m"}),
        (12.5, "elevation_per_distance", {"value": 12, "unit": "m/km"}),  # half-to-even
        (70.25, "weight", {"value": 70.2, "unit": "kg"}),  # half-to-even on exact binary .25
        (1.78, "height", {"value": 178, "unit": "cm"}),
        (32.44, "speed", {"value": 32.4, "unit": "km/h"}),
        (0, "distance", {"value": 0, "unit": "km"}),
    ],
)
def test_to_display_metric(value, kind, expected):
    assert to_display(value, kind, METRIC_UNITS) == expected


@pytest.mark.parametrize(
    "value, kind, expected",
    [
        (10.0, "distance", {"value": 6.21, "unit": "mi"}),  # 6.21371
        (100.0, "elevation", {"value": 328, "unit": "ft"}),  # 328.084
        (10.0, "elevation_per_distance", {"value": 53, "unit": "ft/mi"}),  # 52.8
        (70.0, "weight", {"value": 154.3, "unit": "lb"}),  # 154.3234
        (1.8, "height", {"value": 71, "unit": "in"}),  # 70.86618
        (30.0, "speed", {"value": 18.6, "unit": "mph"}),  # 18.64113
    ],
)
def test_to_display_imperial(value, kind, expected):
    assert to_display(value, kind, IMPERIAL) == expected


def test_weight_and_height_follow_their_own_preferences():
    mixed = {**METRIC_UNITS, "weight": "lb"}
    assert to_display(70.0, "weight", mixed) == {"value": 154.3, "unit": "lb"}
    assert to_display(10.0, "distance", mixed) == {"value": 10.0, "unit": "km"}
    # imperial distance but cm height
    mixed = {**IMPERIAL, "height": "cm", "weight": "kg"}
    assert to_display(1.8, "height", mixed) == {"value": 180, "unit": "cm"}
    assert to_display(70.0, "weight", mixed) == {"value": 70.0, "unit": "kg"}


def test_to_display_none_and_unknown_kind():
    assert to_display(None, "distance", METRIC_UNITS) is None
    assert to_display(5.0, "distance") == {"value": 5.0, "unit": "km"}
    with pytest.raises(ValueError):
        to_display(1.0, "furlongs", METRIC_UNITS)


@pytest.mark.parametrize(
    "seconds, expected",
    [
        (0, "0s"),
        (-5, "0s"),
        (None, "0s"),
        (59, "59s"),
        (60, "1m"),
        (90, "1m30s"),
        (3600, "1h"),
        (5400, "1h30m"),
        (3661, "1h1m1s"),
        (7200, "2h"),
        (8100, "2h15m"),
        (59.9, "59s"),
    ],
)
def test_format_duration(seconds, expected):
    assert format_duration(seconds) == expected


@pytest.mark.parametrize(
    "seconds, expected",
    [
        (0, "0s"),
        (59, "0s"),
        (60, "1m"),
        (3599, "59m"),
        (5459, "1h30m"),
        (3661, "1h1m"),
    ],
)
def test_format_minutes_truncates_to_whole_minutes(seconds, expected):
    assert format_minutes(seconds) == expected


@pytest.mark.parametrize(
    "sport, metres",
    [
        ("Run", 1000),
        ("TrailRun", 1000),
        ("Walk", 1000),
        ("Hike", 1000),
        ("Swim", 100),
        ("Ride", None),
        ("VirtualRow", None),
        (None, None),
    ],
)
def test_pace_distance_by_sport(sport, metres):
    assert pace_distance(sport) == metres


def test_pace_seconds_and_text():
    assert pace_seconds(4.0, 1000) == 250.0 and format_pace(250.0, 1000) == "4:10/km"
    assert pace_seconds(1.25, 100) == 80.0 and format_pace(80.0, 100) == "1:20/100m"
    assert format_pace(599.6, 1000) == "10:00/km"  # rounds to whole seconds
    for speed in (None, 0, 0.0, -1.0, float("nan"), True, 5e-324, 2.2e-311):
        assert pace_seconds(speed, 1000) is None
