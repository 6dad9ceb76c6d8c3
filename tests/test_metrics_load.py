"""Daily TSS arrays, totals, live and start-of-day ACWR (docs/metrics.md#load-and-acwr)."""

from datetime import date, timedelta

import pytest

from section11.metrics.load import (
    acwr_interpretation,
    acwr_start_of_day,
    acwr_value,
    daily_tss,
    load_block,
    tss_total,
)
from section11.model import Activity

TODAY = date(2025, 3, 10)


def act(days_ago, load, atype="Ride", **raw):
    day = TODAY - timedelta(days=days_ago)
    return Activity.from_raw(
        {
            "id": f"i{days_ago}-{load}",
            "type": atype,
            "start_date_local": f"{day.isoformat()}T07:00:00",
            "icu_training_load": load,
            **raw,
        }
    )


UNDATED = Activity.from_raw({"id": "x", "type": "Ride", "icu_training_load": 500})


# ----------------------------------------------------------------- README.md#privacy


def test_daily_tss_buckets_oldest_first():
    acts = [
        act(0, 50),
        act(0, 30),
        act(2, 100),
        act(1, None),
        act(7, 40),
        UNDATED,
        act(-1, 999),
    ]  # tomorrow: outside
    # today = 50 + 30; today-2 = 100; null load -> 0; today-7 outside the 7-day span
    assert daily_tss(acts, TODAY, 7) == [0, 0, 0, 0, 100, 0, 80]


def test_daily_tss_28_days_reaches_back_27():
    acts = [act(7, 40), act(27, 10), act(28, 99)]
    d = daily_tss(acts, TODAY, 28)
    assert len(d) == 28
    assert d[0] == 10  # today-27
    assert d[20] == 40  # 27 - 7
    assert sum(d) == 50  # today-28 excluded


def test_daily_tss_empty_and_zero_days():
    assert daily_tss([], TODAY, 7) == [0.0] * 7
    assert daily_tss([act(0, 10)], TODAY, 0) == []


def test_tss_total_is_unrounded():
    assert tss_total([act(0, 10.4), act(3, 0.3)], TODAY, 7) == pytest.approx(10.7)


# ----------------------------------------------------------------- README.md#privacy


@pytest.mark.parametrize(
    "t7,t28,expected",
    [
        (400, 1000, 1.6),  # (400/7)/(1000/28) = 4*400/1000 = 1.6
        (250, 1000, 1.0),  # 4*250/1000 = 1.0
        (100, 700, 0.57),  # 4*100/700 = 0.5714 -> 0.57
        (0, 500, 0.0),  # no acute load, chronic > 0
        (100, 0, None),  # chronic 0 -> null
        (0, 0, None),
        (-50, -200, None),  # chronic not > 0
    ],
)
def test_acwr_value(t7, t28, expected):
    assert acwr_value(t7, t28) == expected


@pytest.mark.parametrize(
    "value,label",
    [
        (None, None),
        (0.0, "undertraining"),
        (0.79, "undertraining"),
        (0.8, "optimal"),
        (1.29, "optimal"),
        (1.3, "caution"),
        (1.49, "caution"),
        (1.5, "danger"),
        (3.2, "danger"),
    ],
)
def test_acwr_interpretation(value, label):
    assert acwr_interpretation(value) == label


def test_load_block_live_and_start_of_day():
    today_ride, yesterday_run, older = act(0, 100), act(1, 50, "Run"), act(10, 200)
    acts_7d = [today_ride, yesterday_run]
    acts_28d = [today_ride, yesterday_run, older]
    block = load_block(acts_7d, acts_28d, TODAY)
    # live: T7 = 150, T28 = 350: (150/7)/(350/28) = 21.4286/12.5 = 1.714 -> 1.71 danger
    assert block["acwr"] == 1.71
    assert block["acwr_interpretation"] == "danger"
    assert block["acwr_scope"] == "live_retrospective"
    assert block["acwr_readiness_eligible"] is False
    # start of day: today's 100 removed: T7 = 50, T28 = 250: 4*50/250 = 0.8 optimal
    assert block["acwr_start_of_day"] == {
        "value": 0.8,
        "interpretation": "optimal",
        "scope": "start_of_day",
        "as_of_date": "2025-03-10",
        "current_day_load_included": False,
        "acute_days": 7,
        "chronic_days": 28,
    }
    assert block["tss_7d_total"] == 150.0 and isinstance(block["tss_7d_total"], float)
    assert block["tss_28d_total"] == 350.0
    assert list(block) == [
        "acwr",
        "acwr_interpretation",
        "acwr_scope",
        "acwr_readiness_eligible",
        "acwr_start_of_day",
        "tss_7d_total",
        "tss_28d_total",
    ]


def test_start_of_day_equals_live_when_nothing_today():
    acts = [act(1, 80), act(3, 60), act(20, 300)]
    block = load_block(acts[:2], acts, TODAY)
    # T7 = 140, T28 = 440: 4*140/440 = 1.2727 -> 1.27 optimal
    assert block["acwr"] == 1.27
    assert block["acwr_start_of_day"]["value"] == 1.27
    assert block["acwr_start_of_day"]["interpretation"] == "optimal"


def test_start_of_day_only_today_loaded_is_null():
    acts = [act(0, 120)]
    sod = acwr_start_of_day(acts, acts, TODAY)
    # without today both totals are 0 -> chronic 0 -> null
    assert sod["value"] is None and sod["interpretation"] is None
    # live: 4*120/120 = 4.0
    assert load_block(acts, acts, TODAY)["acwr"] == 4.0


def test_totals_round_half_to_even():
    # round(100.5, 0) = 100.0 (half-to-even); round(101.5, 0) = 102.0
    assert load_block([act(0, 100.5)], [act(0, 100.5)], TODAY)["tss_7d_total"] == 100.0
    assert load_block([act(0, 101.5)], [act(0, 101.5)], TODAY)["tss_7d_total"] == 102.0


def test_no_activities():
    block = load_block([], [], TODAY)
    assert block["acwr"] is None and block["acwr_interpretation"] is None
    assert block["tss_7d_total"] == 0.0 and block["tss_28d_total"] == 0.0
    assert block["acwr_start_of_day"]["value"] is None


def test_null_and_zero_loads_count_as_zero():
    acts = [act(0, None), act(1, 0), act(2, 70)]
    block = load_block(acts, acts, TODAY)
    # T7 = T28 = 70: 4*70/70 = 4.0
    assert block["acwr"] == 4.0 and block["tss_7d_total"] == 70.0


def test_acute_array_is_last_seven_days_even_for_longer_lists():
    # a 14-day display list: only today-6..today enter the acute total (docs/architecture.md, quirk 2)
    acts = [act(0, 70), act(10, 700)]
    block = load_block(acts, acts, TODAY)
    # T7 = 70, T28 = 770: 4*70/770 = 0.3636 -> 0.36
    assert block["tss_7d_total"] == 70.0 and block["acwr"] == 0.36
