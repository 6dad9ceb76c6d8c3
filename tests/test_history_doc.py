"""history.json document and latest.json history block (docs/metrics.md#history-tiers).

Expected values are worked out by hand from the formulas in docs/metrics.md; the arithmetic
sits next to each case. The main scenario (today Wed 2024-05-15, weeks start
Monday):

  2023-10-01  Ride   70 TSS 1 h                    (earliest activity)
  2024-04-16  Ride  210 TSS 2 h, power Z4 600 s   (hard by power)
  2024-04-23  Ride  210 TSS 1.5 h
  2024-04-30  Ride  200 TSS 1 h; Elliptical 10 TSS 0.5 h; Walk 0 TSS 20 min
  week 2024-05-06 (daily TSS 100, 0, 50, 0, 80, 120, 0):
    Mon Ride 100, power Z1 1800 Z2 1200 Z4 600, VI 1.04, dec 8.0, EF 1.3, feel 3, rpe 6
    Wed Run   50, HR z1 600 z2 900 z5 300, HRR 30, feel 4
    Fri Ride  80, power Z2 1801 Z3 1799, VI 1.10, EF 2.0
    Sat Ride  90, 100 min, power Z1 3000 Z2 2100 Z3 900, VI 1.02, dec 3.0, EF 1.5, feel 2
    Sat Run   30, HR z1 600 z2 600 z4 600, HRR {"value": 25}
  in-progress week 2024-05-13: Mon Ride 60 (1 h), Wed (today) Run 30 (0.5 h)
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from section11 import model
from section11.model import Activity
from section11.outputs import history_rows as R
from section11.outputs.history import (
    SCHEMA_VERSION,
    build_history,
    data_gaps,
    data_range,
    ftp_timeline,
    history_block,
    regeneration_reason,
    shrink_reason,
    weekly_rows_for_phase,
)
from section11.units import METRIC_UNITS
from section11.wellness_model import Wellness, wellness_from_raw

TODAY = date(2024, 5, 15)
NOW = datetime(2024, 5, 15, 7, 30, tzinfo=timezone(timedelta(hours=2)))
IMPERIAL = {**METRIC_UNITS, "distance": "imperial", "weight": "lb"}

_ids = iter(range(1, 10**9))


def act(day, tss=None, secs=3600, atype="Ride", power=None, hr=None, **extra) -> Activity:
    raw = {
        "id": f"a{next(_ids)}",
        "type": atype,
        "start_date_local": f"{day}T08:00:00",
        "icu_training_load": tss,
        "moving_time": secs,
    }
    if power is not None:
        raw["icu_zone_times"] = [{"id": k, "secs": v} for k, v in power.items()]
    if hr is not None:
        raw["icu_hr_zone_times"] = hr
    raw.update(extra)
    return Activity.from_raw(raw)


def well(day, **fields) -> Wellness:
    return Wellness.from_raw({"id": day, **fields})


def scenario_activities() -> list[Activity]:
    return [
        act("2023-10-01", 70),
        act("2024-04-16", 210, 7200, power={"Z4": 600}),
        act("2024-04-23", 210, 5400),
        act("2024-04-30", 200, 3600),
        act("2024-04-30", 10, 1800, "Elliptical"),
        act("2024-04-30", 0, 1200, "Walk"),
        act(
            "2024-05-06",
            100,
            3600,
            power={"Z1": 1800, "Z2": 1200, "Z4": 600},
            icu_variability_index=1.04,
            icu_hr_decoupling=8.0,
            icu_efficiency_factor=1.3,
            feel=3,
            icu_rpe=6,
        ),
        act("2024-05-08", 50, 1800, "Run", hr=[600, 900, 0, 0, 300], icu_hrr=30, feel=4),
        act(
            "2024-05-10",
            80,
            3600,
            power={"Z2": 1801, "Z3": 1799},
            icu_variability_index=1.10,
            icu_efficiency_factor=2.0,
        ),
        act(
            "2024-05-11",
            90,
            6000,
            power={"Z1": 3000, "Z2": 2100, "Z3": 900},
            icu_variability_index=1.02,
            icu_hr_decoupling=3.0,
            icu_efficiency_factor=1.5,
            feel=2,
        ),
        act("2024-05-11", 30, 1800, "Run", hr=[600, 600, 0, 600], icu_hrr={"value": 25}),
        act("2024-05-13", 60, 3600),
        act("2024-05-15", 30, 1800, "Run"),
    ]


def scenario_wellness() -> list[Wellness]:
    return [
        well("2024-04-01", ctl=40.0),
        well("2024-04-10", ctl=45.56, hrv=55, weight=70.0),
        well("2024-04-20", ctl=0, hrv=300, weight=71.0, restingHR=50),
        well("2024-04-30", ctl=42.25, restingHR=52),
        well(
            "2024-05-06",
            ctl=60,
            atl=70,
            rampRate=1.5,
            hrv=50,
            restingHR=48,
            sleepSecs=28800,
            weight=70.2,
        ),
        well(
            "2024-05-08", ctl=62.34, atl=75.0, rampRate=2.25, hrv=5, restingHR=50, sleepSecs=25200
        ),
        well("2024-05-12", ctl=63.26, atl=0, rampRate=0, hrv=70, restingHR=0, weight=70.6),
        well("2024-05-15", ctl=64.0, atl=66.0),
    ]


def build(
    activities=None,
    wellness=None,
    *,
    today=TODAY,
    now=NOW,
    week_start=0,
    units=None,
    ftp_history=None,
    thresholds=None,
    zone_preference=None,
):
    return build_history(
        scenario_activities() if activities is None else activities,
        scenario_wellness() if wellness is None else wellness,
        today=today,
        now=now,
        week_start=week_start,
        zone_preference=zone_preference or {},
        ftp_history=ftp_history or {"indoor": {}, "outdoor": {}},
        thresholds_sports=thresholds or {},
        units=units,
        version="1.0.0",
    )


@pytest.fixture(scope="module")
def doc():
    return build()


def week(doc, start):
    return next(r for r in doc["weekly_180d"] if r["week_start"] == start)


def day_row(doc, day):
    return next(r for r in doc["daily_90d"] if r["date"] == day)


# ----------------------------------------------------------------- document shape


def test_top_level_keys_in_order(doc):
    assert list(doc) == [
        "generated_at",
        "source",
        "sync_version",
        "schema_version",
        "data_range",
        "ftp_timeline",
        "data_gaps",
        "summaries",
        "notes",
        "daily_90d",
        "weekly_180d",
        "monthly_1y",
        "monthly_2y",
        "monthly_3y",
    ]
    assert doc["generated_at"] == "2024-05-15T07:30:00+02:00"
    assert doc["source"] == "Intervals.icu API"
    assert doc["sync_version"] == "1.0.0"
    assert doc["schema_version"] == 2
    assert "script_hash" not in doc
    json.dumps(doc, allow_nan=False)  # plain JSON, no NaN


def test_notes_explain_weekly_acwr_and_week_start():
    doc = build(week_start=6)
    note = doc["notes"]["weekly_180d"]
    assert "Sunday" in note and "21 days" in note and "7d/28d" in note
    assert "active_days" in doc["notes"]["summaries"]


def test_data_range(doc):
    # earliest 2023-10-01, today 2024-05-15: Oct, Nov, Dec, Jan, Feb, Mar, Apr, May = 8
    assert doc["data_range"] == {
        "earliest": "2023-10-01",
        "latest": "2024-05-15",
        "total_months": 8,
    }


def test_data_range_without_activities():
    assert data_range([], TODAY) == {
        "earliest": "2024-05-15",
        "latest": "2024-05-15",
        "total_months": 1,
    }


def test_stubs_undated_and_out_of_range_activities_are_ignored():
    stub = Activity.from_raw(
        {
            "id": "s1",
            "start_date_local": "2024-05-14T07:00:00",
            "source": "STRAVA",
            "_note": "hidden",
        }
    )
    undated = Activity.from_raw({"id": "u1", "type": "Ride", "icu_training_load": 50})
    too_old = act("2021-05-15", 40)  # today - 1096 days
    future = act("2024-05-16", 40)
    oldest = act("2021-05-16", 40)  # today - 1095 days: inside
    doc = build([stub, undated, too_old, future, oldest, act("2024-05-14", 20)], [])
    assert doc["data_range"]["earliest"] == "2021-05-16"
    assert doc["data_range"]["latest"] == "2024-05-14"
    assert day_row(doc, "2024-05-14")["activity_count"] == 1
    assert doc["summaries"]["90d"]["total_activities"] == 1


# ----------------------------------------------------------------- docs/metrics.md#history-tiers daily_90d


def test_daily_rows_span_90_days(doc):
    rows = doc["daily_90d"]
    assert len(rows) == 90
    assert rows[0]["date"] == "2024-02-16"  # 2024-05-15 - 89 days (leap February)
    assert rows[-1]["date"] == "2024-05-15"


def test_daily_row_key_order(doc):
    assert list(day_row(doc, "2024-05-06")) == [
        "date",
        "total_hours",
        "total_tss",
        "activity_count",
        "activity_types",
        "ctl",
        "atl",
        "tsb",
        "hrv",
        "rhr",
        "sleep_hours",
        "sleep_formatted",
        "sleep_quality",
        "sleep_score",
        "weight_kg",
        "display",
        "is_hard_day",
        "intensity_basis",
        "fatigue",
        "soreness",
        "stress",
        "mood",
        "motivation",
        "injury",
        "hydration",
        "spO2",
        "blood_glucose",
        "systolic",
        "diastolic",
        "baevsky_si",
        "lactate",
        "respiration",
        "body_fat_pct",
        "abdomen_cm",
        "steps",
        "hydration_volume_l",
        "kcal_consumed",
        "carbohydrates_g",
        "protein_g",
        "fat_g",
        "menstrual_phase",
        "menstrual_phase_predicted",
        "readiness",
    ]


def test_daily_row_two_sports_mixed_hard_day(doc):
    row = day_row(doc, "2024-05-11")
    # (6000 + 1800) s = 2.1667 h; 90 + 30 TSS; power Z3 900 s is not hard, HR z4 600 s is
    assert row["total_hours"] == 2.17
    assert row["total_tss"] == 120
    assert row["activity_count"] == 2
    assert row["activity_types"] == "Ride, Run"
    assert row["is_hard_day"] is True
    assert row["intensity_basis"] == "mixed"
    assert row["ctl"] is None and row["tsb"] is None and row["hrv"] is None


def test_daily_row_wellness_values(doc):
    row = day_row(doc, "2024-05-08")
    assert row["ctl"] == 62.34 and row["atl"] == 75.0
    assert row["tsb"] == -12.7  # round(62.34 - 75.0, 1) = round(-12.66, 1)
    assert row["hrv"] == 5  # raw, not validity-filtered
    assert row["rhr"] == 50
    assert row["sleep_hours"] == 7.0 and row["sleep_formatted"] == "7h"
    assert row["is_hard_day"] is True and row["intensity_basis"] == "hr"  # HR z5 300 s


def test_daily_tsb_null_when_atl_falsy(doc):
    row = day_row(doc, "2024-05-12")
    assert row["ctl"] == 63.26 and row["atl"] == 0
    assert row["tsb"] is None


def test_daily_rest_day(doc):
    row = day_row(doc, "2024-05-07")
    assert row["activity_types"] == "Rest"
    assert row["total_hours"] == 0.0 and row["total_tss"] == 0 and row["activity_count"] == 0
    assert row["is_hard_day"] is None and row["intensity_basis"] is None
    assert row["display"] == {"weight": None}


def test_daily_activity_without_zones_is_not_classified(doc):
    row = day_row(doc, "2024-04-23")
    assert row["activity_count"] == 1
    assert row["is_hard_day"] is None and row["intensity_basis"] is None


def test_daily_weight_display_in_pounds():
    doc = build(units=IMPERIAL)
    row = day_row(doc, "2024-05-06")
    assert row["weight_kg"] == 70.2
    assert row["display"] == {"weight": {"value": 154.8, "unit": "lb"}}  # 70.2 x 2.20462


def test_daily_null_load_and_moving_time_count_as_zero():
    a = Activity.from_raw(
        {
            "id": "n1",
            "type": "Ride",
            "start_date_local": "2024-05-14T06:00:00",
            "icu_training_load": None,
            "moving_time": None,
        }
    )
    row = day_row(build([a], []), "2024-05-14")
    assert row["total_tss"] == 0 and row["total_hours"] == 0.0
    assert row["activity_count"] == 1 and row["activity_types"] == "Ride"


# ----------------------------------------------------------------- docs/metrics.md#history-tiers weekly_180d


def test_weekly_rows_span(doc):
    rows = doc["weekly_180d"]
    # today - 180 = Fri 2023-11-17 -> Monday 2023-11-13; 182 days to 2024-05-13 -> 27 rows
    assert len(rows) == 27
    assert rows[0]["week_start"] == "2023-11-13"
    assert rows[-1]["week_start"] == "2024-05-13"
    assert all(date.fromisoformat(r["week_start"]).weekday() == 0 for r in rows)


def test_weekly_rows_follow_week_start():
    rows = build(week_start=6)["weekly_180d"]  # Sunday
    assert rows[0]["week_start"] == "2023-11-12"
    assert rows[-1]["week_start"] == "2024-05-12"
    assert all(date.fromisoformat(r["week_start"]).weekday() == 6 for r in rows)


def test_weekly_row_key_order(doc):
    assert list(week(doc, "2024-05-06")) == [
        "week_start",
        "total_hours",
        "total_tss",
        "primary_sport",
        "primary_sport_tss",
        "sport_tss_breakdown",
        "activity_count",
        "ctl_end",
        "atl_end",
        "tsb_end",
        "ramp_rate",
        "avg_hrv",
        "avg_rhr",
        "avg_sleep_hours",
        "z1_z2_pct",
        "z3_pct",
        "z4_plus_pct",
        "hard_days",
        "longest_ride_hours",
        "avg_feel",
        "feel_count",
        "avg_rpe",
        "rpe_count",
        "weight_kg",
        "display",
        "monotony",
        "intensity_basis_breakdown",
        "durability_mean",
        "durability_qualifying",
        "ef_mean",
        "ef_qualifying",
        "hrrc_mean",
        "hrrc_qualifying",
        "acwr",
        "phase_detected",
    ]


def test_weekly_totals_and_sports(doc):
    row = week(doc, "2024-05-06")
    # 3600 + 1800 + 3600 + 6000 + 1800 = 16800 s = 4.667 h
    assert row["total_hours"] == 4.67
    assert row["total_tss"] == 350
    assert row["activity_count"] == 5
    # cycling 100 + 80 + 90 = 270, run 50 + 30 = 80
    assert row["primary_sport"] == "cycling"
    assert row["primary_sport_tss"] == 270
    assert row["sport_tss_breakdown"] == {"cycling": 270, "run": 80}
    assert row["longest_ride_hours"] == 1.67  # 6000 s


def test_weekly_breakdown_counts_unmapped_types_as_other_and_skips_zero_tss(doc):
    row = week(doc, "2024-04-29")
    assert row["sport_tss_breakdown"] == {"cycling": 200, "other": 10}  # Walk 0 TSS left out
    assert row["activity_count"] == 3
    assert row["total_tss"] == 210
    assert row["total_hours"] == 1.83  # 6600 s


def test_weekly_empty_week(doc):
    row = week(doc, "2024-01-01")
    assert row["total_tss"] == 0 and row["activity_count"] == 0
    assert row["primary_sport"] is None and row["primary_sport_tss"] is None
    assert row["sport_tss_breakdown"] is None
    assert row["hard_days"] == 0 and row["intensity_basis_breakdown"] is None
    assert row["z1_z2_pct"] is None and row["monotony"] is None
    assert row["ctl_end"] is None and row["avg_hrv"] is None and row["avg_feel"] is None
    assert row["feel_count"] == 0 and row["durability_qualifying"] == 0
    assert row["longest_ride_hours"] == 0.0


def test_weekly_wellness_rollup(doc):
    row = week(doc, "2024-05-06")
    # last truthy CTL 63.26 (05-12); ATL 0 and rampRate 0 on 05-12 are falsy -> 05-08 values
    assert row["ctl_end"] == 63.3
    assert row["atl_end"] == 75.0
    assert row["tsb_end"] == -11.7  # round(63.26 - 75.0, 1)
    assert row["ramp_rate"] == 2.25
    assert row["avg_hrv"] == 60.0  # mean(50, 70); 5 ms is implausible
    assert row["avg_rhr"] == 49.0  # mean(48, 50); restingHR 0 skipped
    assert row["avg_sleep_hours"] == 7.5  # mean(8, 7)
    assert row["weight_kg"] == 70.6  # last weigh-in
    assert row["display"] == {"weight": {"value": 70.6, "unit": "kg"}}


def test_weekly_zone_shares(doc):
    row = week(doc, "2024-05-06")
    # z1 6000, z2 6601, z3 2699, z4+ 1500 of 16800 s zone time
    assert row["z1_z2_pct"] == 75.0  # 12601 / 16800 = 75.006 %
    assert row["z3_pct"] == 16.1  # 16.065 %
    assert row["z4_plus_pct"] == 8.9  # 8.929 %


def test_weekly_hard_days_by_power_and_hr(doc):
    row = week(doc, "2024-05-06")
    # Mon power Z4 600 s (power), Wed HR z5 300 s (hr), Sat HR z4 600 s next to power (mixed);
    # Fri power Z3 1799 s is one second short
    assert row["hard_days"] == 3
    assert row["intensity_basis_breakdown"] == {"power": 1, "hr": 1}


def test_weekly_feel_and_rpe(doc):
    row = week(doc, "2024-05-06")
    assert (row["avg_feel"], row["feel_count"]) == (3.0, 3)  # mean(3, 4, 2)
    assert (row["avg_rpe"], row["rpe_count"]) == (6.0, 1)


def test_weekly_capability_rollup(doc):
    row = week(doc, "2024-05-06")
    # durability: only Sat Ride (100 min, VI 1.02); Mon Ride is 60 min
    assert (row["durability_mean"], row["durability_qualifying"]) == (3.0, 1)
    # EF: Mon 1.3 and Sat 1.5; Fri VI 1.10 fails the gate
    assert (row["ef_mean"], row["ef_qualifying"]) == (1.4, 2)
    # HRRc: 30 and 25 (from the dict's value)
    assert (row["hrrc_mean"], row["hrrc_qualifying"]) == (27.5, 2)


def test_weekly_monotony_complete_week(doc):
    # daily 100, 0, 50, 0, 80, 120, 0: mean 50; squared deviations 2500, 2500, 0, 2500,
    # 900, 4900, 2500 = 15800; sd = sqrt(15800 / 6) = 51.316; 50 / 51.316 = 0.974
    assert week(doc, "2024-05-06")["monotony"] == 0.97


def test_weekly_monotony_needs_three_training_days(doc):
    assert week(doc, "2024-04-29")["monotony"] is None  # one training day


def test_weekly_acwr_completed_weeks(doc):
    rows = doc["weekly_180d"]
    assert [r["acwr"] for r in rows[:3]] == [None, None, None]
    assert week(doc, "2024-04-15")["acwr"] is None  # previous 3 weeks hold no TSS
    assert week(doc, "2024-04-22")["acwr"] == 3.0  # (210 / 7) / (210 / 21)
    assert week(doc, "2024-04-29")["acwr"] == 1.5  # (210 / 7) / (420 / 21)
    assert week(doc, "2024-05-06")["acwr"] == 1.67  # (350 / 7) / (630 / 21) = 50 / 30


def test_weekly_acwr_in_progress_week_scales_by_elapsed_days(doc):
    row = doc["weekly_180d"][-1]
    assert row["week_start"] == "2024-05-13"
    assert row["total_tss"] == 90
    # Mon 60, Tue 0, today 30 -> 3 elapsed days; chronic (210 + 210 + 350) / 21 = 36.667
    assert row["acwr"] == 0.82  # (90 / 3) / 36.667 = 0.818 (the reference: 90 / 7 -> 0.35)
    assert row["monotony"] is None  # only 3 days so far


def test_weekly_acwr_in_progress_today_without_activity_not_counted():
    acts = [a for a in scenario_activities() if a.date != date(2024, 5, 15)]
    acts.append(act("2024-05-14", 30, 1800, "Run"))
    row = build(acts)["weekly_180d"][-1]
    # Mon 60, Tue 30, today nothing yet -> 2 elapsed days: (90 / 2) / 36.667 = 1.227
    assert row["acwr"] == 1.23


def test_weekly_acwr_null_on_a_monday_before_training():
    acts = [a for a in scenario_activities() if a.date < date(2024, 5, 13)]
    doc = build(acts, scenario_wellness()[:-1], today=date(2024, 5, 13))
    row = doc["weekly_180d"][-1]
    assert row["week_start"] == "2024-05-13" and row["total_tss"] == 0
    assert row["acwr"] is None
    assert week(doc, "2024-05-06")["acwr"] == 1.67


def test_weekly_monotony_in_progress_week_from_five_days():
    base = [a for a in scenario_activities() if a.date < date(2024, 5, 13)]
    extra = [act("2024-05-13", 60), act("2024-05-15", 30), act("2024-05-17", 90)]
    # Fri 2024-05-17: daily 60, 0, 30, 0, 90 -> mean 36, squared deviations 576, 1296, 36,
    # 1296, 2916 = 6120; sd = sqrt(6120 / 4) = 39.115; 36 / 39.115 = 0.920
    friday = build(base + extra, [], today=date(2024, 5, 17))["weekly_180d"][-1]
    assert friday["monotony"] == 0.92
    thursday = build(base + extra[:2], [], today=date(2024, 5, 16))["weekly_180d"][-1]
    assert thursday["monotony"] is None  # 4 days so far


def test_apply_weekly_acwr_unit():
    rows = [{"total_tss": t, "acwr": None} for t in (70, 140, 0, 210, 100)]
    R.apply_weekly_acwr(rows, [7, 7, 7, 7, 2])
    # row 3: (210 / 7) / (210 / 21) = 3.0; row 4: (100 / 2) / (350 / 21) = 3.0
    assert [r["acwr"] for r in rows] == [None, None, None, 3.0, 3.0]


# ----------------------------------------------------------------- docs/metrics.md#history-tiers phase backfill


def test_phase_backfill_calls_with_lookback_and_previous_phase(monkeypatch):
    calls = []

    def fake(
        rows, today, week_start, zone_preference, planned, next_race, *, previous_phase, is_backfill
    ):
        calls.append(
            (
                len(rows),
                rows[-1]["week_start"],
                today,
                week_start,
                planned,
                next_race,
                previous_phase,
                is_backfill,
            )
        )
        return {"phase": f"P{len(calls)}"}

    monkeypatch.setattr(R, "phase_detection", fake)
    rows = build(zone_preference={"run": "hr"})["weekly_180d"]
    assert len(calls) == len(rows) - 1  # the in-progress week is not classified
    assert [c[0] for c in calls[:5]] == [1, 2, 3, 4, 4]
    for i, call in enumerate(calls):
        assert call[1] == rows[i]["week_start"]
        assert call[2] == date.fromisoformat(rows[i]["week_start"])
        assert call[3:6] == (0, (), None)
        assert call[6] == (f"P{i}" if i else None)  # the phase just assigned to row i-1
        assert call[7] is True
        assert rows[i]["phase_detected"] == f"P{i + 1}"
    assert rows[-1]["phase_detected"] is None


def test_phase_backfill_real_classifier(doc):
    rows = doc["weekly_180d"]
    assert rows[0]["phase_detected"] is None  # one week of lookback: INSUFFICIENT_DATA
    assert rows[-1]["phase_detected"] is None  # in-progress week
    phases = {"Build", "Base", "Peak", "Taper", "Deload", "Recovery", "Overreached", None}
    assert all(r["phase_detected"] in phases for r in rows)
    assert not any(r["phase_detected"] in ("Taper", "Peak") for r in rows)  # no plan, no race


# ----------------------------------------------------------------- docs/metrics.md#history-tiers monthly tiers


@pytest.mark.parametrize(
    "first, tiers",
    [
        ("2024-01-01", []),  # Jan..May 2024 = 5 calendar months
        ("2023-12-31", ["1y"]),  # Dec..May = 6
        ("2023-07-01", ["1y"]),  # Jul..May = 11
        ("2023-06-30", ["1y", "2y"]),  # Jun..May = 12
        ("2023-01-01", ["1y", "2y"]),  # Jan 2023..May 2024 = 17
        ("2022-12-31", ["1y", "2y", "3y"]),  # Dec 2022..May 2024 = 18
    ],
)
def test_month_tiers_appear_at_6_12_18_months(first, tiers):
    doc = build([act(first, 50), act("2024-05-10", 40)], [])
    present = [t for t in ("1y", "2y", "3y") if doc[f"monthly_{t}"]]
    assert present == tiers
    assert [k for k in doc["summaries"] if k.endswith("y")] == tiers


@pytest.mark.parametrize("first", ["2023-12-31", "2023-06-30", "2023-04-01", "2022-12-31"])
def test_the_longest_tier_holds_every_month_as_the_note_says(first):
    """A real runner's 13 months of history gave an empty monthly_3y while the note
    said monthly_3y holds every month."""
    doc = build([act(first, 50), act("2024-05-10", 40)], [])
    longest = max((doc[f"monthly_{y}y"] for y in (1, 2, 3)), key=len)
    months = [r["month"] for r in longest]
    assert first[:7] in months and months[-1] == "2024-05"
    assert sum(r["activity_count"] for r in longest) == 2
    note = doc["notes"]["monthly"]
    assert "monthly_3y holds every month" not in note
    assert "6, 12 or 18" in note and "longest tier that is not empty holds every month" in note


def test_month_tier_lengths():
    doc = build([act("2021-06-01", 50), act("2024-05-10", 40)], [])
    # 1y: from the month of 2023-05-16 (13 months), 2y: 2022-05-16 (25), 3y: 2021-05-16 (37)
    assert [len(doc[f"monthly_{y}y"]) for y in (1, 2, 3)] == [13, 25, 37]
    # first activity 2021-06-01: Jun 2021 .. May 2024 = 36 months (monthly_3y starts in
    # May 2021, the month of today - 1095 days, whose row is empty)
    assert doc["data_range"]["total_months"] == 36
    assert doc["notes"]["monthly"].startswith("monthly_1y, monthly_2y and monthly_3y overlap")
    assert doc["monthly_1y"][0]["month"] == "2023-05"
    assert doc["monthly_3y"][0]["month"] == "2021-05"
    assert doc["monthly_1y"][-1]["month"] == "2024-05"
    assert doc["monthly_3y"][-13:] == doc["monthly_1y"]


def test_monthly_row(doc):
    row = next(r for r in doc["monthly_1y"] if r["month"] == "2024-04")
    assert list(row) == [
        "month",
        "total_hours",
        "total_tss",
        "activity_count",
        "ctl_peak",
        "ctl_low",
        "ctl_end",
        "avg_hrv",
        "avg_rhr",
        "z1_z2_pct",
        "z3_pct",
        "z4_plus_pct",
        "hard_days_avg_per_week",
        "longest_ride_hours",
        "avg_weight_kg",
        "display",
        "dominant_phase",
        "days_with_data",
    ]
    assert row["total_hours"] == 5.33  # (7200 + 5400 + 3600 + 1800 + 1200) s
    assert row["total_tss"] == 630
    assert row["activity_count"] == 5
    # truthy CTL 40.0, 45.56, 42.25 (04-20 has 0)
    assert row["ctl_peak"] == 45.6
    assert row["ctl_low"] == 40.0
    assert row["ctl_end"] == 42.2  # round(42.25, 1): half to even
    assert row["avg_hrv"] == 55.0  # 300 ms is implausible
    assert row["avg_rhr"] == 51.0  # mean(50, 52)
    assert (row["z1_z2_pct"], row["z3_pct"], row["z4_plus_pct"]) == (0.0, 0.0, 100.0)
    assert row["hard_days_avg_per_week"] == 0.2  # 1 / (30 / 7) = 0.233
    assert row["longest_ride_hours"] == 2.0
    assert row["avg_weight_kg"] == 70.5
    assert row["display"] == {"avg_weight": {"value": 70.5, "unit": "kg"}}
    # activities on 16, 23, 30; wellness on 1, 10, 20, 30 -> 6 distinct days
    assert row["days_with_data"] == 6


def test_monthly_current_month_counts_days_so_far(doc):
    row = doc["monthly_1y"][-1]
    assert row["month"] == "2024-05"
    assert row["hard_days_avg_per_week"] == 1.4  # 3 hard days / (15 / 7)
    assert (row["ctl_peak"], row["ctl_low"], row["ctl_end"]) == (64.0, 60.0, 64.0)


def test_monthly_empty_month(doc):
    row = next(r for r in doc["monthly_1y"] if r["month"] == "2024-01")
    assert row["total_tss"] == 0 and row["activity_count"] == 0 and row["days_with_data"] == 0
    assert row["ctl_peak"] is None and row["avg_weight_kg"] is None
    assert row["display"] == {"avg_weight": None}
    assert (row["z1_z2_pct"], row["hard_days_avg_per_week"], row["longest_ride_hours"]) == (
        None,
        0.0,
        0.0,
    )


def test_dominant_phase_counts_overlapping_weeks_and_breaks_ties_by_tss():
    weekly = [
        {"week_start": "2024-03-25", "phase_detected": "Base", "total_tss": 900},  # ends 03-31
        {"week_start": "2024-04-01", "phase_detected": "Build", "total_tss": 300},
        {"week_start": "2024-04-08", "phase_detected": "Base", "total_tss": 100},
        {"week_start": "2024-04-15", "phase_detected": "Build", "total_tss": 100},
        {"week_start": "2024-04-22", "phase_detected": "Base", "total_tss": 350},
        {"week_start": "2024-04-29", "phase_detected": None, "total_tss": 500},
        {"week_start": "2024-05-06", "phase_detected": "Deload", "total_tss": 999},
    ]
    april, may = date(2024, 4, 1), date(2024, 5, 1)
    # Build 2 weeks (400 TSS) vs Base 2 weeks (450 TSS) -> Base; 03-25 does not overlap
    assert R.dominant_phase(april, may, weekly) == "Base"
    assert R.dominant_phase(april, may, weekly[:4]) == "Build"  # Build 2 vs Base 1
    assert R.dominant_phase(date(2023, 1, 1), date(2023, 2, 1), weekly) is None


# ----------------------------------------------------------------- docs/metrics.md#history-tiers summaries


def test_summary_90d(doc):
    s = doc["summaries"]["90d"]
    assert list(s) == [
        "avg_weekly_tss",
        "avg_weekly_hours",
        "ctl_start",
        "ctl_end",
        "total_activities",
        "active_days",
        "rest_days",
        "hard_days",
    ]
    # TSS 630 (April) + 350 + 90 = 1070 over 90 / 7 = 12.857 weeks = 83.2
    assert s["avg_weekly_tss"] == 83
    # daily hours 2.0 + 1.5 + 1.83 + 1.0 + 0.5 + 1.0 + 2.17 + 1.0 + 0.5 = 11.5 -> 0.894
    assert s["avg_weekly_hours"] == 0.9
    assert (s["ctl_start"], s["ctl_end"]) == (40.0, 64.0)
    assert s["total_activities"] == 12  # quirk 15 fixed: activities, not days
    assert s["active_days"] == 9
    assert s["rest_days"] == 81
    assert s["hard_days"] == 4  # 04-16, 05-06, 05-08, 05-11


def test_summary_90d_short_history_averages_over_tracked_days():
    doc = build([act("2024-05-02", 70), act("2024-05-09", 70)], [])
    # tracked 2024-05-02 .. 2024-05-15 = 14 days = 2 weeks: 140 / 2
    assert doc["summaries"]["90d"]["avg_weekly_tss"] == 70


def test_summary_180d(doc):
    s = doc["summaries"]["180d"]
    assert list(s) == [
        "avg_weekly_tss",
        "avg_weekly_hours",
        "ctl_start",
        "ctl_end",
        "weeks_tracked",
    ]
    # 26 completed weeks, zero weeks included: (210 x 3 + 350) / 26 = 37.7
    assert s["avg_weekly_tss"] == 38
    # (2.0 + 1.5 + 1.83 + 4.67) / 26 = 0.385
    assert s["avg_weekly_hours"] == 0.4
    assert (s["ctl_start"], s["ctl_end"]) == (40.0, 64.0)
    assert s["weeks_tracked"] == 26


def test_summary_180d_skips_weeks_before_the_first_activity():
    doc = build([act("2024-04-30", 100), act("2024-05-07", 200)], [])
    s = doc["summaries"]["180d"]
    # completed weeks overlapping 2024-04-30 ..: 04-29 (100) and 05-06 (200)
    assert s["weeks_tracked"] == 2
    assert s["avg_weekly_tss"] == 150


def test_summary_tiers(doc):
    s = doc["summaries"]
    assert list(s) == ["90d", "180d", "1y"]
    # completed months from 2023-10 (first activity) to 2024-04: 70 + 0 x 5 + 630 over 7
    assert s["1y"] == {
        "avg_monthly_tss": 100,
        "ctl_peak": 64.0,
        "ctl_low": 42.2,
        "months_tracked": 7,
    }


# ----------------------------------------------------------------- docs/metrics.md#history-tiers


def test_data_gap_of_three_days_counts_two_does_not():
    dates = [date(2024, 1, 1), date(2024, 1, 4), date(2024, 1, 8), date(2024, 1, 9)]
    # 01-02..01-03 is 2 days (no gap); 01-05..01-07 is 3 days
    assert data_gaps(dates) == [{"period": "2024-01-05 to 2024-01-07", "days_missing": 3}]
    assert data_gaps([]) == [] and data_gaps([date(2024, 1, 1)]) == []


def test_data_gaps_in_document():
    acts = [
        act("2024-05-01", 10),
        act("2024-05-01", 10, atype="Run"),
        act("2024-05-04", 10),
        act("2024-05-08", 10),
    ]
    assert build(acts, [])["data_gaps"] == [
        {"period": "2024-05-05 to 2024-05-07", "days_missing": 3}
    ]


def test_ftp_timeline_entries_and_user_set():
    history = {"indoor": {"2024-01-10": 240}, "outdoor": {"2024-02-01": 250, "2023-12-01": 245}}
    thresholds = {"cycling": {"ftp": 250, "ftp_indoor": 245}}
    assert ftp_timeline(history, thresholds, TODAY) == [
        {"date": "2023-12-01", "ftp": 245, "type": "outdoor", "source": "FTP"},
        {"date": "2024-01-10", "ftp": 240, "type": "indoor", "source": "FTP"},
        {"date": "2024-02-01", "ftp": 250, "type": "outdoor", "source": "FTP"},
        # outdoor 250 equals the latest outdoor entry; indoor 245 differs from 240
        {"date": "2024-05-15", "ftp": 245, "type": "indoor", "source": "user_set"},
    ]


def test_ftp_timeline_without_history_and_with_bad_entries():
    history = {
        "indoor": {"bad": 200, "2024-01-01": 0, "2024-01-02": None},
        "outdoor": {"2024-01-03": "250", "2024-1-4": 250},
    }
    thresholds = {"cycling": {"ftp": 260, "ftp_indoor": 250}, "run": {"ftp": None}}
    assert ftp_timeline(history, thresholds, TODAY) == [
        {"date": "2024-05-15", "ftp": 250, "type": "indoor", "source": "user_set"},
        {"date": "2024-05-15", "ftp": 260, "type": "outdoor", "source": "user_set"},
    ]
    assert ftp_timeline(None, None, TODAY) == []
    assert ftp_timeline({"indoor": {}, "outdoor": {}}, {"cycling": {"ftp": None}}, TODAY) == []


def test_ftp_timeline_in_document():
    doc = build(
        ftp_history={"indoor": {}, "outdoor": {"2024-03-01": 250}},
        thresholds={"cycling": {"ftp": 250, "ftp_indoor": None}},
    )
    assert doc["ftp_timeline"] == [
        {"date": "2024-03-01", "ftp": 250, "type": "outdoor", "source": "FTP"}
    ]


# ----------------------------------------------------------------- docs/metrics.md#history-tiers latest.json block


def meta(generated_at="2024-05-10T06:00:00+02:00", months=12):
    return {"generated_at": generated_at, "data_range": {"total_months": months}}


@pytest.mark.parametrize(
    "months, level",
    [(1, "low"), (2, "low"), (3, "medium"), (11, "medium"), (12, "high"), (36, "high")],
)
def test_history_confidence_levels(months, level):
    block = history_block(meta(months=months), TODAY)
    assert block == {
        "available": True,
        "last_generated": "2024-05-10",
        "age_days": 5,
        "total_months": months,
        "history_confidence": level,
    }


def test_history_block_from_a_full_document(doc):
    assert history_block(doc, TODAY) == {
        "available": True,
        "last_generated": "2024-05-15",
        "age_days": 0,
        "total_months": 8,
        "history_confidence": "medium",
    }


def test_history_block_missing():
    block = history_block(None, TODAY)
    assert block["available"] is False and block["history_confidence"] == "low"
    assert "not available" in block["note"]
    assert list(block) == ["available", "history_confidence", "note"]


@pytest.mark.parametrize(
    "corrupt",
    [
        "not a document",
        [],
        {},
        {"generated_at": "2024-05-10"},
        meta(generated_at="yesterday"),
        meta(generated_at=None),
        meta(months=0),
        meta(months="12"),
        meta(months=True),
        meta(months=7.5),
        {"generated_at": "2024-05-10", "data_range": None},
    ],
)
def test_history_block_corrupt(corrupt):
    block = history_block(corrupt, TODAY)
    assert block["available"] is False and block["history_confidence"] == "low"
    assert "could not be read" in block["note"]


def test_history_block_age_never_negative():
    assert history_block(meta(generated_at="2024-05-16T00:10:00+02:00"), TODAY)["age_days"] == 0


# ----------------------------------------------------------------- rows for live phase detection


def hist(generated_at, starts, **extra):
    return {
        "generated_at": generated_at,
        "data_range": {"total_months": 12},
        "weekly_180d": [
            {"week_start": s, "total_tss": 100, "activity_count": 5, "phase_detected": "Base"}
            for s in starts
        ],
        **extra,
    }


def test_weekly_rows_for_phase_drops_the_in_progress_week():
    doc = hist("2024-05-15T07:00:00+02:00", ["2024-04-29", "2024-05-06", "2024-05-13"])
    assert [r["week_start"] for r in weekly_rows_for_phase(doc)] == ["2024-04-29", "2024-05-06"]
    # generated on the week's last day: that week was still running
    doc = hist("2024-05-12T23:00:00+02:00", ["2024-04-29", "2024-05-06"])
    assert [r["week_start"] for r in weekly_rows_for_phase(doc)] == ["2024-04-29"]


def test_weekly_rows_for_phase_from_a_built_document(doc):
    rows = weekly_rows_for_phase(doc)
    assert len(rows) == 26 and rows[-1]["week_start"] == "2024-05-06"
    assert rows[-1]["acwr"] == 1.67


def test_weekly_rows_for_phase_bad_input():
    assert weekly_rows_for_phase(None) == []
    assert weekly_rows_for_phase({"weekly_180d": "x"}) == []
    doc = {
        "weekly_180d": [
            {"week_start": "2024-04-29"},
            "junk",
            {"week_start": 5},
            {"week_start": "2024-05-06"},
        ]
    }
    assert [r["week_start"] for r in weekly_rows_for_phase(doc)] == ["2024-04-29"]


# ----------------------------------------------------------------- docs/metrics.md#history-tiers regeneration


def fresh(**changes):
    doc = hist(
        "2024-05-13T01:00:00+02:00",
        ["2023-11-13", "2024-05-13"],
        schema_version=SCHEMA_VERSION,
        sync_version="1.0.0",
    )
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    "existing, reason",
    [
        (None, "missing"),
        ("garbage", "unreadable"),
        ({"generated_at": "2024-05-13T01:00:00+02:00"}, "unreadable"),
        (fresh(weekly_180d=[]), "unreadable"),
        (fresh(schema_version=None), "schema_changed"),
        (fresh(schema_version=1), "schema_changed"),  # written before schema 2
        (fresh(schema_version=True), "schema_changed"),
        (fresh(sync_version="0.9.0"), "version_changed"),
        (fresh(weekly_180d=[{"week_start": "2023-11-12"}]), "week_start_changed"),
        (fresh(generated_at="2024-05-16T01:00:00+02:00"), "future"),
        (fresh(generated_at="2024-05-12T23:59:00+02:00"), "stale"),
        (fresh(), None),
    ],
)
def test_regeneration_reason(existing, reason):
    assert regeneration_reason(existing, TODAY, week_start=0, version="1.0.0") == reason


def test_regeneration_any_time_of_day_and_for_a_built_document(doc):
    assert regeneration_reason(doc, TODAY, week_start=0, version="1.0.0") is None
    next_monday = date(2024, 5, 20)
    assert regeneration_reason(doc, next_monday, week_start=0, version="1.0.0") == "stale"


def test_shrink_reason_keeps_history_when_completed_weeks_lose_activities():
    old = hist(
        "2024-05-15T07:00:00+02:00", ["2024-04-22", "2024-04-29", "2024-05-06", "2024-05-13"]
    )
    same = hist(
        "2024-05-20T07:00:00+02:00",
        ["2024-04-22", "2024-04-29", "2024-05-06", "2024-05-13", "2024-05-20"],
    )
    assert shrink_reason(old, same) is None
    empty = json.loads(json.dumps(same))
    for row in empty["weekly_180d"]:
        row["activity_count"] = 0
    reason = shrink_reason(old, empty)
    assert reason and "0 activities" in reason and "15" in reason  # 3 completed weeks x 5
    half = json.loads(json.dumps(same))
    for row in half["weekly_180d"]:
        row["activity_count"] = 3  # 9 of 15 kept: more than half
    assert shrink_reason(old, half) is None
    assert shrink_reason(None, same) is None  # nothing to protect


# ----------------------------------------------------------------- robustness


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=200),
            st.sampled_from(["Ride", "Run", "Swim", "Elliptical", None, "WeightTraining"]),
            st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
            st.one_of(st.none(), st.integers(min_value=0, max_value=30000)),
        ),
        max_size=40,
    ),
    st.integers(min_value=0, max_value=6),
)
def test_random_records_build_a_consistent_document(items, week_start):
    acts = [
        act((TODAY - timedelta(days=back)).isoformat(), tss, secs, atype)
        for back, atype, tss, secs in items
    ]
    doc = build(acts, [], week_start=week_start)
    json.dumps(doc, allow_nan=False)
    assert len(doc["daily_90d"]) == 90
    in_90 = [a for a in acts if a.date >= TODAY - timedelta(days=89)]
    assert doc["summaries"]["90d"]["total_activities"] == len(in_90)
    for row in doc["weekly_180d"]:
        breakdown = row["sport_tss_breakdown"] or {}
        assert sum(breakdown.values()) == row["total_tss"]


# ----------------------------------------------------------------- the demo athlete


def test_demo_history_document(demo_data, demo_today):
    acts = model.activities_from_raw(demo_data.activities)
    wellness = wellness_from_raw(demo_data.wellness)
    athlete = model.Athlete.from_raw(demo_data.athlete)
    from section11.outputs.profile import thresholds_sports
    from section11.units import unit_preferences

    start = time.perf_counter()
    doc = build_history(
        acts,
        wellness,
        today=demo_today,
        now=datetime(2026, 11, 23, 6, 0, tzinfo=timezone(timedelta(hours=1))),
        week_start=0,
        zone_preference={},
        ftp_history={"indoor": {}, "outdoor": {}},
        thresholds_sports=thresholds_sports(athlete),
        units=unit_preferences(athlete),
        version="demo",
    )
    elapsed = time.perf_counter() - start
    print(
        f"\nbuild_history over {len(acts)} activities and {len(wellness)} wellness rows: "
        f"{elapsed * 1000:.1f} ms"
    )

    text = json.dumps(doc, allow_nan=False)
    assert demo_data.api_key not in text
    assert doc["data_range"]["total_months"] >= 35
    assert len(doc["daily_90d"]) == 90
    assert 26 <= len(doc["weekly_180d"]) <= 27
    assert [len(doc[f"monthly_{y}y"]) for y in (1, 2, 3)] == [13, 25, 37]
    assert list(doc["summaries"]) == ["90d", "180d", "1y", "2y", "3y"]
    assert sum(r["activity_count"] for r in doc["daily_90d"]) > 30
    assert any(r["is_hard_day"] for r in doc["daily_90d"])
    assert any(r["phase_detected"] for r in doc["weekly_180d"])
    assert any(r["acwr"] is not None for r in doc["weekly_180d"])
    assert any(r["ef_qualifying"] for r in doc["weekly_180d"])
    assert any(r["dominant_phase"] for r in doc["monthly_1y"])
    assert all(r["days_with_data"] > 0 for r in doc["monthly_3y"])
    assert {e["source"] for e in doc["ftp_timeline"]} == {"user_set"}
    block = history_block(doc, demo_today)
    assert block["available"] is True and block["history_confidence"] == "high"
    assert len(weekly_rows_for_phase(doc)) == len(doc["weekly_180d"]) - 1
