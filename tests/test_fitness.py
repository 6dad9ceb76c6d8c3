"""Fitness block and power model (docs/metrics.md#fitness)."""

import math
from datetime import date, timedelta

import pytest

from section11.metrics.fitness import (
    SOURCE_API,
    SOURCE_DECAYED,
    SOURCE_FALLBACK,
    fitness_block,
    fitness_fallback_row,
    latest_vo2max,
    power_model,
)
from section11.wellness_model import Wellness

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
        "fitness_date": "2025-03-10",
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
        "fitness_date": "2025-03-10",
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
        "fitness_date": None,
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
        "fitness_date": "2025-03-10",
    }


def test_no_wellness_at_all():
    assert fitness_block(None, None, [], []) == {
        "ctl": None,
        "atl": None,
        "tsb": None,
        "ramp_rate": None,
        "fitness_source": SOURCE_API,
        "fitness_date": None,
    }


def test_zero_is_a_value():
    today = w(TODAY, ctl=0, atl=0, rampRate=0)
    assert fitness_block(today, None, [], []) == {
        "ctl": 0,
        "atl": 0,
        "tsb": 0,
        "ramp_rate": 0,
        "fitness_source": SOURCE_API,
        "fitness_date": "2025-03-10",
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
    }


# ------------------------------------------------- fallback row and VO2max window


def test_fallback_row_when_today_and_yesterday_are_missing():
    # rows: today-3 (ctl 40, atl 45), today-5 (ctl 39); the newest with CTL/ATL wins
    rows = [
        w(date(2025, 3, 5), ctl=39.0, atl=44.0),
        w(date(2025, 3, 7), ctl=40.004, atl=45.0, rampRate=1.234),
    ]
    fallback = fitness_fallback_row(rows, TODAY)
    assert fallback is rows[1]
    assert fitness_block(None, None, [], [], fallback) == {
        "ctl": 40.0,
        "atl": 45.0,
        "tsb": -5.0,
        "ramp_rate": 1.23,
        "fitness_source": SOURCE_FALLBACK.format(day="2025-03-07"),
        "fitness_date": "2025-03-07",
    }


def test_fallback_window_is_seven_days_and_skips_today_and_yesterday():
    assert fitness_fallback_row([w(date(2025, 3, 3), ctl=40.0)], TODAY).date == date(2025, 3, 3)
    assert fitness_fallback_row([w(date(2025, 3, 2), ctl=40.0)], TODAY) is None  # 8 days old
    assert fitness_fallback_row([w(date(2025, 3, 4)), w(date(2025, 3, 5), hrv=50)], TODAY) is None
    assert fitness_fallback_row([w(YESTERDAY, ctl=40.0)], TODAY) is None


def test_fallback_is_not_used_when_yesterday_gives_values():
    fallback = w(date(2025, 3, 6), ctl=1.0, atl=1.0)
    block = fitness_block(None, YESTERDAY_W, [], [], fallback)
    assert (block["ctl"], block["atl"], block["fitness_source"]) == (48.82, 52.01, SOURCE_API)
    assert block["fitness_date"] == "2025-03-10"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # newest non-zero reading wins, today included
        ([(3, 50.0), (9, 51.5)], (51.5, "2025-03-09")),
        ([(10, 52.0), (9, 51.5)], (52.0, "2025-03-10")),
        # 0 is no reading; a reading 14 days old still counts, 15 days does not
        ([(9, 0), (-4, 49.0)], (49.0, "2025-02-24")),
        ([(-5, 49.0)], (None, None)),
        # a record dated after today (timezone edge) is ignored
        ([(11, 60.0)], (None, None)),
    ],
)
def test_latest_vo2max(rows, expected):
    records = [w(date(2025, 3, 1) + timedelta(days=d - 1), vo2max=v) for d, v in rows]
    block = latest_vo2max(records, TODAY)
    assert (block["vo2max"], block["vo2max_date"]) == expected


def test_load_fitness_is_the_exponentially_weighted_load():
    from section11.metrics.fitness import load_fitness

    series = load_fitness([100.0, 0.0, 0.0])
    k42, k7 = math.exp(-1 / 42), math.exp(-1 / 7)
    assert series[0] == pytest.approx((100 * (1 - k42), 100 * (1 - k7)))
    assert series[2] == pytest.approx((100 * (1 - k42) * k42**2, 100 * (1 - k7) * k7**2))
    assert load_fitness([]) == []
