"""The deterministic demo athlete: shapes like the real API, consistency with the
spec's formulas, determinism, stability across days, and the real-world mess."""

from __future__ import annotations

import json
import math
import time
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from section11.demo import profile
from section11.demo.curves import window_best
from section11.demo.dataset import build_demo
from section11.demo.gpx import Climb
from section11.demo.wellness import pmc
from section11.demo.workouts import Session, Step, intensity_factor, session_load

TODAY = date(2026, 4, 15)  # a Wednesday in the build season, away from breaks and illness
CYCLING = {"Ride", "VirtualRide", "GravelRide", "MountainBikeRide"}
OUTDOOR_RIDES = {"Ride", "GravelRide", "MountainBikeRide"}
CURVE_SECS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 300, 600, 1200, 1800, 2700, 3600, 5400, 7200]


@pytest.fixture(scope="module")
def demo():
    started = time.perf_counter()
    data = build_demo(TODAY)
    print(f"\nbuild_demo({TODAY}) took {time.perf_counter() - started:.2f} s")
    return data


def real(data):
    return [a for a in data.activities if a.get("type")]


def stubs(data):
    return [a for a in data.activities if a.get("source") == "STRAVA"]


def day_of(record, key="start_date_local"):
    return date.fromisoformat(record[key][:10])


def dump(value) -> str:
    return json.dumps(value, sort_keys=True)


# ----------------------------------------------------------------- building blocks (by hand)


def test_load_is_hours_times_if_squared():
    steady = Session(
        date(2026, 1, 6), 0, "VirtualRide", "steady", 0, True, "x", (Step(3600, 0.70, 0.70),)
    )
    # IF = 0.70 x 1.006 (ERG variability) = 0.7042; load = 1 h x 0.7042^2 x 100 = 49.59
    assert intensity_factor(steady, list(steady.items)) == pytest.approx(0.7042)
    assert session_load(steady, 11) == 50


def test_ramp_quartic_mean():
    # mean of x^4 over a 0.5 -> 0.75 ramp = (0.75^5 - 0.5^5) / (5 x 0.25) = 0.16484375
    assert Step(600, 0.5, 0.75).quartic == pytest.approx(0.16484375)
    assert Step(600, 0.5, 0.75).mean == pytest.approx(0.625)


def test_best_window_of_a_step_profile():
    steps = [Step(60, 1.2, 1.2), Step(120, 0.5, 0.5)]
    best = window_best(steps, [30, 60, 120, 180, 240])
    assert best[30] == pytest.approx(1.2) and best[60] == pytest.approx(1.2)
    assert best[120] == pytest.approx((60 * 1.2 + 60 * 0.5) / 120)  # 0.85
    assert best[180] == pytest.approx((72 + 60) / 180)
    assert 240 not in best  # longer than the session


def test_climb_profile():
    climb = Climb(start=1000, length=1000, grade=0.05)  # 50 m up, 1400 m down
    assert climb.at(900) == 0 and climb.at(1500) == pytest.approx(25)
    assert climb.at(2000) == pytest.approx(50) and climb.at(2700) == pytest.approx(25)
    assert climb.at(3400) == pytest.approx(0) and climb.at(5000) == 0


def test_ftp_is_reset_every_four_weeks_on_mondays():
    starts = {profile.ftp_grid_start(date(2026, 1, 1) + timedelta(days=n)) for n in range(200)}
    starts = sorted(starts)
    assert all(s.weekday() == 0 for s in starts)
    assert all((b - a).days == 28 for a, b in zip(starts, starts[1:]))
    values = [profile.ftp_outdoor(11, s) for s in starts]
    assert all(a != b for a, b in zip(values, values[1:]))
    assert all(profile.ftp_indoor(11, s) < profile.ftp_outdoor(11, s) for s in starts)


# ----------------------------------------------------------------- determinism


def test_same_inputs_give_identical_data(demo):
    again = build_demo(TODAY)
    assert dump(again.activities) == dump(demo.activities)
    assert dump(again.wellness) == dump(demo.wellness)
    assert dump(again.events) == dump(demo.events)
    assert dump(again.athlete) == dump(demo.athlete)
    assert again.attachments == demo.attachments
    aid = real(demo)[0]["id"]
    assert dump(again.activity_streams(aid)) == dump(demo.activity_streams(aid))
    assert dump(again.activity_intervals(aid)) == dump(demo.activity_intervals(aid))


def test_another_seed_gives_another_athlete_history(demo):
    other = build_demo(TODAY, seed=12)
    assert dump(other.activities) != dump(demo.activities)


def test_history_is_stable_when_today_moves_forward(demo):
    tomorrow = build_demo(TODAY + timedelta(days=1))
    # the last two days carry "yesterday" overrides; everything older is identical
    cutoff = TODAY - timedelta(days=2)
    old_a = {a["id"]: a for a in demo.activities if day_of(a) <= cutoff}
    new_a = {
        a["id"]: a
        for a in tomorrow.activities
        if day_of(a) <= cutoff and day_of(a) >= TODAY - timedelta(days=1100)
    }
    assert set(new_a) == {k for k, a in old_a.items() if day_of(a) >= TODAY - timedelta(days=1099)}
    for aid, record in new_a.items():
        assert dump(record) == dump(old_a[aid])
    old_w = {w["id"]: w for w in demo.wellness if w["id"] <= cutoff.isoformat()}
    new_w = {w["id"]: w for w in tomorrow.wellness if w["id"] <= cutoff.isoformat()}
    shared = set(old_w) & set(new_w)
    assert len(shared) > 1000
    for key in shared:
        assert dump(new_w[key]) == dump(old_w[key])
    past = {
        e["id"]: e
        for e in demo.events
        if e["category"] == "WORKOUT" and e["start_date_local"][:10] <= cutoff.isoformat()
    }
    new_past = {e["id"]: e for e in tomorrow.events if e["id"] in past}
    assert set(new_past) == {
        k
        for k, e in past.items()
        if e["start_date_local"][:10] >= (TODAY - timedelta(days=399)).isoformat()
    }


def test_activity_ids_derive_from_the_date(demo):
    for a in real(demo):
        k = int(a["id"][1:]) % 10
        assert a["id"] == f"i{day_of(a).toordinal() * 10 + k}"
    ids = [a["id"] for a in demo.activities]
    assert len(ids) == len(set(ids))


# ----------------------------------------------------------------- coverage


def test_date_coverage(demo):
    days = [day_of(a) for a in demo.activities]
    assert min(days) >= TODAY - timedelta(days=1100)
    assert min(days) <= TODAY - timedelta(days=1090)
    assert max(days) <= TODAY
    assert [a["start_date_local"] for a in demo.activities] == sorted(
        (a["start_date_local"] for a in demo.activities), reverse=True
    )
    assert demo.wellness[-1]["id"] == TODAY.isoformat()
    assert date.fromisoformat(demo.wellness[0]["id"]) >= TODAY - timedelta(days=1100)
    ids = [w["id"] for w in demo.wellness]
    assert ids == sorted(set(ids))
    event_days = [day_of(e) for e in demo.events]
    assert min(event_days) >= TODAY - timedelta(days=400)
    assert max(event_days) <= TODAY + timedelta(days=120)
    per_week = len(real(demo)) / (1100 / 7)
    assert 4.5 <= per_week <= 8.5


# ----------------------------------------------------------------- athlete


def test_athlete_object(demo):
    ath = demo.athlete
    assert demo.athlete_id == ath["id"] == "i500011"
    assert (
        ath["name"] == "Demo Athlete"
        and ath["firstname"] == "Demo"
        and ath["lastname"] == "Athlete"
    )
    assert ath["timezone"] == "Europe/Amsterdam"
    assert build_demo(TODAY, timezone="Asia/Tokyo").athlete["timezone"] == "Asia/Tokyo"
    for key in (
        "city",
        "state",
        "country",
        "icu_date_of_birth",
        "height",
        "icu_weight",
        "icu_resting_hr",
        "wind_speed",
        "fahrenheit",
        "rain",
        "measurement_preference",
        "weight_pref_lb",
        "height_units",
        "icu_activated",
        "icu_notes",
        "sex",
    ):
        assert ath.get(key) is not None, key
    # secrets are there on purpose, so that redaction gets tested
    assert ath["icu_api_key"] == demo.api_key and demo.api_key.startswith("demo-key-")
    assert ath["icu_friend_invite_token"] and "@" in ath["email"]
    groups = {tuple(s["types"])[0]: s for s in ath["sportSettings"]}
    ride, run, swim, other = groups["Ride"], groups["Run"], groups["Swim"], groups["Other"]
    assert {"Ride", "VirtualRide", "MountainBikeRide", "GravelRide"} <= set(ride["types"])
    assert ride["ftp"] != ride["indoor_ftp"] and ride["indoor_ftp"] < ride["ftp"]
    assert ride["power_zones"][-1] == 999 and len(ride["power_zones"]) == 7
    assert ride["hr_zones"][-1] == ride["max_hr"] and ride["lthr"] < ride["max_hr"]
    assert ride["w_prime"] > 10000
    assert 2.5 < run["threshold_pace"] < 6 and run["pace_units"] == "MINS_KM" and run["lthr"]
    assert 0.5 < swim["threshold_pace"] < 2 and swim["pace_units"] == "SECS_100M"
    assert other["types"] == ["Other"]
    assert other["ftp"] is None and other["lthr"] is None and other["hr_zones"] is None


# ----------------------------------------------------------------- activities

ACTIVITY_KEYS = (
    "id",
    "icu_athlete_id",
    "start_date_local",
    "start_date",
    "type",
    "name",
    "description",
    "moving_time",
    "elapsed_time",
    "distance",
    "total_elevation_gain",
    "icu_training_load",
    "icu_intensity",
    "icu_average_watts",
    "icu_weighted_avg_watts",
    "average_heartrate",
    "max_heartrate",
    "average_cadence",
    "average_speed",
    "max_speed",
    "icu_joules",
    "calories",
    "carbs_used",
    "carbs_ingested",
    "icu_variability_index",
    "decoupling",
    "icu_efficiency_factor",
    "icu_hrr",
    "icu_rpe",
    "feel",
    "icu_zone_times",
    "icu_hr_zone_times",
    "pace_zone_times",
    "gap_zone_times",
    "interval_summary",
    "icu_ftp",
    "icu_sync_date",
    "icu_intervals_edited",
    "paired_event_id",
    "trainer",
    "source",
    "has_weather",
    "average_weather_temp",
    "average_wind_speed",
    "prevailing_wind_deg",
    "headwind_percent",
    "tailwind_percent",
    "average_feels_like",
    "average_clouds",
    "max_rain",
    "max_snow",
    "average_temp",
    "min_weather_temp",
    "max_weather_temp",
)


def test_every_activity_has_the_consumed_fields(demo):
    for a in real(demo):
        missing = [k for k in ACTIVITY_KEYS if k not in a]
        assert not missing, (a["id"], missing)
        assert a["icu_athlete_id"] == "i500011"


def test_start_date_is_local_wall_clock_converted_to_utc():
    data = build_demo(TODAY, timezone="America/New_York")
    zone = ZoneInfo("America/New_York")
    for a in real(data)[:200]:
        assert len(a["start_date_local"]) == 19 and "Z" not in a["start_date_local"]
        local = datetime.fromisoformat(a["start_date_local"]).replace(tzinfo=zone)
        assert a["start_date"] == local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_power_numbers_follow_the_formulas(demo):
    checked = 0
    for a in real(demo):
        if a["type"] not in CYCLING or a["icu_average_watts"] is None or not a["moving_time"]:
            continue
        ftp, np_w, avg = a["icu_ftp"], a["icu_weighted_avg_watts"], a["icu_average_watts"]
        intensity = a["icu_intensity"]
        assert 35 < intensity < 130  # percent, not a fraction
        assert abs(np_w / ftp * 100 - intensity) < 0.5
        # TSS = hours x IF^2 x 100
        assert (
            abs(a["moving_time"] / 3600 * (intensity / 100) ** 2 * 100 - a["icu_training_load"])
            <= 1
        )
        assert a["icu_variability_index"] == round(np_w / avg, 4)
        assert a["icu_joules"] == avg * a["moving_time"]
        if a["average_heartrate"]:
            assert a["icu_efficiency_factor"] == round(np_w / a["average_heartrate"], 4)
        zones = a["icu_zone_times"]
        if zones is not None:
            secs = {z["id"]: z["secs"] for z in zones}
            assert [z["id"] for z in zones] == ["Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7", "SS"]
            assert sum(secs[f"Z{i}"] for i in range(1, 8)) == a["moving_time"]
            assert secs["SS"] <= secs["Z3"] + secs["Z4"]
        checked += 1
    assert checked > 300


def test_icu_ftp_is_the_ftp_in_force_and_changes_over_time(demo):
    outdoor, indoor = set(), set()
    for a in real(demo):
        if a["type"] in CYCLING:
            day = day_of(a)
            if a["type"] == "VirtualRide":
                assert a["icu_ftp"] == profile.ftp_indoor(demo.seed, day)
                indoor.add(a["icu_ftp"])
            else:
                assert a["icu_ftp"] == profile.ftp_outdoor(demo.seed, day)
                outdoor.add(a["icu_ftp"])
    assert len(outdoor) >= 5 and len(indoor) >= 5
    ride = demo.athlete["sportSettings"][0]
    assert ride["ftp"] == profile.ftp_outdoor(demo.seed, TODAY)
    assert ride["indoor_ftp"] == profile.ftp_indoor(demo.seed, TODAY)
    changes = [
        TODAY - timedelta(days=n)
        for n in range(42, 71)
        if profile.ftp_outdoor(demo.seed, TODAY - timedelta(days=n))
        != profile.ftp_outdoor(demo.seed, TODAY - timedelta(days=n + 1))
    ]
    assert changes, "an FTP change 6-10 weeks before today"


def test_sports_mix_and_types(demo):
    types = {a["type"] for a in real(demo)}
    assert {
        "Ride",
        "VirtualRide",
        "GravelRide",
        "MountainBikeRide",
        "Run",
        "TrailRun",
        "Swim",
        "WeightTraining",
        "Walk",
        "Hike",
        "NordicSki",
        "VirtualRow",
        "Yoga",
    } <= types
    cycling = sum(1 for a in real(demo) if a["type"] in CYCLING)
    assert cycling > len(real(demo)) * 0.45
    nordic = [day_of(a).month for a in real(demo) if a["type"] == "NordicSki"]
    assert nordic and all(m in (12, 1, 2) for m in nordic)
    for a in real(demo):
        assert a["trainer"] == (a["type"] in ("VirtualRide", "VirtualRow"))
        outdoor = a["type"] in OUTDOOR_RIDES | {"Run", "TrailRun", "Walk", "Hike", "NordicSki"}
        assert a["has_weather"] == outdoor
        if outdoor:
            assert a["average_weather_temp"] is not None and a["prevailing_wind_deg"] is not None
        else:
            assert a["average_weather_temp"] is None


def test_subjective_fields_and_hrr(demo):
    rpes = [a["icu_rpe"] for a in real(demo) if a["icu_rpe"] is not None]
    feels = [a["feel"] for a in real(demo) if a["feel"] is not None]
    assert rpes and set(rpes) <= set(range(1, 11)) and len(set(rpes)) >= 5
    assert feels and set(feels) <= set(range(1, 6))
    hrr = [a["icu_hrr"] for a in real(demo) if a["icu_hrr"]]
    assert hrr and all(h["start_bpm"] - h["end_bpm"] == h["hrr"] > 0 for h in hrr)
    runs = [a for a in real(demo) if a["type"] == "Run" and a["moving_time"]]
    assert all(len(a["pace_zone_times"]) == 7 for a in runs)
    assert all(a["icu_zone_times"] is None for a in runs)


def test_messy_real_world_cases_are_present(demo):
    acts = real(demo)
    # Strava stubs: exactly the hidden shape
    assert len(stubs(demo)) >= 10
    for s in stubs(demo):
        assert set(s) == {"id", "icu_athlete_id", "start_date_local", "source", "_note"}
        assert s["id"].isdigit() and s["_note"] == "STRAVA activities are not available via the API"
    # present-but-null containers
    assert any(
        "icu_zone_times" in a
        and a["icu_zone_times"] is None
        and a["icu_average_watts"]
        and a["type"] in CYCLING
        for a in acts
    )
    assert any(a["icu_hr_zone_times"] is None and a["has_heartrate"] for a in acts)
    # no heart rate, no power, zero moving time
    assert any(
        a["type"] in CYCLING and a["average_heartrate"] is None and a["icu_average_watts"]
        for a in acts
    )
    no_power = [a for a in acts if a["type"] in OUTDOOR_RIDES and a["icu_average_watts"] is None]
    assert no_power and all(
        a["icu_zone_times"] is None and a["icu_training_load"] > 0 for a in no_power
    )
    assert any(a["moving_time"] == 0 for a in acts)
    # decoupling: exact zeros and negatives, in `decoupling` (the real API's only field)
    assert any(a["decoupling"] == 0.0 for a in acts)
    assert any(a["decoupling"] is not None and a["decoupling"] < 0 for a in acts)
    assert not any("icu_hr_decoupling" in a for a in acts)
    assert any(a["icu_intervals_edited"] for a in acts)
    assert any(a["description"] and a["description"].startswith("NOTE:") for a in acts)


def test_history_has_a_break_and_an_illness_week(demo):
    days = sorted({day_of(a) for a in real(demo)})
    gaps = [(a, b) for a, b in zip(days, days[1:]) if (b - a).days - 1 >= 3]
    assert any((b - a).days - 1 >= 13 for a, b in gaps), "a two-week break"
    sick = [e for e in demo.events if e["category"] == "SICK"]
    assert sick
    for marker in sick:
        start = day_of(marker)
        assert not [
            a
            for a in real(demo)
            if start <= day_of(a) < date.fromisoformat(marker["end_date_local"][:10])
        ]


@pytest.mark.parametrize(
    "today",
    [
        TODAY,
        date(2026, 2, 12),
        date(2026, 10, 31),
        date(2026, 6, 20),
        date(2027, 1, 4),
        date(2028, 2, 29),
    ],
)
def test_recent_days_are_multisport_with_hard_sessions(today):
    data = build_demo(today)
    week = [a for a in real(data) if day_of(a) >= today - timedelta(days=6)]
    families = {("cycling" if a["type"] in CYCLING else a["type"]) for a in week}
    assert len(families) >= 3, families
    hard = [
        a
        for a in week
        if a["icu_zone_times"]
        and sum(z["secs"] for z in a["icu_zone_times"] if z["id"] in ("Z4", "Z5", "Z6", "Z7")) > 0
    ]
    assert hard
    last_two = [a for a in week if day_of(a) >= today - timedelta(days=1)]
    assert any(a["type"] in ("Run", "TrailRun") for a in last_two)
    assert any(a["type"] in OUTDOOR_RIDES for a in last_two)


# ----------------------------------------------------------------- wellness


def test_pmc_recurrence_by_hand():
    d1, d2 = date(2026, 1, 1), date(2026, 1, 2)
    model = pmc({d1: 42.0, d2: 0.0}, d1, d2)
    assert model[d1] == pytest.approx((1.0, 6.0))  # 0 + (42-0)/42, 0 + (42-0)/7
    assert model[d2] == pytest.approx((1.0 - 1.0 / 42, 6.0 - 6.0 / 7))


def test_wellness_ctl_atl_follow_the_pmc(demo):
    rows = {w["id"]: w for w in demo.wellness}
    checked = 0
    for w in demo.wellness:
        day = date.fromisoformat(w["id"])
        prev = rows.get((day - timedelta(days=1)).isoformat())
        if prev is None:
            continue
        assert w["ctl"] == pytest.approx(prev["ctl"] + (w["ctlLoad"] - prev["ctl"]) / 42, abs=2e-4)
        assert w["atl"] == pytest.approx(prev["atl"] + (w["atlLoad"] - prev["atl"]) / 7, abs=2e-4)
        week = rows.get((day - timedelta(days=7)).isoformat())
        if week is not None:
            assert w["rampRate"] == pytest.approx(w["ctl"] - week["ctl"], abs=2e-4)
        checked += 1
    assert checked > 1000
    assert 30 < demo.wellness[-1]["ctl"] < 110


def test_daily_load_is_the_sum_of_activity_loads(demo):
    by_day: dict[str, list] = {}
    for a in demo.activities:
        by_day.setdefault(a["start_date_local"][:10], []).append(a)
    for w in demo.wellness:
        items = by_day.get(w["id"], [])
        if any(a.get("source") == "STRAVA" for a in items):
            # hidden Strava activities still feed the fitness model
            assert w["ctlLoad"] > sum(a["icu_training_load"] for a in items if a.get("type"))
        else:
            assert w["ctlLoad"] == sum(a["icu_training_load"] for a in items)
    for a in real(demo):
        assert a["icu_ctl"] is not None and a["icu_atl"] is not None


def test_wellness_rows_are_sparse_and_messy(demo):
    rows = demo.wellness
    assert all(
        set(("id", "ctl", "atl", "rampRate", "ctlLoad", "atlLoad", "sportInfo", "updated"))
        <= set(w)
        for w in rows
    )
    assert any(w["sportInfo"] is None for w in rows)  # present-but-null
    info = [w["sportInfo"][0] for w in rows if w["sportInfo"]]
    assert info and all(
        i["type"] == "Ride" and i["eftp"] > 150 and i["wPrime"] > 10000 for i in info
    )
    hrv = [w["hrv"] for w in rows]
    assert None in hrv and 255.0 in hrv and 5.0 in hrv
    assert any(w["hrvSDNN"] is not None for w in rows)
    assert all(w["sleepQuality"] in (None, 1, 2, 3, 4) for w in rows)
    for key in ("fatigue", "soreness", "stress", "mood", "motivation", "injury", "hydration"):
        values = {w[key] for w in rows}
        assert None in values and values - {None} <= {1, 2, 3, 4}, key
    weights = [w["weight"] for w in rows]
    assert None in weights and sum(1 for v in weights if v) > 300
    for key in (
        "restingHR",
        "sleepSecs",
        "sleepScore",
        "bodyFat",
        "vo2max",
        "spO2",
        "steps",
        "readiness",
        "respiration",
    ):
        assert any(w[key] is not None for w in rows), key
    assert all(w["menstrualPhase"] is None for w in rows)
    fitness_only = [w for w in rows if w["restingHR"] is None and w["sleepSecs"] is None]
    assert fitness_only and all(w["ctl"] is not None for w in fitness_only)
    days = [date.fromisoformat(w["id"]) for w in rows]
    assert any((b - a).days > 3 for a, b in zip(days, days[1:])), "whole rows missing in the break"


# ----------------------------------------------------------------- events


def _events(data, category):
    return [e for e in data.events if e["category"] == category]


def test_event_categories_and_races(demo):
    assert all(isinstance(e["id"], int) and 0 < e["id"] < 2**31 for e in demo.events)
    ids = [e["id"] for e in demo.events]
    assert len(ids) == len(set(ids))
    for category in ("WORKOUT", "RACE_A", "RACE_B", "RACE_C", "SICK", "INJURED", "NOTE"):
        assert _events(demo, category), category
    future = {
        c: [(day_of(e) - TODAY).days for e in _events(demo, c) if day_of(e) > TODAY]
        for c in ("RACE_A", "RACE_B", "RACE_C")
    }
    assert any(35 <= d <= 49 for d in future["RACE_A"])
    assert any(7 <= d <= 13 for d in future["RACE_B"])
    assert future["RACE_C"] and any(day_of(e) < TODAY for e in _events(demo, "RACE_C"))
    workouts = [e for e in _events(demo, "WORKOUT") if day_of(e) > TODAY]
    assert workouts and max(day_of(e) for e in workouts) >= TODAY + timedelta(days=35)


def test_health_markers_use_an_exclusive_end(demo):
    for e in _events(demo, "SICK") + _events(demo, "INJURED"):
        assert e["start_date_local"].endswith("T00:00:00") and e["end_date_local"].endswith(
            "T00:00:00"
        )
        span = (date.fromisoformat(e["end_date_local"][:10]) - day_of(e)).days
        assert span >= 2  # multi-day
    assert any(TODAY - timedelta(days=365) <= day_of(e) <= TODAY for e in _events(demo, "SICK"))


def test_planned_workouts_pair_both_ways(demo):
    by_id = {a["id"]: a for a in real(demo)}
    events = {e["id"]: e for e in demo.events}
    paired = [e for e in demo.events if e["paired_activity_id"]]
    assert len(paired) > 100
    for e in paired:
        assert by_id[e["paired_activity_id"]]["paired_event_id"] == e["id"]
        assert day_of(e) == day_of(by_id[e["paired_activity_id"]])
    first = min(day_of(e) for e in demo.events)
    for a in real(demo):
        if a["paired_event_id"] is not None and day_of(a) >= first:
            assert events[a["paired_event_id"]]["paired_activity_id"] == a["id"]
    # some planned workouts were skipped: no activity that day
    assert any(
        e["paired_activity_id"] is None for e in _events(demo, "WORKOUT") if day_of(e) < TODAY
    )


def _doc_steps(demo):
    return [(e, e["workout_doc"]["steps"]) for e in _events(demo, "WORKOUT") if e["workout_doc"]]


def test_workout_docs_cover_every_shape(demo):
    docs = _doc_steps(demo)
    ramp = repeat2 = nested = flat_alt = steady = hr_run = 0
    for event, steps in docs:
        ftp = event["workout_doc"].get("ftp")
        for step in steps:
            inner = step.get("steps", [step])
            for s in inner:
                if "power" in s and ftp:
                    p = s["power"]
                    if "value" in p:  # resolved watts = %FTP x FTP
                        assert s["_power"]["value"] == pytest.approx(
                            p["value"] / 100 * ftp, abs=0.06
                        )
                    else:
                        assert s["_power"]["start"] == pytest.approx(
                            p["start"] / 100 * ftp, abs=0.06
                        )
                        assert s["_power"]["end"] == pytest.approx(p["end"] / 100 * ftp, abs=0.06)
            if (
                step.get("ramp")
                and step.get("warmup")
                and step["_power"]["start"] < step["_power"]["end"]
            ):
                ramp += 1
            if step.get("reps") and len(step["steps"]) == 2:
                repeat2 += 1
            if step.get("reps") and len(step["steps"]) >= 6:
                watts = [s["_power"]["value"] for s in step["steps"] if s["duration"] < 60]
                assert all(a != b for a, b in zip(watts, watts[1:]))  # alternating work/rest
                nested += 1
        if not any(s.get("reps") for s in steps):
            short = [s for s in steps if s["duration"] < 60]
            if len(short) >= 6:
                flat_alt += 1
            elif all("power" in s for s in steps):
                steady += 1
        if event["workout_doc"]["target"] == "HR":
            assert all("_hr" in s for step in steps for s in step.get("steps", [step]))
            hr_run += 1
    assert ramp and repeat2 and nested and flat_alt and steady and hr_run


def test_workouts_without_doc_have_coach_notes(demo):
    text_only = [e for e in _events(demo, "WORKOUT") if not e["workout_doc"]]
    assert text_only and all(e["description"] for e in text_only)
    assert any(e["description"].startswith("NOTE:") for e in text_only)
    assert any(
        e["workout_doc"] and e["description"].startswith("NOTE:") for e in _events(demo, "WORKOUT")
    )


# ----------------------------------------------------------------- course files


def haversine(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371000 * math.asin(math.sqrt(h))


def test_race_a_gpx_route(demo):
    race = next(e for e in _events(demo, "RACE_A") if day_of(e) > TODAY)
    [att] = race["attachments"]
    assert set(att) == {"id", "filename", "mimetype", "url"}
    assert att["url"] == f"/files/{att['id']}/{att['filename']}" and att["filename"].endswith(
        ".gpx"
    )
    ctype, body = demo.attachments[att["url"]]
    assert ctype == att["mimetype"] == "application/gpx+xml"
    assert body.startswith(b"<?xml")
    root = ET.fromstring(body)
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    points = [
        (float(p.get("lat")), float(p.get("lon")), float(p.find("g:ele", ns).text))
        for p in root.iterfind(".//g:trkpt", ns)
    ]
    assert len(points) >= 1000
    assert all(
        abs(la - profile.HOME_LAT) < 1 and abs(lo - profile.HOME_LON) < 1.5 for la, lo, _ in points
    )
    steps = [haversine(a, b) for a, b in zip(points, points[1:])]
    assert 80_000 <= sum(steps) <= 120_000
    assert 40 <= max(steps) <= 110
    assert haversine(points[0], points[-1]) < 1  # a loop
    # grades over ~200 m chunks: real climbs of 3-8 %, nothing absurd
    grades, i = [], 0
    while i < len(points) - 1:
        j, dist = i, 0.0
        while j < len(points) - 1 and dist < 200:
            dist += steps[j]
            j += 1
        grades.append((points[j][2] - points[i][2]) / dist * 100)
        i = j
    assert 3 <= max(grades) <= 10
    assert sum(1 for g in grades if g >= 3) >= 10


def test_race_b_tcx_course(demo):
    race = next(e for e in _events(demo, "RACE_B") if day_of(e) > TODAY)
    [att] = race["attachments"]
    ctype, body = demo.attachments[att["url"]]
    assert att["filename"].endswith(".tcx") and b"TrainingCenterDatabase" in body
    root = ET.fromstring(body)
    ns = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    points = root.findall(".//t:Trackpoint", ns)
    assert len(points) > 300
    assert all(p.find("t:Position/t:LatitudeDegrees", ns) is not None for p in points)
    assert all(p.find("t:AltitudeMeters", ns) is not None for p in points)


# ----------------------------------------------------------------- lazy endpoints


def _recent(demo, pred):
    return [a for a in real(demo) if day_of(a) >= TODAY - timedelta(days=20) and pred(a)]


def test_intervals_of_structured_and_unstructured_sessions(demo):
    structured = _recent(demo, lambda a: a["interval_summary"] and a["icu_average_watts"])
    assert structured
    act = max(structured, key=lambda a: a["icu_intensity"])
    items = demo.activity_intervals(act["id"])
    work = [i for i in items if i["type"] == "WORK"]
    assert work and all(i["group_id"] for i in work)
    assert [i["id"] for i in items] == list(range(1, len(items) + 1))
    assert items[0]["start_index"] == 0 and items[-1]["end_index"] == act["moving_time"] - 1
    for a, b in zip(items, items[1:]):
        assert b["start_index"] == a["end_index"] + 1 and b["start_time"] >= a["end_time"]
    for i in items:
        for key in (
            "elapsed_time",
            "moving_time",
            "start_time",
            "end_time",
            "average_watts",
            "max_watts",
            "average_heartrate",
            "max_heartrate",
            "min_heartrate",
            "average_cadence",
            "zone",
            "zone_min_watts",
            "wbal_start",
            "wbal_end",
            "training_load",
            "intensity",
        ):
            assert key in i, key
        assert (
            1 <= i["zone"] <= 7
            and i["min_heartrate"] <= i["average_heartrate"] <= i["max_heartrate"]
        )
    assert max(i["average_watts"] for i in work) > act["icu_ftp"]
    free = _recent(
        demo, lambda a: not a["interval_summary"] and a["moving_time"] and a["type"] in CYCLING
    )
    [whole] = demo.activity_intervals(free[0]["id"])
    assert whole["type"] == "RECOVERY" and whole["moving_time"] == free[0]["moving_time"]


def test_unknown_ids_and_strava_stubs_raise_key_error(demo):
    with pytest.raises(KeyError):
        demo.activity_intervals("i1")
    with pytest.raises(KeyError):
        demo.activity_streams("i1")
    with pytest.raises(KeyError):
        demo.activity_messages("i1")
    stub = stubs(demo)[0]["id"]
    with pytest.raises(KeyError):
        demo.activity_intervals(stub)
    with pytest.raises(KeyError):
        demo.activity_streams(stub)


def test_streams_of_an_outdoor_ride(demo):
    ride = _recent(
        demo, lambda a: a["type"] == "Ride" and a["icu_average_watts"] and a["average_heartrate"]
    )[0]
    demo._series.pop(ride["id"], None)  # time a fresh generation, not the cache
    started = time.perf_counter()
    streams = {s["type"]: s for s in demo.activity_streams(ride["id"])}
    print(f"\nstreams of a {ride['moving_time']} s ride took {time.perf_counter() - started:.3f} s")
    for kind in (
        "time",
        "watts",
        "heartrate",
        "cadence",
        "distance",
        "altitude",
        "velocity_smooth",
        "latlng",
    ):
        assert kind in streams, kind
        assert len(streams[kind]["data"]) == ride["moving_time"]
        assert set(streams[kind]) >= {"type", "name", "data", "data2", "valueType"}
    times = streams["time"]["data"]
    assert times[0] == 0 and all(b > a for a, b in zip(times, times[1:]))
    lats, lons = streams["latlng"]["data"], streams["latlng"]["data2"]
    assert len(lons) == len(lats) and None in lats
    assert all((la is None) == (lo is None) for la, lo in zip(lats, lons))
    watts = streams["watts"]["data"]
    assert abs(sum(watts) / len(watts) - ride["icu_average_watts"]) < 2
    assert max(streams["heartrate"]["data"]) <= ride["max_heartrate"]
    assert streams["distance"]["data"][-1] == pytest.approx(ride["distance"], abs=1)


def test_alpha_hrv_streams_on_recent_rides(demo):
    rides = _recent(
        demo, lambda a: a["type"] in CYCLING and a["average_heartrate"] and a["moving_time"]
    )
    # as in the real API, the list names the recorded RR stream ("hrv"), and only
    # those activities' streams answer holds the dfa_a1 the API derives from it
    with_dfa = [a for a in rides if "hrv" in a["stream_types"]]
    assert with_dfa
    assert any(
        "hrv" not in a["stream_types"] for a in _recent(demo, lambda a: a["type"] in CYCLING)
    )
    for activity in _recent(demo, lambda a: a.get("type") is not None):
        types = {s["type"] for s in demo.activity_streams(activity["id"])}
        assert ("dfa_a1" in types) == ("hrv" in activity["stream_types"]), activity["id"]
    streams = {s["type"]: s["data"] for s in demo.activity_streams(with_dfa[0]["id"])}
    dfa, art = streams["dfa_a1"], streams["artifacts"]
    assert len(dfa) == len(art) == with_dfa[0]["moving_time"]
    assert dfa[0] == 0.0 and None in dfa
    values = [v for v in dfa if v]
    assert 0.1 < min(values) and max(values) < 2.0
    assert sum(1 for v in art if v < 3) / len(art) > 0.9
    hard = [a for a in with_dfa if a["icu_intensity"] > 85]
    if hard:  # intervals push DFA a1 well under LT1
        hard_dfa = [
            v
            for v in {s["type"]: s["data"] for s in demo.activity_streams(hard[0]["id"])}["dfa_a1"]
            if v
        ]
        assert min(hard_dfa) < 0.6
    assert any(
        max(s["data"]) > 5
        for a in with_dfa[:6]
        for s in demo.activity_streams(a["id"])
        if s["type"] == "artifacts"
    )


def test_messages(demo):
    recent = _recent(demo, lambda a: True)
    threads = [demo.activity_messages(a["id"]) for a in recent]
    with_msgs = [t for t in threads if t]
    assert with_msgs and len(with_msgs) < len(threads)
    for thread in with_msgs:
        assert len(thread) <= 2
        assert [m["created"] for m in thread] == sorted(
            (m["created"] for m in thread), reverse=True
        )
        for m in thread:
            assert {"id", "athlete_id", "name", "created", "type", "content", "activity_id"} <= set(
                m
            )
    blanks = [
        m for a in real(demo) for m in demo.activity_messages(a["id"]) if not m["content"].strip()
    ]
    assert blanks
    assert demo.activity_messages(stubs(demo)[0]["id"]) == []


def test_power_curve_shape(demo):
    start, end = TODAY - timedelta(days=27), TODAY
    curve = demo.curve("power", "Ride", start, end, "r.A.B")
    assert curve["id"] == "r.A.B"
    assert curve["start_date_local"] == f"{start.isoformat()}T00:00:00"
    assert curve["end_date_local"] == f"{end.isoformat()}T00:00:00"
    assert curve["days"] == 28 and curve["label"]
    assert curve["values"] == curve["watts"]
    assert curve["secs"] == CURVE_SECS[: len(curve["secs"])] and len(curve["secs"]) >= 10
    assert len(curve["activity_id"]) == len(curve["values"])
    assert all(a >= b for a, b in zip(curve["values"], curve["values"][1:]))
    by_id = {a["id"]: a for a in real(demo)}
    longest = 0
    for aid in curve["activity_id"]:
        act = by_id[aid]
        assert act["type"] == "Ride" and start <= day_of(act) <= end
    for a in real(demo):
        if a["type"] == "Ride" and start <= day_of(a) <= end and a["icu_average_watts"]:
            longest = max(longest, a["moving_time"])
    assert curve["secs"][-1] <= longest
    assert all(s > longest for s in CURVE_SECS if s not in curve["secs"])
    # plausible physiology: 1 s sprint well above 20 min power, 20 min near FTP
    ftp = demo.athlete["sportSettings"][0]["ftp"]
    assert curve["values"][0] > 2 * curve["values"][CURVE_SECS.index(1200)]
    assert 0.75 * ftp < curve["values"][CURVE_SECS.index(1200)] < 1.15 * ftp


def test_curves_by_type_and_hr(demo):
    start, end = TODAY - timedelta(days=41), TODAY
    virtual = demo.curve("power", "VirtualRide", start, end, "v")
    ids = {a["id"]: a["type"] for a in real(demo)}
    assert virtual["secs"] and all(ids[aid] == "VirtualRide" for aid in virtual["activity_id"])
    hr = demo.curve("hr", None, start, end, "h")
    assert "watts" not in hr and hr["values"]
    assert all(100 < v <= 200 for v in hr["values"])
    empty = demo.curve("power", "NordicSki", TODAY - timedelta(days=6), TODAY, "e")
    assert empty["secs"] == [] and empty["values"] == [] and empty["activity_id"] == []


def test_pace_curve_shape(demo):
    start, end = date(TODAY.year, 1, 1), TODAY
    curve = demo.curve("pace", "Run", start, end, "s0")
    assert curve["id"] == "s0" and "secs" not in curve and "watts" not in curve
    metres, secs = curve["distance"], curve["values"]
    assert len(metres) == len(secs) == len(curve["activity_id"]) >= 4
    assert metres == sorted(metres) and all(b > a for a, b in zip(secs, secs[1:]))
    speeds = [m / s for m, s in zip(metres, secs)]
    assert all(a >= b for a, b in zip(speeds, speeds[1:]))  # longer is never faster
    threshold = profile.RUN_THRESHOLD_PACE
    assert all(0.6 * threshold < v < 1.3 * threshold for v in speeds)
    by_id = {a["id"]: a for a in real(demo)}
    for aid, distance in zip(curve["activity_id"], metres):
        act = by_id[aid]
        assert act["type"] == "Run" and start <= day_of(act) <= end
        assert act["distance"] >= distance
    rides_only = demo.curve("pace", "Ride", start, end, "r")
    assert rides_only["distance"] == [] and rides_only["values"] == []
