"""Seiler TID, Treff polarization index and 7d/28d drift (docs/metrics.md#seiler-tid).

Expected values are worked out by hand from the formulas in docs/metrics.md; the arithmetic
is in the comments next to each case.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.tid import (
    classify_tid,
    polarization_index,
    seiler_tid,
    tid_blocks,
    tid_comparison,
)
from section11.model import Activity
from tests.test_metrics_zones import PREFS, RAW, act, walk

BLOCK_KEYS = [
    "z1_seconds",
    "z2_seconds",
    "z3_seconds",
    "z1_pct",
    "z2_pct",
    "z3_pct",
    "polarization_index",
    "classification",
    "zone_basis",
]


def power(s1a, s1b, s2, *s3):
    """A Ride whose power zones give S1 = s1a + s1b, S2 = s2, S3 = sum(s3) (Z4..)."""
    zones = {"Z1": s1a, "Z2": s1b, "Z3": s2}
    zones.update({f"Z{4 + i}": v for i, v in enumerate(s3)})
    return act(power=zones)


# ----------------------------------------------------------------- docs/metrics.md#seiler-tid


class TestPolarizationIndex:
    def test_polarized(self):
        # log10((0.8 / 0.05) * 0.15 * 100) = log10(240) = 2.3802
        assert polarization_index(0.8, 0.05, 0.15) == 2.38

    def test_not_polarized_shape(self):
        assert polarization_index(0.7, 0.2, 0.1) is None  # f3 < f2
        assert polarization_index(0.2, 0.05, 0.75) is None  # f3 > f1

    def test_too_little_high_intensity(self):
        assert polarization_index(0.995, 0.0, 0.005) is None

    def test_f3_exactly_one_percent_counts(self):
        # f2 0 -> 0.01: log10(0.9 / 0.01 * 0.01 * 100) = log10(90) = 1.9542
        assert polarization_index(0.9, 0.0, 0.01) == 1.95

    def test_zero_z2_substituted(self):
        # log10(0.9 / 0.01 * 0.1 * 100) = log10(900) = 2.9542
        assert polarization_index(0.9, 0.0, 0.1) == 2.95

    def test_quirk6_tiny_z2_floored(self):
        # reference: log10(0.899 / 0.001 * 10) = log10(8990) = 3.95
        # fixed (floor 0.01): log10(0.899 / 0.01 * 10) = log10(899) = 2.9538
        assert polarization_index(0.899, 0.001, 0.1) == 2.95

    def test_z2_above_floor_untouched(self):
        # log10(0.85 / 0.02 * 0.13 * 100) = log10(552.5) = 2.7423
        assert polarization_index(0.85, 0.02, 0.13) == 2.74


@pytest.mark.parametrize(
    "f, pi, expected",
    [
        ((0.995, 0.005, 0.0), None, "Base"),  # rule 1
        ((0.5, 0.5, 0.0), None, "Base"),  # f1 >= f2 tie still Base
        ((0.4, 0.6, 0.0), None, "Threshold"),  # f3 < 1 % but f2 > f1
        ((0.8, 0.05, 0.15), 2.38, "Polarized"),  # rule 2
        ((0.8, 0.05, 0.15), 2.0, "Pyramidal"),  # PI must exceed 2.0 -> rule 6
        ((0.7, 0.2, 0.1), None, "Pyramidal"),  # rule 3
        ((0.3, 0.5, 0.2), None, "Threshold"),  # rule 4
        ((0.4, 0.4, 0.2), None, "Threshold"),  # f2 == f1 >= f3
        ((0.3, 0.2, 0.5), None, "High Intensity"),  # rule 5
        ((0.5, 0.1, 0.4), 1.3, "Pyramidal"),  # polarized shape, weak PI -> rule 6
        ((0.6, 0.2, 0.2), None, "Pyramidal"),  # f2 == f3 < f1 -> rule 6
    ],
)
def test_classify_tid(f, pi, expected):
    assert classify_tid(*f, pi) == expected


# ----------------------------------------------------------------- docs/metrics.md#seiler-tid


class TestSeilerTid:
    def test_polarized_block(self):
        # S1 = 3000 + 5000 = 8000, S2 = 500, S3 = 1000 + 300 + 150 + 50 = 1500, T = 10000
        a = act(
            power={
                "Z1": 3000,
                "Z2": 5000,
                "Z3": 500,
                "Z4": 1000,
                "Z5": 300,
                "Z6": 150,
                "Z7": 50,
                "SS": 2000,
            }
        )
        out = seiler_tid([a], {})
        assert out == {
            "z1_seconds": 8000,
            "z2_seconds": 500,
            "z3_seconds": 1500,
            "z1_pct": 80.0,
            "z2_pct": 5.0,
            "z3_pct": 15.0,
            "polarization_index": 2.38,  # log10(16 * 15) = log10(240)
            "classification": "Polarized",
            "zone_basis": "power",
        }
        assert list(out) == BLOCK_KEYS

    def test_pyramidal_weak_polarized_shape(self):
        # S1 5000, S2 2400, S3 2600, T 10000: f = .5/.24/.26 -> f1 > f3 > f2
        # PI = log10(0.5 / 0.24 * 0.26 * 100) = log10(54.1667) = 1.7337 -> 1.73 (<= 2)
        out = seiler_tid([power(2000, 3000, 2400, 2600)], {})
        assert out["polarization_index"] == 1.73
        assert out["classification"] == "Pyramidal"
        assert (out["z1_pct"], out["z2_pct"], out["z3_pct"]) == (50.0, 24.0, 26.0)

    def test_threshold_and_high_intensity(self):
        # S1 3000, S2 5000, S3 2000 -> Threshold; S1 3000, S2 2000, S3 5000 -> High Intensity
        assert seiler_tid([power(1000, 2000, 5000, 2000)], {})["classification"] == "Threshold"
        out = seiler_tid([power(1000, 2000, 2000, 5000)], {})
        assert out["classification"] == "High Intensity"
        assert out["polarization_index"] is None

    def test_base(self):
        # S1 9950, S2 50, S3 0 -> f3 0 < 0.01 -> Base, no PI
        out = seiler_tid([power(4950, 5000, 50)], {})
        assert out["classification"] == "Base"
        assert out["polarization_index"] is None
        assert (out["z1_pct"], out["z2_pct"], out["z3_pct"]) == (99.5, 0.5, 0.0)

    def test_quirk6_tiny_z2(self):
        # S1 8990, S2 10, S3 1000: f2 0.001 floored to 0.01
        # PI = log10(0.899 / 0.01 * 0.1 * 100) = log10(899) = 2.9538 (reference: 3.95)
        out = seiler_tid([power(4000, 4990, 10, 1000)], {})
        assert out["polarization_index"] == 2.95
        assert out["classification"] == "Polarized"
        assert out["z2_pct"] == 0.1

    def test_pct_half_even(self):
        # S1 1, S2 0, S3 7 (T 8): 12.5 % and 87.5 % stay; f3 > f1 -> High Intensity
        out = seiler_tid([power(1, 0, 0, 7)], {})
        assert (out["z1_pct"], out["z2_pct"], out["z3_pct"]) == (12.5, 0.0, 87.5)
        assert out["classification"] == "High Intensity"

    def test_mixed_basis_and_preference(self):
        ride = act(power={"Z1": 3600, "Z4": 400})  # S1 3600, S3 400
        run = act(atype="Run", hr=[1800, 1800, 400])  # S1 3600, S2 400
        out = seiler_tid([ride, run], {})
        # S1 7200, S2 400, S3 400, T 8000 -> 90.0 / 5.0 / 5.0; f2 == f3 -> rule 6
        assert (out["z1_seconds"], out["z2_seconds"], out["z3_seconds"]) == (7200, 400, 400)
        assert (out["z1_pct"], out["z2_pct"], out["z3_pct"]) == (90.0, 5.0, 5.0)
        assert out["classification"] == "Pyramidal"
        assert out["zone_basis"] == "mixed"

    @pytest.mark.parametrize("acts", [[], [act()], [act(power={"Z1": 0})]])
    def test_no_zone_time(self, acts):
        assert seiler_tid(acts, {}) == {
            "z1_seconds": 0,
            "z2_seconds": 0,
            "z3_seconds": 0,
            "z1_pct": None,
            "z2_pct": None,
            "z3_pct": None,
            "polarization_index": None,
            "classification": None,
            "zone_basis": None,
        }

    def test_family_filter_adds_sport(self):
        ride = act(power={"Z1": 3600})
        run = act(atype="Run", hr=[0, 0, 3600])
        out = seiler_tid([ride, run], {}, family="run")
        assert out["z2_seconds"] == 3600 and out["z1_seconds"] == 0
        assert out["classification"] == "Threshold"
        assert list(out) == BLOCK_KEYS + ["sport"] and out["sport"] == "run"

    def test_family_filter_without_matches(self):
        out = seiler_tid([act(power={"Z1": 3600})], {}, family="swim")
        assert out["classification"] is None and out["sport"] == "swim"

    def test_unmapped_types_are_other(self):
        out = seiler_tid([act(atype="Canoeing", hr=[600])], {}, family="other")
        assert out["z1_seconds"] == 600 and out["zone_basis"] == "hr"


class TestTidBlocks:
    def test_four_blocks(self):
        ride_recent = act(day="2024-05-08", power={"Z1": 8000, "Z3": 500, "Z4": 1500})
        run_recent = act(atype="Run", day="2024-05-08", hr=[0, 0, 3000])
        ride_old = act(day="2024-04-20", power={"Z3": 10000})
        out = tid_blocks(
            [ride_recent, run_recent], [ride_recent, run_recent, ride_old], "cycling", {}
        )
        assert list(out) == [
            "seiler_tid_7d",
            "seiler_tid_7d_primary",
            "seiler_tid_28d",
            "seiler_tid_28d_primary",
        ]
        # 7d all: S1 8000, S2 500 + 3000 = 3500, S3 1500, T 13000 -> f2 > f3, f1 > f2 -> Pyramidal
        assert out["seiler_tid_7d"]["z2_seconds"] == 3500
        assert out["seiler_tid_7d"]["classification"] == "Pyramidal"
        assert out["seiler_tid_7d"]["zone_basis"] == "mixed"
        # 7d cycling: S1 8000, S2 500, S3 1500 -> PI log10(240) = 2.38, Polarized
        assert out["seiler_tid_7d_primary"]["polarization_index"] == 2.38
        assert out["seiler_tid_7d_primary"]["classification"] == "Polarized"
        assert out["seiler_tid_7d_primary"]["sport"] == "cycling"
        # 28d cycling: S1 8000, S2 10500, S3 1500 (T 20000) -> Threshold
        assert out["seiler_tid_28d_primary"]["z2_pct"] == 52.5
        assert out["seiler_tid_28d_primary"]["classification"] == "Threshold"
        assert "sport" not in out["seiler_tid_28d"]

    def test_no_primary_sport(self):
        out = tid_blocks([], [], None, {})
        assert out["seiler_tid_7d_primary"] is None
        assert out["seiler_tid_28d_primary"] is None
        assert out["seiler_tid_7d"]["classification"] is None

    def test_accepts_iterators(self):
        acts = [act(power={"Z1": 100})]
        out = tid_blocks(iter(acts), iter(acts), "cycling", {})
        assert out["seiler_tid_7d"]["z1_seconds"] == 100
        assert out["seiler_tid_7d_primary"]["z1_seconds"] == 100


# ----------------------------------------------------------------- docs/metrics.md#seiler-tid


def blk(cls, pi):
    return {"classification": cls, "polarization_index": pi}


class TestTidComparison:
    KEYS = [
        "classification_7d",
        "classification_28d",
        "pi_7d",
        "pi_28d",
        "pi_delta",
        "drift",
        "note",
    ]

    @pytest.mark.parametrize(
        "a, b",
        [
            (blk(None, None), blk(None, None)),
            (blk(None, None), blk("Polarized", 2.4)),
            (blk("Pyramidal", None), blk(None, None)),
            (None, None),
        ],
    )
    def test_missing_classification(self, a, b):
        out = tid_comparison(a, b)
        assert list(out) == self.KEYS
        assert out["pi_delta"] is None and out["drift"] is None
        assert isinstance(out["note"], str) and out["note"]

    def test_missing_keeps_known_side(self):
        out = tid_comparison(blk(None, None), blk("Polarized", 2.4))
        assert out["classification_28d"] == "Polarized" and out["pi_28d"] == 2.4

    def test_acute_depolarization(self):
        out = tid_comparison(blk("Pyramidal", 1.73), blk("Polarized", 2.38))
        assert out["pi_delta"] == -0.65  # 1.73 - 2.38
        assert out["drift"] == "acute_depolarization"
        assert list(out) == self.KEYS

    def test_acute_boundaries(self):
        # 7d must be strictly below 2.0, 28d at least 2.0
        assert (
            tid_comparison(blk("Pyramidal", 1.99), blk("Pyramidal", 2.0))["drift"]
            == "acute_depolarization"
        )
        assert tid_comparison(blk("Pyramidal", 2.0), blk("Pyramidal", 2.0))["drift"] == "consistent"
        assert (
            tid_comparison(blk("Pyramidal", 1.5), blk("Pyramidal", 1.99))["drift"] == "consistent"
        )

    def test_shifting(self):
        out = tid_comparison(blk("Threshold", None), blk("Pyramidal", None))
        assert out["pi_delta"] is None and out["drift"] == "shifting"

    def test_shifting_with_one_pi(self):
        out = tid_comparison(blk("Pyramidal", None), blk("Polarized", 2.5))
        assert out["pi_delta"] is None and out["drift"] == "shifting"

    def test_consistent(self):
        out = tid_comparison(blk("Polarized", 2.5), blk("Polarized", 2.3))
        assert out["pi_delta"] == 0.2  # 2.5 - 2.3
        assert out["drift"] == "consistent"

    def test_end_to_end(self):
        week = [power(2000, 3000, 2400, 2600)]  # PI 1.73, Pyramidal (see above)
        month = week + [act(power={"Z1": 20000, "Z2": 20000, "Z3": 500, "Z4": 5000})]
        # 28d: S1 45000, S2 2900, S3 7600, T 55500
        # PI = log10((45000/2900) * (7600/55500) * 100) = log10(212.49) = 2.3273 -> 2.33
        t7, t28 = seiler_tid(week, {}), seiler_tid(month, {})
        assert t28["polarization_index"] == 2.33 and t28["classification"] == "Polarized"
        out = tid_comparison(t7, t28)
        assert out["pi_delta"] == -0.6  # 1.73 - 2.33
        assert out["drift"] == "acute_depolarization"


# ----------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None)
@given(
    raws=st.lists(RAW, max_size=6),
    prefs=PREFS,
    family=st.sampled_from([None, "cycling", "run", "other", "swim"]),
    split=st.integers(min_value=0, max_value=6),
)
def test_property_no_crash_no_nan(raws, prefs, family, split):
    acts = [Activity.from_raw(r, i) for i, r in enumerate(raws)]
    blocks = tid_blocks(acts[:split], acts, family, prefs)
    blocks["cmp"] = tid_comparison(blocks["seiler_tid_7d"], blocks["seiler_tid_28d"])
    for leaf in walk(blocks):
        assert (
            leaf is None
            or isinstance(leaf, str)
            or (isinstance(leaf, (int, float)) and math.isfinite(leaf))
        )
    for name in (
        "seiler_tid_7d",
        "seiler_tid_28d",
        "seiler_tid_7d_primary",
        "seiler_tid_28d_primary",
    ):
        b = blocks[name]
        if b is None:
            assert family is None
            continue
        assert b["classification"] in (
            None,
            "Base",
            "Polarized",
            "Pyramidal",
            "Threshold",
            "High Intensity",
        )
        assert (b["classification"] is None) == (b["z1_pct"] is None)
        if b["z1_pct"] is not None:
            assert abs(b["z1_pct"] + b["z2_pct"] + b["z3_pct"] - 100) <= 0.15
        if b["polarization_index"] is not None:
            assert b["z1_pct"] >= b["z3_pct"] >= b["z2_pct"]
    assert blocks["cmp"]["drift"] in (None, "acute_depolarization", "shifting", "consistent")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e7), min_size=3, max_size=3))
def test_property_pi_and_class_for_any_fractions(secs):
    total = sum(secs)
    if total == 0:
        return
    f1, f2, f3 = (s / total for s in secs)
    pi = polarization_index(f1, f2, f3)
    assert pi is None or math.isfinite(pi)
    # floored Z2: f1 * f3 <= 0.25, so PI <= log10(0.25 / 0.01 * 100) = log10(2500) = 3.40
    assert pi is None or pi <= 3.4
    assert classify_tid(f1, f2, f3, pi) in (
        "Base",
        "Polarized",
        "Pyramidal",
        "Threshold",
        "High Intensity",
    )
