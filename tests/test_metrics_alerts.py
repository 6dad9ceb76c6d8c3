"""Alerts (docs/metrics.md#alerts; race alerts docs/metrics.md#race-calendar appended)."""

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.alerts import (
    build_alerts,
    deload_context,
    durability_alerts,
    hrv_delta_pct,
    hrv_low_streak,
    rhr_delta_bpm,
    rhr_high_streak,
    sort_alerts,
    tid_alerts,
)
from section11.wellness_model import Wellness

from .helpers import walk

TODAY = date(2025, 3, 10)


def well(hrv_rhr_pairs):
    """Wellness records oldest first ending today, from (hrv, rhr) pairs."""
    n = len(hrv_rhr_pairs)
    return [
        Wellness.from_raw(
            {"id": (TODAY - timedelta(days=n - 1 - i)).isoformat(), "hrv": h, "restingHR": r}
        )
        for i, (h, r) in enumerate(hrv_rhr_pairs)
    ]


def metrics(alerts):
    return [(a["metric"], a["severity"]) for a in alerts]


# ----------------------------------------------------------------- ACWR


def test_acwr_alarm_full_shape():
    [alert] = build_alerts({"acwr": 1.35}, [])
    assert list(alert) == [
        "metric",
        "value",
        "severity",
        "threshold",
        "context",
        "persistence_days",
        "tier",
        "scope",
        "readiness_eligible",
    ]
    assert alert["metric"] == "acwr" and alert["value"] == 1.35
    assert alert["severity"] == "alarm" and alert["threshold"] == "1.35"
    assert alert["persistence_days"] is None and alert["tier"] == 2
    assert alert["scope"] == "live_retrospective" and alert["readiness_eligible"] is False
    assert "1.35" in alert["context"]


@pytest.mark.parametrize(
    "acwr, expected",
    [
        (2.0, ("alarm", "1.35")),
        (1.35, ("alarm", "1.35")),  # inclusive
        (1.34, ("warning", "1.3")),
        (1.3, ("warning", "1.3")),  # inclusive
        (1.29, None),
        (0.5, None),
        (None, None),
    ],
)
def test_acwr_bands(acwr, expected):
    alerts = build_alerts({"acwr": acwr}, [])
    if expected is None:
        assert alerts == []
    else:
        assert [(a["severity"], a["threshold"]) for a in alerts] == [expected]


# ----------------------------------------------------------------- monotony


def test_deload_context_boundary():
    # weekly_avg = 1200 / 4 = 300; (300 - 240) / 300 * 100 = 20.0 -> deload
    text = deload_context(240, 1200)
    assert text is not None and "20.0%" in text and "300.0" in text and "240.0" in text
    # (300 - 241) / 300 * 100 = 19.67 < 20 -> no deload
    assert deload_context(241, 1200) is None
    assert deload_context(0, 0) is None  # no 28-day load
    assert deload_context(100, None) is None
    assert deload_context(None, 1200) is None
    assert deload_context(10, -50) is None  # garbage negative load


@pytest.mark.parametrize(
    "effective, t7, t28, expected",
    [
        # no deload: weekly avg 1200/4 = 300 = t7 -> deficit 0 %
        (2.5, 300, 1200, ("alarm", 2.5)),
        (3.1, 300, 1200, ("alarm", 2.5)),
        (2.49, 300, 1200, ("warning", 2.3)),
        (2.3, 300, 1200, ("warning", 2.3)),
        (2.29, 300, 1200, None),
        # deload: deficit (300-240)/300 = 20 % -> downgraded to info, threshold kept
        (2.5, 240, 1200, ("info", 2.5)),
        (2.4, 240, 1200, ("info", 2.3)),
        # deficit 19.67 % -> not a deload
        (2.5, 241, 1200, ("alarm", 2.5)),
        # no 28-day load -> no deload context
        (2.5, 0, 0, ("alarm", 2.5)),
        (None, 300, 1200, None),
    ],
)
def test_monotony_bands_and_deload(effective, t7, t28, expected):
    derived = {
        "effective_monotony": effective,
        "monotony": effective,
        "tss_7d_total": t7,
        "tss_28d_total": t28,
    }
    alerts = build_alerts(derived, [])
    if expected is None:
        assert alerts == []
        return
    [alert] = alerts
    assert (alert["severity"], alert["threshold"]) == expected
    assert alert["metric"] == "monotony" and alert["value"] == effective
    assert alert["tier"] == 2 and alert["persistence_days"] is None
    assert ("Deload context" in alert["context"]) == (alert["severity"] == "info")
    assert "scope" not in alert


def test_monotony_multi_sport_note():
    derived = {
        "effective_monotony": 2.6,
        "monotony": 3.1,
        "primary_sport_monotony": 2.6,
        "multi_sport_detected": True,
        "tss_7d_total": 300,
        "tss_28d_total": 1200,
    }
    [alert] = build_alerts(derived, [])
    assert alert["value"] == 2.6 and alert["severity"] == "alarm"
    assert "Multi-sport" in alert["context"] and "3.1" in alert["context"]
    # single sport: no note
    derived.update(multi_sport_detected=False)
    assert "Multi-sport" not in build_alerts(derived, [])[0]["context"]
    # primary not lower than total: no note
    derived.update(multi_sport_detected=True, monotony=2.6)
    assert "Multi-sport" not in build_alerts(derived, [])[0]["context"]


# ----------------------------------------------------------------- strain


@pytest.mark.parametrize("strain, fires", [(3501, True), (3500, False), (0, False), (None, False)])
def test_strain(strain, fires):
    alerts = build_alerts({"strain": strain}, [])
    if fires:
        assert alerts == [
            {
                "metric": "strain",
                "value": strain,
                "severity": "alarm",
                "threshold": 3500,
                "context": alerts[0]["context"],
                "persistence_days": None,
                "tier": 2,
            }
        ]
    else:
        assert alerts == []


# ----------------------------------------------------------------- Recovery Index


@pytest.mark.parametrize(
    "ri, ri_y, expected",
    [
        (0.59, None, ("alarm", 0.6, None)),
        (0.59, 0.9, ("alarm", 0.6, None)),
        (0.6, 0.69, ("warning", 0.7, 2)),  # 0.6 is not < 0.6, both < 0.7
        (0.69, 0.5, ("warning", 0.7, 2)),
        (0.69, None, None),  # yesterday unknown
        (0.69, 0.7, None),  # yesterday not < 0.7
        (0.7, 0.5, None),
        (None, 0.5, None),
    ],
)
def test_recovery_index(ri, ri_y, expected):
    alerts = build_alerts({"recovery_index": ri, "recovery_index_yesterday": ri_y}, [])
    if expected is None:
        assert alerts == []
        return
    [alert] = alerts
    assert alert["metric"] == "recovery_index" and alert["value"] == ri
    assert (alert["severity"], alert["threshold"], alert["persistence_days"]) == expected
    assert alert["tier"] == 1


# ----------------------------------------------------------------- HRV


def test_hrv_delta_and_streak_share_the_boundary():
    # B = 50: 40 -> (40-50)/50*100 = -20.0 (low, inclusive), 39 -> -22.0, 45 -> -10.0
    assert hrv_delta_pct(40, 50.0) == -20.0
    records = well([(45, None), (39, None), (40, None), (40, None)])
    # newest backwards: 40 low, 40 low, 39 low, 45 not -> streak 3
    # (the reference's strict "< 0.8*B = 40" would stop at once: streak 0)
    assert hrv_low_streak(records, 50.0) == 3
    [alert] = build_alerts({"latest_hrv": 40, "hrv_baseline_7d": 50.0}, records)
    assert alert == {
        "metric": "hrv",
        "value": 40.0,
        "severity": "alarm",  # streak 3 > 2
        "threshold": "↓>20% vs baseline (50.0)",
        "context": alert["context"],
        "persistence_days": 3,
        "tier": 1,
    }
    assert "-20.0%" in alert["context"] and "3 days" in alert["context"]


@pytest.mark.parametrize(
    "pairs, latest, expected",
    [
        # streak 1: 40 low, 60 -> +20 % not low
        ([60, 40], 40, ("warning", 1)),
        # streak 2: 38 (-24 %), 36 (-28 %), then 50 (0 %)
        ([50, 36, 38], 38, ("warning", 2)),
        # invalid 255 interrupts the streak: 40 low, 255 invalid -> 1
        ([39, 255, 40], 40, ("warning", 1)),
        # missing value interrupts too
        ([39, None, 39, 39], 39, ("warning", 2)),
        # 40.1 -> -19.8 % -> no alert
        ([40, 40, 40.1], 40.1, None),
        # 40.02 -> -19.96 % shown as -20.0 % -> alert (the alert uses the displayed delta)
        ([40.02], 40.02, ("warning", 1)),
    ],
)
def test_hrv_alert_table(pairs, latest, expected):
    records = well([(h, None) for h in pairs])
    alerts = build_alerts({"latest_hrv": latest, "hrv_baseline_7d": 50.0}, records)
    if expected is None:
        assert alerts == []
    else:
        assert [(a["severity"], a["persistence_days"]) for a in alerts] == [expected]


@pytest.mark.parametrize("latest, baseline", [(None, 50.0), (40, None), (40, 0), (0, 50.0)])
def test_hrv_needs_value_and_baseline(latest, baseline):
    records = well([(40, None)])
    assert build_alerts({"latest_hrv": latest, "hrv_baseline_7d": baseline}, records) == []


# ----------------------------------------------------------------- RHR


def test_rhr_alarm_streak():
    # B = 50: 55 -> +5.0 (high, inclusive), 57 -> +7, 56 -> +6, 50 -> 0
    assert rhr_delta_bpm(55, 50.0) == 5.0
    records = well([(None, 50), (None, 56), (None, 55), (None, 57), (None, 55)])
    assert rhr_high_streak(records, 50.0) == 4
    [alert] = build_alerts({"latest_rhr": 55, "rhr_baseline_7d": 50.0}, records)
    assert alert == {
        "metric": "rhr",
        "value": 55.0,
        "severity": "alarm",
        "threshold": "↑≥5bpm vs baseline (50.0)",
        "context": alert["context"],
        "persistence_days": 4,
        "tier": 1,
    }
    assert "+5.0 bpm" in alert["context"]


@pytest.mark.parametrize(
    "pairs, latest, expected",
    [
        ([50, 55], 55, ("warning", 1)),
        ([56, 56, 50, 60], 60, ("warning", 1)),  # 50 breaks the streak
        ([0, 58, 58], 58, ("warning", 2)),  # 0 is no measurement
        ([56, 56, 56], 56, ("alarm", 3)),  # 3 > 2
        ([54.9], 54.9, None),  # +4.9
        ([40], 40, None),  # lower is fine
    ],
)
def test_rhr_alert_table(pairs, latest, expected):
    records = well([(None, r) for r in pairs])
    alerts = build_alerts({"latest_rhr": latest, "rhr_baseline_7d": 50.0}, records)
    if expected is None:
        assert alerts == []
    else:
        assert [(a["severity"], a["persistence_days"]) for a in alerts] == [expected]


def test_rhr_needs_value_and_baseline():
    assert build_alerts({"latest_rhr": None, "rhr_baseline_7d": 50.0}, []) == []
    assert build_alerts({"latest_rhr": 60, "rhr_baseline_7d": None}, []) == []


# ----------------------------------------------------------------- durability


def dur(mean7=None, mean28=None, n7=0, n28=0, high7=0, trend=None):
    return {
        "mean_decoupling_7d": mean7,
        "mean_decoupling_28d": mean28,
        "high_drift_count_7d": high7,
        "high_drift_count_28d": 0,
        "qualifying_sessions_7d": n7,
        "qualifying_sessions_28d": n28,
        "trend": trend,
        "reliability_limited": n7 < 3 or n28 < 5,
        "reliability_note": None,
        "note": "x",
    }


@pytest.mark.parametrize(
    "block, expected",
    [
        # 28d mean 5.01 > 5 with 5 sessions -> alarm, value = mean28
        (dur(4.0, 5.01, 2, 5), [("alarm", 5.01, "28d mean > 5% (N28>=5)")]),
        (dur(4.0, 5.0, 2, 5), []),  # not > 5
        (dur(4.0, 6.0, 2, 4), []),  # N28 < 5
        # declining, 6.1 - 4.0 = 2.1 > 2, N7 3, N28 5 -> warning, value = mean7
        (dur(6.1, 4.0, 3, 5, trend="declining"), [("warning", 6.1, None)]),
        (dur(6.0, 4.0, 3, 5, trend="declining"), []),  # gap exactly 2.0
        # 5.9 - 3.9 is 2.0000000000000004 in floats; the rounded gap 2.0 is not > 2
        (dur(5.9, 3.9, 3, 5, trend="declining"), []),
        (dur(6.1, 4.0, 2, 5, trend="declining"), []),  # N7 < 3
        (dur(6.1, 4.0, 3, 4, trend="declining"), []),  # N28 < 5
        (dur(6.1, 4.0, 3, 5, trend="stable"), []),
        # high-drift count is independent and has no N gate
        (dur(None, None, 3, 3, high7=3), [("warning", 3, None)]),
        (dur(None, None, 2, 2, high7=2), []),
        # alarm and high drift together; the trend warning is an else-if of the alarm
        (
            dur(9.0, 6.0, 3, 5, high7=3, trend="declining"),
            [("alarm", 6.0, "28d mean > 5% (N28>=5)"), ("warning", 3, None)],
        ),
    ],
)
def test_durability(block, expected):
    alerts = durability_alerts(block)
    assert [(a["severity"], a["value"]) for a in alerts] == [(s, v) for s, v, _ in expected]
    for alert, (_, _, threshold) in zip(alerts, expected):
        if threshold is not None:
            assert alert["threshold"] == threshold
    assert all(a["metric"] == "durability" and a["tier"] == 3 for a in alerts)
    assert all(isinstance(a["threshold"], str) for a in alerts)


def test_durability_missing_block():
    assert durability_alerts(None) == [] and durability_alerts({}) == []


# ----------------------------------------------------------------- TID


def test_tid_alerts():
    acute = {
        "classification_7d": "polarized",
        "classification_28d": "polarized",
        "pi_7d": 1.8,
        "pi_28d": 2.3,
        "pi_delta": -0.5,
        "drift": "acute_depolarization",
    }
    [a] = tid_alerts(acute)
    assert (a["metric"], a["value"], a["severity"], a["threshold"], a["tier"]) == (
        "tid_distribution",
        1.8,
        "warning",
        "7d PI < 2.0, 28d PI >= 2.0",
        3,
    )
    shifting = {
        "classification_7d": "threshold",
        "classification_28d": "polarized",
        "pi_7d": None,
        "pi_28d": 2.3,
        "pi_delta": None,
        "drift": "shifting",
    }
    [a] = tid_alerts(shifting)
    assert (a["value"], a["threshold"]) == ("threshold", "7d/28d classification mismatch")
    assert "threshold" in a["context"] and "polarized" in a["context"]
    assert tid_alerts({"drift": "consistent"}) == []
    assert tid_alerts({"drift": None}) == [] and tid_alerts(None) == []


# ----------------------------------------------------------------- assembly and order


RACE_ALERTS = [
    {
        "metric": "race_week",
        "value": 5,
        "severity": "info",
        "threshold": "RACE_A within 7 days",
        "context": "D-5",
        "persistence_days": None,
        "tier": 1,
    },
    {
        "metric": "race_week_tsb",
        "value": -3.2,
        "severity": "warning",
        "threshold": "TSB target 10-25",
        "context": "low",
        "persistence_days": None,
        "tier": 1,
    },
]


def test_sorted_by_tier_then_severity_race_alerts_appended():
    derived = {
        "acwr": 1.4,  # t2 alarm
        "effective_monotony": 2.4,
        "monotony": 2.4,  # t2 warning
        "tss_7d_total": 300,
        "tss_28d_total": 1200,
        "strain": 3600,  # t2 alarm
        "recovery_index": 0.65,
        "recovery_index_yesterday": 0.65,  # t1 warning
        "latest_hrv": 35,
        "hrv_baseline_7d": 50.0,  # -30 %, t1 alarm (streak 3)
        "capability": {
            "durability": dur(4.0, 6.0, 3, 5),  # t3 alarm
            "tid_comparison": {
                "classification_7d": "threshold",
                "classification_28d": "pyramidal",
                "drift": "shifting",
            },
        },  # t3 warning
    }
    records = well([(35, None), (35, None), (35, None)])
    alerts = build_alerts(derived, records, RACE_ALERTS)
    assert metrics(alerts) == [
        ("hrv", "alarm"),
        ("recovery_index", "warning"),
        ("acwr", "alarm"),
        ("strain", "alarm"),
        ("monotony", "warning"),
        ("durability", "alarm"),
        ("tid_distribution", "warning"),
        ("race_week", "info"),
        ("race_week_tsb", "warning"),
    ]
    assert alerts[-2:] == RACE_ALERTS


def test_sort_is_stable_and_tolerates_odd_entries():
    a = {"metric": "a", "severity": "warning", "tier": 2}
    b = {"metric": "b", "severity": "warning", "tier": 2}
    c = {"metric": "c", "severity": "info", "tier": 1}
    d = {"metric": "d"}
    assert [x["metric"] for x in sort_alerts([d, a, b, c])] == ["c", "a", "b", "d"]


def test_no_data_is_green_light():
    assert build_alerts({}, []) == []
    assert build_alerts({}, [], None) == []
    assert build_alerts({"capability": None, "acwr_start_of_day": None}, ()) == []
    assert build_alerts({}, [], RACE_ALERTS) == RACE_ALERTS


def test_start_of_day_acwr_never_alerts():
    assert build_alerts({"acwr": 1.0, "acwr_start_of_day": {"value": 1.9}}, []) == []


# ----------------------------------------------------------------- property


NUMBERS = st.one_of(
    st.none(),
    st.just(0),
    st.just(0.0),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-5, max_value=300),
    st.booleans(),
    st.text(max_size=3),
)
DERIVED_KEYS = (
    "acwr",
    "effective_monotony",
    "monotony",
    "primary_sport_monotony",
    "strain",
    "recovery_index",
    "recovery_index_yesterday",
    "hrv_baseline_7d",
    "rhr_baseline_7d",
    "latest_hrv",
    "latest_rhr",
    "tss_7d_total",
    "tss_28d_total",
)
DUR_KEYS = (
    "mean_decoupling_7d",
    "mean_decoupling_28d",
    "high_drift_count_7d",
    "qualifying_sessions_7d",
    "qualifying_sessions_28d",
)


@settings(max_examples=300, deadline=None)
@given(
    derived=st.fixed_dictionaries({k: NUMBERS for k in DERIVED_KEYS}),
    multi=st.one_of(st.none(), st.booleans()),
    dur_block=st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {
                **{k: NUMBERS for k in DUR_KEYS},
                "trend": st.sampled_from([None, "declining", "stable", 3]),
            }
        ),
    ),
    tid=st.one_of(
        st.none(),
        st.fixed_dictionaries(
            {
                "pi_7d": NUMBERS,
                "pi_28d": NUMBERS,
                "classification_7d": st.one_of(st.none(), st.text(max_size=5), NUMBERS),
                "classification_28d": st.one_of(st.none(), st.text(max_size=5)),
                "drift": st.sampled_from([None, "acute_depolarization", "shifting", "consistent"]),
            }
        ),
    ),
    rows=st.lists(st.fixed_dictionaries({"hrv": NUMBERS, "restingHR": NUMBERS}), max_size=8),
)
def test_never_crashes_or_emits_non_finite(derived, multi, dur_block, tid, rows):
    derived = dict(
        derived,
        multi_sport_detected=multi,
        capability={"durability": dur_block, "tid_comparison": tid},
    )
    records = [
        Wellness.from_raw({"id": (TODAY - timedelta(days=len(rows) - 1 - i)).isoformat(), **row})
        for i, row in enumerate(rows)
    ]
    alerts = build_alerts(derived, records)
    for alert in alerts:
        assert alert["severity"] in ("alarm", "warning", "info")
        assert alert["tier"] in (1, 2, 3)
        p = alert["persistence_days"]
        assert p is None or (isinstance(p, int) and p >= 0)
    for value in walk(alerts):
        if isinstance(value, float):
            assert math.isfinite(value)
    ranks = [(a["tier"], ("alarm", "warning", "info").index(a["severity"])) for a in alerts]
    assert ranks == sorted(ranks)
