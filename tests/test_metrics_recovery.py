"""HRV / RHR baselines and Recovery Index (docs/metrics.md#recovery)."""

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.recovery import (
    recovery_block,
    recovery_data_points,
    recovery_index,
    valid_rhr,
)
from section11.wellness_model import Wellness

from .helpers import walk

TODAY = date(2025, 3, 10)


def w(days_ago, hrv=None, rhr=None, **raw):
    return Wellness.from_raw(
        {"id": (TODAY - timedelta(days=days_ago)).isoformat(), "hrv": hrv, "restingHR": rhr, **raw}
    )


WEEK = [
    w(6, 60, 50),
    w(5, 70, 52),
    w(4, None, 0),
    w(3, 255, None),
    w(2, 9, 48),
    w(1, 50, 50),
    w(0, 65, 55),
]
OLDER = [w(20, 80, 45), w(15, 80, 45), w(10, 80, 45)]


def test_recovery_block_hand_computed():
    block = recovery_block(WEEK, OLDER + WEEK)
    # valid hrv 7d: 60, 70, 50, 65 (255 > 250 and 9 < 10 are invalid) -> 245/4 = 61.25
    #   -> round(61.25, 1) = 61.2 (half-to-even)
    # rhr 7d: 50, 52, 48, 50, 55 (0 and null dropped) -> 255/5 = 51.0
    # RI today: (65/61.2) / (55/51.0) = 1.06209 / 1.07843 = 0.98485 -> 0.98
    # RI yesterday: (50/61.2) / (50/51.0) = 0.81699 / 0.98039 = 0.83333 -> 0.83
    # hrv 28d: 60,70,50,65,80,80,80 = 485/7 = 69.286 -> 69.3
    # rhr 28d: 255 + 3*45 = 390 / 8 = 48.75 -> 48.8 (half-to-even)
    assert block == {
        "recovery_index": 0.98,
        "recovery_index_yesterday": 0.83,
        "hrv_baseline_7d": 61.2,
        "rhr_baseline_7d": 51.0,
        "hrv_baseline_28d": 69.3,
        "rhr_baseline_28d": 48.8,
        "latest_hrv": 65,
        "latest_rhr": 55,
    }
    assert list(block) == [
        "recovery_index",
        "recovery_index_yesterday",
        "hrv_baseline_7d",
        "rhr_baseline_7d",
        "hrv_baseline_28d",
        "rhr_baseline_28d",
        "latest_hrv",
        "latest_rhr",
    ]
    assert recovery_data_points(WEEK) == {"hrv_data_points": 4, "rhr_data_points": 5}


def test_today_row_without_hrv_gives_null_latest_and_ri():
    week = WEEK[:-1] + [w(0, None, 55, hrvSDNN=80)]  # SDNN is never used as HRV
    block = recovery_block(week, week)
    assert block["latest_hrv"] is None and block["recovery_index"] is None
    assert block["latest_rhr"] == 55
    # yesterday still scored against today's baselines: hrv 60,70,50 -> 60.0; rhr 51.0
    # (50/60)/(50/51) = 0.8333/0.98039 = 0.85 -> 0.85
    assert block["hrv_baseline_7d"] == 60.0
    assert block["recovery_index_yesterday"] == 0.85


def test_latest_hrv_out_of_range_is_null():
    week = WEEK[:-1] + [w(0, 251, 55)]
    assert recovery_block(week, week)["latest_hrv"] is None


@pytest.mark.parametrize(
    "hrv,valid", [(10, True), (250, True), (9.99, False), (250.1, False), (0, False), (-40, False)]
)
def test_hrv_range_edges(hrv, valid):
    block = recovery_block([w(0, hrv, 50)], [])
    assert (block["latest_hrv"] == hrv) is valid
    assert (block["hrv_baseline_7d"] is not None) is valid


@pytest.mark.parametrize("rhr", [0, -3, None])
def test_latest_rhr_zero_or_negative_is_null(rhr):
    block = recovery_block([w(1, 60, 50), w(0, 60, rhr)], [])
    assert block["latest_rhr"] is None and block["recovery_index"] is None
    assert block["rhr_baseline_7d"] == 50.0
    # yesterday: (60/60)/(50/50) = 1.0
    assert block["recovery_index_yesterday"] == 1.0


def test_single_record_has_no_yesterday():
    block = recovery_block([w(0, 60, 50)], [w(0, 60, 50)])
    # latest equals its own baseline: (60/60)/(50/50) = 1.0
    assert block["recovery_index"] == 1.0
    assert block["recovery_index_yesterday"] is None


def test_empty_lists():
    assert recovery_block([], []) == {
        "recovery_index": None,
        "recovery_index_yesterday": None,
        "hrv_baseline_7d": None,
        "rhr_baseline_7d": None,
        "hrv_baseline_28d": None,
        "rhr_baseline_28d": None,
        "latest_hrv": None,
        "latest_rhr": None,
    }
    assert recovery_data_points([]) == {"hrv_data_points": 0, "rhr_data_points": 0}


def test_records_without_values():
    week = [w(1), w(0)]
    block = recovery_block(week, week)
    assert set(block.values()) == {None}
    assert recovery_data_points(week) == {"hrv_data_points": 0, "rhr_data_points": 0}


@pytest.mark.parametrize(
    "args,expected",
    [
        ((70, 48, 60.0, 50.0), 1.22),  # (70/60)/(48/50) = 1.16667/0.96 = 1.2153 -> 1.22
        ((42, 58, 60.0, 50.0), 0.6),  # (42/60)/(58/50) = 0.7/1.16 = 0.6034 -> 0.6
        ((None, 50, 60.0, 50.0), None),
        ((60, None, 60.0, 50.0), None),
        ((60, 50, None, 50.0), None),
        ((60, 50, 60.0, 0), None),
    ],
)
def test_recovery_index(args, expected):
    assert recovery_index(*args) == expected


def test_valid_rhr():
    assert valid_rhr(48) == 48
    assert valid_rhr(0) is None and valid_rhr(-1) is None and valid_rhr(None) is None
    assert valid_rhr(float("nan")) is None


# ----------------------------------------------------------------- property

ODD = st.one_of(
    st.none(),
    st.just(0),
    st.just(255),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.just(1e308),
    st.just(-1e308),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), ODD, ODD, ODD), max_size=30))
def test_recovery_never_crashes_or_emits_non_finite(rows):
    records = [
        Wellness.from_raw(
            {
                "id": (TODAY - timedelta(days=d)).isoformat(),
                "hrv": hrv,
                "restingHR": rhr,
                "hrvSDNN": sdnn,
            }
        )
        for d, hrv, rhr, sdnn in rows
    ]
    records.sort(key=lambda r: r.date)
    week = [r for r in records if r.date > TODAY - timedelta(days=7)]
    block = recovery_block(week, records)
    block.update(recovery_data_points(week))
    for value in walk(block):
        assert value is None or (isinstance(value, (int, float)) and math.isfinite(value))
    for key in ("hrv_baseline_7d", "hrv_baseline_28d", "latest_hrv"):
        assert block[key] is None or 10 <= block[key] <= 250
    for key in ("recovery_index", "recovery_index_yesterday"):
        assert block[key] is None or block[key] >= 0
