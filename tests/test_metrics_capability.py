"""Capability blocks: durability (docs/metrics.md#capability), efficiency factor (docs/metrics.md#capability), HRRc (docs/metrics.md#capability).

Expected values are worked out by hand from the formulas in docs/metrics.md (arithmetic in
the comments), never taken from running the code.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.capability import (
    durability,
    durability_values,
    ef_values,
    efficiency_factor,
    hrrc,
    hrrc_values,
)
from section11.model import Activity

from .helpers import walk_numbers

_counter = iter(range(10**9))


def act(**raw) -> Activity:
    """An Activity from API field names (id and date filled in)."""
    raw.setdefault("id", f"i{next(_counter)}")
    raw.setdefault("start_date_local", "2026-07-20T08:00:00")
    raw.setdefault("type", "Ride")
    return Activity.from_raw(raw)


def steady(dec, vi=1.02, mt=6000, **raw) -> Activity:
    return act(icu_hr_decoupling=dec, icu_variability_index=vi, moving_time=mt, **raw)


# ----------------------------------------------------------------- durability

A = steady(3.0, vi=1.02, mt=5400)  # qualifies: boundaries mt == 5400
B = steady(6.0, vi=1.05, mt=6000)  # qualifies: vi == 1.05 boundary; high drift
NOT_QUALIFYING = [
    steady(4.0, vi=1.06),  # VI too high
    steady(2.0, vi=0),  # VI must be > 0
    steady(2.0, vi=-1.0),
    steady(2.0, mt=5399),  # one second short of 90 min
    steady(None),  # no decoupling at all
    act(icu_hr_decoupling=2.0, icu_variability_index=1.0),  # moving_time absent -> 0
    act(icu_hr_decoupling=2.0, moving_time=7200),  # VI absent
    act(icu_hr_decoupling=2.0, icu_variability_index=None, moving_time=None),
]
G = act(
    icu_hr_decoupling=None, decoupling=0.0, icu_variability_index=1.0, moving_time=7200, type="Run"
)  # fallback field, 0.0 is data; any sport
J = steady(-2.0, vi=1.01, mt=9000)  # negative decoupling is valid


def test_durability_gate_keeps_zero_fallback_and_negative():
    assert durability_values([A, B, *NOT_QUALIFYING, G, J]) == [3.0, 6.0, 0.0, -2.0]


def test_durability_mixed_windows():
    out = durability([A, B], [A, B, *NOT_QUALIFYING, G, J])
    # v7 = [3.0, 6.0] -> 9/2 = 4.5 ; v28 = [3, 6, 0, -2] -> 7/4 = 1.75
    # d = 4.5 - 1.75 = 2.75 > 1.0 -> declining; >5.0 only 6.0 in both
    assert out["mean_decoupling_7d"] == 4.5
    assert out["mean_decoupling_28d"] == 1.75
    assert out["high_drift_count_7d"] == 1
    assert out["high_drift_count_28d"] == 1
    assert out["qualifying_sessions_7d"] == 2
    assert out["qualifying_sessions_28d"] == 4
    assert out["trend"] == "declining"
    # n28 = 4 < 5 and n7 = 2 < 3
    assert out["reliability_limited"] is True
    assert "2 qualifying" in out["reliability_note"] and "4 in 28d" in out["reliability_note"]
    assert isinstance(out["note"], str) and out["note"]


def test_durability_key_set():
    assert list(durability([], [])) == [
        "mean_decoupling_7d",
        "mean_decoupling_28d",
        "high_drift_count_7d",
        "high_drift_count_28d",
        "qualifying_sessions_7d",
        "qualifying_sessions_28d",
        "trend",
        "reliability_limited",
        "reliability_note",
        "note",
    ]


def test_durability_improving_and_reliable():
    v7 = [steady(1.0), steady(2.0), steady(3.0)]
    v28 = v7 + [steady(6.0), steady(8.0)]
    out = durability(v7, v28)
    # mean7 = 6/3 = 2.0 ; mean28 = 20/5 = 4.0 ; d = -2.0 < -1.0 -> improving
    assert (out["mean_decoupling_7d"], out["mean_decoupling_28d"]) == (2.0, 4.0)
    assert out["trend"] == "improving"
    assert (out["high_drift_count_7d"], out["high_drift_count_28d"]) == (0, 2)
    # n7 = 3, n28 = 5 meet both minimums
    assert out["reliability_limited"] is False
    assert out["reliability_note"] is None


@pytest.mark.parametrize(
    "v7,v28,trend",
    [
        ([2.0, 4.0], [2.0, 4.0, 1.0, 1.0], "stable"),  # 3.0 - 2.0 = 1.0, not > 1.0
        ([1.0, 1.0], [1.0, 1.0, 2.0, 4.0], "stable"),  # 1.0 - 2.0 = -1.0, not < -1.0
        ([3.004, 3.004], [1.996, 1.996], "stable"),  # rounded means 3.0 - 2.0 = 1.0
        ([5.0, 5.0], [1.0, 2.0], "declining"),  # 5.0 - 1.5 = 3.5
    ],
)
def test_durability_trend_bands_use_rounded_means(v7, v28, trend):
    out = durability([steady(v) for v in v7], [steady(v) for v in v28])
    assert out["trend"] == trend


def test_durability_high_drift_is_strictly_above_5():
    out = durability([steady(5.0), steady(5.01)], [steady(5.0)])
    assert out["high_drift_count_7d"] == 1  # 5.0 is not > 5.0
    assert out["high_drift_count_28d"] == 0


def test_durability_rounding_half_even():
    # mean(0.125, 0.125) = 0.125 -> round(., 2) = 0.12 (half-to-even)
    out = durability([steady(0.125), steady(0.125)], [])
    assert out["mean_decoupling_7d"] == 0.12


def test_durability_tiny_negative_mean_is_plain_zero():
    out = durability([steady(-0.001), steady(-0.001)], [])
    assert out["mean_decoupling_7d"] == 0.0
    assert math.copysign(1.0, out["mean_decoupling_7d"]) == 1.0  # not -0.0


@pytest.mark.parametrize("acts7,acts28", [([], []), ([A], [A]), ([A], [])])
def test_durability_too_few_sessions(acts7, acts28):
    out = durability(acts7, acts28)
    assert out["mean_decoupling_7d"] is None
    assert out["mean_decoupling_28d"] is None
    assert out["trend"] is None
    assert out["reliability_limited"] is True
    assert out["qualifying_sessions_7d"] == len(acts7)


# ----------------------------------------------------------------- EF


def ride(ef, type="Ride", vi=1.02, mt=3600) -> Activity:
    return act(type=type, icu_efficiency_factor=ef, icu_variability_index=vi, moving_time=mt)


R1 = ride(1.50, vi=1.02, mt=1200)  # 20 min boundary
R2 = ride(1.60, type="VirtualRide", vi=1.0)
R3 = ride(1.40, type="GravelRide", vi=1.03, mt=4000)
R4 = ride(1.30, type="MountainBikeRide", vi=1.05, mt=2000)  # VI boundary
EF_EXCLUDED = [
    ride(2.0, type="EBikeRide"),  # not an EF cycling type
    ride(1.9, type="Run"),
    ride(1.9, mt=1199),
    ride(1.9, vi=1.051),
    ride(1.9, vi=0),
    ride(None),
    ride(1.9, vi=None),
]


def test_ef_gate():
    assert ef_values([R1, R2, R3, R4, *EF_EXCLUDED]) == [1.50, 1.60, 1.40, 1.30]


def test_ef_improving():
    out = efficiency_factor([R1, R2], [R1, R2, R3, R4, *EF_EXCLUDED])
    # mean7 = 3.1/2 = 1.55 ; mean28 = 5.8/4 = 1.45 ; d = 0.10 > 0.03 -> improving
    assert out == {
        "mean_ef_7d": 1.55,
        "mean_ef_28d": 1.45,
        "qualifying_sessions_7d": 2,
        "qualifying_sessions_28d": 4,
        "trend": "improving",
        "note": out["note"],
    }
    assert out["note"]


@pytest.mark.parametrize(
    "v7,v28,trend",
    [
        ([1.50, 1.52], [1.49, 1.49], "stable"),  # 1.51 - 1.49 = 0.02
        ([1.40, 1.40], [1.45, 1.45], "declining"),  # -0.05 < -0.03
        ([1.50, 1.50], [1.50, 1.50], "stable"),
    ],
)
def test_ef_trend(v7, v28, trend):
    assert efficiency_factor([ride(v) for v in v7], [ride(v) for v in v28])["trend"] == trend


def test_ef_needs_two_rides_per_window():
    out = efficiency_factor([R1], [R1, R2])
    # 7d has one ride -> null; 28d = (1.5 + 1.6)/2 = 1.55
    assert out["mean_ef_7d"] is None
    assert out["mean_ef_28d"] == 1.55
    assert out["trend"] is None
    assert (out["qualifying_sessions_7d"], out["qualifying_sessions_28d"]) == (1, 2)


def test_ef_empty():
    out = efficiency_factor([], [])
    assert (out["mean_ef_7d"], out["mean_ef_28d"], out["trend"]) == (None, None, None)
    assert (out["qualifying_sessions_7d"], out["qualifying_sessions_28d"]) == (0, 0)


# ----------------------------------------------------------------- HRRc


def hr_rec(value, **raw) -> Activity:
    return act(icu_hrr=value, type="Run", **raw)


def test_hrrc_value_extraction():
    acts = [
        hr_rec({"value": 30}),
        hr_rec({"hrr": 25}),
        hr_rec(20),
        hr_rec(22.5),
        hr_rec(0),
        hr_rec(-5),
        hr_rec(None),
        hr_rec("31"),
        hr_rec({"value": None}),
        act(type="Swim"),
    ]
    values = hrrc_values(acts)
    assert values == [30.0, 25.0, 20.0, 22.5]
    assert all(isinstance(v, float) for v in values)


def test_hrrc_improving_half_even_mean():
    v7 = [hr_rec({"value": 30}), hr_rec({"hrr": 25})]
    v28 = v7 + [hr_rec(20), hr_rec(22), hr_rec(0), hr_rec(-5)]
    out = hrrc(v7, v28)
    # mean7 = 55/2 = 27.5 ; mean28 = (30+25+20+22)/4 = 24.25 -> 24.2 (half-even)
    # p = (27.5 - 24.2)/24.2 = 0.136 > 0.10 -> improving
    assert out["mean_hrrc_7d"] == 27.5
    assert out["mean_hrrc_28d"] == 24.2
    assert out["trend"] == "improving"
    assert (out["qualifying_sessions_7d"], out["qualifying_sessions_28d"]) == (2, 4)
    assert list(out) == [
        "mean_hrrc_7d",
        "mean_hrrc_28d",
        "qualifying_sessions_7d",
        "qualifying_sessions_28d",
        "trend",
        "note",
    ]


@pytest.mark.parametrize(
    "v7,v28,trend",
    [
        ([20], [30, 30, 30], "declining"),  # (20-30)/30 = -0.33
        ([31], [30, 30, 30], "stable"),  # 1/30 = 0.033
        ([33.5], [30, 30, 30], "improving"),  # 3.5/30 = 0.117
    ],
)
def test_hrrc_trend(v7, v28, trend):
    out = hrrc([hr_rec(v) for v in v7], [hr_rec(v) for v in v28])
    assert out["trend"] == trend


def test_hrrc_minimums():
    # one value suffices for 7d; 28d needs three
    out = hrrc([hr_rec(40)], [hr_rec(40), hr_rec(30)])
    assert out["mean_hrrc_7d"] == 40.0
    assert out["mean_hrrc_28d"] is None
    assert out["trend"] is None
    out = hrrc([], [hr_rec(40), hr_rec(30), hr_rec(20)])
    assert out["mean_hrrc_7d"] is None
    assert out["mean_hrrc_28d"] == 30.0  # 90/3
    assert out["trend"] is None


# ----------------------------------------------------------------- properties

_values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(0),
    st.just(0.0),
    st.text(max_size=3),
    st.booleans(),
)
_activity_raw = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.none(), st.text(max_size=5), st.integers()),
        "start_date_local": st.one_of(
            st.none(), st.just("2026-07-20T08:00:00"), st.text(max_size=12)
        ),
        "type": st.one_of(
            st.none(),
            st.sampled_from(
                [
                    "Ride",
                    "VirtualRide",
                    "GravelRide",
                    "MountainBikeRide",
                    "EBikeRide",
                    "Run",
                    "Swim",
                    "Unknown",
                ]
            ),
        ),
        "icu_hr_decoupling": _values,
        "decoupling": _values,
        "icu_variability_index": _values,
        "moving_time": _values,
        "icu_efficiency_factor": _values,
        "icu_hrr": st.one_of(
            _values, st.fixed_dictionaries({}, optional={"value": _values, "hrr": _values})
        ),
    },
)


TRENDS = {None, "improving", "declining", "stable"}


@settings(max_examples=300, deadline=None)
@given(st.lists(_activity_raw, max_size=12), st.lists(_activity_raw, max_size=12))
def test_property_no_crash_no_nan(raw7, raw28):
    acts7 = [Activity.from_raw(r, i) for i, r in enumerate(raw7)]
    acts28 = [Activity.from_raw(r, i) for i, r in enumerate(raw28)]
    for fn in (durability, efficiency_factor, hrrc):
        out = fn(acts7, acts28)
        for path, value in walk_numbers(out):
            assert math.isfinite(value), (fn.__name__, path, value)
        assert out["trend"] in TRENDS
        assert isinstance(out["qualifying_sessions_7d"], int)
        assert out["qualifying_sessions_7d"] <= len(acts7)
        means = [v for k, v in out.items() if k.startswith("mean_")]
        assert all(m is None or isinstance(m, float) for m in means)
        if any(m is None for m in means):
            assert out["trend"] is None
