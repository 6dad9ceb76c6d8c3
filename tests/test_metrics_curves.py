"""Power-curve and HR-curve deltas (docs/metrics.md#curve-deltas) and curve-window helpers.

Expected values are worked out by hand from the formulas in docs/metrics.md (arithmetic in
the comments).
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.curve_model import Curve, curves_from_raw
from section11.metrics.curves import (
    curve_id,
    curve_windows,
    delta_curve_ids,
    hr_curve_delta,
    power_curve_delta,
)

from .helpers import walk_numbers

TODAY = date(2026, 7, 26)
CUR = "r.2026-06-29.2026-07-26"  # today-27 .. today
PREV = "r.2026-06-01.2026-06-28"  # today-55 .. today-28

# the power-curves sample response of docs/architecture.md#api-client (trimmed), previous
# window listed FIRST to prove matching by id rather than by position
SAMPLE = {
    "list": [
        {
            "id": PREV,
            "secs": [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
            "values": [1085, 990, 760, 575, 440, 370, 309, 290, 276, 262, 240],
            "watts": [1085, 990, 760, 575, 440, 370, 309, 290, 276, 262, 240],
        },
        {
            "id": CUR,
            "secs": [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
            "values": [1103, 1010, 780, 590, 452, 378, 318, 296, 281, 268, 247],
            "watts": [1103, 1010, 780, 590, 452, 378, 318, 296, 281, 268, 247],
        },
        {"id": "r.2025-01-01.2025-01-28", "secs": [5], "watts": [2000]},
    ],
    "activities": {},
}


def curve(cid, points: dict) -> Curve:
    return Curve(cid, tuple(points), tuple(points.values()))


# ----------------------------------------------------------------- windows


def test_curve_id_format():
    assert curve_id(date(2026, 6, 1), date(2026, 6, 28)) == "r.2026-06-01.2026-06-28"


def test_curve_windows_match_spec_sample_ids():
    # 26 Jul - 27 d = 29 Jun ; 26 Jul - 28 d = 28 Jun ; 28 Jun - 27 d = 1 Jun
    assert curve_windows(TODAY) == {
        "current": {"start": "2026-06-29", "end": "2026-07-26", "id": CUR},
        "previous": {"start": "2026-06-01", "end": "2026-06-28", "id": PREV},
    }
    assert delta_curve_ids(TODAY) == [CUR, PREV]


def test_curve_windows_across_leap_february():
    # 1 Mar 2024 - 27 d = 3 Feb (Feb has 29 days) ; -28 d = 2 Feb ; 2 Feb - 27 d = 6 Jan
    w = curve_windows(date(2024, 3, 1))
    assert (w["current"]["start"], w["current"]["end"]) == ("2024-02-03", "2024-03-01")
    assert (w["previous"]["start"], w["previous"]["end"]) == ("2024-01-06", "2024-02-02")


# ----------------------------------------------------------------- power delta


def test_power_delta_spec_sample():
    out = power_curve_delta(curves_from_raw(SAMPLE), TODAY)
    assert out["window_days"] == 28
    assert out["current_window"] == {"start": "2026-06-29", "end": "2026-07-26"}
    assert out["previous_window"] == {"start": "2026-06-01", "end": "2026-06-28"}
    # 5s (1010-990)/990*100 = 2.02 -> 2.0 ; 60s 12/440*100 = 2.727 -> 2.7
    # 300s 9/309*100 = 2.913 -> 2.9 ; 1200s 5/276*100 = 1.812 -> 1.8
    # 3600s 7/240*100 = 2.917 -> 2.9
    assert out["anchors"] == {
        "5s": {"current_watts": 1010, "previous_watts": 990, "pct_change": 2.0},
        "60s": {"current_watts": 452, "previous_watts": 440, "pct_change": 2.7},
        "300s": {"current_watts": 318, "previous_watts": 309, "pct_change": 2.9},
        "1200s": {"current_watts": 281, "previous_watts": 276, "pct_change": 1.8},
        "3600s": {"current_watts": 247, "previous_watts": 240, "pct_change": 2.9},
    }
    # rotation = (2.0+2.7)/2 - (1.8+2.9)/2 = 2.35 - 2.35 = 0.0
    assert out["rotation_index"] == 0.0
    assert math.copysign(1.0, out["rotation_index"]) == 1.0
    assert out["note"]
    assert list(out) == [
        "window_days",
        "current_window",
        "previous_window",
        "anchors",
        "rotation_index",
        "note",
    ]


def test_power_delta_sprint_biased_rotation_and_missing_anchor():
    cur = curve(CUR, {5: 1000, 60: 450, 300: 320, 1200: 280, 3600: 250})
    prev = curve(PREV, {5: 800, 60: 400, 300: None, 1200: 280, 3600: 250})
    out = power_curve_delta({CUR: cur, PREV: prev}, TODAY)
    # 5s 200/800*100 = 25.0 ; 60s 50/400*100 = 12.5 ; 1200s 0.0 ; 3600s 0.0
    # 300s previous missing -> pct null, but 300s is not part of the rotation
    assert out["anchors"]["300s"] == {
        "current_watts": 320,
        "previous_watts": None,
        "pct_change": None,
    }
    # rotation = (25.0+12.5)/2 - 0 = 18.75 -> 18.8 (18.75 is exact; half-even -> 18.8)
    assert out["rotation_index"] == 18.8


def test_power_delta_rotation_needs_all_four():
    cur = curve(CUR, {5: 0, 60: 450, 300: 320, 1200: 280, 3600: 250})
    prev = curve(PREV, {5: 800, 60: 400, 300: 300, 1200: 280, 3600: 250})
    out = power_curve_delta({CUR: cur, PREV: prev}, TODAY)
    # current 5s is 0 -> not valid; 4 of 5 anchors still >= 3
    assert out["anchors"]["5s"] == {
        "current_watts": None,
        "previous_watts": 800,
        "pct_change": None,
    }
    assert out["rotation_index"] is None


def test_power_delta_tiny_drop_is_plain_zero():
    cur = curve(CUR, {5: 9999, 60: 9999, 300: 9999})
    prev = curve(PREV, {5: 10000, 60: 10000, 300: 10000})
    out = power_curve_delta({CUR: cur, PREV: prev}, TODAY)
    # -1/10000*100 = -0.01 -> 0.0, written as 0.0 not -0.0
    assert out["anchors"]["5s"]["pct_change"] == 0.0
    assert math.copysign(1.0, out["anchors"]["5s"]["pct_change"]) == 1.0


@pytest.mark.parametrize(
    "curves,fragment",
    [
        (None, "could not be fetched"),
        ({}, "returned no data"),
        ({CUR: curve(CUR, {5: 1, 60: 1, 300: 1})}, "previous"),
        ({PREV: curve(PREV, {5: 1, 60: 1, 300: 1})}, "current"),
        (
            {"r.2020-01-01.2020-01-28": curve("r.2020-01-01.2020-01-28", {5: 1})},
            "current and previous",
        ),
    ],
)
def test_power_delta_null_blocks(curves, fragment):
    out = power_curve_delta(curves, TODAY)
    assert out["anchors"] is None
    assert out["rotation_index"] is None
    assert out["window_days"] == 28
    assert out["current_window"] == {"start": "2026-06-29", "end": "2026-07-26"}
    assert fragment in out["note"]


def test_power_delta_too_few_anchors_reports_counts():
    # current: 5s, 60s valid, 300s zero, 1200s null, 3600s absent -> 2 of 5
    cur = curve(CUR, {5: 900, 60: 400, 300: 0, 1200: None})
    prev = curve(PREV, {5: 900, 60: 400, 300: 300, 1200: 270, 3600: 240})
    out = power_curve_delta({CUR: cur, PREV: prev}, TODAY)
    assert out["anchors"] is None
    assert "current window 2/5" in out["note"]
    assert "previous window 5/5" in out["note"]


def test_power_delta_exactly_three_anchors_is_enough():
    cur = curve(CUR, {5: 900, 60: 400, 300: 300})
    prev = curve(PREV, {60: 400, 300: 300, 1200: 270})
    out = power_curve_delta({CUR: cur, PREV: prev}, TODAY)
    assert out["anchors"]["60s"]["pct_change"] == 0.0
    assert out["anchors"]["3600s"] == {
        "current_watts": None,
        "previous_watts": None,
        "pct_change": None,
    }


# ----------------------------------------------------------------- HR delta


def test_hr_delta_values_and_rotation():
    raw = {
        "list": [
            {"id": CUR, "secs": [5, 60, 300, 1200, 3600], "values": [190, 180, 172, 165, 157]},
            {"id": PREV, "secs": [5, 60, 300, 1200, 3600], "values": [150, 176, 170, 166, 160]},
        ]
    }
    out = hr_curve_delta(curves_from_raw(raw), TODAY)
    # 60s 4/176*100 = 2.27 -> 2.3 ; 300s 2/170*100 = 1.18 -> 1.2
    # 1200s -1/166*100 = -0.60 -> -0.6 ; 3600s -3/160*100 = -1.875 -> -1.9
    # (no 5s anchor for HR)
    assert out["anchors"] == {
        "60s": {"current_bpm": 180, "previous_bpm": 176, "pct_change": 2.3},
        "300s": {"current_bpm": 172, "previous_bpm": 170, "pct_change": 1.2},
        "1200s": {"current_bpm": 165, "previous_bpm": 166, "pct_change": -0.6},
        "3600s": {"current_bpm": 157, "previous_bpm": 160, "pct_change": -1.9},
    }
    # rotation = (2.3+1.2)/2 - (-0.6-1.9)/2 = 1.75 + 1.25 = 3.0
    assert out["rotation_index"] == 3.0
    assert out["window_days"] == 28


def test_hr_delta_three_of_four_rule():
    cur = curve(CUR, {60: 180, 300: 172, 1200: 165, 3600: 0})
    prev = curve(PREV, {60: 176, 300: 170, 3600: 160})
    out = hr_curve_delta({CUR: cur, PREV: prev}, TODAY)
    assert out["anchors"]["1200s"]["pct_change"] is None
    assert out["rotation_index"] is None
    # only two valid in the current window -> null block
    cur2 = curve(CUR, {5: 200, 60: 180, 300: 172})
    out = hr_curve_delta({CUR: cur2, PREV: prev}, TODAY)
    assert out["anchors"] is None
    assert "current window 2/4" in out["note"]


def test_hr_delta_failed_fetch():
    out = hr_curve_delta(None, TODAY)
    assert out["anchors"] is None and out["rotation_index"] is None
    assert "HR" in out["note"]


# ----------------------------------------------------------------- properties

_num = st.one_of(
    st.none(), st.integers(-(2**53), 2**53), st.floats(), st.just(0), st.text(max_size=2)
)
_secs = st.one_of(
    st.sampled_from([1, 5, 60, 300, 1200, 3600]), st.integers(-5, 5000), st.floats(), st.none()
)


@st.composite
def raw_curve(draw):
    """Mostly plausible curves (real ids, anchor durations, positive values) so
    that populated blocks are generated too, mixed with garbage."""
    plausible = draw(st.booleans())
    if plausible:
        secs = draw(
            st.lists(st.sampled_from([5, 60, 300, 1200, 3600]), min_size=3, max_size=5, unique=True)
        )
        values = [
            draw(st.one_of(st.integers(1, 2000), st.floats(1e-300, 1e308), _num)) for _ in secs
        ]
        cid = draw(st.sampled_from([CUR, PREV]))
    else:
        n = draw(st.integers(0, 7))
        secs = draw(st.lists(_secs, min_size=n, max_size=n))
        values = draw(st.lists(_num, max_size=n + 1))
        cid = draw(st.sampled_from([CUR, PREV, "r.x", None, 5]))
    return {"id": cid, "secs": secs, draw(st.sampled_from(["watts", "values"])): values}


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.lists(raw_curve(), max_size=4)))
def test_property_deltas_never_crash_or_emit_nan(items):
    curves = None if items is None else curves_from_raw({"list": items})
    for fn in (power_curve_delta, hr_curve_delta):
        out = fn(curves, TODAY)
        for path, value in walk_numbers(out):
            assert math.isfinite(value), (path, value)
        assert set(out) == {
            "window_days",
            "current_window",
            "previous_window",
            "anchors",
            "rotation_index",
            "note",
        }
        if out["anchors"] is None:
            assert out["rotation_index"] is None
        else:
            for entry in out["anchors"].values():
                values = list(entry.values())
                assert all(v is None or v > 0 for v in values[:2])
                if None in values[:2]:
                    assert values[2] is None
