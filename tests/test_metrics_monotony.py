"""Monotony family, strain, stress tolerance, load-recovery ratio (docs/metrics.md#monotony-and-strain)."""

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.monotony import (
    foster_monotony,
    load_recovery_metrics,
    monotony_block,
    monotony_interpretation,
    sport_daily_tss,
    strain_block,
)
from section11.model import Activity
from section11.wellness_model import Wellness

from .helpers import walk

TODAY = date(2025, 3, 10)


def act(days_ago, load, atype="Ride"):
    day = TODAY - timedelta(days=days_ago)
    return Activity.from_raw(
        {
            "id": f"{atype}{days_ago}-{load}",
            "type": atype,
            "start_date_local": f"{day.isoformat()}T07:00:00",
            "icu_training_load": load,
        }
    )


def at_index(i, load, atype="Ride"):
    """Activity placed at array index i (0 = today-6, 6 = today)."""
    return act(6 - i, load, atype)


# ----------------------------------------------------------------- docs/architecture.md#publishing


@pytest.mark.parametrize(
    "daily,expected",
    [
        # mean 240/7 = 34.2857; SS = 4*3600 - 240^2/7 = 43200/7; var = 43200/42 = 1028.57;
        # sd = 32.0713; 34.2857/32.0713 = 1.069 -> 1.07
        ([60, 0, 60, 0, 60, 0, 60], 1.07),
        # mean 360/7 = 51.4286; SS = 18600 - 360^2/7 = 85.714; var = 14.2857; sd = 3.7796;
        # 51.4286/3.7796 = 13.607 -> 13.61
        ([50, 50, 50, 50, 50, 50, 60], 13.61),
        # mean 100/7 = 14.2857; SS = 10000 - 10000/7 = 8571.43; var = 1428.57; sd = 37.796;
        # 14.2857/37.796 = 0.37796 -> 0.38
        ([0, 0, 0, 0, 0, 0, 100], 0.38),
        ([0] * 7, None),  # no load
        ([80] * 7, None),  # sd 0
        ([], None),
        ([50], None),  # a single value has no sample sd
    ],
)
def test_foster_monotony(daily, expected):
    assert foster_monotony(daily) == expected


def test_foster_monotony_non_finite_day_is_null():
    assert foster_monotony([float("inf"), 0, 0, 0, 0, 0, 1]) is None


# ----------------------------------------------------------------- docs/architecture.md#publishing


def test_sport_arrays_families_in_list_order_and_filters():
    acts = [
        at_index(6, 50, "Run"),
        at_index(5, 40, "Ride"),
        at_index(4, 30, "VirtualRide"),
        at_index(3, 0, "Swim"),
        at_index(2, None, "Walk"),
        at_index(1, -5, "Rowing"),
        at_index(0, 20, "Pilates"),
        act(9, 99, "WeightTraining"),
    ]
    arrays = sport_daily_tss(acts, TODAY)
    # zero / null / negative loads and activities older than 7 days do not count;
    # Pilates is unknown -> "other"
    assert list(arrays) == ["run", "cycling", "other"]
    assert arrays["run"] == [0, 0, 0, 0, 0, 0, 50]
    assert arrays["cycling"] == [0, 0, 0, 0, 30, 40, 0]
    assert arrays["other"] == [20, 0, 0, 0, 0, 0, 0]


def test_untyped_activity_is_other():
    arrays = sport_daily_tss(
        [
            Activity.from_raw(
                {"id": "a", "start_date_local": "2025-03-10T08:00:00", "icu_training_load": 10}
            )
        ],
        TODAY,
    )
    assert arrays == {"other": [0, 0, 0, 0, 0, 0, 10]}


def test_single_sport_block():
    acts = [at_index(i, 60) for i in (0, 2, 4, 6)]
    assert monotony_block(acts, TODAY) == {
        "monotony": 1.07,  # see test_foster_monotony row 1
        "monotony_interpretation": "normal",
        "primary_sport": "cycling",
        "primary_sport_monotony": 1.07,  # 4 active days >= 3
        "primary_sport_tss_7d": 240.0,
        "effective_monotony": 1.07,
        "multi_sport_detected": False,
    }


def test_multi_sport_inflated_total():
    # cycling 100 on indices 0,2,4,6; run 90 on 1,3,5
    acts = [at_index(i, 100, "Ride") for i in (0, 2, 4, 6)]
    acts += [at_index(i, 90, "Run") for i in (1, 3, 5)]
    block = monotony_block(acts, TODAY)
    # total D = [100,90,100,90,100,90,100]: mean 670/7 = 95.714; SS = 64300 - 670^2/7
    # = 171.43; var = 28.571; sd = 5.3452; 95.714/5.3452 = 17.907 -> 17.91
    assert block["monotony"] == 17.91
    # cycling 400 > run 270; cycling D = [100,0,100,0,100,0,100] -> 1.07 (scale-free)
    assert block["primary_sport"] == "cycling"
    assert block["primary_sport_tss_7d"] == 400.0
    assert block["primary_sport_monotony"] == 1.07
    assert block["multi_sport_detected"] is True
    assert block["effective_monotony"] == 1.07
    assert block["monotony_interpretation"] == (
        "normal (primary sport 1.07, total 17.91 inflated by multi-sport)"
    )


def test_multi_sport_primary_too_few_days_falls_back_to_total():
    # cycling 100 on 2 days only, run 30 on 2 days
    acts = [at_index(6, 100), at_index(4, 100), at_index(5, 30, "Run"), at_index(3, 30, "Run")]
    block = monotony_block(acts, TODAY)
    # total D = [0,0,0,30,100,30,100]: mean 260/7 = 37.143; SS = 21800 - 260^2/7 = 12142.86;
    # var = 2023.81; sd = 44.987; 37.143/44.987 = 0.8256 -> 0.83
    assert block["monotony"] == 0.83
    assert block["primary_sport_monotony"] is None  # only 2 active cycling days
    assert block["multi_sport_detected"] is True
    assert block["effective_monotony"] == 0.83
    assert block["monotony_interpretation"] == "normal"


def test_multi_sport_primary_more_monotonous_than_total():
    # cycling 50 every day, a run of 200 on the last day
    acts = [at_index(i, 50) for i in range(7)] + [at_index(6, 200, "Run")]
    block = monotony_block(acts, TODAY)
    # total D = [50]*6 + [250]: mean 550/7 = 78.571; SS = 15000+62500 - 550^2/7 = 34285.7;
    # var = 5714.29; sd = 75.593; 78.571/75.593 = 1.0394 -> 1.04
    assert block["monotony"] == 1.04
    # cycling: 7 identical days -> sd 0 -> null; effective falls back to total
    assert block["primary_sport"] == "cycling" and block["primary_sport_monotony"] is None
    assert block["effective_monotony"] == 1.04
    assert block["monotony_interpretation"] == "normal"


def test_elevated_label_and_uniform_multi_sport_week():
    # cycling 50 on 6 days + 60 on the last: single sport, monotony 13.61 (table above)
    acts = [at_index(i, 50) for i in range(6)] + [at_index(6, 60)]
    block = monotony_block(acts, TODAY)
    assert block["monotony"] == 13.61 and block["monotony_interpretation"] == "elevated"
    # a perfectly uniform total week (sd 0) has no total monotony; primary decides
    acts = [at_index(i, 100) for i in (0, 2, 4, 6)] + [at_index(i, 100, "Run") for i in (1, 3, 5)]
    block = monotony_block(acts, TODAY)
    assert block["monotony"] is None
    assert block["effective_monotony"] == 1.07
    assert block["monotony_interpretation"] == "normal"  # no "inflated" text without total


@pytest.mark.parametrize("first,second", [("Ride", "Run"), ("Run", "Ride")])
def test_primary_sport_tie_goes_to_first_in_list(first, second):
    acts = [at_index(6, 100, first), at_index(5, 100, second)]
    expected = {"Ride": "cycling", "Run": "run"}[first]
    assert monotony_block(acts, TODAY)["primary_sport"] == expected


def test_zero_load_second_sport_is_not_multi_sport():
    acts = [at_index(i, 60) for i in (0, 2, 4, 6)] + [
        at_index(3, 0, "Walk"),
        at_index(1, None, "Yoga"),
    ]
    block = monotony_block(acts, TODAY)
    assert block["multi_sport_detected"] is False and block["primary_sport"] == "cycling"


def test_no_load_block():
    assert monotony_block([at_index(6, 0), at_index(5, None)], TODAY) == {
        "monotony": None,
        "monotony_interpretation": None,
        "primary_sport": None,
        "primary_sport_monotony": None,
        "primary_sport_tss_7d": None,
        "effective_monotony": None,
        "multi_sport_detected": False,
    }
    assert monotony_block([], TODAY)["monotony"] is None


@pytest.mark.parametrize(
    "mono,eff,multi,text",
    [
        (None, None, False, None),
        (2.0, 2.0, False, "normal"),  # > 2.0 is elevated, 2.0 itself is normal
        (2.01, 2.01, False, "elevated"),
        (3.0, 2.5, True, "elevated (primary sport 2.5, total 3.0 inflated by multi-sport)"),
        (3.0, 2.5, False, "elevated"),
        (1.5, 1.8, True, "normal"),  # effective above total: no inflation text
    ],
)
def test_monotony_interpretation(mono, eff, multi, text):
    assert monotony_interpretation(mono, eff, multi) == text


# ----------------------------------------------------------------- weakness 9 (docs/architecture.md#reference-weaknesses)


def test_strain_block_values():
    # strain = round(670 * 1.07, 0) = round(716.9) = 717.0
    # stress_tolerance = round(717 / 1.07 / 100, 1) = round(6.7009, 1) = 6.7
    # LRR = round(670 / (0.95 * 100), 1) = round(7.0526, 1) = 7.1
    assert strain_block(670, 1.07, 0.95) == {
        "strain": 717.0,
        "stress_tolerance": 6.7,
        "load_recovery_ratio": 7.1,
    }


def test_strain_rounds_half_to_even():
    # 250 * 1.25 = 312.5 -> 312.0; 312 / 1.25 / 100 = 2.496 -> 2.5
    assert strain_block(250, 1.25, None) == {
        "strain": 312.0,
        "stress_tolerance": 2.5,
        "load_recovery_ratio": None,
    }


@pytest.mark.parametrize(
    "tss,mono,ri,expected",
    [
        (500, None, 1.0, {"strain": None, "stress_tolerance": None, "load_recovery_ratio": 5.0}),
        (500, 0.0, None, {"strain": None, "stress_tolerance": None, "load_recovery_ratio": None}),
        # strain 0 is falsy -> no stress_tolerance (reference truthiness)
        (0, 1.5, 1.0, {"strain": 0.0, "stress_tolerance": None, "load_recovery_ratio": 0.0}),
        (500, 1.0, 0.0, {"strain": 500.0, "stress_tolerance": 5.0, "load_recovery_ratio": None}),
        (500, 1.0, -0.5, {"strain": 500.0, "stress_tolerance": 5.0, "load_recovery_ratio": None}),
    ],
)
def test_strain_block_nulls(tss, mono, ri, expected):
    assert strain_block(tss, mono, ri) == expected


def test_strain_overflow_is_null():
    assert strain_block(1e308, 10.0, None)["strain"] is None


# ----------------------------------------------------------------- assembly

DERIVED_ORDER = [  # docs/metrics.md#output-layout, recovery_index ... tss_28d_total
    "recovery_index",
    "recovery_index_yesterday",
    "hrv_baseline_7d",
    "rhr_baseline_7d",
    "hrv_baseline_28d",
    "rhr_baseline_28d",
    "latest_hrv",
    "latest_rhr",
    "acwr",
    "acwr_interpretation",
    "acwr_scope",
    "acwr_readiness_eligible",
    "acwr_start_of_day",
    "monotony",
    "monotony_interpretation",
    "primary_sport",
    "primary_sport_monotony",
    "primary_sport_tss_7d",
    "effective_monotony",
    "multi_sport_detected",
    "strain",
    "stress_tolerance",
    "load_recovery_ratio",
    "tss_7d_total",
    "tss_28d_total",
]


def well(days_ago, hrv, rhr):
    return Wellness.from_raw(
        {"id": (TODAY - timedelta(days=days_ago)).isoformat(), "hrv": hrv, "restingHR": rhr}
    )


def test_load_recovery_metrics_multi_sport_week():
    acts = [at_index(i, 100, "Ride") for i in (0, 2, 4, 6)]
    acts += [at_index(i, 90, "Run") for i in (1, 3, 5)]
    older = [act(14, 600), act(21, 600)]
    wellness = [well(1, 60, 50), well(0, 57, 50)]
    out = load_recovery_metrics(acts, acts + older, wellness, wellness, TODAY)
    assert list(out) == DERIVED_ORDER
    # hrv baseline (60+57)/2 = 58.5; rhr 50.0; RI = (57/58.5)/(50/50) = 0.97436 -> 0.97
    assert out["recovery_index"] == 0.97
    # T7 = 670, T28 = 1870: 4*670/1870 = 1.4332 -> 1.43 caution; today's 100 removed:
    # 4*570/1770 = 1.2881 -> 1.29 optimal
    assert out["acwr"] == 1.43 and out["acwr_interpretation"] == "caution"
    assert out["acwr_start_of_day"]["value"] == 1.29
    # effective monotony 1.07 (test_multi_sport_inflated_total), strain on effective:
    # round(670*1.07, 0) = 717.0; stress_tolerance round(717/1.07/100, 1) = 6.7;
    # LRR = round(670/97, 1) = round(6.907, 1) = 6.9
    assert out["monotony"] == 17.91 and out["effective_monotony"] == 1.07
    assert out["strain"] == 717.0
    assert out["stress_tolerance"] == 6.7
    assert out["load_recovery_ratio"] == 6.9
    assert out["tss_7d_total"] == 670.0 and out["tss_28d_total"] == 1870.0


def test_load_recovery_metrics_strain_uses_unrounded_total():
    acts = [at_index(6, 100.4), at_index(0, 0.4)]
    out = load_recovery_metrics(acts, acts, [], [], TODAY)
    # D = [0.4,0,0,0,0,0,100.4]: mean 100.8/7 = 14.4; SS = 0.16 + 10080.16 - 100.8^2/7
    # = 10080.32 - 1451.52 = 8628.8; var = 1438.13; sd = 37.923; 14.4/37.923 = 0.3797 -> 0.38
    # strain = round(100.8 * 0.38, 0) = round(38.304) = 38.0; tss_7d_total = round(100.8) = 101.0
    assert out["monotony"] == 0.38 and out["strain"] == 38.0
    assert out["tss_7d_total"] == 101.0
    assert out["load_recovery_ratio"] is None  # no wellness -> no RI


def test_load_recovery_metrics_empty():
    out = load_recovery_metrics([], [], [], [], TODAY)
    assert list(out) == DERIVED_ORDER
    assert out["acwr"] is None and out["strain"] is None and out["monotony"] is None
    assert out["multi_sport_detected"] is False and out["tss_7d_total"] == 0.0


# ----------------------------------------------------------------- property

ODD = st.one_of(
    st.none(),
    st.just(0),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.just(1e308),
    st.just(-1e308),
    st.just(255),
)
TYPES = st.sampled_from([None, "Ride", "Run", "Swim", "Walk", "Pilates", "VirtualRide", ""])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-3, 40), TYPES, ODD), max_size=25),
    st.lists(st.tuples(st.integers(0, 30), ODD, ODD), max_size=20),
)
def test_metrics_never_crash_or_emit_non_finite(act_rows, well_rows):
    acts = [
        Activity.from_raw(
            {
                "id": i,
                "type": t,
                "icu_training_load": load,
                "start_date_local": (TODAY - timedelta(days=d)).isoformat(),
            }
        )
        for i, (d, t, load) in enumerate(act_rows)
    ]
    acts_28d = [a for a in acts if a.date and TODAY - timedelta(days=27) <= a.date <= TODAY]
    acts_7d = [a for a in acts_28d if a.date > TODAY - timedelta(days=7)]
    wellness = sorted(
        (
            Wellness.from_raw(
                {"id": (TODAY - timedelta(days=d)).isoformat(), "hrv": h, "restingHR": r}
            )
            for d, h, r in well_rows
        ),
        key=lambda r: r.date,
    )
    week = [r for r in wellness if r.date > TODAY - timedelta(days=7)]
    out = load_recovery_metrics(acts_7d, acts_28d, week, wellness, TODAY)
    assert list(out) == DERIVED_ORDER
    for value in walk(out):
        if isinstance(value, float):
            assert math.isfinite(value)
    for key in (
        "acwr",
        "monotony",
        "primary_sport_monotony",
        "effective_monotony",
        "stress_tolerance",
        "load_recovery_ratio",
        "recovery_index",
    ):
        assert out[key] is None or (isinstance(out[key], float) and math.isfinite(out[key]))
    assert isinstance(out["multi_sport_detected"], bool)
    if out["acwr"] is not None:
        assert out["acwr_interpretation"] in {"undertraining", "optimal", "caution", "danger"}
