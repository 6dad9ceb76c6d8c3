"""Fitness block and power model (spec/metrics.md §5, §6.2)."""

from datetime import date

import pytest

from section11.metrics.fitness import (
    SOURCE_API,
    SOURCE_DECAYED,
    fitness_block,
    power_model,
)
from section11.model import Wellness

TODAY = date(2025, 3, 10)
YESTERDAY = date(2025, 3, 9)


def w(day, **raw):
    return Wellness.from_raw({"id": day.isoformat(), **raw})


TODAY_W = w(TODAY, ctl=55.123, atl=61.456, rampRate=3.333)
YESTERDAY_W = w(YESTERDAY, ctl=50.0, atl=60.0, rampRate=4.0)
PLANNED = ["workout"]
DONE = ["activity"]


def test_api_path_when_nothing_planned():
    # round(55.123,2)=55.12; round(61.456,2)=61.46; tsb=55.12-61.46=-6.34
    assert fitness_block(TODAY_W, YESTERDAY_W, [], []) == {
        "ctl": 55.12,
        "atl": 61.46,
        "tsb": -6.34,
        "ramp_rate": 3.33,
        "fitness_source": SOURCE_API,
    }


def test_api_path_when_planned_workout_already_done():
    assert fitness_block(TODAY_W, YESTERDAY_W, PLANNED, DONE)["fitness_source"] == SOURCE_API
    assert fitness_block(TODAY_W, YESTERDAY_W, PLANNED, DONE)["ctl"] == 55.12


def test_decayed_path_when_planned_not_done():
    # exp(-1/42)=0.9764717: 50*k=48.8236 -> 48.82; ramp 4*k=3.9059 -> 3.91
    # exp(-1/7)=0.8668778: 60*k=52.0127 -> 52.01; tsb=48.82-52.01=-3.19
    assert fitness_block(TODAY_W, YESTERDAY_W, PLANNED, []) == {
        "ctl": 48.82,
        "atl": 52.01,
        "tsb": -3.19,
        "ramp_rate": 3.91,
        "fitness_source": SOURCE_DECAYED,
    }


def test_decayed_path_ramp_falls_back_to_api():
    yesterday = w(YESTERDAY, ctl=50.0, atl=60.0)
    block = fitness_block(TODAY_W, yesterday, PLANNED, [])
    assert block["ramp_rate"] == 3.33 and block["ctl"] == 48.82


def test_decayed_path_without_yesterday_is_null():
    block = fitness_block(TODAY_W, None, PLANNED, [])
    assert block == {
        "ctl": None,
        "atl": None,
        "tsb": None,
        "ramp_rate": 3.33,
        "fitness_source": SOURCE_DECAYED,
    }


def test_api_values_missing_fall_back_to_decay():
    today = w(TODAY, ctl=None, atl=61.456)
    block = fitness_block(today, YESTERDAY_W, [], [])
    # ctl decayed 48.82, atl api 61.46, tsb -12.64, ramp decayed 3.91
    assert block == {
        "ctl": 48.82,
        "atl": 61.46,
        "tsb": -12.64,
        "ramp_rate": 3.91,
        "fitness_source": SOURCE_API,
    }


def test_no_wellness_at_all():
    assert fitness_block(None, None, [], []) == {
        "ctl": None,
        "atl": None,
        "tsb": None,
        "ramp_rate": None,
        "fitness_source": SOURCE_API,
    }


def test_zero_is_a_value():
    today = w(TODAY, ctl=0, atl=0, rampRate=0)
    assert fitness_block(today, None, [], []) == {
        "ctl": 0,
        "atl": 0,
        "tsb": 0,
        "ramp_rate": 0,
        "fitness_source": SOURCE_API,
    }


def test_power_model_from_ride_sport_info():
    today = w(
        TODAY,
        vo2max=55.5,
        sportInfo=[
            {"type": "Run", "eftp": 300, "wPrime": 1, "pMax": 1},
            {"type": "Ride", "eftp": 251.26, "wPrime": 18450.6, "pMax": 980.4},
        ],
    )
    # eftp round(251.26,1)=251.3; w' round(18450.6)=18451; kj 18.4506->18.5; pmax 980
    assert power_model(today) == {
        "eftp": 251.3,
        "w_prime": 18451,
        "w_prime_kj": 18.5,
        "p_max": 980,
        "power_model_source": "wellness.sportInfo",
        "vo2max": 55.5,
    }


@pytest.mark.parametrize(
    "today",
    [
        None,
        w(TODAY),
        w(TODAY, sportInfo=None),
        w(TODAY, sportInfo=[{"type": "Run", "eftp": 4}]),
    ],
)
def test_power_model_unavailable(today):
    block = power_model(today)
    assert block["power_model_source"] == "unavailable"
    assert block["eftp"] is block["w_prime"] is block["w_prime_kj"] is block["p_max"] is None


def test_power_model_zero_and_null_values():
    today = w(TODAY, sportInfo=[{"type": "Ride", "eftp": 0, "wPrime": None, "pMax": 0}])
    assert power_model(today) == {
        "eftp": None,
        "w_prime": None,
        "w_prime_kj": None,
        "p_max": None,
        "power_model_source": "wellness.sportInfo",
        "vo2max": None,
    }
