"""readiness_decision (docs/metrics.md#readiness)."""

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.readiness import (
    acwr_signal,
    build_modification,
    hrv_signal,
    phase_modifier,
    readiness_decision,
    rhr_signal,
    ri_signal,
    signal_summary,
    sleep_signal,
    tsb_signal,
)
from section11.wellness_model import Wellness

from .helpers import walk

TODAY = date(2025, 3, 10)
H = 3600


def wel(sleep_secs=8 * H, quality=2, sdnn=None, hrv=None):
    return Wellness.from_raw(
        {
            "id": TODAY.isoformat(),
            "sleepSecs": sleep_secs,
            "sleepQuality": quality,
            "hrvSDNN": sdnn,
            "hrv": hrv,
        }
    )


def derived(hrv=60, hrv_b=60.0, rhr=50, rhr_b=50.0, sod=1.0, ri=1.0, ri_y=1.0):
    """All-green defaults: HRV 0 %, RHR 0 bpm, start-of-day ACWR 1.0, RI 1.0."""
    return {
        "latest_hrv": hrv,
        "hrv_baseline_7d": hrv_b,
        "latest_rhr": rhr,
        "rhr_baseline_7d": rhr_b,
        "recovery_index": ri,
        "recovery_index_yesterday": ri_y,
        "acwr": 2.0,  # live ACWR is never a readiness input
        "acwr_start_of_day": {
            "value": sod,
            "interpretation": None,
            "scope": "start_of_day",
            "as_of_date": "2025-03-10",
            "current_day_load_included": False,
            "acute_days": 7,
            "chronic_days": 28,
        },
    }


def decide(d=None, alerts=(), w=None, phase=None, weeks=None, race_week=None, tsb=0.0):
    return readiness_decision(
        d if d is not None else derived(),
        list(alerts),
        w if w is not None else wel(),
        phase,
        weeks,
        race_week,
        tsb,
    )


RACE_WEEK = {"active": True, "days_until_event": 4}


def alert(metric, severity, tier, persistence=None, **extra):
    return {
        "metric": metric,
        "value": 1,
        "severity": severity,
        "threshold": 0,
        "context": "",
        "persistence_days": persistence,
        "tier": tier,
        **extra,
    }


def statuses(result):
    return {k: v["status"] for k, v in result["signals"].items()}


# ----------------------------------------------------------------- docs/metrics.md#readiness


@pytest.mark.parametrize(
    "phase, race_week, expected",
    [
        ("Build", True, (1, -15, True, "race_week_tightened")),  # race week wins
        (None, True, (1, -15, True, "race_week_tightened")),
        ("Build", False, (3, -20, False, "build_loosened")),
        ("Taper", False, (1, -15, True, "taper_tightened")),
        ("Base", False, (2, -15, False, "default")),
        ("Overreached", False, (2, -15, False, "default")),
        (None, False, (2, -15, False, "default")),
    ],
)
def test_phase_modifiers(phase, race_week, expected):
    mods = phase_modifier(phase, race_week)
    assert (
        mods["amber_threshold"],
        mods["tsb_amber"],
        mods["tighten_red"],
        mods["modifier_applied"],
    ) == expected


# ----------------------------------------------------------------- docs/metrics.md#readiness signals


@pytest.mark.parametrize(
    "hrv, status, delta",
    [
        (60, "green", 20.0),  # (60-50)/50*100 = +20: increases are green
        (45.1, "green", -9.8),  # -9.8
        (45, "amber", -10.0),  # -10.0 <= -10
        (40.1, "amber", -19.8),
        (40.02, "red", -20.0),  # -19.96 rounds to -20.0 <= -20
        (40, "red", -20.0),
        (30, "red", -40.0),
    ],
)
def test_hrv_signal(hrv, status, delta):
    assert hrv_signal(hrv, 50.0) == {
        "status": status,
        "value": round(hrv, 1),
        "baseline_7d": 50.0,
        "delta_pct": delta,
    }


def test_hrv_unavailable_and_sdnn_reason():
    assert hrv_signal(None, 50.0, wel(sdnn=70)) == {
        "status": "unavailable",
        "value": None,
        "baseline_7d": 50.0,
        "delta_pct": None,
        "reason": "rmssd_missing_sdnn_available",
    }
    assert "reason" not in hrv_signal(None, 50.0, wel())
    assert "reason" not in hrv_signal(None, 50.0, None)
    # rMSSD present but no baseline: unavailable, no SDNN reason
    assert hrv_signal(55, None, wel(sdnn=70)) == {
        "status": "unavailable",
        "value": 55.0,
        "baseline_7d": None,
        "delta_pct": None,
    }
    assert hrv_signal(55, 0, None)["status"] == "unavailable"


@pytest.mark.parametrize(
    "rhr, status, delta",
    [
        (45, "green", -5.0),
        (52.9, "green", 2.9),
        (53, "amber", 3.0),
        (54.9, "amber", 4.9),
        (55, "red", 5.0),
        (60, "red", 10.0),
    ],
)
def test_rhr_signal(rhr, status, delta):
    assert rhr_signal(rhr, 50.0) == {
        "status": status,
        "value": float(rhr),
        "baseline_7d": 50.0,
        "delta_bpm": delta,
    }


def test_rhr_unavailable():
    assert rhr_signal(None, 50.0) == {
        "status": "unavailable",
        "value": None,
        "baseline_7d": 50.0,
        "delta_bpm": None,
    }
    assert rhr_signal(0, 50.0)["status"] == "unavailable"
    assert rhr_signal(55, None)["status"] == "unavailable"


@pytest.mark.parametrize(
    "secs, status, hours",
    [
        (8 * H, "green", 8.0),
        (25200, "green", 7.0),  # 7.0 is not < 7
        (25164, "amber", 6.99),  # 25164/3600 = 6.99
        (18000, "amber", 5.0),
        (17999, "amber", 5.0),  # 4.99972 rounds to 5.0 before the comparison
        (17964, "red", 4.99),  # 17964/3600 = 4.99
        (3 * H, "red", 3.0),
        (0, "unavailable", None),
        (None, "unavailable", None),
        (-100, "unavailable", None),
    ],
)
def test_sleep_signal(secs, status, hours):
    assert sleep_signal(wel(sleep_secs=secs, quality=3)) == {
        "status": status,
        "hours": hours,
        "quality": 3,
    }


def test_sleep_signal_without_record():
    assert sleep_signal(None) == {"status": "unavailable", "hours": None, "quality": None}


@pytest.mark.parametrize(
    "value, status",
    [
        (2.0, "red"),
        (1.5, "red"),
        (1.49, "amber"),
        (1.3, "amber"),
        (1.29, "green"),
        (0.3, "green"),
        (None, "unavailable"),
    ],
)
def test_acwr_signal(value, status):
    assert acwr_signal({"value": value, "as_of_date": "2025-03-10"}) == {
        "status": status,
        "value": value,
        "scope": "start_of_day",
        "as_of_date": "2025-03-10",
        "current_day_load_included": False,
    }


def test_acwr_signal_missing_block():
    assert acwr_signal(None)["status"] == "unavailable"
    assert acwr_signal(None)["as_of_date"] is None


@pytest.mark.parametrize(
    "ri, ri_y, status",
    [
        (0.59, None, "red"),
        (0.6, 0.5, "amber"),
        (0.69, 0.69, "amber"),
        (0.65, None, "green"),
        (0.65, 0.7, "green"),
        (0.7, 0.5, "green"),
        (1.2, 1.1, "green"),
        (None, 0.5, "unavailable"),
    ],
)
def test_ri_signal(ri, ri_y, status):
    assert ri_signal(ri, ri_y) == {"status": status, "value": ri, "value_yesterday": ri_y}


@pytest.mark.parametrize(
    "tsb, tsb_amber, status",
    [
        (-30.1, -15, "red"),
        (-30.0, -15, "amber"),
        (-15.1, -15, "amber"),
        (-15.0, -15, "green"),
        (12.0, -15, "green"),
        (-20.0, -20, "green"),
        (-20.1, -20, "amber"),
        (None, -15, "unavailable"),
    ],
)
def test_tsb_signal(tsb, tsb_amber, status):
    expected = {"status": status, "value": tsb}
    assert tsb_signal(tsb, tsb_amber) == expected


def test_tsb_value_rounded():
    assert tsb_signal(-12.345, -15) == {"status": "green", "value": -12.3}


def test_signal_summary():
    signals = {
        "a": {"status": "green"},
        "b": {"status": "amber"},
        "c": {"status": "green"},
        "d": {"status": "unavailable"},
    }
    assert signal_summary(signals) == {"green": 2, "amber": 1, "red": 0, "unavailable": 1}


# ----------------------------------------------------------------- docs/metrics.md#readiness


@pytest.mark.parametrize(
    "triggers, expected",
    [
        ([], ("preserve", "preserve", None)),
        (["acwr"], ("reduce", "reduce", "Z2")),
        (["sleep", "acwr"], ("reduce", "reduce", "Z2")),
        (["hrv", "ri"], ("reduce", "reduce", None)),  # >= 2 triggers
        (["sleep"], ("preserve", "reduce", None)),
        (["hrv"], ("reduce", "preserve", None)),
        (["rhr"], ("reduce", "preserve", None)),
        (["ri"], ("reduce", "preserve", None)),
        (["tsb"], ("preserve", "reduce", None)),
        (["mystery"], ("reduce", "reduce", None)),  # fallback
    ],
)
def test_modification_builder(triggers, expected):
    mod = build_modification(triggers)
    assert mod == {
        "triggers": triggers,
        "suggested_adjustments": dict(zip(("intensity", "volume", "cap_zone"), expected)),
    }


# ----------------------------------------------------------------- P0


def test_p0_by_recovery_index():
    result = decide(derived(ri=0.55))
    assert result["recommendation"] == "skip" and result["priority"] == 0
    assert result["modification"] is None and result["race_week_defers"] is False
    assert result["alarm_refs"] == []
    assert result["reason"] == "P0 safety stop. Recovery Index 0.55 < 0.6."
    assert "tsb" not in result["signals"]
    assert result["signals"]["ri"]["status"] == "red"


def test_p0_by_tier1_alarm_full_result():
    alarms = [alert("hrv", "alarm", 1, 3), alert("recovery_index", "alarm", 1)]
    result = decide(derived(ri=0.55), alarms, phase="Build", weeks=2, race_week=RACE_WEEK)
    assert list(result) == [
        "recommendation",
        "priority",
        "signals",
        "signal_summary",
        "phase_context",
        "race_week_defers",
        "modification",
        "reason",
        "alarm_refs",
    ]
    assert list(result["signals"]) == ["hrv", "rhr", "sleep", "acwr", "ri"]
    assert result["signal_summary"] == {"green": 4, "amber": 0, "red": 1, "unavailable": 0}
    assert result["phase_context"] == {
        "phase": "Build",
        "phase_week": 2,
        "amber_threshold": 1,
        "modifier_applied": "race_week_tightened",
    }
    assert result["race_week_defers"] is False  # even in race week
    assert result["alarm_refs"] == ["hrv", "recovery_index"]
    assert result["reason"] == (
        "P0 safety stop. Recovery Index 0.55 < 0.6; tier-1 alarms: hrv (1), recovery_index (1)."
    )


def test_p0_by_tier1_alarm_alone():
    result = decide(alerts=[alert("rhr", "alarm", 1, 3)])
    assert (result["recommendation"], result["priority"]) == ("skip", 0)
    assert result["alarm_refs"] == ["rhr"]
    assert result["reason"] == "P0 safety stop. tier-1 alarms: rhr (1)."


def test_p0_ignores_other_tiers_warnings_and_ineligible_alerts():
    alerts = [
        alert("acwr", "alarm", 2, scope="live_retrospective", readiness_eligible=False),
        alert("strain", "alarm", 2),
        alert("durability", "alarm", 3),
        alert("hrv", "warning", 1, 1),
        alert("race_week_tsb", "warning", 1),
        alert("odd", "alarm", 1, readiness_eligible=False),
        "not an alert",
    ]
    result = decide(alerts=alerts)
    assert (result["recommendation"], result["priority"]) == ("go", 3)


# ----------------------------------------------------------------- P1 skip


def test_p1a_acwr_with_corroboration():
    # start-of-day 1.5 (red) + sleep 6 h (amber) corroborates
    result = decide(derived(sod=1.5), w=wel(sleep_secs=6 * H))
    assert (result["recommendation"], result["priority"]) == ("skip", 1)
    assert result["modification"] is None and result["alarm_refs"] == []
    assert result["reason"] == (
        "P1 skip. start-of-day ACWR 1.5 >= 1.5 corroborated by sleep (amber)."
    )
    assert "tsb" not in result["signals"]


def test_p1a_needs_corroboration():
    # acwr red alone -> P2 single red -> modify capped at Z2
    result = decide(derived(sod=1.5))
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"] == build_modification(["acwr"])
    # 1.49 (amber) + amber sleep is not P1: P2 two ambers (default threshold 2)
    result = decide(derived(sod=1.49), w=wel(sleep_secs=6 * H))
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"]["triggers"] == ["sleep", "acwr"]


def test_p1b_deep_tsb_with_hrv_drop():
    # HRV 53.9 vs 60: (53.9-60)/60*100 = -10.17 -> -10.2 < -10; TSB -31 < -30
    result = decide(derived(hrv=53.9), tsb=-31)
    assert (result["recommendation"], result["priority"]) == ("skip", 1)
    assert result["reason"] == "P1 skip. TSB -31.0 < -30 with HRV -10.2% vs baseline."


def test_p1b_boundary_hrv_exactly_minus_10():
    # HRV 54 vs 60: -10.0 is not < -10 -> no P1; P2: hrv amber + tsb red (-31 < -30)
    result = decide(derived(hrv=54), tsb=-31)
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"]["triggers"] == ["tsb", "hrv"]  # reds first, then ambers
    assert result["signals"]["tsb"] == {"status": "red", "value": -31.0}


def test_p1c_low_ri_with_persistent_tier1_alert():
    # RI 0.65 / 0.65: amber signal; RI warning persisting 2 days
    alerts = [alert("recovery_index", "warning", 1, 2), alert("hrv", "warning", 1, 1)]
    result = decide(derived(ri=0.65, ri_y=0.65), alerts)
    assert (result["recommendation"], result["priority"]) == ("skip", 1)
    assert result["alarm_refs"] == ["recovery_index"]
    assert result["reason"] == (
        "P1 skip. Recovery Index 0.65 < 0.7 with persistent tier-1 alerts: recovery_index (2 days)."
    )


def test_p1c_needs_persistence_and_low_ri():
    # same wellness without a persistent alert: one amber (ri) < threshold 2 -> go
    result = decide(derived(ri=0.65, ri_y=0.65), [alert("hrv", "warning", 1, 1)])
    assert (result["recommendation"], result["priority"]) == ("go", 3)
    # persistent alert but RI 0.7 (not < 0.7) -> no P1c
    result = decide(derived(ri=0.7, ri_y=0.65), [alert("rhr", "warning", 1, 2)])
    assert result["priority"] == 3


def test_p1_reasons_combine():
    alerts = [alert("recovery_index", "warning", 1, 2)]
    result = decide(derived(hrv=53.9, ri=0.65, ri_y=0.65, sod=1.6), alerts, tsb=-35)
    assert result["priority"] == 1 and result["recommendation"] == "skip"
    assert result["reason"].count(";") == 2
    assert result["alarm_refs"] == ["recovery_index"]


# ----------------------------------------------------------------- P1 modify


def test_p1_modify_amber_hrv():
    # TSB -26 < -25, HRV -10.2 % (amber): triggers hrv + tsb -> reduce/reduce
    result = decide(derived(hrv=53.9), tsb=-26)
    assert (result["recommendation"], result["priority"]) == ("modify", 1)
    assert result["modification"] == build_modification(["hrv", "tsb"])
    assert result["modification"]["suggested_adjustments"] == {
        "intensity": "reduce",
        "volume": "reduce",
        "cap_zone": None,
    }
    assert result["race_week_defers"] is False and result["alarm_refs"] == []
    assert "tsb" not in result["signals"]
    assert result["reason"].startswith("P1 modify. TSB -26.0 < -25 with HRV -10.2%")


def test_p1_modify_red_hrv_has_triggers():
    # HRV 45 vs 60 = -25.0 % (red); the reference's amber-only list would be empty
    result = decide(derived(hrv=45, rhr=53), tsb=-26)
    assert (result["recommendation"], result["priority"]) == ("modify", 1)
    assert result["modification"]["triggers"] == ["hrv", "rhr", "tsb"]  # red, amber, tsb


def test_p1_modify_in_race_week_defers():
    result = decide(derived(hrv=53.9), tsb=-26, race_week=RACE_WEEK)
    assert result["race_week_defers"] is True
    assert result["phase_context"]["modifier_applied"] == "race_week_tightened"


def test_p1_modify_boundaries():
    # TSB -25 is not < -25 -> P2: hrv amber, tsb amber (-25 < -15) -> 2 ambers -> modify P2
    result = decide(derived(hrv=53.9), tsb=-25)
    assert result["priority"] == 2
    assert result["modification"]["triggers"] == ["hrv", "tsb"]


# ----------------------------------------------------------------- P2


def test_p2_two_reds_skip_even_in_race_week():
    # sleep 4 h (red) + RHR 56 vs 50 (+6, red)
    result = decide(derived(rhr=56), w=wel(sleep_secs=4 * H), race_week=RACE_WEEK)
    assert (result["recommendation"], result["priority"]) == ("skip", 2)
    assert result["modification"] is None and result["race_week_defers"] is False
    assert result["reason"] == "P2 skip. 2 red signals: rhr, sleep."
    assert list(result["signals"]) == ["hrv", "rhr", "sleep", "acwr", "ri", "tsb"]
    assert result["signal_summary"] == {"green": 4, "amber": 0, "red": 2, "unavailable": 0}


def test_p2_single_red_default():
    result = decide(w=wel(sleep_secs=4 * H))
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"] == build_modification(["sleep"])  # preserve / reduce
    assert result["race_week_defers"] is False
    assert result["reason"] == "P2 modify (default). Red signal sleep."


def test_p2_single_red_in_race_week_defers():
    result = decide(w=wel(sleep_secs=4 * H), race_week=RACE_WEEK)
    assert (result["recommendation"], result["race_week_defers"]) == ("modify", True)
    assert result["modification"]["triggers"] == ["sleep"]


def test_p2_single_red_with_amber_default_modifies():
    result = decide(derived(rhr=53), w=wel(sleep_secs=4 * H))
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"]["triggers"] == ["sleep", "rhr"]
    assert result["reason"] == "P2 modify (default). Red signal sleep with amber rhr."


@pytest.mark.parametrize(
    "phase, race_week, modifier",
    [
        ("Taper", None, "taper_tightened"),
        (None, RACE_WEEK, "race_week_tightened"),
    ],
)
def test_p2_tightened_corroborated_red_skips(phase, race_week, modifier):
    # sleep 4 h red + RHR +3 amber: tightened phases skip (the reference modified)
    result = decide(derived(rhr=53), w=wel(sleep_secs=4 * H), phase=phase, race_week=race_week)
    assert (result["recommendation"], result["priority"]) == ("skip", 2)
    assert result["modification"] is None and result["race_week_defers"] is False
    assert result["reason"].startswith(f"P2 skip ({modifier}). Red sleep corroborated by amber rhr")


def test_p2_tightened_lone_red_modifies():
    result = decide(w=wel(sleep_secs=4 * H), phase="Taper")
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"]["triggers"] == ["sleep"]
    assert result["race_week_defers"] is False  # taper is not race week


def test_p2_amber_threshold_default():
    # RHR +3 and sleep 6 h: 2 ambers >= 2
    result = decide(derived(rhr=53), w=wel(sleep_secs=6 * H))
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"] == build_modification(["rhr", "sleep"])
    assert result["reason"] == (
        "P2 modify (default). 2 amber signal(s) (rhr, sleep) reach the threshold of 2."
    )
    # one amber -> go
    assert decide(derived(rhr=53))["recommendation"] == "go"


def test_p2_build_loosened():
    # 2 ambers < 3 -> go; TSB -20 is green in Build (amber below -20)
    result = decide(derived(rhr=53), w=wel(sleep_secs=6 * H), phase="Build", tsb=-20)
    assert (result["recommendation"], result["priority"]) == ("go", 3)
    assert result["signals"]["tsb"]["status"] == "green"
    # 3 ambers (rhr, sleep, start-of-day acwr 1.3) -> modify, acwr caps Z2
    result = decide(derived(rhr=53, sod=1.3), w=wel(sleep_secs=6 * H), phase="Build")
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"]["triggers"] == ["rhr", "sleep", "acwr"]
    assert result["modification"]["suggested_adjustments"]["cap_zone"] == "Z2"


def test_p2_taper_single_amber():
    result = decide(derived(rhr=53), phase="Taper")
    assert (result["recommendation"], result["priority"]) == ("modify", 2)
    assert result["modification"] == build_modification(["rhr"])  # reduce / preserve
    assert result["race_week_defers"] is False


def test_p2_race_week_single_amber_defers():
    result = decide(derived(rhr=53), race_week=RACE_WEEK, phase="Build")
    assert (result["recommendation"], result["race_week_defers"]) == ("modify", True)
    assert result["phase_context"]["amber_threshold"] == 1


def test_p2_tsb_amber_counts():
    # TSB -20 < -15: one amber -> go by default, modify in Taper (tsb only: preserve/reduce)
    assert decide(tsb=-20)["recommendation"] == "go"
    result = decide(tsb=-20, phase="Taper")
    assert result["recommendation"] == "modify"
    assert result["modification"] == build_modification(["tsb"])


def test_race_week_inactive_dict():
    result = decide(derived(rhr=53), race_week={"active": False})
    assert result["recommendation"] == "go"
    assert result["phase_context"]["modifier_applied"] == "default"


# ----------------------------------------------------------------- P3


def test_p3_all_green():
    result = decide(phase="Base", weeks=4, tsb=5.0)
    assert result == {
        "recommendation": "go",
        "priority": 3,
        "signals": {
            "hrv": {"status": "green", "value": 60.0, "baseline_7d": 60.0, "delta_pct": 0.0},
            "rhr": {"status": "green", "value": 50.0, "baseline_7d": 50.0, "delta_bpm": 0.0},
            "sleep": {"status": "green", "hours": 8.0, "quality": 2},
            "acwr": {
                "status": "green",
                "value": 1.0,
                "scope": "start_of_day",
                "as_of_date": "2025-03-10",
                "current_day_load_included": False,
            },
            "ri": {"status": "green", "value": 1.0, "value_yesterday": 1.0},
            "tsb": {"status": "green", "value": 5.0},
        },
        "signal_summary": {"green": 6, "amber": 0, "red": 0, "unavailable": 0},
        "phase_context": {
            "phase": "Base",
            "phase_week": 4,
            "amber_threshold": 2,
            "modifier_applied": "default",
        },
        "race_week_defers": False,
        "modification": None,
        "reason": ("P3 go. 6 green, 0 amber, 0 red, 0 unavailable (default, amber threshold 2)."),
        "alarm_refs": [],
    }


def test_p3_limited_data_remark():
    # hrv, rhr, sleep unavailable; acwr, ri, tsb green -> 3 unavailable: no remark
    d = derived(hrv=None, rhr=None, ri=1.0)
    result = decide(d, w=wel(sleep_secs=None))
    assert result["signal_summary"]["unavailable"] == 3
    assert "Limited data" not in result["reason"]
    # tsb also missing -> 4 unavailable > 3: remark
    result = decide(d, w=wel(sleep_secs=None), tsb=None)
    assert result["signal_summary"] == {"green": 2, "amber": 0, "red": 0, "unavailable": 4}
    assert "Limited data: 4 of 6 signals" in result["reason"]


def test_p3_no_data_at_all():
    result = readiness_decision({}, [], None, None, None, None, None)
    assert (result["recommendation"], result["priority"]) == ("go", 3)
    assert result["signal_summary"] == {"green": 0, "amber": 0, "red": 0, "unavailable": 6}
    assert "Limited data: 6 of 6" in result["reason"]
    assert result["phase_context"] == {
        "phase": None,
        "phase_week": None,
        "amber_threshold": 2,
        "modifier_applied": "default",
    }


def test_sdnn_reason_in_decision():
    result = decide(derived(hrv=None), w=wel(sdnn=70))
    assert result["signals"]["hrv"]["reason"] == "rmssd_missing_sdnn_available"


# ----------------------------------------------------------------- property


NUMBERS = st.one_of(
    st.none(),
    st.just(0),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-40, max_value=300),
    st.booleans(),
    st.text(max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    values=st.fixed_dictionaries(
        {
            k: NUMBERS
            for k in (
                "latest_hrv",
                "hrv_baseline_7d",
                "latest_rhr",
                "rhr_baseline_7d",
                "recovery_index",
                "recovery_index_yesterday",
            )
        }
    ),
    sod=st.one_of(
        st.none(),
        st.fixed_dictionaries({"value": NUMBERS, "as_of_date": st.one_of(st.none(), st.text())}),
    ),
    raw=st.fixed_dictionaries({"sleepSecs": NUMBERS, "sleepQuality": NUMBERS, "hrvSDNN": NUMBERS}),
    has_wellness=st.booleans(),
    alerts=st.lists(
        st.fixed_dictionaries(
            {
                "metric": st.sampled_from(["hrv", "rhr", "recovery_index", "acwr"]),
                "severity": st.sampled_from(["alarm", "warning", "info", None]),
                "tier": st.one_of(st.sampled_from([1, 2, 3]), NUMBERS),
                "persistence_days": NUMBERS,
                "value": NUMBERS,
            }
        ),
        max_size=4,
    ),
    phase=st.sampled_from([None, "Build", "Taper", "Base", "Peak", "Deload"]),
    weeks=st.one_of(st.none(), st.integers(0, 20)),
    race_week=st.one_of(
        st.none(), st.fixed_dictionaries({"active": NUMBERS}), st.just({"active": True})
    ),
    tsb=NUMBERS,
)
def test_never_crashes_or_emits_non_finite(
    values, sod, raw, has_wellness, alerts, phase, weeks, race_week, tsb
):
    d = dict(values, acwr_start_of_day=sod)
    w = Wellness.from_raw({"id": TODAY.isoformat(), **raw}) if has_wellness else None
    result = readiness_decision(d, alerts, w, phase, weeks, race_week, tsb)
    assert result["recommendation"] in ("go", "modify", "skip")
    assert result["priority"] in (0, 1, 2, 3)
    assert sum(result["signal_summary"].values()) == len(result["signals"])
    assert all(
        s["status"] in ("green", "amber", "red", "unavailable") for s in result["signals"].values()
    )
    assert (result["modification"] is None) == (result["recommendation"] != "modify")
    if result["modification"] is not None:
        assert result["modification"]["triggers"]  # never an empty modify
    for value in walk({k: v for k, v in result.items() if k != "alarm_refs"}):
        if isinstance(value, float):
            assert math.isfinite(value)
