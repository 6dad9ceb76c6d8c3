"""Sustainability profile (docs/metrics.md#sustainability).

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
from section11.metrics.sustainability import (
    body_weight,
    cycling_ftp,
    ftp_staleness_days,
    sustainability_curve_id,
    sustainability_families,
    sustainability_profile,
    sustainability_window,
)
from section11.model import Activity
from section11.wellness_model import Wellness

from .helpers import walk_numbers

TODAY = date(2026, 7, 26)
CID = "r.2026-06-15.2026-07-26"  # 26 Jul - 41 d = 15 Jun


def curve(points: dict, cid: str = CID) -> dict:
    return {cid: Curve(cid, tuple(points), tuple(points.values()))}


def well(day: str, weight=None) -> Wellness:
    return Wellness.from_raw({"id": day, "weight": weight})


def act(type_) -> Activity:
    return Activity.from_raw({"id": "i1", "start_date_local": "2026-07-20T08:00:00", "type": type_})


# ----------------------------------------------------------------- window / families


def test_window_and_curve_id():
    assert sustainability_window(TODAY) == {"days": 42, "start": "2026-06-15", "end": "2026-07-26"}
    assert sustainability_curve_id(TODAY) == CID


def test_families_from_28d_activities():
    acts = [act("Run"), act("VirtualRow"), act("GravelRide"), act(None), act("Yoga")]
    # GravelRide activates cycling, though only Ride/VirtualRide curves are fetched
    assert sustainability_families(acts) == {
        "cycling": ("Ride", "VirtualRide"),
        "rowing": ("Rowing", "VirtualRow"),
    }
    assert list(sustainability_families([act("VirtualSki"), act("EBikeRide")])) == [
        "cycling",
        "ski",
    ]
    assert sustainability_families([act("Run"), act("Swim")]) == {}
    assert sustainability_families([]) == {}


# ----------------------------------------------------------------- shared inputs


def test_weight_sources_in_order():
    w7 = [well("2026-07-24", 70.04), well("2026-07-25", None), well("2026-07-26", 0)]
    w28 = [well("2026-07-01", 72.36)]
    # newest truthy display-window weight: 70.04 -> 70.0
    assert body_weight(w7, w28, 68.0) == (70.0, "wellness_recent")
    # display window empty of weights -> 28-day: 72.36 -> 72.4
    assert body_weight([well("2026-07-26")], w28, 68.0) == (72.4, "wellness_extended")
    assert body_weight([], [], 68.04) == (68.0, "athlete_profile")
    assert body_weight([], [], None) == (None, None)
    assert body_weight([], [well("2026-07-01", -3)], 0) == (None, None)


def test_weight_newest_by_date_not_list_order():
    w7 = [well("2026-07-26", 71.0), well("2026-07-20", 75.0)]
    assert body_weight(w7, [], None) == (71.0, "wellness_recent")


HISTORY = {"outdoor": {"2026-05-01": 250, "2026-06-10": 255}, "indoor": {"2026-07-20": 240}}


@pytest.mark.parametrize(
    "history,series,days",
    [
        (HISTORY, "outdoor", 46),  # 10 Jun -> 26 Jul = 20 + 26
        (HISTORY, "indoor", 6),  # 20 Jul -> 26 Jul
        (HISTORY, None, 6),  # reference: newest change of either series
        ({"outdoor": {}, "indoor": {"2026-07-20": 240}}, "outdoor", 6),  # empty -> both
        ({"outdoor": {}, "indoor": {}}, "outdoor", None),
        ({}, None, None),
        (None, "outdoor", None),
        ({"outdoor": {"not a date": 1, "2026-07-26": 250}}, "outdoor", 0),
        ({"outdoor": {"2026-07-27": 250}}, "outdoor", 0),  # future date clamps to 0
    ],
)
def test_ftp_staleness(history, series, days):
    assert ftp_staleness_days(history, TODAY, series) == days


@pytest.mark.parametrize(
    "sports,expected",
    [
        ({"cycling": {"ftp": 250, "ftp_indoor": 240}}, (250, "outdoor")),
        ({"cycling": {"ftp": None, "ftp_indoor": 240}}, (240, "indoor")),
        ({"cycling": {"ftp": 0, "ftp_indoor": None}}, (None, None)),
        ({"cycling": {"ftp": -10, "ftp_indoor": 230}}, (230, "indoor")),
        ({"run": {"ftp": 300}}, (None, None)),
        (None, (None, None)),
    ],
)
def test_cycling_ftp(sports, expected):
    assert cycling_ftp(sports) == expected


# ----------------------------------------------------------------- cycling profile

POWER = {
    "Ride": curve({300: 300, 600: 280, 1200: 0, 1800: 250, 3600: None}),
    "VirtualRide": curve({300: 310, 600: 280, 1200: 260}),
}
HR = {
    "Ride": curve({300: 171.6, 600: 168, 1200: 165, 1800: 160, 3600: 0, 5400: None}),
    "VirtualRide": curve({300: 175.4, 1200: 163}),
}
SPORTS = {
    "cycling": {
        "lthr": 160,
        "max_hr": 190,
        "threshold_pace": None,
        "pace_units": None,
        "ftp": 200,
        "ftp_indoor": 190,
    }
}


def cycling_profile(**overrides):
    args = dict(
        power_by_type=POWER,
        hr_by_type=HR,
        today=TODAY,
        wellness_7d=[well("2026-07-25", 70.0)],
        wellness_28d=[],
        athlete_weight=75.0,
        thresholds_sports=SPORTS,
        w_prime=18000,
        ftp_history=HISTORY,
        families=["cycling"],
    )
    args.update(overrides)
    return sustainability_profile(**args)


def test_cycling_profile_full():
    out = cycling_profile()
    assert out["window"] == {"days": 42, "start": "2026-06-15", "end": "2026-07-26"}
    assert (out["weight_kg"], out["weight_source"]) == (70.0, "wellness_recent")
    assert set(out) == {"window", "weight_kg", "weight_source", "cycling"}
    c = out["cycling"]
    a = c["anchors"]
    assert list(a) == ["300s", "600s", "1200s", "1800s", "3600s", "5400s", "7200s"]
    # 300s: max(300 Ride, 310 VirtualRide) = 310 indoor; 310/70 = 4.4286 -> 4.43
    # HR: Ride 171.6 -> 172, VirtualRide 175.4 -> 175 -> 175; 175/160*100 = 109.375 -> 109.4
    # Coggan 200*1.06 = 212 -> 212/70 = 3.0286 -> 3.03
    # CP 200 + 18000/300 = 260 -> 260/70 = 3.714 -> 3.71 ; (310-260)/260*100 = 19.23 -> 19.2
    assert a["300s"] == {
        "actual_watts": 310,
        "actual_wpkg": 4.43,
        "actual_hr": 175,
        "pct_lthr": 109.4,
        "source": "observed_indoor",
        "coggan_watts": 212,
        "coggan_wpkg": 3.03,
        "cp_model_watts": 260,
        "cp_model_wpkg": 3.71,
        "model_divergence_pct": 19.2,
    }
    # 600s: tie 280/280 keeps Ride (outdoor, first in table); 280/70 = 4.0
    # HR 168 -> 168/160*100 = 105.0 ; Coggan 200*0.97 = 194 -> 2.7714 -> 2.77
    # CP 200 + 30 = 230 -> 3.2857 -> 3.29 ; (280-230)/230*100 = 21.74 -> 21.7
    assert a["600s"] == {
        "actual_watts": 280,
        "actual_wpkg": 4.0,
        "actual_hr": 168,
        "pct_lthr": 105.0,
        "source": "observed_outdoor",
        "coggan_watts": 194,
        "coggan_wpkg": 2.77,
        "cp_model_watts": 230,
        "cp_model_wpkg": 3.29,
        "model_divergence_pct": 21.7,
    }
    # 1200s: Ride 0 is invalid -> 260 indoor; 260/70 = 3.714 -> 3.71
    # HR max(165, 163) = 165 -> 103.125 -> 103.1 ; Coggan 186 -> 2.657 -> 2.66
    # CP 200 + 15 = 215 -> 3.0714 -> 3.07 ; (260-215)/215*100 = 20.93 -> 20.9
    assert a["1200s"] == {
        "actual_watts": 260,
        "actual_wpkg": 3.71,
        "actual_hr": 165,
        "pct_lthr": 103.1,
        "source": "observed_indoor",
        "coggan_watts": 186,
        "coggan_wpkg": 2.66,
        "cp_model_watts": 215,
        "cp_model_wpkg": 3.07,
        "model_divergence_pct": 20.9,
    }
    # 1800s: 250 outdoor -> 3.5714 -> 3.57 ; HR 160 -> 100.0 ; Coggan 180 -> 2.57
    # CP 200 + 10 = 210 -> 3.0 ; (250-210)/210*100 = 19.05 -> 19.0
    assert a["1800s"] == {
        "actual_watts": 250,
        "actual_wpkg": 3.57,
        "actual_hr": 160,
        "pct_lthr": 100.0,
        "source": "observed_outdoor",
        "coggan_watts": 180,
        "coggan_wpkg": 2.57,
        "cp_model_watts": 210,
        "cp_model_wpkg": 3.0,
        "model_divergence_pct": 19.0,
    }
    # 3600s: no power (null), HR 0 -> none ; Coggan 172 -> 2.457 -> 2.46
    # CP 200 + 5 = 205 -> 2.9286 -> 2.93
    assert a["3600s"] == {
        "actual_watts": None,
        "actual_wpkg": None,
        "actual_hr": None,
        "pct_lthr": None,
        "source": None,
        "coggan_watts": 172,
        "coggan_wpkg": 2.46,
        "cp_model_watts": 205,
        "cp_model_wpkg": 2.93,
        "model_divergence_pct": None,
    }
    # 5400s: Coggan 164 -> 2.3429 -> 2.34 ; CP 200 + 3.33 = 203.33 -> 203 -> 2.9
    assert (a["5400s"]["coggan_watts"], a["5400s"]["coggan_wpkg"]) == (164, 2.34)
    assert (a["5400s"]["cp_model_watts"], a["5400s"]["cp_model_wpkg"]) == (203, 2.9)
    # 7200s: Coggan 156 -> 2.2286 -> 2.23 ; CP 200 + 2.5 = 202.5 -> half-even 202 -> 2.8857 -> 2.89
    assert (a["7200s"]["coggan_watts"], a["7200s"]["coggan_wpkg"]) == (156, 2.23)
    assert (a["7200s"]["cp_model_watts"], a["7200s"]["cp_model_wpkg"]) == (202, 2.89)
    # coverage: 4 of 7 anchors with watts -> 0.5714 -> 0.57
    assert c["coverage_ratio"] == 0.57
    assert c["ftp_used"] == 200
    assert c["w_prime_used"] == 18000
    assert c["ftp_staleness_days"] == 46  # outdoor FTP used -> last outdoor change 10 Jun
    assert c["model_trust_note"]
    assert "note" not in c


def test_cycling_without_weight_ftp_wprime_lthr():
    out = cycling_profile(
        wellness_7d=[],
        athlete_weight=None,
        w_prime=None,
        thresholds_sports={"cycling": {"lthr": None, "ftp": None, "ftp_indoor": None}},
    )
    assert (out["weight_kg"], out["weight_source"]) == (None, None)
    a = out["cycling"]["anchors"]["300s"]
    assert a["actual_watts"] == 310 and a["actual_hr"] == 175
    assert a["actual_wpkg"] is None and a["pct_lthr"] is None
    assert a["coggan_watts"] is None and a["cp_model_watts"] is None
    assert a["model_divergence_pct"] is None
    assert out["cycling"]["ftp_used"] is None
    assert "No user-set cycling FTP" in out["cycling"]["model_trust_note"]


def test_cycling_indoor_ftp_and_no_wprime():
    sports = {"cycling": {"lthr": 160, "ftp": None, "ftp_indoor": 190}}
    out = cycling_profile(thresholds_sports=sports, w_prime=None)
    c = out["cycling"]
    # Coggan from indoor FTP: 190*1.06 = 201.4 -> 201 ; no W' -> no CP model
    assert c["anchors"]["300s"]["coggan_watts"] == 201
    assert c["anchors"]["300s"]["cp_model_watts"] is None
    assert c["ftp_used"] == 190
    assert c["w_prime_used"] is None
    assert c["ftp_staleness_days"] == 6  # indoor series: 20 Jul -> 26 Jul
    assert "W'" in c["model_trust_note"]


def test_stale_ftp_is_mentioned():
    out = cycling_profile(ftp_history={"outdoor": {"2026-01-01": 200}})
    # 1 Jan -> 26 Jul 2026 = 31+28+31+30+31+30+25 = 206 days
    assert out["cycling"]["ftp_staleness_days"] == 206
    assert "206 days" in out["cycling"]["model_trust_note"]


# ----------------------------------------------------------------- other families


def test_rowing_two_power_anchors_observed_source():
    power = {"Rowing": curve({60: 400, 120: 0}), "VirtualRow": curve({120: 350, 300: None})}
    out = sustainability_profile(
        power, {}, TODAY, [], [], 80.0, {"rowing": {"lthr": 170}}, None, None, families=["rowing"]
    )
    r = out["rowing"]
    assert (out["weight_kg"], out["weight_source"]) == (80.0, "athlete_profile")
    # 60s 400/80 = 5.0 ; 120s 350/80 = 4.375 -> 4.38 (4.375 exact, half-even -> 4.38)
    assert r["anchors"]["60s"] == {
        "actual_watts": 400,
        "actual_wpkg": 5.0,
        "actual_hr": None,
        "pct_lthr": None,
        "source": "observed",
    }
    assert r["anchors"]["120s"]["actual_wpkg"] == 4.38
    assert r["coverage_ratio"] == 0.33  # 2/6
    assert "ftp_used" not in r and "model_trust_note" not in r and "note" not in r


def test_family_with_too_little_data_is_null():
    power = {"Rowing": curve({60: 400})}
    hr = {"Rowing": curve({60: 170})}
    out = sustainability_profile(
        power, hr, TODAY, [], [], 80.0, {}, None, None, families=["rowing"]
    )
    assert out["rowing"]["anchors"] is None
    assert out["rowing"]["coverage_ratio"] == 0.17  # 1/6 = 0.1667
    assert "1 of 6 power anchors" in out["rowing"]["note"]


def test_quirk12_hr_only_family_keeps_hr_anchors():
    # NordicSki with HR curves but no power meter: the reference drops the whole
    # family; we keep HR anchors and say why the power columns are empty.
    hr = {"NordicSki": curve({60: 170, 120: 168, 300: 165}), "VirtualSki": curve({60: 172})}
    out = sustainability_profile(
        {}, hr, TODAY, [], [], 70.0, {"ski": {"lthr": 165}}, None, None, families=["ski"]
    )
    s = out["ski"]
    # 60s max(170, 172) = 172 -> 172/165*100 = 104.24 -> 104.2
    # 120s 168/165*100 = 101.82 -> 101.8 ; 300s 165/165*100 = 100.0
    assert s["anchors"]["60s"] == {
        "actual_watts": None,
        "actual_wpkg": None,
        "actual_hr": 172,
        "pct_lthr": 104.2,
        "source": None,
    }
    assert s["anchors"]["120s"]["pct_lthr"] == 101.8
    assert s["anchors"]["300s"]["pct_lthr"] == 100.0
    assert s["anchors"]["1800s"]["actual_hr"] is None
    assert s["coverage_ratio"] == 0.0
    assert "0 of 6 power anchors" in s["note"]


def test_several_families_in_table_order_and_missing_curves():
    power = {"Rowing": curve({60: 400, 120: 380}), "Ride": curve({300: 300, 600: 280})}
    out = sustainability_profile(
        power,
        {},
        TODAY,
        [],
        [],
        70.0,
        SPORTS,
        18000,
        HISTORY,
        families=["rowing", "ski", "cycling"],
    )
    assert list(out) == ["window", "weight_kg", "weight_source", "cycling", "ski", "rowing"]
    # ski is active but its fetches failed -> null block with coverage 0.0
    assert out["ski"]["anchors"] is None and out["ski"]["coverage_ratio"] == 0.0


def test_families_inferred_from_curve_keys():
    power = {"VirtualRow": curve({60: 400, 120: 380})}
    out = sustainability_profile(power, None, TODAY, [], [], 70.0, {}, None, None)
    assert "rowing" in out and "cycling" not in out


def test_curve_for_another_window_is_ignored():
    power = {"Ride": curve({300: 300, 600: 280}, cid="r.2026-06-14.2026-07-25")}
    out = sustainability_profile(
        power, {}, TODAY, [], [], 70.0, SPORTS, 18000, HISTORY, families=["cycling"]
    )
    assert set(out) == {"note", "window"}


def test_no_active_family():
    out = sustainability_profile({}, {}, TODAY, [], [], 70.0, {}, None, None, families=[])
    assert set(out) == {"note", "window"}
    assert out["window"] == {"days": 42, "start": "2026-06-15", "end": "2026-07-26"}
    assert sustainability_profile(None, None, TODAY, [], [], None, None, None, None) == out


# ----------------------------------------------------------------- properties

_num = st.one_of(
    st.none(), st.integers(-(2**53), 2**53), st.floats(), st.just(0), st.text(max_size=2)
)
_secs = st.one_of(
    st.sampled_from([60, 120, 300, 600, 1200, 1800, 3600, 5400, 7200]),
    st.integers(-5, 8000),
    st.none(),
)
TYPES = ["Ride", "VirtualRide", "NordicSki", "VirtualSki", "Rowing", "VirtualRow", "Run"]


@st.composite
def by_type(draw):
    out = {}
    for sport_type in draw(st.lists(st.sampled_from(TYPES), max_size=4, unique=True)):
        n = draw(st.integers(0, 9))
        item = {
            "id": draw(st.sampled_from([CID, CID, "r.x"])),
            "secs": draw(st.lists(_secs, min_size=n, max_size=n)),
            draw(st.sampled_from(["watts", "values"])): draw(st.lists(_num, max_size=n)),
        }
        out[sport_type] = curves_from_raw({"list": [item]})
    return out


_small = st.one_of(
    st.none(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False)
)


@settings(max_examples=300, deadline=None)
@given(
    power=by_type(),
    hr=by_type(),
    weights=st.lists(_num, max_size=4),
    athlete_weight=_small,
    lthr=_small,
    ftp=_small,
    ftp_indoor=_small,
    w_prime=_small,
    families=st.one_of(st.none(), st.lists(st.sampled_from(["cycling", "ski", "rowing", "run"]))),
)
def test_property_profile_is_finite(
    power, hr, weights, athlete_weight, lthr, ftp, ftp_indoor, w_prime, families
):
    wellness = [
        Wellness.from_raw({"id": f"2026-07-{10 + i:02d}", "weight": w})
        for i, w in enumerate(weights)
    ]
    sports = {
        "cycling": {"lthr": lthr, "ftp": ftp, "ftp_indoor": ftp_indoor},
        "ski": {"lthr": lthr},
    }
    out = sustainability_profile(
        power,
        hr,
        TODAY,
        wellness[-2:],
        wellness,
        athlete_weight,
        sports,
        w_prime,
        {"outdoor": {"2026-07-01": 1}},
        families=families,
    )
    for path, value in walk_numbers(out):
        assert math.isfinite(value), (path, value)
    assert out["window"]["days"] == 42
    for family in ("cycling", "ski", "rowing"):
        block = out.get(family)
        if block is None:
            continue
        assert 0.0 <= block["coverage_ratio"] <= 1.0
        for entry in (block["anchors"] or {}).values():
            assert entry["actual_watts"] is None or entry["actual_watts"] > 0
            assert entry["actual_hr"] is None or entry["actual_hr"] >= 0
            if entry["actual_watts"] is None:
                assert entry["source"] is None and entry["actual_wpkg"] is None
