"""Phase detection v2 (docs/metrics.md#phase-detection): live weekly rows, streams, data
quality, classifier, output block."""

import math
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from section11.metrics.load import daily_tss
from section11.metrics.phase import (
    classify_phase,
    data_quality,
    is_hard_planned,
    phase_detection,
    phase_duration_weeks,
    phase_keys,
    stream1_features,
    stream2_features,
)
from section11.metrics.phase_rows import (
    hard_days_this_week,
    live_weekly_rows,
    week_hard_days,
)
from section11.metrics.weeks import week_monotony, week_start_of
from section11.model import Activity
from section11.wellness_model import Wellness

from .helpers import walk

TODAY = date(2025, 3, 12)  # a Wednesday; Monday weeks: 02-17, 02-24, 03-03, 03-10 (current)


def d(text):
    return date.fromisoformat(text)


def act(day, load, atype="Ride", power=None, hr=None, aid=None):
    raw = {
        "id": aid or f"{day}-{atype}-{load}",
        "type": atype,
        "start_date_local": f"{day}T08:00:00",
        "icu_training_load": load,
    }
    if power:
        raw["icu_zone_times"] = [{"id": k.upper(), "secs": v} for k, v in power.items()]
    if hr:
        raw["icu_hr_zone_times"] = hr
    return Activity.from_raw(raw)


def well(day, ctl=None, atl=None):
    return Wellness.from_raw({"id": day, "ctl": ctl, "atl": atl})


# ----------------------------------------------------------------- docs/metrics.md#weekly-rows rows


@pytest.mark.parametrize(
    "week_start,expected",
    [
        (0, "2025-03-10"),
        (6, "2025-03-09"),
        (2, "2025-03-12"),
        (3, "2025-03-06"),
    ],
)
def test_week_start_of(week_start, expected):
    assert week_start_of(TODAY, week_start) == d(expected)


ACTS = [
    act("2025-02-16", 999),  # before the oldest week
    # W0 02-17..02-23: TSS 300, cycling 250, hard 2 (power 1, hr 1), 4 activities
    act("2025-02-17", 60, power={"z2": 3600}),
    act("2025-02-18", 90, power={"z3": 1000, "z4": 700}),  # Z4+ 700 >= 600 -> hard
    act("2025-02-20", 50, "Run", hr=[0, 1200, 0, 700]),  # HR Z4+ 700 >= 600 -> hard
    act("2025-02-22", 100, power={"z2": 7200}),
    # W1 02-24..03-02: TSS 280, cycling 240, hard 2 (power 2), 4 activities
    act("2025-02-24", 80, power={"z3": 1900}),  # Z3+ >= 1800
    act("2025-02-26", 70),
    act("2025-02-28", 90, power={"z5": 400}),  # Z5+ >= 300
    act("2025-03-01", 40, "Run"),
    # W2 03-03..03-09: TSS 180, cycling 180, hard 1, 2 activities (2 active days)
    act("2025-03-03", 120, power={"z4": 900}),
    act("2025-03-05", 60),
    # W3 (current) 03-10..today: TSS 130, cycling 100, hard 2 (power 1, hr 1)
    act("2025-03-10", 100, power={"z6": 150}),  # Z6+ >= 120
    act("2025-03-12", 30, "Run", hr=[0, 0, 0, 0, 350]),  # HR Z5+ >= 300
    act("2025-03-13", 500),  # after today: ignored
]
WELLNESS = [
    well("2025-02-17", ctl=50),
    well("2025-02-22", ctl=52, atl=60.26),
    well("2025-02-23", ctl=0),  # falsy: skipped
    well("2025-03-08", ctl=55.04),
    well("2025-03-09", atl=70.0),
]
HISTORY = [
    {"week_start": "2025-01-27", "total_tss": 200},
    {"week_start": "2025-02-03", "total_tss": 250},
    {"week_start": "2025-02-10", "total_tss": 270},
    {
        "week_start": "2025-02-17",
        "total_tss": 150,
        "acwr": 0.5,
        "ctl_end": 40,
        "phase_detected": "Base",
    },  # partial snapshot
    {"week_start": "2025-02-24", "ctl_end": 49.96, "acwr": 9.9, "phase_detected": "Build"},
    {"week_start": "2025-03-03", "phase_detected": "Build"},
    "not a row",
    {"week_start": None},
    {"week_start": "garbage"},
]


def live_rows(**kw):
    args = dict(
        ctl=58.26, atl=0, acwr=1.1, monotony=1.234, history_weekly=HISTORY, wellness=WELLNESS
    )
    args.update(kw)
    return live_weekly_rows(ACTS, TODAY, 0, "cycling", {}, **args)


def test_live_rows_reference_scenario():
    rows = live_rows()
    assert [r["week_start"] for r in rows] == [
        "2025-02-17",
        "2025-02-24",
        "2025-03-03",
        "2025-03-10",
    ]
    assert rows[0]["week_end"] == "2025-02-23"
    # W0: ctl_end 52 (last truthy wellness CTL), atl_end 60.26 -> 60.3
    # acwr = (300/7) / ((270+250+200)/21) = 6300/5040 = 1.25
    # monotony of [60,90,0,50,0,100,0]: mean 42.857 / sd 43.480 = 0.986 -> 0.99
    assert rows[0] == {
        "week_start": "2025-02-17",
        "week_end": "2025-02-23",
        "total_tss": 300.0,
        "primary_sport_tss": 250.0,
        "primary_sport": "cycling",
        "hard_days": 2,
        "intensity_basis_breakdown": {"power": 1, "hr": 1},
        "activity_count": 4,
        "ctl_end": 52.0,
        "atl_end": 60.3,
        "acwr": 1.25,
        "monotony": 0.99,
        "phase_detected": "Base",
    }
    # W1: no wellness -> history ctl_end 49.96 -> 50.0; acwr (280/7)/((300+270+250)/21)
    # = 5880/5740 = 1.024 -> 1.02 (history's 9.9 ignored); monotony of
    # [80,0,70,0,90,40,0]: 40 / 40.41 = 0.990 -> 0.99
    assert (
        rows[1]["total_tss"],
        rows[1]["primary_sport_tss"],
        rows[1]["hard_days"],
        rows[1]["intensity_basis_breakdown"],
        rows[1]["activity_count"],
        rows[1]["ctl_end"],
        rows[1]["atl_end"],
        rows[1]["acwr"],
        rows[1]["monotony"],
        rows[1]["phase_detected"],
    ) == (280.0, 240.0, 2, {"power": 2, "hr": 0}, 4, 50.0, None, 1.02, 0.99, "Build")
    # W2: ctl 55.04 -> 55.0, atl 70.0; acwr (180/7)/((280+300+270)/21) = 3780/5950
    # = 0.635 -> 0.64; only 2 active days -> monotony None
    assert (
        rows[2]["total_tss"],
        rows[2]["hard_days"],
        rows[2]["ctl_end"],
        rows[2]["atl_end"],
        rows[2]["acwr"],
        rows[2]["monotony"],
        rows[2]["phase_detected"],
    ) == (180.0, 1, 55.0, 70.0, 0.64, None, "Build")
    # current: live values; atl 0 is falsy -> None; no phase yet
    assert rows[3] == {
        "week_start": "2025-03-10",
        "week_end": "2025-03-16",
        "total_tss": 130.0,
        "primary_sport_tss": 100.0,
        "primary_sport": "cycling",
        "hard_days": 2,
        "intensity_basis_breakdown": {"power": 1, "hr": 1},
        "activity_count": 2,
        "ctl_end": 58.3,
        "atl_end": None,
        "acwr": 1.1,
        "monotony": 1.23,
        "phase_detected": None,
    }
    assert hard_days_this_week(rows) == 2


def test_live_rows_without_history_or_wellness():
    rows = live_weekly_rows(ACTS, TODAY, 0, "cycling", None)
    # W0 acwr needs 3 earlier weeks -> None; W2's earlier weeks are W1, W0 and 02-10
    # (unknown) -> None too
    assert [r["acwr"] for r in rows] == [None, None, None, None]
    assert [r["ctl_end"] for r in rows] == [None, None, None, None]
    assert [r["phase_detected"] for r in rows] == [None] * 4
    assert [r["monotony"] for r in rows] == [0.99, 0.99, None, None]


def test_live_rows_no_primary_sport_and_no_activities():
    rows = live_weekly_rows([], TODAY, 0, None)
    assert len(rows) == 4
    assert all(
        r["total_tss"] == 0.0
        and r["primary_sport_tss"] == 0.0
        and r["hard_days"] == 0
        and r["intensity_basis_breakdown"] is None
        and r["activity_count"] == 0
        for r in rows
    )


def test_live_rows_sunday_week_start():
    rows = live_weekly_rows(ACTS, TODAY, 6, "cycling")
    # weeks start on Sundays: 02-16, 02-23, 03-02, 03-09 (current, up to 03-12)
    assert [r["week_start"] for r in rows] == [
        "2025-02-16",
        "2025-02-23",
        "2025-03-02",
        "2025-03-09",
    ]
    # 02-16 holds the 999 ride and the W0 rides up to 02-22 except 02-23 (none that day)
    assert rows[0]["total_tss"] == 999 + 300
    assert rows[3]["total_tss"] == 130.0


def test_week_hard_days_mixed_day_counts_once_without_basis():
    acts = [
        act("2025-03-03", 50, power={"z4": 700}),
        act("2025-03-03", 40, "Run", hr=[0, 0, 0, 0, 400]),
    ]
    # one day, both bases present -> "mixed", counted as hard but not by basis
    assert week_hard_days(acts, {}) == (1, {"power": 0, "hr": 0})
    assert week_hard_days([], {}) == (0, None)


def test_week_monotony_gates():
    end = d("2025-03-09")
    two_days = [act("2025-03-03", 50), act("2025-03-05", 50)]
    assert week_monotony(daily_tss(two_days, end, 7)) is None
    same = [act(f"2025-03-0{i}", 50) for i in range(3, 10)]
    assert week_monotony(daily_tss(same, end, 7)) is None  # sd 0


# ----------------------------------------------------------------- docs/metrics.md#stream-1-what-happened


def row(ctl=None, acwr=None, mono=None, tss=0, ptss=0, hard=0, count=0, phase=None, breakdown=None):
    return {
        "ctl_end": ctl,
        "acwr": acwr,
        "monotony": mono,
        "total_tss": tss,
        "primary_sport_tss": ptss,
        "hard_days": hard,
        "activity_count": count,
        "phase_detected": phase,
        "intensity_basis_breakdown": breakdown,
    }


def test_stream1_build():
    rows = [
        row(50, 1.0, 1.5, hard=2),
        row(52, 1.05, 1.8, hard=2),
        row(55, 1.2, None, hard=1),
        row(57, 2.0, 3.0, hard=4),
    ]  # current row is ignored live
    s1 = stream1_features(rows)
    # OLS of 50, 52, 55 over 0..2: Sxy = (-1)(-2.333) + (1)(2.667) = 5, Sxx = 2 -> 2.5
    # hard (2+2+1)/3 = 1.667 -> 1.7; acwr 1.2 - 1.0 = 0.2 > 0.1 rising; monotony last 1.8
    assert (
        s1["ctl_slope"],
        s1["hard_day_avg"],
        s1["acwr_trend"],
        s1["monotony_trend"],
        s1["weeks_available"],
        s1["suggestion"],
    ) == (2.5, 1.7, "rising", "normal", 4, "Build")
    assert s1["ctl_values"] == [50, 52, 55]


def test_stream1_base_and_compressed_ctl_positions():
    s1 = stream1_features([row(50, hard=1), row(50.5, hard=1), row(51, hard=0), row()])
    # slope (51 - 50) / 2 = 0.5; hard 2/3 = 0.667 -> 0.7 -> Base
    assert (s1["ctl_slope"], s1["hard_day_avg"], s1["suggestion"]) == (0.5, 0.7, "Base")
    # null CTLs are dropped before the regression: 50, 54 -> slope 4.0
    s1 = stream1_features([row(50), row(None), row(54), row()])
    assert s1["ctl_slope"] == 4.0


@pytest.mark.parametrize(
    "acwrs,monos,expected",
    [
        ([1.0, 1.2, 1.5], [2.0, 2.6, None], "Overreached"),  # last acwr >= 1.5
        ([1.2, 1.3, 1.35], [2.6, None, 2.7], "Overreached"),  # >= 1.3 and rising (+0.15)
        # not overreached -> the CTL rules: flat CTL 50 (slope 0) and no hard days -> Base
        ([1.3, 1.3, 1.35], [2.6, 2.7, None], "Base"),  # stable: not overreached
        ([1.0, 1.2, 1.6], [3.0, 2.5, None], "Base"),  # last monotony 2.5: normal
        ([1.0, 1.2, None], [2.6, 2.7, 2.8], "Base"),  # last row's acwr unknown
    ],
)
def test_stream1_overreached(acwrs, monos, expected):
    rows = [row(50, a, m) for a, m in zip(acwrs, monos)] + [row()]
    assert stream1_features(rows)["suggestion"] == expected


def test_stream1_falling_and_insufficient():
    s1 = stream1_features([row(None, 1.3), row(None, 1.1), row(50, 1.15), row()])
    # 1.15 - 1.3 = -0.15 falling; one CTL value -> no slope -> no suggestion
    assert (s1["acwr_trend"], s1["ctl_slope"], s1["suggestion"]) == ("falling", None, None)
    assert stream1_features([row()])["hard_day_avg"] is None
    assert stream1_features([])["weeks_available"] == 0


def test_stream1_backfill_includes_target_row():
    rows = [row(50, hard=2), row(52, hard=2)]
    s1 = stream1_features(rows, is_backfill=True)
    # both rows count: slope 2.0, hard 2.0
    assert (s1["ctl_slope"], s1["hard_day_avg"], s1["weeks_available"]) == (2.0, 2.0, 2)


# ----------------------------------------------------------------- docs/metrics.md#stream-2-what-is-planned


def plan(day, name="Ride", tss=None, category="WORKOUT", sport="Ride", summary=None):
    return {
        "date": day,
        "type": category,
        "sport_type": sport,
        "name": name,
        "planned_tss": tss,
        "workout_summary": summary,
    }


PLAN = [
    plan("2025-03-11", tss=50),  # yesterday
    plan("2025-03-12", "Endurance", 60, summary="2h Z2"),
    plan("2025-03-13", "VO2 max intervals", 90),  # hard (name)
    plan("2025-03-14", "Easy run", 30, sport="Run", summary="4×5min"),  # hard (×)
    plan("2025-03-15", "Threshold talk", 40, category="NOTE"),  # not training
    plan("2025-03-16", "Long ride"),  # no TSS
    plan("2025-03-18", "Tempo", 80),  # next week
    plan("2025-03-20", "Crit", 70, category="RACE_C"),  # next week
    plan("2025-03-24", "Far", 100),  # beyond
    {"type": "WORKOUT", "name": "undated", "planned_tss": 500},
    "garbage",
]
ROWS = [
    row(tss=300, ptss=250, hard=2, count=4),
    row(tss=280, ptss=240, hard=2, count=4),
    row(tss=180, ptss=180, hard=1, count=2),
    row(tss=130, ptss=100, hard=2, count=2),
]


def s2_of(planned=PLAN, race=None, rows=ROWS, primary="cycling", week_start=0, today=TODAY):
    s1 = stream1_features(rows)
    return stream2_features(planned, race, today, week_start, rows, s1, primary)


def test_stream2_reference_scenario():
    s2 = s2_of()
    # Wed with Monday weeks: 4 days to Sunday 03-16; current list 03-12..03-16 (4 entries)
    # primary (cycling) baseline mean(250, 240, 180) = 223.33
    # current cycling TSS 60 + 90 + 0 = 150 -> 150 x 7/5 = 210 -> 210/223.33 = 0.940 -> 0.94
    # next week cycling 80 + 70 = 150 -> 0.672 -> 0.67
    # expected sessions round(mean(4, 4, 2)) = round(3.33) = 3 -> 4/3 = 1.33, 2/3 = 0.67
    assert s2 == {
        "race_proximity": None,
        "race_category": None,
        "planned_tss_delta": 0.94,
        "hard_sessions_planned": 2,
        "current_week_hard_days_completed": 2,
        "current_week_hard_days_total": 4,
        "next_week_tss_delta": 0.67,
        "plan_coverage_current_week": 1.33,
        "plan_coverage_next_week": 0.67,
        "next_7d_sessions": 4,
        "suggestion": None,
    }


def test_stream2_all_sports_when_primary_has_no_load():
    rows = [row(tss=300, count=4), row(tss=280, count=4), row(tss=180, count=2), row()]
    s2 = s2_of(rows=rows)
    # baseline mean(300, 280, 180) = 253.33; current all sports 60+90+30 = 180 x 7/5 = 252
    # -> 252/253.33 = 0.995 -> 0.99 (0.9947 rounds down); next 150/253.33 = 0.592 -> 0.59
    assert (s2["planned_tss_delta"], s2["next_week_tss_delta"]) == (0.99, 0.59)


def test_stream2_empty_plan_reports_completed_hard_days():
    # quirk 9 fix: completed hard days are reported with nothing planned
    s2 = s2_of(planned=[])
    assert s2 == {
        "race_proximity": None,
        "race_category": None,
        "planned_tss_delta": None,
        "hard_sessions_planned": 0,
        "current_week_hard_days_completed": 2,
        "current_week_hard_days_total": 2,
        "next_week_tss_delta": None,
        "plan_coverage_current_week": 0.0,
        "plan_coverage_next_week": 0.0,
        "next_7d_sessions": 0,
        "suggestion": None,
    }
    assert s2_of(planned=None)["current_week_hard_days_completed"] == 2


@pytest.mark.parametrize(
    "race,suggestion",
    [
        ({"category": "RACE_A", "days_until": 10}, "Taper"),
        ({"category": "RACE_B", "days_until": 14}, "Taper"),
        ({"category": "RACE_A", "days_until": 18}, "Peak"),  # delta 0.94 > 0.80
        ({"category": "RACE_A", "days_until": 22}, None),
        ({"category": "RACE_C", "days_until": 5}, None),
        ({"category": "RACE_A", "days_until": None}, None),
        ({"category": "RACE_A", "days_until": -1}, None),
        ("garbage", None),
    ],
)
def test_stream2_race_suggestions(race, suggestion):
    s2 = s2_of(race=race)
    assert s2["suggestion"] == suggestion


def test_stream2_deload_suggestions():
    low = [plan("2025-03-12", "Easy", 40)]
    # 40 x 7/5 = 56 / 223.33 = 0.25 <= 0.80; nothing next week, coverage 0 -> no suggestion
    s2 = s2_of(planned=low)
    assert (s2["planned_tss_delta"], s2["suggestion"]) == (0.25, None)
    # next week 200 -> 200/223.33 = 0.90 >= 0.85 -> Deload
    s2 = s2_of(planned=low + [plan("2025-03-18", "Long", 200)])
    assert (s2["next_week_tss_delta"], s2["suggestion"]) == (0.9, "Deload")
    # next week small load but coverage 1/3 = 0.33 >= 0.3 -> Deload
    s2 = s2_of(planned=low + [plan("2025-03-18", "Spin", 20)])
    assert (s2["plan_coverage_next_week"], s2["suggestion"]) == (0.33, "Deload")


def test_stream2_sunday_weeks_and_no_history_rows():
    # week_start Sunday: week ends Saturday 03-15 -> 3 days to go; expected sessions 5
    s2 = s2_of(week_start=6, rows=[row(hard=1)])
    assert s2["next_7d_sessions"] == 3  # 03-12, 03-13, 03-14
    assert s2["plan_coverage_current_week"] == 0.6  # 3/5
    assert s2["plan_coverage_next_week"] == 0.6  # 03-16, 03-18, 03-20 -> 3/5
    assert s2["planned_tss_delta"] is None  # no baseline
    assert s2["current_week_hard_days_completed"] == 1


@pytest.mark.parametrize(
    "entry,hard",
    [
        (plan("x", "Sweet Spot 3x15"), True),
        (plan("x", "Recovery spin"), False),
        (plan("x", "Z2", summary="3 Sets of 10"), True),
        (plan("x", "Race day", category="RACE_A"), True),
        (plan("x", "A race", category="RACE_C"), True),
        (plan("x", None, summary=None), False),
        (plan("x", "Fun ride", category="RACE_B"), True),
        (plan("x", "HIIT intensity"), True),
    ],
)
def test_is_hard_planned(entry, hard):
    assert is_hard_planned(entry) is hard


# ----------------------------------------------------------------- docs/metrics.md#data-quality


def test_data_quality():
    hr = {"power": 0, "hr": 2}
    pw = {"power": 1, "hr": 1}
    assert data_quality([row()] * 4, 4, {}) == ("good", [])
    assert data_quality([row()] * 2, 2, {}) == ("poor", ["INSUFFICIENT_LOOKBACK"])
    rows = [row(breakdown=hr), row(breakdown=hr), row(breakdown=pw), row(breakdown=hr)]
    assert data_quality(rows, 4, {}) == ("mixed", ["HR_ONLY_MAJORITY"])
    assert data_quality(rows, 4, {"run": "hr"}) == ("good", [])
    two = [row(breakdown=hr), row(breakdown=hr), row(breakdown=pw), row()]
    assert data_quality(two, 4, None) == ("good", [])  # 2 of 4 is not a majority
    assert data_quality([row(breakdown=hr)] * 2, 2, {}) == (
        "poor",
        ["INSUFFICIENT_LOOKBACK", "HR_ONLY_MAJORITY"],
    )


# ----------------------------------------------------------------- docs/metrics.md#classifier


def S1(**kw):
    base = {
        "weeks_available": 4,
        "ctl_slope": 0.5,
        "hard_day_avg": 1.0,
        "acwr_trend": "stable",
        "ctl_values": [50, 50.5, 51],
        "tss_values": [300, 300, 300],
        "hard_day_values": [1, 1, 1],
        "suggestion": None,
    }
    base.update(kw)
    return base


def S2(**kw):
    base = {
        "race_proximity": None,
        "race_category": None,
        "planned_tss_delta": None,
        "hard_sessions_planned": 0,
        "current_week_hard_days_completed": 0,
        "current_week_hard_days_total": 0,
        "next_week_tss_delta": None,
        "plan_coverage_current_week": 0.5,
        "plan_coverage_next_week": 0.5,
        "next_7d_sessions": 2,
        "suggestion": None,
    }
    base.update(kw)
    return base


def test_rule1_insufficient_data():
    assert classify_phase(S1(weeks_available=1), S2(), "poor", None) == (
        None,
        "low",
        ["INSUFFICIENT_DATA"],
    )


def test_rule2_overreached_beats_race():
    got = classify_phase(
        S1(suggestion="Overreached"), S2(race_category="RACE_A", race_proximity=5), "good", None
    )
    assert got == ("Overreached", "high", ["SAFETY_ACWR_OR_MONOTONY"])


@pytest.mark.parametrize(
    "s2,expected",
    [
        (
            S2(
                race_category="RACE_A", race_proximity=10, planned_tss_delta=0.7, next_7d_sessions=3
            ),
            ("Taper", "high", ["RACE_IMMINENT_VOLUME_REDUCING"]),
        ),
        (
            S2(race_category="RACE_B", race_proximity=0, planned_tss_delta=0.9, next_7d_sessions=3),
            ("Taper", "medium", ["RACE_IMMINENT"]),
        ),
        (
            S2(
                race_category="RACE_A", race_proximity=14, planned_tss_delta=0.7, next_7d_sessions=2
            ),
            ("Taper", "medium", ["RACE_IMMINENT"]),
        ),  # 2 sessions: delta not reliable
    ],
)
def test_rule3_taper(s2, expected):
    assert classify_phase(S1(), s2, "good", None) == expected


def test_rule4_peak():
    s1 = S1(ctl_values=[60, 62, 61], ctl_slope=-0.5)
    race = dict(race_category="RACE_B", race_proximity=20)
    # 61 >= 0.95 x 62 = 58.9 and slope -0.5 >= -0.5
    assert classify_phase(s1, S2(**race), "good", None) == (
        "Peak",
        "medium",
        ["RACE_APPROACHING_CTL_HIGH"],
    )
    assert (
        classify_phase(S1(ctl_values=[60, 62, 61], ctl_slope=-0.6), S2(**race), "good", None)[0]
        != "Peak"
    )
    assert classify_phase(S1(ctl_values=[60, 62, 58]), S2(**race), "good", None)[0] != "Peak"
    # reducing reliably -> not Peak
    assert (
        classify_phase(s1, S2(planned_tss_delta=0.7, next_7d_sessions=3, **race), "good", None)[0]
        != "Peak"
    )
    # C race: not Peak
    assert (
        classify_phase(s1, S2(race_category="RACE_C", race_proximity=20), "good", None)[0] != "Peak"
    )


def test_rule5_recovery():
    got = classify_phase(
        S1(ctl_slope=-1.5, hard_day_avg=0.3, weeks_available=3), S2(), "good", None
    )
    assert got == ("Recovery", "medium", ["DECLINING_LOAD_NO_HARD_DAYS"])


@pytest.mark.parametrize(
    "s2,expected",
    [
        (S2(hard_sessions_planned=2), ("Build", "medium", ["BUILD_RESUMING_AFTER_DELOAD"])),
        (S2(hard_sessions_planned=1), ("Build", "low", ["BUILD_RESUMING_AFTER_DELOAD_TENTATIVE"])),
        (
            S2(plan_coverage_current_week=0.5),
            ("Build", "low", ["BUILD_RESUMING_AFTER_DELOAD_TENTATIVE"]),
        ),
    ],
)
def test_rule6_after_deload(s2, expected):
    assert classify_phase(S1(), s2, "good", "Deload") == expected


def test_rule6_falls_through_without_plan():
    got = classify_phase(
        S1(), S2(plan_coverage_current_week=0, plan_coverage_next_week=0), "good", "Deload"
    )
    # scoring: slope 0.5 build+1; hard 1.0 base+2; stable base+1 -> margin -2 -> Base
    # |2| -> medium; previous Deload -> transition code; no plan -> NO_PLANNED_WORKOUTS
    assert got == ("Base", "medium", ["PHASE_TRANSITION_DELOAD_TO_BASE", "NO_PLANNED_WORKOUTS"])


BUILD_S1 = dict(ctl_slope=1.2, hard_day_avg=1.8, weeks_available=4)


@pytest.mark.parametrize(
    "s2,expected",
    [
        (
            S2(
                planned_tss_delta=0.7,
                next_7d_sessions=3,
                hard_sessions_planned=1,
                next_week_tss_delta=0.9,
            ),
            ("Deload", "high", ["BUILD_HISTORY_REDUCED_LOAD_REBOUND_CONFIRMED"]),
        ),
        (
            S2(planned_tss_delta=0.7, next_7d_sessions=3, plan_coverage_next_week=0.2),
            ("Deload", "medium", ["BUILD_HISTORY_REDUCED_LOAD", "PLAN_GAP_NEXT_WEEK"]),
        ),
        (
            S2(planned_tss_delta=0.7, next_7d_sessions=4, next_week_tss_delta=0.5),
            ("Deload", "medium", ["BUILD_HISTORY_REDUCED_LOAD"]),
        ),
    ],
)
def test_rule7_path_a(s2, expected):
    assert classify_phase(S1(**BUILD_S1), s2, "good", None) == expected


def test_rule7_needs_build_history_and_few_hard_sessions():
    s2 = S2(planned_tss_delta=0.7, next_7d_sessions=3, hard_sessions_planned=2)
    assert classify_phase(S1(**BUILD_S1), s2, "good", None)[0] != "Deload"
    s2 = S2(planned_tss_delta=0.7, next_7d_sessions=3)
    assert classify_phase(S1(ctl_slope=1.2, hard_day_avg=1.4), s2, "good", None)[0] != "Deload"
    assert (
        classify_phase(S1(ctl_slope=1.2, hard_day_avg=1.8, weeks_available=2), s2, "good", None)[0]
        != "Deload"
    )


def test_rule7_path_b():
    s1 = S1(ctl_slope=1.5, hard_day_avg=2.0)
    # 2 sessions: delta unreliable; slope > 1 and hard >= 2 -> Deload, next-week plan 0.5
    assert classify_phase(s1, S2(next_7d_sessions=2), "good", None) == (
        "Deload",
        "medium",
        ["BUILD_HISTORY_REDUCED_LOAD"],
    )
    assert (
        classify_phase(S1(ctl_slope=1.5, hard_day_avg=1.9), S2(next_7d_sessions=2), "good", None)[0]
        != "Deload"
    )


def test_rule7_path_c_backfill_shape():
    # prior3 = mean(300, 320, 310) = 310; prior hard mean(2, 2, 1) = 1.67 >= 1.5;
    # 200 / 310 = 0.645 <= 0.80 -> Deload; nothing next week -> PLAN_GAP_NEXT_WEEK
    s1 = S1(
        tss_values=[300, 320, 310, 200],
        hard_day_values=[2, 2, 1, 0],
        ctl_slope=0.5,
        hard_day_avg=1.2,
    )
    s2 = S2(next_7d_sessions=0, plan_coverage_current_week=0.0, plan_coverage_next_week=0.0)
    assert classify_phase(s1, s2, "good", None) == (
        "Deload",
        "medium",
        ["BUILD_HISTORY_REDUCED_LOAD", "PLAN_GAP_NEXT_WEEK"],
    )
    # 260/310 = 0.84 > 0.80 -> not a deload
    s1["tss_values"] = [300, 320, 310, 260]
    assert classify_phase(s1, s2, "good", None)[0] != "Deload"
    # three weeks only (the live shape) -> unreachable
    s1 = S1(tss_values=[320, 310, 200], hard_day_values=[2, 2, 0], weeks_available=4)
    assert classify_phase(s1, s2, "good", None)[0] != "Deload"


def test_rule8_recovery_without_build_history():
    s1 = S1(ctl_slope=-1.2, hard_day_avg=0.8)
    s2 = S2(planned_tss_delta=0.7, next_7d_sessions=3)
    assert classify_phase(s1, s2, "good", None) == (
        "Recovery",
        "medium",
        ["NO_BUILD_HISTORY_LOW_LOAD"],
    )


@pytest.mark.parametrize(
    "s1,s2,previous,expected",
    [
        # slope 2.5 b+3, hard 1.7 b+1, rising b+1, 4 sessions with 4 hard days b+1: 6-0
        (
            S1(ctl_slope=2.5, hard_day_avg=1.7, acwr_trend="rising"),
            S2(next_7d_sessions=4, current_week_hard_days_total=4, planned_tss_delta=0.94),
            "Base",
            ("Build", "high", ["PHASE_TRANSITION_BASE_TO_BUILD"]),
        ),
        # slope 0.5 b+1, hard 1.2 base+1, stable base+1: margin -1 -> hysteresis Base, medium
        (S1(hard_day_avg=1.2), S2(), "Base", ("Base", "medium", [])),
        (S1(hard_day_avg=1.2), S2(), None, ("Base", "medium", [])),
        (S1(hard_day_avg=1.2), S2(), "Build", ("Build", "medium", [])),
        # rising instead: 2 - 1 = +1 -> previous Base kept
        (S1(hard_day_avg=1.2, acwr_trend="rising"), S2(), "Base", ("Base", "medium", [])),
        (
            S1(hard_day_avg=1.2, acwr_trend="rising"),
            S2(),
            "Peak",
            ("Build", "medium", ["PHASE_TRANSITION_PEAK_TO_BUILD"]),
        ),
        # no trend: 1 - 1 = 0 -> ambiguous, no previous -> null, low
        (
            S1(hard_day_avg=1.2, acwr_trend=None),
            S2(),
            None,
            (None, "low", ["BUILD_BASE_AMBIGUOUS"]),
        ),
        (
            S1(hard_day_avg=1.2, acwr_trend=None),
            S2(),
            "Build",
            ("Build", "medium", ["BUILD_BASE_AMBIGUOUS"]),
        ),
        # previous Overreached never yields a transition code; 3 sessions with 1 hard day base+1
        # slope -0.5 base+2, hard 0.8 base+2, stable base+1, cw 1 base+1 -> -6 -> Base, high
        (
            S1(ctl_slope=-0.5, hard_day_avg=0.8),
            S2(next_7d_sessions=3, current_week_hard_days_total=1),
            "Overreached",
            ("Base", "high", []),
        ),
        # nothing planned at all: high -> medium + NO_PLANNED_WORKOUTS
        (
            S1(ctl_slope=-0.5, hard_day_avg=0.8),
            S2(plan_coverage_current_week=0.0, plan_coverage_next_week=0.0),
            None,
            ("Base", "medium", ["NO_PLANNED_WORKOUTS"]),
        ),
        # null slope and hard average: only the trend scores (base+1) -> margin -1 -> Base, medium
        (S1(ctl_slope=None, hard_day_avg=None), S2(), None, ("Base", "medium", [])),
    ],
)
def test_rule9_scoring(s1, s2, previous, expected):
    assert classify_phase(s1, s2, "good", previous) == expected


def test_rule9_quality_downgrades():
    s1 = S1(ctl_slope=2.5, hard_day_avg=1.7, acwr_trend="rising", weeks_available=2)
    # margin 5: poor quality -> "medium" (not good) then downgraded to "low"
    assert classify_phase(s1, S2(), "poor", None) == ("Build", "low", [])
    # mixed quality: |5| >= 2 -> medium, no downgrade
    assert classify_phase(
        S1(ctl_slope=2.5, hard_day_avg=1.7, acwr_trend="rising"), S2(), "mixed", None
    ) == ("Build", "medium", [])


def test_phase_duration_weeks():
    rows = [row(phase="Base"), row(phase="Build"), row(phase="Build"), row(phase="Build")]
    # the current (last) row is excluded: 1 + 2 preceding Builds = 3
    assert phase_duration_weeks(rows, "Build") == 3
    assert phase_duration_weeks(rows, "Base") == 1
    assert phase_duration_weeks(rows, None) == 0
    assert phase_duration_weeks([], "Base") == 1


# ----------------------------------------------------------------- docs/metrics.md#output


def test_phase_detection_live_end_to_end():
    history = [dict(h) for h in HISTORY if isinstance(h, dict)]
    history[5] = {"week_start": "2025-03-03", "phase_detected": "Build"}
    rows = live_weekly_rows(
        ACTS,
        TODAY,
        0,
        "cycling",
        {},
        ctl=58.26,
        atl=61.0,
        acwr=1.1,
        monotony=1.234,
        history_weekly=history,
        wellness=WELLNESS,
    )
    out = phase_detection(rows, TODAY, 0, {}, PLAN, None)
    # stream 1 over W0..W2: ctl 52, 50, 55 -> Sxy = (-1)(-0.333) + (1)(2.667) = 3 -> 1.5
    # hard (2+2+1)/3 -> 1.7; acwr 0.64 - 1.25 = -0.61 falling -> suggestion Build
    # stream 2 = the reference scenario (delta 0.94 ...), no suggestion -> agreement null
    # classifier: build_history but 2 hard sessions planned -> no Deload;
    # scoring slope 1.5 b+2, hard 1.7 b+1, falling base+1, cw 4 b+1 -> 4-1 = 3 -> Build, high
    # duration: W2 Build, W1 Build, W0 Base -> 3
    assert out == {
        "phase": "Build",
        "confidence": "high",
        "reason_codes": [],
        "basis": {
            "stream_1": {
                "ctl_slope": 1.5,
                "acwr_trend": "falling",
                "hard_day_pattern": 1.7,
                "weeks_available": 4,
            },
            "stream_2": {
                "planned_tss_delta": 0.94,
                "hard_sessions_planned": 2,
                "current_week_hard_days_completed": 2,
                "current_week_hard_days_total": 4,
                "race_proximity": None,
                "next_week_load": 0.67,
                "plan_coverage_current_week": 1.33,
                "plan_coverage_next_week": 0.67,
            },
            "data_quality": "good",
            "stream_agreement": None,
        },
        "previous_phase": "Build",
        "phase_duration_weeks": 3,
        "dossier_declared": None,
        "dossier_agreement": None,
    }
    keys = phase_keys(out)
    assert list(keys) == ["phase_detection", "phase_detected", "phase_triggers"]
    assert keys["phase_detected"] == "Build" and keys["phase_triggers"] == []


def test_phase_detection_taper_and_agreement():
    rows = [
        row(50, 1.0, hard=2, count=4, ptss=250, tss=300),
        row(52, 1.05, hard=2, count=4, ptss=240, tss=280),
        row(55, 1.2, hard=1, count=2, ptss=180, tss=180),
        row(hard=2),
    ]
    race = {"category": "RACE_A", "days_until": 9, "name": "x"}
    out = phase_detection(rows, TODAY, 0, {}, PLAN, race, primary_sport="cycling")
    # stream 1 says Build (slope 2.5, hard 1.7); stream 2 says Taper -> disagree
    assert out["phase"] == "Taper" and out["confidence"] == "medium"
    assert out["reason_codes"] == ["RACE_IMMINENT"]
    assert out["basis"]["stream_agreement"] is False
    assert out["basis"]["stream_2"]["race_proximity"] == 9
    assert out["phase_duration_weeks"] == 1


def test_phase_detection_backfill_first_rows():
    one = phase_detection(
        [row(50, hard=1)], d("2025-01-06"), 0, is_backfill=True, previous_phase=None
    )
    assert (one["phase"], one["confidence"], one["reason_codes"]) == (
        None,
        "low",
        ["INSUFFICIENT_LOOKBACK", "INSUFFICIENT_DATA"],
    )
    assert one["basis"]["data_quality"] == "poor"
    assert one["previous_phase"] is None
    # two rows (backfill includes the target row): slope 2.0 build+2, hard 2.0 build+1,
    # no ACWR trend, no plan -> margin 3 -> Build; quality poor: not "high" -> medium,
    # then downgraded to low; empty plan -> NO_PLANNED_WORKOUTS
    two = phase_detection(
        [row(50, hard=2), row(52, hard=2)],
        d("2025-01-13"),
        0,
        is_backfill=True,
        previous_phase="Bogus",
    )
    assert (two["phase"], two["confidence"], two["reason_codes"]) == (
        "Build",
        "low",
        ["INSUFFICIENT_LOOKBACK", "NO_PLANNED_WORKOUTS"],
    )
    assert two["previous_phase"] is None


def test_phase_detection_previous_from_rows_and_hr_only_live():
    hr = {"power": 0, "hr": 1}
    rows = [
        row(50, breakdown=hr, hard=1),
        row(50, breakdown=hr, hard=1),
        row(50, phase="Deload", breakdown=hr, hard=1),
        row(breakdown=None),
    ]
    out = phase_detection(rows, TODAY, 0, {}, [plan("2025-03-13", "Intervals")], None)
    # previous = Deload (rows[-2]); 1 hard session planned -> Build low tentative
    assert out["previous_phase"] == "Deload"
    assert out["reason_codes"] == ["HR_ONLY_MAJORITY", "BUILD_RESUMING_AFTER_DELOAD_TENTATIVE"]
    assert out["basis"]["data_quality"] == "mixed"
    assert (out["phase"], out["confidence"]) == ("Build", "low")


# ----------------------------------------------------------------- property


_num = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just("x"),
    st.just(0),
)
_day = st.dates(min_value=TODAY - timedelta(days=40), max_value=TODAY + timedelta(days=20))
_types = st.sampled_from(["Ride", "Run", "VirtualRide", "Yoga", "Unknown", None])


@st.composite
def _activity(draw):
    raw = {
        "id": draw(st.text(max_size=4)),
        "type": draw(_types),
        "start_date_local": draw(_day).isoformat() + "T06:00:00",
        "icu_training_load": draw(_num),
    }
    if draw(st.booleans()):
        raw["icu_zone_times"] = [
            {"id": draw(st.sampled_from(["Z1", "Z3", "z5", "Z7", "SS"])), "secs": draw(_num)}
            for _ in range(draw(st.integers(0, 3)))
        ]
    if draw(st.booleans()):
        raw["icu_hr_zone_times"] = draw(st.lists(_num, max_size=8))
    return Activity.from_raw(raw)


@st.composite
def _wellness(draw):
    return Wellness.from_raw({"id": draw(_day).isoformat(), "ctl": draw(_num), "atl": draw(_num)})


_history_row = st.fixed_dictionaries(
    {
        "week_start": st.one_of(_day.map(date.isoformat), st.none(), st.just("bad")),
        "total_tss": _num,
        "ctl_end": _num,
        "atl_end": _num,
        "acwr": _num,
        "phase_detected": st.sampled_from(["Build", "Base", "Deload", "x", None]),
    }
)
_plan_entry = st.fixed_dictionaries(
    {
        "date": st.one_of(_day.map(date.isoformat), st.none(), st.just("nope")),
        "type": st.sampled_from(["WORKOUT", "RACE_A", "RACE_C", "NOTE", None]),
        "sport_type": _types,
        "name": st.one_of(st.none(), st.text(max_size=10), st.just(5)),
        "planned_tss": _num,
        "workout_summary": st.one_of(st.none(), st.just("3×5"), st.just(7)),
    }
)
_race = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"category": st.sampled_from(["RACE_A", "RACE_B", "RACE_C", None, 3]), "days_until": _num}
    ),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_activity(), max_size=15),
    st.lists(_wellness(), max_size=10),
    st.lists(_history_row, max_size=8),
    st.lists(_plan_entry, max_size=8),
    _race,
    st.integers(0, 6),
    _num,
    _num,
    _num,
    _num,
    st.sampled_from([None, "cycling", "run", "other"]),
    st.sampled_from([None, {}, {"run": "hr"}, {"cycling": "power"}]),
)
def test_property_phase_never_crashes_or_emits_nan(
    acts, wellness, history, planned, race, week_start, ctl, atl, acwr, monotony, primary, pref
):
    rows = live_weekly_rows(
        acts,
        TODAY,
        week_start,
        primary,
        pref,
        ctl=ctl,
        atl=atl,
        acwr=acwr,
        monotony=monotony,
        history_weekly=history,
        wellness=wellness,
    )
    assert len(rows) == 4
    out = phase_detection(rows, TODAY, week_start, pref, planned, race)
    for value in list(walk(rows)) + list(walk(out)):
        if isinstance(value, float):
            assert math.isfinite(value)
    s2 = out["basis"]["stream_2"]
    for key in (
        "planned_tss_delta",
        "next_week_load",
        "plan_coverage_current_week",
        "plan_coverage_next_week",
    ):
        assert s2[key] is None or (isinstance(s2[key], float) and math.isfinite(s2[key]))
    assert out["phase"] in (
        None,
        "Build",
        "Base",
        "Peak",
        "Taper",
        "Deload",
        "Recovery",
        "Overreached",
    )
    assert out["confidence"] in ("high", "medium", "low")
    # backfill over the same rows must not crash either
    phase_detection(
        history, TODAY, week_start, pref, [], None, is_backfill=True, previous_phase=None
    )
