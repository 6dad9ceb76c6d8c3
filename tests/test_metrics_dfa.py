"""DFA a1 per-session block (docs/metrics.md#dfa-a1) and compact summary (docs/metrics.md#dfa-a1).

Sessions are built from constant blocks so every expected number can be worked
out by hand from the formulas in docs/metrics.md (arithmetic in the comments); nothing here
was obtained by running the code.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.dfa import _Lookback, dfa_block, dfa_summary, segment_estimate_reason

from .helpers import assert_finite

NULL_KEYS = (
    "avg",
    "p25",
    "p50",
    "p75",
    "tiz_easy",
    "tiz_endurance",
    "tiz_tempo",
    "tiz_supra",
    "drift",
    "easy_guard_crossing",
    "lt1_crossing",
    "lt2_crossing",
)


def streams(a1, hr=None, watts=None, art=None):
    """A /streams response; a stream passed as None is absent."""
    out = [{"type": "time", "data": list(range(len(a1)))}, {"type": "dfa_a1", "data": a1}]
    for kind, data in (("heartrate", hr), ("watts", watts), ("artifacts", art)):
        if data is not None:
            out.append({"type": kind, "data": data, "valueType": "java.lang.Float"})
    return out


def rep(*blocks):
    """[(value, count), ...] -> flat list."""
    out = []
    for value, count in blocks:
        out.extend([value] * count)
    return out


# ----------------------------------------------------------------- a full session by blocks

# five blocks of 300 samples, artifacts 1.0 everywhere:
#   idx    0-299  a1 1.2   hr 120 watts 150  -> easy
#   idx  300-599  a1 1.0   hr 130 watts 170  -> endurance (1.0 <= 1.0), easy-guard band
#   idx  600-899  a1 0.75  hr 140 watts 200  -> endurance (0.75 >= 0.75), LT1 band
#   idx  900-1199 a1 0.6   hr 150 watts 220  -> tempo
#   idx 1200-1499 a1 0.4   hr 160 watts 250  -> supra (no LT2-band samples)
BLOCKS = [(1.2, 120, 150), (1.0, 130, 170), (0.75, 140, 200), (0.6, 150, 220), (0.4, 160, 250)]
A1 = rep(*[(a, 300) for a, _, _ in BLOCKS])
HR = rep(*[(h, 300) for _, h, _ in BLOCKS])
WATTS = rep(*[(w, 300) for _, _, w in BLOCKS])
ART = [1.0] * 1500


def test_full_session_block():
    b = dfa_block(streams(A1, HR, WATTS, ART))
    # avg = 300*(1.2+1.0+0.75+0.6+0.4)/1500 = 3.95/5 = 0.79
    assert b["avg"] == 0.79
    # sorted: 0.4 x300 (0-299), 0.6 (300-599), 0.75 (600-899), 1.0 (900-1199), 1.2
    # p25 = S[1500//4=375] = 0.6; p50 = S[750] = 0.75; p75 = S[4500//4=1125] = 1.0
    assert (b["p25"], b["p50"], b["p75"]) == (0.6, 0.75, 1.0)
    assert b["tiz_easy"] == {"secs": 300, "pct": 20.0, "avg_hr": 120, "avg_watts": 150}
    # endurance = blocks 2+3: hr (130+140)/2 = 135, watts (170+200)/2 = 185
    assert b["tiz_endurance"] == {"secs": 600, "pct": 40.0, "avg_hr": 135, "avg_watts": 185}
    assert b["tiz_tempo"] == {"secs": 300, "pct": 20.0, "avg_hr": 150, "avg_watts": 220}
    assert b["tiz_supra"] == {"secs": 300, "pct": 20.0, "avg_hr": 160, "avg_watts": 250}
    # t = 1500//3 = 500; first = (300*1.2 + 200*1.0)/500 = 1.12
    # last = idx 1000-1499 = (200*0.6 + 300*0.4)/500 = 240/500 = 0.48; delta = -0.64
    # supra pct 20.0 > 15 -> not interpretable
    assert b["drift"] == {
        "first_third_avg": 1.12,
        "last_third_avg": 0.48,
        "delta": -0.64,
        "interpretable": False,
    }
    # easy guard (0.95..1.05): idx 300-599, one segment of 300. Lookback: hr 120 = 2 beats
    # per sample -> 100 samples (200-299). Span 200-599 watts 100x150 + 300x170:
    # mean 165, pop var (100*15^2 + 300*5^2)/400 = 75, sd 8.66 -> CV 5.2 % -> ok
    assert b["easy_guard_crossing"] == {
        "marker_dfa_a1": 1.0,
        "secs_in_band": 300,
        "contiguous_secs": 300,
        "n_qualifying_segments": 1,
        "n_eligible_segments": 1,
        "reason": "ok",
        "estimate_eligible": True,
        "estimate_reason": "ok",
        "avg_hr": 130,
        "avg_watts": 170,
    }
    # LT1 (0.70..0.80): idx 600-899. Lookback hr 130 -> 2.1667 beats/sample -> 93 samples
    # (507-599). Span watts 93x170 + 300x200: mean 75810/393 = 192.9,
    # var (93*22.9^2 + 300*7.1^2)/393 = 162.6, sd 12.75 -> CV 6.6 % -> ok
    assert b["lt1_crossing"] == {
        "marker_dfa_a1": 0.75,
        "secs_in_band": 300,
        "contiguous_secs": 300,
        "n_qualifying_segments": 1,
        "n_eligible_segments": 1,
        "reason": "ok",
        "estimate_eligible": True,
        "estimate_reason": "ok",
        "avg_hr": 140,
        "avg_watts": 200,
    }
    assert b["lt2_crossing"] == {
        "marker_dfa_a1": 0.5,
        "secs_in_band": 0,
        "contiguous_secs": 0,
        "n_qualifying_segments": 0,
        "n_eligible_segments": 0,
        "reason": "no_samples_in_band",
        "estimate_eligible": False,
        "estimate_reason": "no_samples_in_band",
        "avg_hr": None,
        "avg_watts": None,
    }
    assert b["quality"] == {
        "valid_secs": 1500,
        "total_secs": 1500,
        "valid_pct": 100.0,
        "artifact_state": "complete",
        "artifact_coverage_pct": 100.0,
        "artifact_rate_avg": 1.0,
        "sufficient": True,
    }
    assert list(b) == [
        "avg",
        "p25",
        "p50",
        "p75",
        "tiz_easy",
        "tiz_endurance",
        "tiz_tempo",
        "tiz_supra",
        "drift",
        "easy_guard_crossing",
        "lt1_crossing",
        "lt2_crossing",
        "quality",
    ]


def test_full_session_summary():
    s = dfa_summary(dfa_block(streams(A1, HR, WATTS, ART)))
    # endurance has the most secs (600); only LT1 is estimate-eligible
    assert s == {
        "avg": 0.79,
        "dominant_band": "endurance",
        "tiz_pct": {"easy": 20.0, "endurance": 40.0, "tempo": 20.0, "supra": 20.0},
        "valid_pct": 100.0,
        "sufficient": True,
        "drift_delta": -0.64,
        "drift_interpretable": False,
        "lt1_watts": 200,
        "lt1_hr": 140,
    }
    assert list(s) == [
        "avg",
        "dominant_band",
        "tiz_pct",
        "valid_pct",
        "sufficient",
        "drift_delta",
        "drift_interpretable",
        "lt1_watts",
        "lt1_hr",
    ]


def test_percentiles_pick_by_index_without_interpolation():
    # 1201 distinct values 0.300 .. 1.500, fed in descending order (sorting matters)
    a1 = [(300 + k) / 1000 for k in range(1200, -1, -1)]
    b = dfa_block(streams(a1))
    # p25 = S[1201//4 = 300] = 0.600; p50 = S[600] = 0.900; p75 = S[3603//4 = 900] = 1.200
    assert (b["p25"], b["p50"], b["p75"]) == (0.6, 0.9, 1.2)
    assert b["avg"] == 0.9  # mean of 300..1500 = 900 -> 0.9


# ----------------------------------------------------------------- quality gate


def test_insufficient_block_keeps_every_key_null():
    b = dfa_block(streams([0.8] * 1199, [140] * 1199, [200] * 1199))
    assert {k: b[k] for k in NULL_KEYS} == dict.fromkeys(NULL_KEYS)
    assert b["quality"] == {
        "valid_secs": 1199,
        "total_secs": 1199,
        "valid_pct": 100.0,
        "artifact_state": "absent",
        "artifact_coverage_pct": 0.0,
        "artifact_rate_avg": None,
        "sufficient": False,
    }
    assert dfa_summary(b) is None


@pytest.mark.parametrize(
    "n, valid, pct, sufficient",
    [
        (1200, 1200, 100.0, True),  # exactly 1200 valid
        (2000, 1400, 70.0, True),  # 100*1400/2000 = 70.0
        (2000, 1398, 69.9, False),  # 69.9 < 70
        (2001, 1400, 70.0, True),  # 69.965 rounds to 70.0 before the comparison
        (3000, 1199, 40.0, False),  # 39.97 -> 40.0, and too few samples anyway
    ],
)
def test_sufficient_needs_1200_valid_and_70_pct(n, valid, pct, sufficient):
    a1 = [0.8] * valid + [None] * (n - valid)
    q = dfa_block(streams(a1))["quality"]
    assert (q["valid_secs"], q["total_secs"], q["valid_pct"], q["sufficient"]) == (
        valid,
        n,
        pct,
        sufficient,
    )


def test_low_a1_and_high_artifact_samples_are_dropped():
    a1 = [0.8] * 1500
    a1[0], a1[1], a1[2] = 0.0, 0.01, 0.009  # leading 0.0 artefact and < 0.01 dropped
    art = [1.0] * 1200 + [5.5] * 299 + [5.0]  # > 5.0 drops; exactly 5.0 is kept
    q = dfa_block(streams(a1, art=art))["quality"]
    # kept: 1500 - 2 (a1) - 299 (artifact, idx 1200-1498) = 1199
    assert q["valid_secs"] == 1199 and q["sufficient"] is False
    # artifact mean includes dropped samples: (1200*1 + 299*5.5 + 5)/1500 = 2849.5/1500 = 1.8997
    assert q["artifact_rate_avg"] == 1.9
    assert q["valid_pct"] == 79.9  # 119900/1500 = 79.93


@pytest.mark.parametrize(
    "art, state, coverage, rate",
    [
        (None, "absent", 0.0, None),
        ([-1.0] * 1500, "absent", 0.0, None),  # negative artifacts are null
        ([2.0] * 750, "partial", 50.0, 2.0),  # padded with null to 1500
        ([3.0] + [None] * 1499, "partial", 0.067, 3.0),  # 100/1500 = 0.0667 -> 3 decimals
        ([1.0, 2.0] * 750 + [9.0] * 20, "complete", 100.0, 1.5),  # truncated to n
    ],
)
def test_artifact_states(art, state, coverage, rate):
    q = dfa_block(streams([0.8] * 1500, art=art))["quality"]
    assert (q["artifact_state"], q["artifact_coverage_pct"], q["artifact_rate_avg"]) == (
        state,
        coverage,
        rate,
    )


def test_non_finite_boolean_and_text_values_are_null():
    bad = [
        float("nan"),
        float("inf"),
        float("-inf"),
        True,
        False,
        "0.8",
        None,
        [0.8],
        {"v": 1},
        10**400,
    ]
    a1 = [0.8] * 1500
    a1[100 : 100 + len(bad)] = bad
    hr = [150] * 1500
    hr[0 : len(bad)] = bad  # hr 0..9 are null -> excluded from avg_hr
    b = dfa_block(streams(a1, hr=hr, watts=[200] * 1500))
    assert b["quality"]["valid_secs"] == 1490
    assert b["tiz_endurance"]["avg_hr"] == 150
    assert b["avg"] == 0.8


def test_missing_hr_and_watts_streams():
    a1 = rep((1.2, 1000), (0.75, 100), (1.2, 400))
    b = dfa_block(streams(a1))
    assert b["tiz_easy"] == {"secs": 1400, "pct": 93.3, "avg_hr": None, "avg_watts": None}
    lt1 = b["lt1_crossing"]
    # hr[999] is null -> the lookback walk stops at once
    assert (lt1["reason"], lt1["estimate_eligible"], lt1["estimate_reason"]) == (
        "ok",
        False,
        "lookback_gap",
    )
    assert (lt1["avg_hr"], lt1["avg_watts"]) == (None, None)


def test_streams_are_padded_and_truncated_to_dfa_length():
    # watts only for the first 1000 samples, hr longer than dfa_a1
    a1 = rep((1.2, 1000), (0.9, 500))
    b = dfa_block(streams(a1, hr=[100] * 1000 + [150] * 600, watts=[180] * 1000))
    assert b["tiz_endurance"] == {"secs": 500, "pct": 33.3, "avg_hr": 150, "avg_watts": None}
    assert b["tiz_easy"]["avg_watts"] == 180


def test_zero_heart_rate_is_a_dropout_not_a_value():
    # deliberate deviation: hr <= 0 skipped in averages (reference: (299*140 + 0)/300 = 139.5)
    hr = [140] * 1500
    hr[700] = 0
    b = dfa_block(streams([0.9] * 1500, hr=hr, watts=[200] * 1500))
    assert b["tiz_endurance"]["avg_hr"] == 140


@pytest.mark.parametrize(
    "value",
    [
        None,
        {},
        "x",
        [],
        [{"type": "heartrate", "data": [1]}],
        [{"type": "dfa_a1", "data": None}],
        [{"type": "dfa_a1", "data": []}],
        [{"type": "dfa_a1"}],
        ["junk", 3],
    ],
)
def test_no_dfa_stream_means_no_block(value):
    assert dfa_block(value) is None


def test_all_null_dfa_stream_gives_an_insufficient_block():
    b = dfa_block(streams([None] * 50))
    assert b["quality"]["valid_secs"] == 0 and b["quality"]["valid_pct"] == 0.0
    assert b["avg"] is None


# ----------------------------------------------------------------- drift


@pytest.mark.parametrize("supra, interpretable", [(225, True), (226, False)])
def test_drift_interpretable_up_to_15_pct_supra(supra, interpretable):
    # 225/1500 = 15.0 % -> interpretable; 226/1500 = 15.07 -> 15.1 -> not
    a1 = [0.9] * (1500 - supra) + [0.3] * supra
    d = dfa_block(streams(a1))["drift"]
    assert d["interpretable"] is interpretable
    # first third (500 x 0.9) = 0.9; last third: (500-supra) x 0.9 + supra x 0.3
    # supra 225: (275*0.9 + 225*0.3)/500 = (247.5 + 67.5)/500 = 0.63, delta -0.27
    if supra == 225:
        assert (d["first_third_avg"], d["last_third_avg"], d["delta"]) == (0.9, 0.63, -0.27)


def test_drift_delta_is_never_negative_zero():
    d = dfa_block(streams([0.8] * 1500))["drift"]
    assert d["delta"] == 0.0 and math.copysign(1.0, d["delta"]) == 1.0


# ----------------------------------------------------------------- crossings: segments


def seg_session(runs, n=1500, hr=120, watts=200, base=1.2):
    """a1 = base everywhere except the given (start, length, value) runs."""
    a1 = [base] * n
    for start, length, value in runs:
        a1[start : start + length] = [value] * length
    return a1, [hr] * n, [watts] * n, [1.0] * n


@pytest.mark.parametrize(
    "length, reason, qualifying",
    [
        (60, "ok", 1),
        (59, "insufficient_total_dwell", 0),
    ],
)
def test_segment_of_60_qualifies_59_does_not(length, reason, qualifying):
    a1, hr, w, art = seg_session([(1000, length, 0.75)])
    c = dfa_block(streams(a1, hr, w, art))["lt1_crossing"]
    assert (c["secs_in_band"], c["contiguous_secs"], c["n_qualifying_segments"], c["reason"]) == (
        length,
        length,
        qualifying,
        reason,
    )
    if qualifying:
        # lookback 100 samples at 2 beats/s, span 900..1059, constant power -> ok
        assert (
            c["estimate_eligible"],
            c["estimate_reason"],
            c["n_eligible_segments"],
            c["avg_hr"],
            c["avg_watts"],
        ) == (True, "ok", 1, 120, 200)
    else:
        assert (c["estimate_eligible"], c["estimate_reason"], c["avg_hr"], c["avg_watts"]) == (
            False,
            "insufficient_total_dwell",
            None,
            None,
        )


@pytest.mark.parametrize("gap_value", [1.2, None, 0.0])
def test_gap_of_5_is_bridged(gap_value):
    # in band 1000-1039, gap 1040-1044 (out of band, dropped or < 0.01), in band 1045-1084
    a1, hr, w, art = seg_session([(1000, 40, 0.75), (1045, 40, 0.75)])
    a1[1040:1045] = [gap_value] * 5
    hr[1040:1045] = [180] * 5  # bridged samples are not averaged
    c = dfa_block(streams(a1, hr, w, art))["lt1_crossing"]
    # 1045 - 1039 - 1 = 5 -> same segment of 40 + 40 = 80 counted samples
    assert (
        c["secs_in_band"],
        c["contiguous_secs"],
        c["n_qualifying_segments"],
        c["reason"],
        c["estimate_reason"],
        c["avg_hr"],
    ) == (80, 80, 1, "ok", "ok", 120)


def test_gap_of_6_splits():
    a1, hr, w, art = seg_session([(1000, 40, 0.75), (1046, 40, 0.75)])
    c = dfa_block(streams(a1, hr, w, art))["lt1_crossing"]
    # 1046 - 1039 - 1 = 6 > 5 -> two segments of 40; total 80 >= 60 but none >= 60
    assert (
        c["secs_in_band"],
        c["contiguous_secs"],
        c["n_qualifying_segments"],
        c["reason"],
        c["estimate_eligible"],
        c["estimate_reason"],
    ) == (80, 40, 0, "no_contiguous_dwell", False, "no_contiguous_dwell")
    assert (c["avg_hr"], c["avg_watts"]) == (None, None)


def test_band_edges_are_inclusive():
    # 0.95 and 1.05 are in the easy-guard band, 0.9499 and 1.0501 are not
    a1, hr, w, art = seg_session(
        [(1000, 30, 0.95), (1030, 30, 1.05), (1060, 10, 0.9499), (1070, 10, 1.0501)]
    )
    c = dfa_block(streams(a1, hr, w, art))["easy_guard_crossing"]
    assert (c["secs_in_band"], c["contiguous_secs"]) == (60, 60)


def test_pooled_crossing_averages_cover_qualifying_segments_only():
    # segment A 300-399 (hr 130, watts 210), segment B 1000-1079 (hr 150, watts 250),
    # short run 1200-1229 (hr 170) does not qualify
    a1, hr, w, art = seg_session([(300, 100, 0.5), (1000, 80, 0.5), (1200, 30, 0.5)])
    hr[300:400], w[300:400] = [130] * 100, [210] * 100
    hr[1000:1080], w[1000:1080] = [150] * 80, [260] * 80
    hr[1200:1230] = [170] * 30
    c = dfa_block(streams(a1, hr, w, art))["lt2_crossing"]
    # hr (100*130 + 80*150)/180 = 25000/180 = 138.9 -> 139
    # watts (100*210 + 80*260)/180 = 41800/180 = 232.2 -> 232
    assert (
        c["secs_in_band"],
        c["contiguous_secs"],
        c["n_qualifying_segments"],
        c["avg_hr"],
        c["avg_watts"],
    ) == (210, 100, 2, 139, 232)
    # A: lookback 200..299 at 120 bpm, span watts 100x200 + 100x210 -> mean 205,
    # sd 5 -> 2.4 % -> ok. B: lookback 900-999 (hr 120, watts 200), span watts
    # 100x200 + 80x260: mean 40800/180 = 226.7, var (100*26.67^2 + 80*33.33^2)/180
    # = (71111 + 88889)/180 = 888.9, sd 29.8 -> 13.2 % > 12 -> non_stationary
    assert (c["n_eligible_segments"], c["estimate_eligible"], c["estimate_reason"]) == (
        1,
        False,
        "non_stationary_power",
    )


# ----------------------------------------------------------------- estimate reasons


def lt1_case(edit):
    """LT1 segment 1000-1099; hr 120 -> lookback 900-999; span 900..1099."""
    a1, hr, w, art = seg_session([(1000, 100, 0.75)])
    streams_kw = {"hr": hr, "watts": w, "art": art}
    edit(a1, streams_kw)
    return dfa_block(streams(a1, **streams_kw))["lt1_crossing"]


def _set(name, idx, value):
    def edit(a1, kw):
        kw[name][idx] = value

    return edit


def _replace(name, value):
    def edit(a1, kw):
        kw[name] = value

    return edit


def _alternate(lo, hi):
    def edit(a1, kw):
        kw["watts"] = [lo if i % 2 else hi for i in range(1500)]

    return edit


@pytest.mark.parametrize(
    "edit, reason",
    [
        (lambda a1, kw: None, "ok"),
        (_set("hr", 899, None), "ok"),  # just before the 100-sample lookback
        (_set("hr", 900, None), "lookback_gap"),  # 99*2 = 198 beats, then a null
        (_set("hr", 950, 0), "lookback_gap"),
        (_set("hr", 950, -3), "lookback_gap"),
        (_set("art", 920, None), "unknown_artifact"),
        (_replace("art", None), "unknown_artifact"),  # no artifacts stream at all
        (_set("art", 920, 6.0), "excessive_artifact"),
        (_set("art", 920, 5.0), "ok"),  # 5.0 is not > 5.0
        (_set("art", 899, None), "ok"),  # outside the span
        (_set("hr", 1050, 0), "unknown_hr"),
        (_set("hr", 1050, None), "unknown_hr"),
        (_set("watts", 1050, None), "unknown_power"),
        (_replace("watts", None), "unknown_power"),
        (_replace("watts", [0] * 1500), "non_positive_power_mean"),
        (_replace("watts", [-5] * 1500), "non_positive_power_mean"),
        (_alternate(175, 225), "non_stationary_power"),  # mean 200, sd 25 -> 12.5 %
        (_alternate(176, 224), "ok"),  # sd 24 -> exactly 12.0 %, not > 12
        (_set("watts", 950, 0), "ok"),  # zeros count: 199*200/200 = 199, sd 14.1 -> 7.1 %
    ],
)
def test_estimate_reason_paths(edit, reason):
    c = lt1_case(edit)
    assert c["reason"] == "ok" and c["n_qualifying_segments"] == 1
    assert c["estimate_reason"] == reason
    assert c["estimate_eligible"] is (reason == "ok")
    assert c["n_eligible_segments"] == (1 if reason == "ok" else 0)


def test_estimate_checks_run_in_priority_order_within_a_segment():
    def edit(a1, kw):
        kw["art"][920] = None  # unknown_artifact ...
        kw["hr"][1050] = 0  # ... wins over unknown_hr
        kw["watts"][1060] = None

    assert lt1_case(edit)["estimate_reason"] == "unknown_artifact"


@pytest.mark.parametrize(
    "start, reason",
    [
        (100, "ok"),  # samples 0..99 give exactly 100*2 = 200 beats
        (99, "lookback_incomplete"),  # 198 beats, then the stream starts
        (0, "lookback_incomplete"),
    ],
)
def test_lookback_needs_200_beats(start, reason):
    a1, hr, w, art = seg_session([(start, 100, 0.75)])
    assert dfa_block(streams(a1, hr, w, art))["lt1_crossing"]["estimate_reason"] == reason


@pytest.mark.parametrize(
    "start, end, hr, reason",
    [
        (100, 199, [120.0] * 300, "ok"),
        (99, 199, [120.0] * 300, "lookback_incomplete"),
        (150, 199, [None] + [120.0] * 299, "ok"),  # 100 samples suffice, idx 0 unused
        (100, 199, [None] + [120.0] * 299, "lookback_gap"),
        (100, 199, [0.5] * 300, "lookback_incomplete"),  # 100 samples x 0.5/60 beats
        # 72 bpm = 1.2 beats: 166 samples = 199.2, the 167th reaches 200.4
        (167, 199, [72.0] * 300, "ok"),
        (166, 199, [72.0] * 300, "lookback_incomplete"),
    ],
)
def test_segment_estimate_reason_direct(start, end, hr, reason):
    n = len(hr)
    args = (start, end, hr, [200.0] * n, [1.0] * n)
    # the quick prefix-sum check and the plain walk agree
    assert segment_estimate_reason(*args) == reason
    assert segment_estimate_reason(*args, _Lookback(hr)) == reason


def test_segment_reasons_reported_by_priority():
    # A 300-399 fails unknown_power, B 1000-1099 fails lookback_gap -> lookback_gap
    a1, hr, w, art = seg_session([(300, 100, 0.75), (1000, 100, 0.75)])
    w[350] = None
    hr[950] = None
    c = dfa_block(streams(a1, hr, w, art))["lt1_crossing"]
    assert (
        c["n_qualifying_segments"],
        c["n_eligible_segments"],
        c["estimate_eligible"],
        c["estimate_reason"],
    ) == (2, 0, False, "lookback_gap")


def test_one_failing_segment_blocks_the_estimate():
    a1, hr, w, art = seg_session([(300, 100, 0.75), (1000, 100, 0.75)])
    w[1050] = None
    c = dfa_block(streams(a1, hr, w, art))["lt1_crossing"]
    assert (
        c["n_qualifying_segments"],
        c["n_eligible_segments"],
        c["reason"],
        c["estimate_eligible"],
        c["estimate_reason"],
    ) == (2, 1, "ok", False, "unknown_power")
    # averages still describe both qualifying segments (hr 120, watts 200 and one null)
    assert (c["avg_hr"], c["avg_watts"]) == (120, 200)


# ----------------------------------------------------------------- summary


def band(secs, pct):
    return {"secs": secs, "pct": pct, "avg_hr": None, "avg_watts": None}


def block(easy=None, endurance=None, tempo=None, supra=None, **extra):
    b = {
        "avg": 0.8,
        "tiz_easy": easy,
        "tiz_endurance": endurance,
        "tiz_tempo": tempo,
        "tiz_supra": supra,
        "drift": None,
        "easy_guard_crossing": None,
        "lt1_crossing": None,
        "lt2_crossing": None,
        "quality": {"valid_pct": 95.0, "sufficient": True},
    }
    b.update(extra)
    return b


@pytest.mark.parametrize(
    "secs, dominant",
    [
        ((500, 500, 100, 100), "endurance"),  # easy/endurance tie -> higher intensity
        ((400, 400, 400, 400), "supra"),
        ((100, None, 400, 400), "supra"),
        ((600, 300, 300, None), "easy"),
        ((None, 200, 200, None), "tempo"),
    ],
)
def test_dominant_band_ties_go_to_higher_intensity(secs, dominant):
    bands = [band(s, 25.0) if s is not None else None for s in secs]
    s = dfa_summary(block(*bands))
    assert s["dominant_band"] == dominant
    assert s["tiz_pct"] == {
        label: (25.0 if v is not None else 0.0)
        for label, v in zip(("easy", "endurance", "tempo", "supra"), secs)
    }


def test_summary_optional_fields():
    lt1 = {"reason": "ok", "estimate_eligible": True, "avg_hr": 150, "avg_watts": None}
    lt2 = {"reason": "ok", "estimate_eligible": False, "avg_hr": 170, "avg_watts": 300}
    s = dfa_summary(
        block(
            band(100, 100.0),
            drift={"delta": None, "interpretable": True},
            lt1_crossing=lt1,
            lt2_crossing=lt2,
        )
    )
    assert s == {
        "avg": 0.8,
        "dominant_band": "easy",
        "tiz_pct": {"easy": 100.0, "endurance": 0.0, "tempo": 0.0, "supra": 0.0},
        "valid_pct": 95.0,
        "sufficient": True,
        "lt1_hr": 150,
    }


@pytest.mark.parametrize(
    "value",
    [
        None,
        {},
        "x",
        {"quality": None},
        {"quality": {"sufficient": False}},
        {"quality": {"sufficient": "yes"}},
    ],
)
def test_summary_only_for_sufficient_blocks(value):
    assert dfa_summary(value) is None


def test_summary_tolerates_legacy_blocks_without_estimate_fields():
    legacy = {"reason": "ok", "avg_hr": 150, "avg_watts": 220}  # v3.121 crossing
    s = dfa_summary(block(band(10, 1.0), lt1_crossing=legacy, tiz_tempo="junk"))
    assert "lt1_watts" not in s and s["tiz_pct"]["tempo"] == 0.0


# ----------------------------------------------------------------- properties


SAMPLE = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1.0, max_value=3.0),
    st.integers(-(10**6), 10**6),
    st.sampled_from([0, 0.0, -1, 10**400, 1e308, "x", 0.75, 0.5, 1.0, 120, 200]),
)
RUNS = st.lists(st.tuples(SAMPLE, st.integers(1, 700)), max_size=6)


def _expand(runs):
    return [v for value, count in runs for v in [value] * count]


@settings(max_examples=80, deadline=None)
@given(
    a1=RUNS,
    hr=st.one_of(st.none(), RUNS),
    watts=st.one_of(st.none(), RUNS),
    art=st.one_of(st.none(), RUNS),
    junk=st.booleans(),
)
def test_property_no_crash_no_nan(a1, hr, watts, art, junk):
    s = streams(_expand(a1), *(None if x is None else _expand(x) for x in (hr, watts, art)))
    if junk:
        s += [None, {"type": "watts", "data": "oops"}, {"type": None}]
    b = dfa_block(s)
    assert (b is None) is (not _expand(a1))
    if b is None:
        return
    assert_finite(b)
    q = b["quality"]
    assert 0 <= q["valid_secs"] <= q["total_secs"]
    summary = dfa_summary(b)
    assert (summary is None) is (q["sufficient"] is not True)
    assert_finite(summary)


@settings(max_examples=30, deadline=None)
@given(
    value=st.floats(min_value=0.05, max_value=2.0),
    hr=st.floats(min_value=40, max_value=200),
    n=st.integers(1200, 2500),
)
def test_property_constant_session(value, hr, n):
    b = dfa_block(streams([value] * n, [hr] * n, [200.0] * n, [0.5] * n))
    assert abs(b["avg"] - value) <= 0.0005 + 1e-9
    assert b["quality"]["sufficient"] is True
    secs = [
        b[k]["secs"]
        for k in ("tiz_easy", "tiz_endurance", "tiz_tempo", "tiz_supra")
        if b[k] is not None
    ]
    assert secs == [n]


JUNK = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(10**20), 10**20),
        st.text(max_size=4),
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "secs",
                    "pct",
                    "delta",
                    "interpretable",
                    "estimate_eligible",
                    "avg_hr",
                    "avg_watts",
                    "sufficient",
                    "valid_pct",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    parts=st.dictionaries(
        st.sampled_from(
            [
                "avg",
                "tiz_easy",
                "tiz_endurance",
                "tiz_tempo",
                "tiz_supra",
                "drift",
                "lt1_crossing",
                "lt2_crossing",
            ]
        ),
        JUNK,
    ),
    valid_pct=JUNK,
)
def test_property_summary_of_arbitrary_blocks(parts, valid_pct):
    s = dfa_summary({**parts, "quality": {"sufficient": True, "valid_pct": valid_pct}})
    assert_finite(s)
    assert s["dominant_band"] in ("easy", "endurance", "tempo", "supra")
