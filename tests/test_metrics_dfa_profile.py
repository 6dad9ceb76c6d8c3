"""capability.dfa_a1_profile (docs/metrics.md#dfa-a1-profile): latest session, per-family pooling,
confidence and reason precedence.

Session blocks are written by hand in the shape docs/metrics.md#dfa-a1 stores in intervals.json;
expected values are worked out from the formulas in docs/metrics.md (arithmetic in comments).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.dfa import dfa_block
from section11.metrics.dfa_profile import NOT_VALIDATED_NOTE, dfa_a1_profile

from .helpers import assert_finite

MARKERS = {"easy_guard_crossing": 1.0, "lt1_crossing": 0.75, "lt2_crossing": 0.5}


def crossing(reason="ok", eligible=None, estimate_reason=None, hr=None, watts=None):
    """A crossing block; by default eligible iff the dwell reason is ok."""
    if eligible is None:
        eligible = reason == "ok" and estimate_reason in (None, "ok")
    if estimate_reason is None:
        estimate_reason = "ok" if eligible else reason
    return {
        "marker_dfa_a1": None,
        "secs_in_band": 100,
        "contiguous_secs": 100,
        "n_qualifying_segments": 1,
        "n_eligible_segments": int(eligible),
        "reason": reason,
        "estimate_eligible": eligible,
        "estimate_reason": estimate_reason,
        "avg_hr": hr,
        "avg_watts": watts,
    }


NO_DWELL = crossing("no_samples_in_band", hr=None)


def dfa(
    avg=0.8,
    sufficient=True,
    valid_pct=90.0,
    delta=None,
    interpretable=True,
    tiz=(25.0, 35.0, 30.0, 10.0),
    eg=None,
    lt1=None,
    lt2=None,
):
    bands = {}
    for key, pct in zip(("tiz_easy", "tiz_endurance", "tiz_tempo", "tiz_supra"), tiz):
        bands[key] = {"secs": 100, "pct": pct, "avg_hr": 140, "avg_watts": 200} if pct else None
    drift = (
        None
        if delta is None
        else {
            "first_third_avg": 0.9,
            "last_third_avg": 0.9 + delta,
            "delta": delta,
            "interpretable": interpretable,
        }
    )
    block = {
        "avg": avg if sufficient else None,
        "p25": None,
        "p50": None,
        "p75": None,
        **bands,
        "drift": drift,
        "easy_guard_crossing": eg or NO_DWELL,
        "lt1_crossing": lt1 or NO_DWELL,
        "lt2_crossing": lt2 or NO_DWELL,
        "quality": {
            "valid_secs": 1500,
            "total_secs": 1600,
            "valid_pct": valid_pct,
            "artifact_state": "complete",
            "artifact_coverage_pct": 100.0,
            "artifact_rate_avg": 1.0,
            "sufficient": sufficient,
        },
    }
    return block


def entry(aid, day, kind="Ride", block=None, start="08:00:00", name=None):
    return {
        "activity_id": aid,
        "date": f"2026-07-{day:02d}",
        "start_datetime": f"2026-07-{day:02d}T{start}" if start else None,
        "type": kind,
        "name": name or f"session {aid}",
        "interval_summary": None,
        "intervals": [],
        **({"dfa": block} if block is not None else {}),
    }


# ----------------------------------------------------------------- presence


@pytest.mark.parametrize(
    "entries",
    [
        None,
        [],
        [entry("a", 1)],
        [entry("a", 1) | {"dfa": None}],
        [entry("a", 1) | {"dfa": "x"}],
        ["junk", 3, None],
    ],
)
def test_no_dfa_block_means_no_profile(entries):
    assert dfa_a1_profile(entries) is None


# ----------------------------------------------------------------- latest session


def test_latest_session_is_newest_sufficient():
    entries = [
        entry("a", 10, block=dfa(avg=0.70, delta=-0.05)),
        entry("b", 12, block=dfa(sufficient=False, valid_pct=40.0)),  # newest, insufficient
        entry(
            "c",
            11,
            "VirtualRide",
            dfa(
                avg=0.812,
                delta=-0.228,
                interpretable=False,
                valid_pct=93.4,
                tiz=(23.4, 39.4, 30.6, 0),
            ),
        ),
    ]
    latest = dfa_a1_profile(entries)["latest_session"]
    assert latest == {
        "activity_id": "c",
        "date": "2026-07-11",
        "name": "session c",
        "sport": "VirtualRide",
        "validated": True,
        "avg": 0.812,
        "tiz_split_pct": {"easy": 23.4, "endurance": 39.4, "tempo": 30.6, "supra": 0.0},
        "drift_delta": -0.228,
        "drift_interpretable": False,
        "quality_pct": 93.4,
        "sufficient": True,
    }


def test_latest_session_falls_back_to_newest_insufficient():
    entries = [
        entry("a", 10, "Run", dfa(sufficient=False, valid_pct=55.5)),
        entry("b", 12, "Run", dfa(sufficient=False, valid_pct=40.0)),
    ]
    profile = dfa_a1_profile(entries)
    assert profile["latest_session"] == {
        "activity_id": "b",
        "date": "2026-07-12",
        "name": "session b",
        "sport": "Run",
        "validated": False,
        "avg": None,
        "tiz_split_pct": None,
        "drift_delta": None,
        "drift_interpretable": None,
        "quality_pct": 40.0,
        "sufficient": False,
    }
    assert profile["trailing_by_sport"] == {}


def test_sorting_uses_start_datetime_then_date():
    # same day: 18:00 start is newer than 07:00; an entry without start_datetime
    # sorts by its date alone ("2026-07-13" > "2026-07-12T18:00:00")
    entries = [
        entry("late", 12, start="18:00:00", block=dfa(avg=0.6)),
        entry("early", 12, start="07:00:00", block=dfa(avg=0.7)),
    ]
    assert dfa_a1_profile(entries)["latest_session"]["activity_id"] == "late"
    entries.append(entry("nostart", 13, start=None, block=dfa(avg=0.9)))
    assert dfa_a1_profile(entries)["latest_session"]["activity_id"] == "nostart"


# ----------------------------------------------------------------- trailing by sport


def test_cycling_pooling_outdoor_and_indoor():
    entries = [
        entry(
            "r1",
            20,
            "Ride",
            dfa(avg=0.80, delta=-0.1, valid_pct=90.0, lt1=crossing(hr=140, watts=200)),
        ),
        entry(
            "r2",
            19,
            "GravelRide",
            dfa(avg=0.70, delta=-0.3, valid_pct=85.5, lt1=crossing(hr=142, watts=210)),
        ),
        entry(
            "v1",
            18,
            "VirtualRide",
            dfa(
                avg=0.65,
                delta=0.5,
                interpretable=False,
                valid_pct=80.0,
                lt1=crossing(hr=138, watts=190),
            ),
        ),
        entry(
            "v2", 17, "VirtualRide", dfa(avg=0.75, valid_pct=95.0, lt1=crossing(hr=141, watts=None))
        ),
        # dwell ok but not estimate-eligible: a crossing session, never pooled
        entry(
            "r3",
            16,
            "Ride",
            dfa(
                avg=0.85,
                valid_pct=99.0,
                lt1=crossing(estimate_reason="unknown_power", hr=199, watts=999),
            ),
        ),
        entry("old", 1, "Ride", dfa(sufficient=False)),  # insufficient: not in the window
    ]
    c = dfa_a1_profile(entries)["trailing_by_sport"]["cycling"]
    # avg_dfa_a1 = (0.80+0.70+0.65+0.75+0.85)/5 = 3.75/5 = 0.75
    # drift_delta_mean over interpretable only: (-0.1 + -0.3)/2 = -0.2
    # quality_avg_pct = (90 + 85.5 + 80 + 95 + 99)/5 = 449.5/5 = 89.9
    # lt1 hr = (140+142+138+141)/4 = 561/4 = 140.25 -> 140
    # watts_outdoor = (200+210)/2 = 205 (r1, r2); watts_indoor = 190 (v2 has none)
    assert c == {
        "n_sessions": 5,
        "date_range": ["2026-07-16", "2026-07-20"],
        "avg_dfa_a1": 0.75,
        "drift_delta_mean": -0.2,
        "easy_guard_crossing_sessions": 0,
        "lt1_crossing_sessions": 5,
        "lt2_crossing_sessions": 0,
        "easy_guard_eligible_sessions": 0,
        "lt1_eligible_sessions": 4,
        "lt2_eligible_sessions": 0,
        "easy_guard_estimate": None,
        "easy_guard_reason": "no_samples_in_band",
        "lt1_estimate": {
            "marker_dfa_a1": 0.75,
            "hr": 140,
            "watts_outdoor": 205,
            "watts_indoor": 190,
            "n_sessions": 4,
            "n_sessions_outdoor": 2,
            "n_sessions_indoor": 1,
        },
        "lt1_reason": "ok",
        "lt2_estimate": None,
        "lt2_reason": "no_samples_in_band",
        "quality_avg_pct": 89.9,
        "validated": True,
        "confidence": "moderate",
    }
    assert "note" not in c


def test_window_is_newest_seven_per_family_and_families_keep_newest_first_order():
    entries = [entry(f"r{d}", d, "Ride", dfa(avg=d / 100)) for d in range(1, 10)]
    entries.append(entry("run", 15, "TrailRun", dfa(avg=0.9)))
    entries.append(entry("x", 14, "Pickleball", dfa(avg=0.9)))
    trailing = dfa_a1_profile(entries)["trailing_by_sport"]
    assert list(trailing) == ["run", "other", "cycling"]
    c = trailing["cycling"]
    # newest 7 rides: days 3..9 -> avg (3+...+9)/7/100 = 42/7/100 = 0.06
    assert (c["n_sessions"], c["date_range"], c["avg_dfa_a1"]) == (
        7,
        ["2026-07-03", "2026-07-09"],
        0.06,
    )


def test_pooled_values_round_half_to_even():
    lt1 = [crossing(hr=h, watts=w) for h, w in ((139, 200), (140, 201), (141, 200), (142, 201))]
    entries = [entry(f"s{i}", 10 + i, "Run", dfa(lt1=c)) for i, c in enumerate(lt1)]
    est = dfa_a1_profile(entries)["trailing_by_sport"]["run"]["lt1_estimate"]
    # hr (139+140+141+142)/4 = 140.5 -> 140 (half to even); watts 802/4 = 200.5 -> 200
    assert est == {"marker_dfa_a1": 0.75, "hr": 140, "watts": 200, "n_sessions": 4}


def test_non_validated_family_carries_note_and_plain_watts():
    entries = [
        entry(f"s{i}", 10 + i, "Run", dfa(lt2=crossing(hr=170, watts=None))) for i in range(3)
    ]
    run = dfa_a1_profile(entries)["trailing_by_sport"]["run"]
    assert run["validated"] is False and run["note"] == NOT_VALIDATED_NOTE
    assert run["lt2_estimate"] == {"marker_dfa_a1": 0.5, "hr": 170, "watts": None, "n_sessions": 3}
    assert run["confidence"] == "low"
    assert list(run)[-2:] == ["confidence", "note"]


@pytest.mark.parametrize(
    "n_lt1, n_lt2, n_eg, confidence",
    [
        (3, 0, 0, "low"),
        (4, 2, 0, "moderate"),
        (5, 5, 0, "moderate"),
        (2, 6, 0, "high"),  # max of LT1 and LT2
        (2, 2, 7, None),  # easy guard does not count
        (0, 0, 0, None),
    ],
)
def test_confidence_from_best_of_lt1_lt2(n_lt1, n_lt2, n_eg, confidence):
    entries = []
    for i in range(7):
        entries.append(
            entry(
                f"s{i}",
                10 + i,
                "Ride",
                dfa(
                    eg=crossing(hr=120) if i < n_eg else None,
                    lt1=crossing(hr=140) if i < n_lt1 else None,
                    lt2=crossing(hr=160) if i < n_lt2 else None,
                ),
            )
        )
    c = dfa_a1_profile(entries)["trailing_by_sport"]["cycling"]
    assert c["confidence"] == confidence
    assert (
        c["lt1_eligible_sessions"],
        c["lt2_eligible_sessions"],
        c["easy_guard_eligible_sessions"],
    ) == (n_lt1, n_lt2, n_eg)


# ----------------------------------------------------------------- reason precedence


def reason_for(crossings):
    entries = [entry(f"s{i}", 10 + i, "Ride", dfa(lt1=c)) for i, c in enumerate(crossings)]
    c = dfa_a1_profile(entries)["trailing_by_sport"]["cycling"]
    return c["lt1_reason"], c["lt1_estimate"]


UP = crossing(estimate_reason="unknown_power")
LG = crossing(estimate_reason="lookback_gap")
NCD = crossing("no_contiguous_dwell")
ITD = crossing("insufficient_total_dwell")


@pytest.mark.parametrize(
    "crossings, reason",
    [
        ([crossing(hr=140)] * 3, "ok"),
        ([crossing(hr=140)] * 2 + [UP], "insufficient_sessions"),
        ([crossing(hr=140), NCD, NCD], "insufficient_sessions"),
        ([UP, UP, LG], "unknown_power"),  # most common estimate reason
        ([UP, LG], "lookback_gap"),  # tie -> priority order
        ([UP, NCD, NCD, NCD], "unknown_power"),  # estimate reasons beat dwell reasons
        (
            [crossing(estimate_reason="zeta_new"), crossing(estimate_reason="alpha_new")],
            "alpha_new",
        ),  # unknown reasons: by name
        ([crossing(estimate_reason="zeta_new"), UP], "unknown_power"),  # known before unknown
        ([NCD, NCD, NO_DWELL], "no_contiguous_dwell"),  # most common dwell reason
        ([NCD, ITD], "insufficient_total_dwell"),  # tie -> dwell order
        ([NCD, ITD, NO_DWELL], "no_samples_in_band"),
        ([crossing("weird"), NCD], "no_contiguous_dwell"),
        # legacy blocks without estimate fields: nothing to report -> no_samples_in_band
        ([{"reason": "ok", "avg_hr": 140}] * 2, "no_samples_in_band"),
        (["junk", None], "no_samples_in_band"),
    ],
)
def test_reason_precedence(crossings, reason):
    got, estimate = reason_for(crossings)
    assert got == reason
    assert (estimate is not None) is (reason == "ok")


# ----------------------------------------------------------------- robustness


def test_blocks_from_dfa_block_feed_the_profile():
    n = 1500
    a1 = [1.2] * 1000 + [0.75] * 100 + [1.2] * 400
    streams = [
        {"type": "dfa_a1", "data": a1},
        {"type": "heartrate", "data": [120] * n},
        {"type": "watts", "data": [200] * n},
        {"type": "artifacts", "data": [1.0] * n},
    ]
    block = dfa_block(streams)
    entries = [entry(f"s{i}", 10 + i, "Ride" if i % 2 else "VirtualRide", block) for i in range(6)]
    c = dfa_a1_profile(entries)["trailing_by_sport"]["cycling"]
    assert c["lt1_estimate"] == {
        "marker_dfa_a1": 0.75,
        "hr": 120,
        "watts_outdoor": 200,
        "watts_indoor": 200,
        "n_sessions": 6,
        "n_sessions_outdoor": 3,
        "n_sessions_indoor": 3,
    }
    assert c["confidence"] == "high" and c["lt1_reason"] == "ok"


LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.text(max_size=5),
    st.sampled_from(
        [
            "ok",
            "no_samples_in_band",
            "unknown_power",
            "Ride",
            "VirtualRide",
            "Run",
            "2026-07-01",
            1e308,
        ]
    ),
)
CROSS = st.one_of(
    LEAF,
    st.fixed_dictionaries(
        {},
        optional={
            "reason": st.sampled_from(["ok", "no_contiguous_dwell", "x"]) | LEAF,
            "estimate_eligible": LEAF,
            "estimate_reason": LEAF,
            "avg_hr": LEAF,
            "avg_watts": LEAF,
        },
    ),
)
DFA = st.fixed_dictionaries(
    {},
    optional={
        "avg": LEAF,
        "tiz_easy": st.one_of(LEAF, st.fixed_dictionaries({"pct": LEAF})),
        "drift": st.one_of(LEAF, st.fixed_dictionaries({"delta": LEAF, "interpretable": LEAF})),
        "easy_guard_crossing": CROSS,
        "lt1_crossing": CROSS,
        "lt2_crossing": CROSS,
        "quality": st.one_of(
            LEAF, st.fixed_dictionaries({"sufficient": st.just(True) | LEAF, "valid_pct": LEAF})
        ),
    },
)
ENTRY = st.fixed_dictionaries(
    {"dfa": DFA | LEAF},
    optional={
        "activity_id": LEAF,
        "date": LEAF,
        "start_datetime": LEAF,
        "type": LEAF,
        "name": LEAF,
    },
)


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(ENTRY | LEAF, max_size=12))
def test_property_arbitrary_entries(entries):
    profile = dfa_a1_profile(entries)
    if profile is None:
        return
    assert_finite(profile)
    for block in profile["trailing_by_sport"].values():
        assert 1 <= block["n_sessions"] <= 7
        assert block["confidence"] in (None, "low", "moderate", "high")
