"""Body-weight signal (docs/metrics.md#weight)."""

import json
import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.weight import weight_signal
from section11.wellness_model import Wellness

from .helpers import walk

TODAY = date(2026, 5, 20)
KG = {"weight": "kg", "distance": "metric"}
LB = {"weight": "lb", "distance": "imperial"}
TESTED = {"cycling": {"ftp": 280, "ftp_indoor": 270}}
HISTORY = {"outdoor": {"2026-03-01": 270, "2026-04-15": 280}, "indoor": {"2026-05-01": 260}}


def d(days_ago):
    return (TODAY - timedelta(days=days_ago)).isoformat()


def series(points):
    """points: {days_ago: kg}."""
    return [
        Wellness.from_raw({"id": d(k), "weight": kg})
        for k, kg in sorted(points.items(), reverse=True)
    ]


BLOCK = {27: 72.0, 25: 71.8, 20: 71.5, 6: 70.9, 5: None, 4: 70.7, 3: 0, 2: 70.5, 1: 70.6, 0: 70.04}


def signal(points, thresholds=TESTED, eftp=None, history=HISTORY, units=KG):
    return weight_signal(series(points), TODAY, thresholds, eftp, history, units)


def test_block_hand_computed():
    out = signal(BLOCK)
    # latest: round(70.04, 1) = 70.0; wkg_current 280/70.0 = 4.0
    # block: start = 72.0 (day 27, closest to today-27), end = 70.04 (today)
    #   280/72 = 3.8889 -> 3.89; 280/70.04 = 3.99772 -> 4.0; delta 4.0-3.89 = 0.11
    # 7d: days 6,4,2,1,0 (0 and null dropped) = 352.74/5 = 70.548 -> 70.5
    # 8 weigh-ins < 14 -> no slope; ftp_setting_date = newest outdoor 2026-04-15
    assert out == {
        "weight_latest_kg": 70.0,
        "weight_latest_date": d(0),
        "wkg_current": 4.0,
        "wkg_ftp_source": "tested",
        "ftp_setting_date": "2026-04-15",
        "wkg_block_start": 3.89,
        "wkg_block_end": 4.0,
        "wkg_block_delta": 0.11,
        "weight_7d_avg_kg": 70.5,
        "display": {
            "weight_latest": {"value": 70.0, "unit": "kg"},
            "weight_7d_avg": {"value": 70.5, "unit": "kg"},
        },
    }
    assert list(out)[-1] == "display"


def test_pounds_display():
    out = signal(BLOCK, units=LB)
    # 70.04 * 2.20462 = 154.4116 -> 154.4; 70.548 * 2.20462 = 155.5315 -> 155.5
    assert out["display"] == {
        "weight_latest": {"value": 154.4, "unit": "lb"},
        "weight_7d_avg": {"value": 155.5, "unit": "lb"},
    }
    assert out["weight_latest_kg"] == 70.0  # canonical stays kg


def test_slope_hand_computed():
    # days_ago 0..13 -> x = 27..14 (x = days since today-27); y = 75 - 0.05x, plus +0.3 at
    # x = 14 and x = 27 (symmetric about x_bar = 20.5, so zero covariance with x)
    points = {27 - x: 75 - 0.05 * x + (0.3 if x in (14, 27) else 0) for x in range(14, 28)}
    out = signal(points, thresholds=None)
    # OLS slope -0.05/day * 7 = -0.35 kg/week
    assert out["weight_28d_slope_kg_per_week"] == -0.35
    assert out["display"]["weight_28d_slope_per_week"] == {"value": -0.35, "unit": "kg/week"}
    lb = signal(points, thresholds=None, units=LB)
    # -0.35 * 2.20462 = -0.771617 -> -0.772
    assert lb["display"]["weight_28d_slope_per_week"] == {"value": -0.772, "unit": "lb/week"}
    assert lb["weight_28d_slope_kg_per_week"] == -0.35


def test_slope_needs_14_weigh_ins():
    points = {k: 70.0 + k * 0.1 for k in range(13)}
    assert "weight_28d_slope_kg_per_week" not in signal(points)
    points[20] = 72.0
    # 14 points: 70.0..71.2 on days 0..12 and 72.0 on day 20 -> a falling trend
    assert signal(points)["weight_28d_slope_kg_per_week"] < 0


def test_flat_slope_is_zero_not_negative_zero():
    out = signal({k: 70.0 for k in range(14)}, thresholds=None)
    assert out["weight_28d_slope_kg_per_week"] == 0.0
    assert math.copysign(1, out["weight_28d_slope_kg_per_week"]) == 1


@pytest.mark.parametrize("age,present", [(14, True), (15, False)])
def test_latest_age_gate(age, present):
    out = signal({age: 70.0, 27: 71.0})
    if present:
        assert out["weight_latest_kg"] == 70.0 and out["weight_latest_date"] == d(age)
        assert out["wkg_current"] == 4.0  # 280/70
        assert "wkg_block_start" not in out  # no weigh-in in [today-3, today]
    else:
        assert out is None  # nothing qualifies -> whole block omitted


def test_no_weigh_ins_gives_none():
    assert signal({}) is None
    assert signal({0: 0, 1: None, 2: -70}) is None


def test_future_record_ignored():
    out = weight_signal(series({-1: 90.0, 0: 70.0}), TODAY, TESTED, None, HISTORY, KG)
    assert out["weight_latest_kg"] == 70.0 and out["weight_latest_date"] == d(0)


def test_eftp_fallback_has_no_setting_date():
    out = signal(BLOCK, thresholds={"cycling": {"ftp": None}}, eftp=252.1)
    # 252.1 / 70.0 = 3.6014 -> 3.6
    assert out["wkg_current"] == 3.6 and out["wkg_ftp_source"] == "eftp"
    assert "ftp_setting_date" not in out
    # block with eFTP: 252.1/72 = 3.50139 -> 3.5; 252.1/70.04 = 3.59937 -> 3.6; delta 0.1
    assert (out["wkg_block_start"], out["wkg_block_end"], out["wkg_block_delta"]) == (3.5, 3.6, 0.1)


@pytest.mark.parametrize(
    "history,expected",
    [
        ({"outdoor": {}, "indoor": {"2026-05-01": 260, "2026-02-01": 250}}, "2026-05-01"),
        ({"outdoor": {}, "indoor": {}}, None),
        ({}, None),
        (None, None),
        ({"outdoor": {"bad": 1, "2026-01-02": 250}}, "2026-01-02"),
    ],
)
def test_ftp_setting_date(history, expected):
    out = signal(BLOCK, history=history)
    assert out.get("ftp_setting_date") == expected
    assert out["wkg_ftp_source"] == "tested"


@pytest.mark.parametrize(
    "thresholds",
    [
        None,
        {},
        {"cycling": None},
        {"cycling": {"ftp": 0}},
        {"run": {"ftp": 300}},
        {"cycling": {"ftp": "300"}},
    ],
)
def test_no_ftp_no_wkg(thresholds):
    out = signal(BLOCK, thresholds=thresholds, eftp=None)
    assert not any(k.startswith("wkg") for k in out) and "ftp_setting_date" not in out
    assert out["weight_latest_kg"] == 70.0


def test_zero_eftp_is_no_ftp():
    assert "wkg_current" not in signal(BLOCK, thresholds=None, eftp=0)


def test_block_picks_closest_weigh_ins():
    # start window [27, 24]: 26 and 24 -> 26 (closest to today-27); end [3, 0]: 3 and 1 -> 1
    out = signal({26: 80.0, 24: 70.0, 3: 70.0, 1: 75.0, 30: 60.0})
    # 280/80 = 3.5, 280/75 = 3.7333 -> 3.73, delta 0.23
    assert (out["wkg_block_start"], out["wkg_block_end"], out["wkg_block_delta"]) == (
        3.5,
        3.73,
        0.23,
    )


def test_block_needs_both_ends():
    out = signal({23: 72.0, 2: 70.0})  # 23 days ago is outside [27, 24]
    assert "wkg_block_start" not in out and out["wkg_current"] == 4.0


@pytest.mark.parametrize("count,present", [(3, False), (4, True)])
def test_7d_average_needs_4(count, present):
    points = {k: 70.0 + k for k in range(count)}
    points[7] = 99.0  # day 7 is outside today-6..today
    out = signal(points)
    assert ("weight_7d_avg_kg" in out) is present
    if present:
        # 70 + 71 + 72 + 73 = 286 / 4 = 71.5
        assert out["weight_7d_avg_kg"] == 71.5
        assert out["display"]["weight_7d_avg"] == {"value": 71.5, "unit": "kg"}
    else:
        assert "weight_7d_avg" not in out["display"]


# ----------------------------------------------------------------- properties


weights = st.one_of(
    st.none(), st.floats(allow_nan=True), st.just(0), st.integers(-5, 10**18), st.floats(40, 120)
)
records = st.lists(st.tuples(st.integers(-3, 40), weights), max_size=30)
ftps = st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-5, 10**18), st.just("x"))


@settings(max_examples=300, deadline=None)
@given(
    records,
    ftps,
    ftps,
    st.one_of(
        st.none(),
        st.dictionaries(
            st.sampled_from(["indoor", "outdoor", "x"]),
            st.one_of(
                st.none(),
                st.dictionaries(st.sampled_from(["2026-01-01", "zz", "2026-05-20"]), st.integers()),
            ),
        ),
    ),
    st.sampled_from([None, KG, LB]),
)
def test_property_no_crash_no_nan(points, ftp, eftp, history, units):
    wellness = [w for w in (Wellness.from_raw({"id": d(k), "weight": kg}) for k, kg in points)]
    eftp_value = eftp if isinstance(eftp, (int, float)) else None
    out = weight_signal(wellness, TODAY, {"cycling": {"ftp": ftp}}, eftp_value, history, units)
    if out is None:
        return
    json.dumps(out, allow_nan=False)
    assert out  # never an empty block
    for value in walk(out):
        if isinstance(value, float):
            assert math.isfinite(value)
    assert "display" not in out or out["display"]
