"""Race calendar, taper alert, race week and race alerts (docs/metrics.md#race-calendar)."""

import json
import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.event_model import Event
from section11.metrics.race import (
    day_protocol,
    duration_class,
    go_no_go,
    project_tsb,
    race_alerts,
    race_calendar,
    tsb_target_range,
)
from section11.model import Activity

from .helpers import walk

TODAY = date(2026, 5, 20)
METRIC = {"distance": "metric", "weight": "kg"}
IMPERIAL = {"distance": "imperial", "weight": "lb"}


def day(n):
    return (TODAY + timedelta(days=n)).isoformat()


def ev(days, category="RACE_A", time="T00:00:00", **raw):
    return Event.from_raw(
        {
            "id": raw.pop("id", 100 + days),
            "category": category,
            "start_date_local": day(days) + time,
            **raw,
        }
    )


def act(days_ago, load):
    return Activity.from_raw(
        {
            "id": f"a{days_ago}",
            "type": "Ride",
            "start_date_local": day(-days_ago) + "T08:00:00",
            "icu_training_load": load,
        }
    )


def cal(events, activities=(), ctl=60.0, atl=70.0, units=METRIC, terrain=frozenset()):
    return race_calendar(events, activities, TODAY, ctl, atl, units, terrain)


# ----------------------------------------------------------------- docs/metrics.md#race-calendar race list


def test_race_list_filters_sorts_and_formats():
    events = [
        ev(30, "RACE_C", name="Club TT", distance=100000, moving_time=3600),
        ev(3, "WORKOUT", name="Intervals"),
        ev(12, "RACE_A", time="T07:30:00", name="Gran Fondo", indoor=True, type="Ride"),
        ev(-1, "RACE_B", name="Yesterday's race"),
        ev(5, "SICK"),
        Event.from_raw({"id": 9, "category": "RACE_A", "start_date_local": "not a date"}),
        Event.from_raw({"id": 10, "category": "RACE_A", "start_date_local": None}),
        ev(0, "RACE_B", name=None),
    ]
    c = cal(events, terrain={"112", 999})
    names = [r["name"] for r in c["all_races"]]
    assert names == ["Unnamed Race", "Gran Fondo", "Club TT"]
    assert c["next_race"] == c["all_races"][0]
    today_race, fondo, tt = c["all_races"]
    assert today_race["days_until"] == 0 and today_race["category"] == "RACE_B"
    assert fondo == {
        "name": "Gran Fondo",
        "date": "2026-06-01",
        "category": "RACE_A",
        "type": "Ride",
        "days_until": 12,
        "moving_time_seconds": None,
        "distance_meters": None,
        "display": {"distance": None},
        "has_terrain": True,
        "start_time": "07:30",
        "indoor": True,
    }
    assert list(fondo) == [
        "name",
        "date",
        "category",
        "type",
        "days_until",
        "moving_time_seconds",
        "distance_meters",
        "display",
        "has_terrain",
        "start_time",
        "indoor",
    ]
    # 100000 m -> 100.0 km; midnight start -> no start_time; not indoor -> key absent
    assert tt["display"] == {"distance": {"value": 100.0, "unit": "km"}}
    assert "start_time" not in tt and "indoor" not in tt and tt["has_terrain"] is False


def test_race_distance_display_imperial():
    c = cal([ev(30, "RACE_C", distance=100000)], units=IMPERIAL)
    # 100 km * 0.621371 = 62.1371 -> 62.14 mi
    assert c["next_race"]["display"]["distance"] == {"value": 62.14, "unit": "mi"}


@pytest.mark.parametrize("distance", [0, None, -5])
def test_race_distance_missing_or_zero_has_null_display(distance):
    c = cal([ev(30, "RACE_C", distance=distance)])
    assert c["next_race"]["display"] == {"distance": None}


def test_no_races():
    c = cal([ev(1, "WORKOUT"), ev(2, "NOTE")])
    assert c == {
        "next_race": None,
        "all_races": [],
        "taper_alert": {"active": False},
        "race_week": {"active": False},
    }
    assert race_alerts(c) == []


def test_date_only_start_has_no_start_time():
    e = Event.from_raw({"id": 1, "category": "RACE_A", "start_date_local": day(20)})
    assert "start_time" not in cal([e])["next_race"]


# ----------------------------------------------------------------- docs/metrics.md#race-calendar taper


@pytest.mark.parametrize("days,active", [(7, False), (8, True), (14, True), (15, False)])
def test_taper_window(days, active):
    c = cal([ev(days, "RACE_A", name="A race")])
    assert c["taper_alert"]["active"] is active
    if active:
        t = c["taper_alert"]
        assert list(t) == ["active", "event_name", "event_date", "days_until", "message"]
        assert (t["event_name"], t["event_date"], t["days_until"]) == ("A race", day(days), days)
        assert "41-60%" in t["message"]


def test_taper_only_for_race_a_and_first_one():
    assert cal([ev(10, "RACE_B")])["taper_alert"] == {"active": False}
    c = cal([ev(13, "RACE_A", name="later"), ev(9, "RACE_A", name="sooner")])
    assert c["taper_alert"]["event_name"] == "sooner"


# ----------------------------------------------------------------- docs/metrics.md#race-calendar selection


def test_race_week_prefers_race_a_over_nearer_race_b():
    c = cal([ev(3, "RACE_B", name="B"), ev(6, "RACE_A", name="A")])
    assert c["race_week"]["event_name"] == "A"


def test_race_week_first_candidate_without_race_a():
    c = cal([ev(5, "RACE_B", name="B2"), ev(2, "RACE_B", name="B1"), ev(1, "RACE_C")])
    assert c["race_week"]["event_name"] == "B1"


@pytest.mark.parametrize("events", [[ev(2, "RACE_C")], [ev(8, "RACE_B")], [ev(8, "RACE_A")]])
def test_no_race_week(events):
    assert cal(events)["race_week"] == {"active": False}


# ----------------------------------------------------------------- docs/metrics.md#race-calendar block


def test_race_week_block_hand_computed():
    race = ev(5, "RACE_A", name="Fondo", type="Ride", moving_time=20000)
    activities = [act(3, 100), act(2, 50.4), act(1, None), act(0, 30.3)]
    week = cal([race], activities, ctl=60.0, atl=70.0)["race_week"]
    # normal = 60*7 = 420.0; budget RACE_A 0.40/0.55 -> 168 / 231
    # spent: race_date-7 = today-2 -> 50.4 + 0 + 30.3 = 80.7 -> 81 (today-3 excluded)
    # remaining 168-81 = 87, 231-81 = 150
    # projection D=5: 60*e^(-5/42) - 70*e^(-5/7) = 60*0.887766 - 70*0.489542
    #   = 53.2659 - 34.2679 = 18.998 -> 19.0
    # 20000 s > 10800 -> long_endurance; target {10, 25}; 19.0 >= 10 -> green
    # D-5 protocol: 0.40*60 = 24, 0.60*60 = 36
    assert week == {
        "active": True,
        "event_name": "Fondo",
        "event_date": day(5),
        "event_category": "RACE_A",
        "event_type": "Ride",
        "event_duration_class": "long_endurance",
        "event_moving_time_seconds": 20000,
        "days_until_event": 5,
        "current_day": "D-5",
        "ctl_baseline": 60.0,
        "normal_weekly_tss": 420.0,
        "race_week_tss_budget": {"min": 168, "max": 231},
        "race_week_tss_spent": 81,
        "race_week_tss_remaining": {"min": 87, "max": 150},
        "projected_race_day_tsb": 19.0,
        "tsb_target_range": {"min": 10, "max": 25},
        "today": week["today"],
        "carb_loading": week["carb_loading"],
        "opener": {"day": "D-2", "date": day(3), "intensity": "lighter"},
        "go_no_go": week["go_no_go"],
    }
    assert week["today"]["label"] == "Moderate endurance"
    assert week["today"]["load_target_tss"] == {"min": 24, "max": 36}
    assert week["carb_loading"]["applicable"] is True and week["carb_loading"]["active"] is False
    assert week["carb_loading"]["starts"] == "D-4" and week["carb_loading"]["start_date"] == day(1)
    assert week["go_no_go"]["tsb_status"] == "green"
    assert list(week)[:4] == ["active", "event_name", "event_date", "event_category"]
    assert list(week)[-4:] == ["today", "carb_loading", "opener", "go_no_go"]


def test_race_b_budget_and_spent_over_budget():
    # ctl 50 -> normal 350.0; RACE_B 0.50/0.65 -> 175 / round(227.5) = 228 (half-to-even)
    # spent 300 -> remaining max(0, 175-300) = 0, max(0, 228-300) = 0
    week = cal([ev(4, "RACE_B", moving_time=7200)], [act(0, 300)], ctl=50.0, atl=50.0)["race_week"]
    assert week["race_week_tss_budget"] == {"min": 175, "max": 228}
    assert week["race_week_tss_spent"] == 300
    assert week["race_week_tss_remaining"] == {"min": 0, "max": 0}
    # medium RACE_B target: {max(0, 10-5), 20-5} = {5, 15}; opener standard
    assert week["tsb_target_range"] == {"min": 5, "max": 15}
    assert week["opener"]["intensity"] == "standard"


def test_race_day_is_d0():
    week = cal([ev(0, "RACE_A", moving_time=3000)], ctl=40.0, atl=30.0)["race_week"]
    assert week["current_day"] == "D-0"
    # no decay steps: 40 - 30 = 10.0; short_intense target {5, 15}
    assert week["projected_race_day_tsb"] == 10.0
    assert week["today"]["label"] == "Race day"
    assert week["today"]["load_target_tss"] == {"min": 0, "max": 0}
    assert week["opener"]["intensity"] == "more_intense"
    # 3000 s < 5400 -> carb loading not applicable, note null
    assert week["carb_loading"]["applicable"] is False and week["carb_loading"]["note"] is None


@pytest.mark.parametrize("ctl,atl", [(None, 50.0), (60.0, None), (None, None)])
def test_missing_ctl_or_atl(ctl, atl):
    c = cal([ev(3, "RACE_A")], ctl=ctl, atl=atl)
    week = c["race_week"]
    assert week["projected_race_day_tsb"] is None
    assert week["go_no_go"]["tsb_status"] == "unknown"
    assert [a["metric"] for a in race_alerts(c)] == ["race_week"]
    if ctl is None:
        assert week["ctl_baseline"] == 0.0 and week["normal_weekly_tss"] == 0.0
        assert week["race_week_tss_budget"] == {"min": 0, "max": 0}
        assert week["today"]["load_target_tss"] == {"min": 0, "max": 0}


def test_zero_ctl_is_a_value():
    # ctl 0, atl 20, D=1: 0 - 20*e^(-1/7) = -17.3376 -> -17.3
    week = cal([ev(1, "RACE_B")], ctl=0.0, atl=20.0)["race_week"]
    assert week["projected_race_day_tsb"] == -17.3
    assert week["normal_weekly_tss"] == 0.0


def test_projection_decay_constants():
    # D=6: 42*e^(-6/42) - 30*e^(-6/7) = 42*0.866878 - 30*0.424373 = 36.4089 - 12.7312 = 23.68
    assert project_tsb(42.0, 30.0, 6) == 23.7
    assert project_tsb(42.0, 30.0, 0) == 12.0


@pytest.mark.parametrize(
    "moving,category,expected",
    [
        (5399, "RACE_A", "short_intense"),
        (5400, "RACE_A", "medium"),
        (10800, "RACE_B", "medium"),
        (10801, "RACE_B", "long_endurance"),
        (None, "RACE_A", "long_endurance"),
        (None, "RACE_B", "medium"),
        (0, "RACE_A", "long_endurance"),
        (0, "RACE_B", "medium"),
    ],
)
def test_duration_class(moving, category, expected):
    assert duration_class(moving, category) == expected


@pytest.mark.parametrize(
    "klass,category,expected",
    [
        ("short_intense", "RACE_A", {"min": 5, "max": 15}),
        ("medium", "RACE_A", {"min": 10, "max": 20}),
        ("long_endurance", "RACE_A", {"min": 10, "max": 25}),
        ("short_intense", "RACE_B", {"min": 0, "max": 10}),
        ("medium", "RACE_B", {"min": 5, "max": 15}),
        ("long_endurance", "RACE_B", {"min": 5, "max": 20}),
    ],
)
def test_tsb_target_range(klass, category, expected):
    assert tsb_target_range(klass, category) == expected


# D -> (label, min, max) for ctl 80, medium class: factors x 80, int round
@pytest.mark.parametrize(
    "d,label,low,high",
    [
        (7, "Last key session", 60, 80),
        (6, "Recovery", 0, 24),
        (5, "Moderate endurance", 32, 48),
        (4, "Easy / rest", 0, 32),
        (3, "Easy / rest", 0, 32),
        (2, "Opener", 24, 40),
        (1, "Rest / minimal", 0, 16),
        (0, "Race day", 0, 0),
    ],
)
def test_day_protocol_table(d, label, low, high):
    p = day_protocol(d, "medium", 80.0)
    assert list(p) == ["label", "load_target_tss", "zones", "purpose"]
    assert p["label"] == label and p["load_target_tss"] == {"min": low, "max": high}


def test_day_protocol_modifiers():
    base = day_protocol(2, "medium", 80.0)
    long_opener = day_protocol(2, "long_endurance", 80.0)
    short_opener = day_protocol(2, "short_intense", 80.0)
    assert "3-5 efforts of 20-60 s in Z4-Z6" in base["zones"]
    assert "3-4 efforts in Z4 only" in long_opener["zones"]
    assert "5-6 efforts of 10-30 s in Z4-Z6" in short_opener["zones"]
    assert long_opener["load_target_tss"] == base["load_target_tss"]
    for d in (3, 4):
        long_easy = day_protocol(d, "long_endurance", 80.0)
        # min factor 0.20 -> 16; max stays 0.40 -> 32; one extra purpose sentence
        assert long_easy["load_target_tss"] == {"min": 16, "max": 32}
        assert long_easy["purpose"].startswith(day_protocol(d, "medium", 80.0)["purpose"])
        assert len(long_easy["purpose"]) > len(day_protocol(d, "medium", 80.0)["purpose"])
    assert day_protocol(5, "long_endurance", 80.0) == day_protocol(5, "medium", 80.0)


def test_day_protocol_beyond_race_week():
    p = day_protocol(9, "medium", 80.0)
    assert p["label"] == "Pre-race-week" and p["load_target_tss"] is None


@pytest.mark.parametrize(
    "moving,category,applicable",
    [
        (5400, "RACE_B", True),
        (5399, "RACE_A", False),
        (None, "RACE_A", True),
        (None, "RACE_B", False),
    ],
)
def test_carb_loading_applicability(moving, category, applicable):
    week = cal([ev(4, category, moving_time=moving)])["race_week"]
    carb = week["carb_loading"]
    assert carb["applicable"] is applicable
    assert carb["active"] is applicable  # D=4 <= 4
    assert (carb["note"] is not None) is applicable
    assert carb["start_date"] == day(0)


def test_go_no_go_notes():
    target = {"min": 10, "max": 25}
    assert go_no_go(10.0, target)["tsb_status"] == "green"
    assert go_no_go(30.0, target)["tsb_status"] == "green"
    near = go_no_go(9.9, target)
    far = go_no_go(-0.1, target)  # < 10 - 10
    assert near["tsb_status"] == far["tsb_status"] == "flag"
    assert "significantly" not in near["notes"][0] and "significantly" in far["notes"][0]
    assert go_no_go(0.0, target)["notes"][0] != far["notes"][0]  # exactly min-10 is not "far"
    assert go_no_go(None, target)["tsb_status"] == "unknown"


# ----------------------------------------------------------------- docs/metrics.md#race-calendar alerts


def test_race_alerts_taper():
    c = cal([ev(10, "RACE_A", name="A")])
    assert race_alerts(c) == [
        {
            "metric": "race_taper",
            "value": 10,
            "severity": "info",
            "threshold": "RACE_A within 8-14 days",
            "context": c["taper_alert"]["message"],
            "persistence_days": None,
            "tier": 1,
        }
    ]


def test_race_alerts_week_and_tsb_warning():
    c = cal([ev(3, "RACE_B", name="Crit", moving_time=7200)], ctl=50.0, atl=80.0)
    # projection 50*e^(-3/42) - 80*e^(-3/7) = 46.5531 - 52.1151 = -5.562 -> -5.6
    # RACE_B medium target {5, 15}: -5.6 < 5 -> warning
    week_alert, tsb_alert = race_alerts(c)
    assert week_alert["metric"] == "race_week" and week_alert["severity"] == "info"
    assert week_alert["value"] == 3 and week_alert["threshold"] == "RACE_B within 7 days"
    # D-3 protocol: 0..0.40*50 = 20 TSS
    assert "D-3" in week_alert["context"] and "Easy / rest" in week_alert["context"]
    assert "0-20 TSS" in week_alert["context"]
    assert tsb_alert == {
        "metric": "race_week_tsb",
        "value": -5.6,
        "severity": "warning",
        "threshold": "TSB target 5-15",
        "context": tsb_alert["context"],
        "persistence_days": None,
        "tier": 1,
    }
    assert c["race_week"]["go_no_go"]["tsb_status"] == "flag"
    assert "significantly" in c["race_week"]["go_no_go"]["notes"][0]  # -5.6 < 5-10


def test_race_alert_order_taper_then_week():
    c = cal([ev(2, "RACE_B"), ev(9, "RACE_A")], ctl=50.0, atl=40.0)
    assert [a["metric"] for a in race_alerts(c)] == ["race_taper", "race_week"]


@pytest.mark.parametrize("calendar", [None, {}, {"taper_alert": None, "race_week": None}])
def test_race_alerts_tolerates_empty(calendar):
    assert race_alerts(calendar) == []


# ----------------------------------------------------------------- properties


numbers = st.one_of(
    st.none(), st.integers(-(10**6), 10**18), st.floats(allow_nan=True), st.just(0), st.just(-1)
)
stamps = st.one_of(
    st.none(),
    st.just("garbage"),
    st.just(""),
    st.integers(-3, 20).map(lambda n: day(n) + "T07:15:00"),
    st.integers(-3, 20).map(lambda n: day(n) + "T00:00:00"),
    st.integers(-3, 20).map(day),
)
raw_events = st.fixed_dictionaries(
    {
        "id": st.one_of(st.none(), st.integers(0, 10**6), st.text(max_size=4)),
        "category": st.sampled_from([None, "RACE_A", "RACE_B", "RACE_C", "WORKOUT", "SICK", 3]),
        "start_date_local": stamps,
        "name": st.one_of(st.none(), st.text(max_size=5)),
        "type": st.one_of(st.none(), st.just("Ride"), st.just("Run")),
        "moving_time": numbers,
        "distance": numbers,
        "indoor": st.one_of(st.none(), st.booleans(), st.just("yes")),
    }
)
raw_activities = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**6),
        "type": st.just("Ride"),
        "start_date_local": stamps,
        "icu_training_load": numbers,
    }
)
fitness = st.one_of(
    st.none(), st.floats(allow_nan=False, allow_infinity=False), st.just(0.0), st.floats(-200, 300)
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(raw_events, max_size=8),
    st.lists(raw_activities, max_size=8),
    fitness,
    fitness,
    st.sampled_from([None, METRIC, IMPERIAL]),
)
def test_property_no_crash_no_nan(events, activities, ctl, atl, units):
    c = race_calendar(
        [Event.from_raw(e) for e in events],
        [Activity.from_raw(a) for a in activities],
        TODAY,
        ctl,
        atl,
        units,
        {"1", "2"},
    )
    alerts = race_alerts(c)
    json.dumps([c, alerts], allow_nan=False)
    for value in walk([c, alerts]):
        if isinstance(value, float):
            assert math.isfinite(value)
    days = [r["days_until"] for r in c["all_races"]]
    assert days == sorted(days) and all(d >= 0 for d in days)
    assert c["next_race"] == (c["all_races"][0] if c["all_races"] else None)
    week = c["race_week"]
    if week["active"]:
        assert week["days_until_event"] <= 7
        assert week["event_category"] in ("RACE_A", "RACE_B")
        assert week["go_no_go"]["tsb_status"] in ("green", "flag", "unknown")
