"""Zones, 7d distribution and hard days (docs/metrics.md#zones-and-hard-days).

Expected values are worked out by hand from the formulas in docs/metrics.md; the arithmetic
is in the comments next to each case.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics import zones as Z
from section11.metrics.zones import (
    activity_zones,
    classify_hard_day,
    combined_basis,
    day_zone_seconds,
    hard_days,
    hard_days_note,
    zone_distribution_block,
    zone_totals,
)
from section11.model import Activity

from .helpers import walk

_counter = iter(range(1, 10**9))


def act(atype="Ride", day="2024-05-08", power=None, hr=None, raw_power=None, **extra):
    """Activity via the real model: power as {id: secs}, hr as a flat list."""
    raw = {
        "id": f"i{next(_counter)}",
        "type": atype,
        "start_date_local": f"{day}T08:00:00" if day else None,
    }
    if power is not None:
        raw["icu_zone_times"] = [{"id": k, "secs": v} for k, v in power.items()]
    if raw_power is not None:
        raw["icu_zone_times"] = raw_power
    if hr is not None:
        raw["icu_hr_zone_times"] = hr
    raw.update(extra)
    return Activity.from_raw(raw)


# ----------------------------------------------------------------- docs/metrics.md#zones-and-hard-days


class TestActivityZones:
    def test_power_only_drops_sweet_spot_keeps_zero_keys(self):
        a = act(power={"Z1": 600, "Z2": 1200, "Z3": 0, "SS": 300, "Z8": 50})
        assert activity_zones(a, {}) == ({"z1": 600, "z2": 1200, "z3": 0}, "power")

    def test_hr_only_drops_zeros(self):
        a = act(hr=[100, 0, 50])
        assert activity_zones(a, {}) == ({"z1": 100, "z3": 50}, "hr")

    def test_hr_reads_only_first_seven(self):
        a = act(hr=[1, 2, 3, 4, 5, 6, 7, 8])
        zones, basis = activity_zones(a, None)
        assert basis == "hr"
        assert zones == {"z1": 1, "z2": 2, "z3": 3, "z4": 4, "z5": 5, "z6": 6, "z7": 7}

    def test_hr_nulls_dropped(self):
        a = act(hr=[None, 300, None])
        assert activity_zones(a, {}) == ({"z2": 300}, "hr")

    def test_power_preferred_by_default(self):
        a = act(power={"Z2": 1000}, hr=[0, 900])
        assert activity_zones(a, {}) == ({"z2": 1000}, "power")

    def test_hr_preference_for_family(self):
        a = act(power={"Z2": 1000}, hr=[0, 900])
        assert activity_zones(a, {"cycling": "hr"}) == ({"z2": 900}, "hr")
        # preference for another family does not apply
        assert activity_zones(a, {"run": "hr"}) == ({"z2": 1000}, "power")

    def test_hr_preference_falls_back_to_power(self):
        a = act(power={"Z2": 1000})
        assert activity_zones(a, {"cycling": "hr"}) == ({"z2": 1000}, "power")

    def test_neither(self):
        assert activity_zones(act(), {}) == ({}, None)
        assert activity_zones(act(power={}, hr=[]), {"cycling": "hr"}) == ({}, None)

    def test_present_but_null_lists(self):
        a = act(icu_zone_times=None, icu_hr_zone_times=None)
        assert activity_zones(a, {}) == ({}, None)

    def test_lowercase_id_and_null_secs(self):
        # "z2" matched case-insensitively; secs null -> 0 (key kept)
        a = act(raw_power=[{"id": "z2", "secs": 700}, {"id": "Z1", "secs": None}])
        assert activity_zones(a, {}) == ({"z2": 700, "z1": 0}, "power")

    def test_duplicate_id_last_wins(self):
        a = act(raw_power=[{"id": "Z1", "secs": 100}, {"id": "Z1", "secs": 250}])
        assert activity_zones(a, {}) == ({"z1": 250}, "power")

    def test_quirk5_all_zero_power_does_not_hide_hr(self):
        # reference: ({"z1": 0, "z2": 0}, "power"); fixed: the HR zones are used
        a = act(power={"Z1": 0, "Z2": 0, "SS": 0}, hr=[300, 200])
        assert activity_zones(a, {}) == ({"z1": 300, "z2": 200}, "hr")

    def test_quirk5_all_zero_power_without_hr_is_no_zones(self):
        a = act(power={"Z1": 0, "Z2": 0})
        assert activity_zones(a, {}) == ({}, None)

    def test_sweet_spot_only_is_no_power(self):
        a = act(power={"SS": 900}, hr=[60])
        assert activity_zones(a, {}) == ({"z1": 60}, "hr")

    @pytest.mark.parametrize("atype", ["Canoeing", "Yoga", None])
    def test_quirk5_unmapped_types_use_other_preference(self, atype):
        a = act(atype=atype, power={"Z1": 100}, hr=[80])
        assert activity_zones(a, {"other": "hr"}) == ({"z1": 80}, "hr")

    def test_negative_and_implausible_seconds_ignored(self):
        a = act(power={"Z1": -50, "Z2": 100, "Z3": 1e12})
        assert activity_zones(a, {}) == ({"z1": 0, "z2": 100, "z3": 0}, "power")
        b = act(hr=[-5, 10, 1e12])
        assert activity_zones(b, {}) == ({"z2": 10}, "hr")

    def test_non_numeric_seconds(self):
        a = act(raw_power=[{"id": "Z1", "secs": "600"}, {"id": "Z2", "secs": 60}], hr=["x", 30])
        assert activity_zones(a, {}) == ({"z1": 0, "z2": 60}, "power")


def test_combined_basis():
    assert combined_basis([]) is None
    assert combined_basis([None, None]) is None
    assert combined_basis(["hr", "hr", None]) == "hr"
    assert combined_basis(["hr", "power"]) == "mixed"


# ----------------------------------------------------------------- docs/metrics.md#zones-and-hard-days

MIXED_WEEK = [
    # power: z1 1800, z2 3600, z3 900, z4+ = 600+300+60+40 = 1000, total 7300 (SS ignored)
    act(
        power={
            "Z1": 1800,
            "Z2": 3600,
            "Z3": 900,
            "Z4": 600,
            "Z5": 300,
            "Z6": 60,
            "Z7": 40,
            "SS": 1200,
        }
    ),
    # hr: z1 1200, z2 2400, z3 600, z4 300, total 4500
    act(atype="Run", hr=[1200, 2400, 600, 300, 0]),
    # no zones: ignored, does not add a basis
    act(atype="WeightTraining"),
]


class TestZoneDistribution:
    def test_mixed_week(self):
        out = zone_distribution_block(MIXED_WEEK, {})
        # totals: z1 3000, z2 6000, z3 1500, z4+ 1300, total 11800
        assert out["zone_distribution_7d"] == {
            "z1_hours": 0.83,  # 3000/3600 = 0.8333
            "z2_hours": 1.67,  # 6000/3600 = 1.6667
            "z3_hours": 0.42,  # 1500/3600 = 0.41667
            "z4_plus_hours": 0.36,  # 1300/3600 = 0.36111
            "total_hours": 3.28,  # 11800/3600 = 3.27778
            "zone_basis": "mixed",
        }
        assert out["grey_zone_percentage"] == 12.7  # 1500/11800*100 = 12.712
        assert out["quality_intensity_percentage"] == 11.0  # 1300/11800*100 = 11.017
        assert out["easy_time_ratio"] == 0.76  # 9000/11800 = 0.7627

    def test_key_order(self):
        out = zone_distribution_block(MIXED_WEEK, {})
        assert list(out) == [
            "zone_distribution_7d",
            "grey_zone_percentage",
            "grey_zone_note",
            "quality_intensity_percentage",
            "quality_intensity_note",
            "easy_time_ratio",
            "easy_time_ratio_note",
        ]
        assert list(out["zone_distribution_7d"]) == [
            "z1_hours",
            "z2_hours",
            "z3_hours",
            "z4_plus_hours",
            "total_hours",
            "zone_basis",
        ]
        for key in ("grey_zone_note", "quality_intensity_note", "easy_time_ratio_note"):
            assert isinstance(out[key], str) and out[key]

    def test_no_activities(self):
        out = zone_distribution_block([], {})
        assert out["zone_distribution_7d"] == {
            "z1_hours": 0.0,
            "z2_hours": 0.0,
            "z3_hours": 0.0,
            "z4_plus_hours": 0.0,
            "total_hours": 0.0,
            "zone_basis": None,
        }
        assert out["grey_zone_percentage"] is None
        assert out["quality_intensity_percentage"] is None
        assert out["easy_time_ratio"] is None

    def test_activities_without_zone_time(self):
        out = zone_distribution_block([act(), act(power={"Z1": 0})], {})
        assert out["zone_distribution_7d"]["zone_basis"] is None
        assert out["easy_time_ratio"] is None

    def test_half_even_rounding_single_power(self):
        # z1 450, z4 3150, total 3600
        out = zone_distribution_block([act(power={"Z1": 450, "Z4": 3150})], {})
        d = out["zone_distribution_7d"]
        assert d["z1_hours"] == 0.12  # 0.125 -> half-even 0.12
        assert d["z4_plus_hours"] == 0.88  # 0.875 -> half-even 0.88
        assert d["total_hours"] == 1.0
        assert d["zone_basis"] == "power"
        assert out["easy_time_ratio"] == 0.12  # 450/3600 = 0.125
        assert out["grey_zone_percentage"] == 0.0
        assert out["quality_intensity_percentage"] == 87.5  # 3150/3600*100

    def test_preference_switches_basis(self):
        a = act(power={"Z3": 3600}, hr=[3600])
        # power: all grey; hr: all z1
        assert zone_distribution_block([a], {})["grey_zone_percentage"] == 100.0
        out = zone_distribution_block([a], {"cycling": "hr"})
        assert out["grey_zone_percentage"] == 0.0
        assert out["easy_time_ratio"] == 1.0
        assert out["zone_distribution_7d"]["zone_basis"] == "hr"

    def test_zone_totals_raw(self):
        t = zone_totals(MIXED_WEEK, {})
        assert t == {
            "z1": 3000,
            "z2": 6000,
            "z3": 1500,
            "z4_plus": 1300,
            "total": 11800,
            "zone_basis": "mixed",
        }


# ----------------------------------------------------------------- docs/metrics.md#zones-and-hard-days


@pytest.mark.parametrize(
    "per_basis, expected",
    [
        (None, (None, None)),
        ({}, (None, None)),
        ({"power": {}}, (False, "power")),
        ({"power": {"z1": 7200, "z2": 3600}}, (False, "power")),
        # Z3..Z7 >= 1800
        ({"power": {"z3": 1800}}, (True, "power")),
        ({"power": {"z3": 1799}}, (False, "power")),
        # every rung just missed: z3+ 1000+300+150+60+50 = 1560, z4+ 560, z5+ 260, z6+ 110, z7 50
        ({"power": {"z3": 1000, "z4": 300, "z5": 150, "z6": 60, "z7": 50}}, (False, "power")),
        # only the first rung: z3+ 1300+300+150+60+50 = 1860 >= 1800
        ({"power": {"z3": 1300, "z4": 300, "z5": 150, "z6": 60, "z7": 50}}, (True, "power")),
        # Z4..Z7 >= 600
        ({"power": {"z4": 600}}, (True, "power")),
        ({"power": {"z4": 599}}, (False, "power")),
        # Z5..Z7 >= 300
        ({"power": {"z5": 300}}, (True, "power")),
        ({"power": {"z5": 299}}, (False, "power")),
        # Z6+Z7 >= 120
        ({"power": {"z6": 120}}, (True, "power")),
        ({"power": {"z6": 60, "z7": 59}}, (False, "power")),  # 119, and z7 59 < 60
        # Z7 >= 60
        ({"power": {"z7": 60}}, (True, "power")),
        ({"power": {"z7": 59}}, (False, "power")),
        # HR ladder: Z4..Z7 >= 600 or Z5..Z7 >= 300; HR Z3 never counts
        ({"hr": {"z3": 5000}}, (False, "hr")),
        ({"hr": {"z4": 600}}, (True, "hr")),
        ({"hr": {"z4": 299, "z5": 299}}, (False, "hr")),  # 598 and 299
        ({"hr": {"z5": 300}}, (True, "hr")),
        ({"hr": {"z7": 120}}, (False, "hr")),  # power-only rungs do not apply
        ({"power": {"z1": 100}, "hr": {"z4": 700}}, (True, "mixed")),
        ({"power": {"z4": 400}, "hr": {"z4": 400}}, (False, "mixed")),
    ],
)
def test_classify_hard_day(per_basis, expected):
    assert classify_hard_day(per_basis) == expected


class TestDayZoneSeconds:
    def test_accumulates_per_day_and_basis(self):
        acts = [
            act(day="2024-05-06", power={"Z3": 1000, "Z4": 100}),
            act(day="2024-05-06", power={"Z3": 900}),
            act(atype="Run", day="2024-05-06", hr=[0, 0, 0, 400]),
            act(day="2024-05-07"),  # no zones -> {}
            act(day=None, power={"Z7": 600}),  # undated -> skipped
        ]
        days = day_zone_seconds(acts, {})
        assert days == {
            date(2024, 5, 6): {"power": {"z3": 1900, "z4": 100}, "hr": {"z4": 400}},
            date(2024, 5, 7): {},
        }
        # power z3+ = 2000 >= 1800 -> hard, both bases -> mixed
        assert classify_hard_day(days[date(2024, 5, 6)]) == (True, "mixed")
        assert classify_hard_day(days[date(2024, 5, 7)]) == (None, None)

    def test_bases_not_pooled(self):
        # power z4 400 (< 600) and HR z4 400 (< 600): neither basis is hard alone
        acts = [
            act(day="2024-05-06", power={"Z4": 400}),
            act(atype="Run", day="2024-05-06", hr=[0, 0, 0, 400]),
        ]
        per = day_zone_seconds(acts, {})[date(2024, 5, 6)]
        assert classify_hard_day(per) == (False, "mixed")

    def test_quirk5_zero_power_day_uses_hr(self):
        # reference: power basis with zeros -> (False, "power"); fixed -> HR z4 700 -> hard
        a = act(day="2024-05-06", power={"Z1": 0, "Z4": 0}, hr=[0, 0, 0, 700])
        per = day_zone_seconds([a], {})[date(2024, 5, 6)]
        assert classify_hard_day(per) == (True, "hr")


class TestHardDays:
    WEEK = [
        act(day="2024-05-05", power={"Z4": 900}),  # Sunday before: outside
        act(day="2024-05-06", power={"Z4": 900}),  # Mon: z4+ 900 -> hard
        act(day="2024-05-07", power={"Z1": 3600, "Z2": 1800}),  # Tue: easy
        act(atype="Run", day="2024-05-08", hr=[0, 0, 0, 0, 300]),  # Wed: hr z5 300 -> hard
        act(day="2024-05-09", power={"Z3": 1000}),  # Thu: 1000 + 900 = 1900 -> hard
        act(day="2024-05-09", power={"Z3": 900}),
        act(day="2024-05-13", power={"Z7": 100}),  # next Monday: outside
        act(day=None, power={"Z7": 100}),  # undated
    ]

    def test_counts_days_in_range(self):
        assert hard_days(self.WEEK, date(2024, 5, 6), date(2024, 5, 12), {}) == 3

    def test_inclusive_bounds(self):
        assert hard_days(self.WEEK, date(2024, 5, 5), date(2024, 5, 5), {}) == 1
        assert hard_days(self.WEEK, date(2024, 5, 13), date(2024, 5, 19), {}) == 1

    def test_empty(self):
        assert hard_days([], date(2024, 5, 6), date(2024, 5, 12), {}) == 0

    def test_note(self):
        note = hard_days_note()
        assert isinstance(note, str) and "Z7" in note and "HR" in note


# ----------------------------------------------------------------- properties

SECS = st.one_of(
    st.none(),
    st.integers(min_value=-(10**6), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(0),
    st.text(max_size=3),
)
ZONE_ID = st.sampled_from(["Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7", "SS", "z3", "Z8", ""])
POWER_LIST = st.one_of(
    st.none(),
    st.lists(
        st.one_of(
            st.fixed_dictionaries({"id": ZONE_ID, "secs": SECS}), st.none(), st.just({"secs": 5})
        ),
        max_size=9,
    ),
)
HR_LIST = st.one_of(st.none(), st.lists(SECS, max_size=9))
TYPES = st.sampled_from(["Ride", "VirtualRide", "Run", "Swim", "Canoeing", "Yoga", None, ""])
DAYS = st.sampled_from(
    [None, "2024-05-06T07:00:00", "2024-05-07T18:00:00", "2024-05-12T06:00:00", "garbage"]
)
RAW = st.fixed_dictionaries(
    {
        "type": TYPES,
        "start_date_local": DAYS,
        "icu_zone_times": POWER_LIST,
        "icu_hr_zone_times": HR_LIST,
    }
)
PREFS = st.dictionaries(
    st.sampled_from(["cycling", "run", "other", "swim"]),
    st.sampled_from(["hr", "power", "pace"]),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(raws=st.lists(RAW, max_size=6), prefs=PREFS)
def test_property_no_crash_no_nan(raws, prefs):
    acts = [Activity.from_raw(r, i) for i, r in enumerate(raws)]
    out = zone_distribution_block(acts, prefs)
    for leaf in walk(out):
        assert (
            leaf is None
            or isinstance(leaf, str)
            or (isinstance(leaf, (int, float)) and math.isfinite(leaf))
        )
    dist = out["zone_distribution_7d"]
    assert all(dist[k] >= 0 for k in dist if k != "zone_basis")
    assert dist["zone_basis"] in (None, "power", "hr", "mixed")
    for key in ("grey_zone_percentage", "quality_intensity_percentage"):
        assert out[key] is None or 0 <= out[key] <= 100
    assert out["easy_time_ratio"] is None or 0 <= out["easy_time_ratio"] <= 1
    assert (out["easy_time_ratio"] is None) == (dist["zone_basis"] is None)

    for a in acts:
        zones, basis = activity_zones(a, prefs)
        assert basis in (None, "power", "hr")
        assert (basis is None) == (zones == {})
        assert all(k in Z.ZONE_KEYS and 0 <= v <= Z.MAX_ZONE_SECS for k, v in zones.items())

    days = day_zone_seconds(acts, prefs)
    for per in days.values():
        is_hard, basis = classify_hard_day(per)
        assert is_hard in (None, True, False)
        assert (is_hard is None) == (basis is None)
    n = hard_days(acts, date(2024, 5, 6), date(2024, 5, 12), prefs)
    assert 0 <= n <= 7
