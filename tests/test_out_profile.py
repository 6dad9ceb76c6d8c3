"""athlete_profile and thresholds (docs/metrics.md#thresholds-and-profile)."""

from datetime import date

import pytest

from section11.metrics.fitness import latest_vo2max, power_model
from section11.model import Athlete
from section11.outputs.profile import (
    athlete_profile,
    location,
    thresholds_block,
    thresholds_sports,
    whole_years,
)
from section11.wellness_model import Wellness

RAW = {
    "id": "i42",
    "name": "Secret Name",
    "email": "me@example.com",
    "icu_api_key": "KEY",
    "icu_date_of_birth": "1990-06-15",
    "height": 1.8,
    "sex": "F",
    "city": " Girona ",
    "state": "",
    "country": "Spain",
    "timezone": "Europe/Madrid",
    "icu_activated": "2019-03-01T10:11:12Z",
    "measurement_preference": "meters",
}


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2025, 6, 14), 34),  # day before the birthday
        (date(2025, 6, 15), 35),  # the birthday
        (date(2025, 6, 16), 35),
        (date(2025, 1, 1), 34),
        (date(1990, 6, 15), 0),
    ],
)
def test_age_around_birthday(today, expected):
    assert whole_years(date(1990, 6, 15), today) == expected


def test_whole_years_unknown_or_future():
    assert whole_years(None, date(2025, 1, 1)) is None
    assert whole_years(date(2026, 1, 1), date(2025, 1, 1)) is None


def test_leap_day_birthday():
    # born 29 Feb: on 28 Feb of a non-leap year the birthday has not come yet
    assert whole_years(date(2000, 2, 29), date(2021, 2, 28)) == 20
    assert whole_years(date(2000, 2, 29), date(2021, 3, 1)) == 21


def test_athlete_profile_fields_in_order():
    profile = athlete_profile(Athlete.from_raw(RAW), date(2025, 3, 1))
    assert list(profile) == [
        "date_of_birth",
        "age",
        "height_m",
        "display",
        "display_preferences",
        "sex",
        "location",
        "timezone",
        "platform_activated",
        "years_on_platform",
    ]
    assert profile["date_of_birth"] == "1990-06-15"
    assert profile["age"] == 34
    assert profile["height_m"] == 1.8
    assert profile["display"] == {"height": {"value": 180, "unit": "cm"}}
    assert profile["display_preferences"]["distance"] == "metric"
    assert profile["sex"] == "F"
    assert profile["location"] == "Girona, Spain"
    assert profile["timezone"] == "Europe/Madrid"
    assert profile["platform_activated"] == "2019-03-01"
    assert profile["years_on_platform"] == 6  # 2019-03-01 .. 2025-03-01, anniversary day
    text = repr(profile)
    assert "KEY" not in text and "example.com" not in text and "Secret Name" not in text


def test_profile_of_empty_athlete():
    profile = athlete_profile(Athlete.from_raw({"id": "1"}), date(2025, 3, 1))
    assert profile["age"] is None and profile["location"] is None
    assert profile["display"] == {"height": None}
    assert profile["platform_activated"] is None and profile["years_on_platform"] is None


def test_location_blank_parts():
    assert location(Athlete.from_raw({"id": "1", "city": "  ", "country": None})) is None
    assert (
        location(Athlete.from_raw({"id": "1", "city": "A", "state": "B", "country": "C"}))
        == "A, B, C"
    )


def setting(types, **fields):
    return {"types": types, **fields}


def test_thresholds_per_family_and_pace_rules():
    athlete = Athlete.from_raw(
        {
            "id": "1",
            "sportSettings": [
                setting(
                    ["Ride", "VirtualRide"],
                    ftp=250,
                    indoor_ftp=240,
                    lthr=165,
                    max_hr=185,
                    threshold_pace=0,
                    pace_units="SECS_100M",
                ),
                setting(
                    ["Run", "TrailRun"],
                    lthr=170,
                    max_hr=190,
                    threshold_pace=4.2,
                    pace_units="MINS_KM",
                    ftp=0,
                ),
                setting(["Paddleboard"], ftp=200),  # unknown type: skipped
            ],
        }
    )
    assert thresholds_sports(athlete) == {
        "cycling": {
            "lthr": 165,
            "max_hr": 185,
            "threshold_pace": None,
            "pace_units": None,
            "ftp": 250,
            "ftp_indoor": 240,
            "sweet_spot_min_pct": None,
            "sweet_spot_max_pct": None,
            "power_model": None,
        },
        "run": {
            "lthr": 170,
            "max_hr": 190,
            "threshold_pace": 4.2,
            "pace_units": "MINS_KM",
            "ftp": None,
            "ftp_indoor": None,
            "sweet_spot_min_pct": None,
            "sweet_spot_max_pct": None,
            "power_model": None,
        },
    }


def test_thresholds_carry_sweet_spot_and_power_model():
    mmp = {"type": "FFT_CURVES", "criticalPower": 266, "wPrime": 19740, "pMax": 1274, "ftp": 272}
    athlete = Athlete.from_raw(
        {
            "id": "1",
            "sportSettings": [
                setting(["Ride"], ftp=280, sweet_spot_min=84, sweet_spot_max=97, mmp_model=mmp),
                # no FTP: sweet-spot bounds mean nothing; an empty model is no model
                setting(["Run"], lthr=170, sweet_spot_min=84, sweet_spot_max=97, mmp_model={}),
            ],
        }
    )
    sports = thresholds_sports(athlete)
    assert sports["cycling"]["sweet_spot_min_pct"] == 84
    assert sports["cycling"]["sweet_spot_max_pct"] == 97
    assert sports["cycling"]["power_model"] == {
        "type": "FFT_CURVES",
        "critical_power": 266,
        "w_prime": 19740,
        "p_max": 1274,
        "ftp": 272,
    }
    assert sports["run"]["sweet_spot_min_pct"] is None and sports["run"]["power_model"] is None


def test_thresholds_most_populated_wins():
    athlete = Athlete.from_raw(
        {
            "id": "1",
            "sportSettings": [
                setting(["Ride"], ftp=250),  # 1 field
                setting(["GravelRide"], ftp=230, lthr=160),  # 2 fields -> wins
            ],
        }
    )
    assert thresholds_sports(athlete)["cycling"]["ftp"] == 230


def test_thresholds_tie_goes_to_alphabetical_type():
    athlete = Athlete.from_raw(
        {
            "id": "1",
            "sportSettings": [
                setting(["VirtualRide"], ftp=240),
                setting(["Ride"], ftp=250),  # "Ride" < "VirtualRide"
                setting(["MountainBikeRide"], ftp=210),  # "MountainBikeRide" < "Ride" -> wins
            ],
        }
    )
    assert thresholds_sports(athlete)["cycling"]["ftp"] == 210
    athlete = Athlete.from_raw(
        {
            "id": "1",
            "sportSettings": [
                setting(["VirtualRide", "Ride"], ftp=240),
                setting(["GravelRide"], ftp=250),  # "GravelRide" smallest
            ],
        }
    )
    assert thresholds_sports(athlete)["cycling"]["ftp"] == 250


def test_thresholds_null_lists():
    assert thresholds_sports(Athlete.from_raw({"id": "1", "sportSettings": None})) == {}
    assert (
        thresholds_sports(
            Athlete.from_raw({"id": "1", "sportSettings": [{"types": None, "ftp": 200}]})
        )
        == {}
    )


def test_thresholds_block_carries_power_model():
    today = Wellness.from_raw(
        {"id": "2025-03-01", "vo2max": 52, "sportInfo": [{"type": "Ride", "eftp": 260.04}]}
    )
    power = {**power_model(today), **latest_vo2max([today], today.date)}
    block = thresholds_block(Athlete.from_raw({"id": "1"}), power)
    assert block == {
        "eftp": 260.0,
        "w_prime": None,
        "w_prime_kj": None,
        "p_max": None,
        "vo2max": 52,
        "vo2max_date": "2025-03-01",
        "sports": {},
    }
