"""latest.json assembly: key order, metadata, privacy, anonymization (docs/metrics.md#output-layout, docs/architecture.md#writing-files, README.md#privacy)."""

import json
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from section11.context import SyncInputs
from section11.event_model import Event
from section11.metrics.fitness import SOURCE_DECAYED
from section11.model import Activity, Athlete
from section11.outputs.ai_text import DEFAULT_ZONE_PREFERENCE
from section11.outputs.anonymize import anonymize_latest
from section11.outputs.latest import assemble_latest
from section11.wellness_model import Wellness

TODAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 7, 45, tzinfo=ZoneInfo("Europe/Madrid"))

SECRET_KEY = "s3cr3t-api-key-value"
SECRET_MAIL = "athlete@example.com"

ATHLETE_RAW = {
    "id": "i12345",
    "name": "Private Person",
    "email": SECRET_MAIL,
    "icu_api_key": SECRET_KEY,
    "strava_authorized": True,
    "icu_date_of_birth": "1985-03-11",
    "height": 1.75,
    "timezone": "Europe/Madrid",
    "city": "Girona",
    "country": "Spain",
    "sex": "M",
    "icu_activated": "2020-01-15T00:00:00Z",
    "icu_notes": "Knee surgery 2019",
    "icu_weight": 72.0,
    "icu_resting_hr": 49,
    "sportSettings": [{"types": ["Ride", "VirtualRide"], "ftp": 260, "lthr": 165}],
}

ACTIVITIES = [
    {
        "id": "a1",
        "start_date_local": "2025-03-09T09:00:00",
        "type": "Ride",
        "name": "Loop past my house on Elm Street",
        "moving_time": 7200,
        "distance": 60000,
        "icu_training_load": 110,
        "has_weather": False,
    },
    {
        "id": "a2",
        "start_date_local": "2025-03-08T18:00:00",
        "type": "VirtualRide",
        "name": "Zwift - Watopia",
        "moving_time": 3600,
        "icu_training_load": 65,
    },
    {
        "id": "a3",
        "start_date_local": "2025-02-18T10:00:00",
        "type": "Run",
        "name": "Old run by the river",
        "moving_time": 1800,
        "icu_training_load": 30,
    },
]

WELLNESS = [
    {"id": "2025-03-09", "ctl": 50.0, "atl": 60.0, "rampRate": 4.0, "hrv": 60, "restingHR": 48},
    {
        "id": "2025-03-10",
        "ctl": 55.123,
        "atl": 61.456,
        "rampRate": 3.3,
        "hrv": 255,
        "restingHR": 50,
        "sleepSecs": 27000,
        "vo2max": 55,
        "sportInfo": [{"type": "Ride", "eftp": 255.0, "wPrime": 20000, "pMax": 900}],
    },
]

EVENTS = [
    {
        "id": 901,
        "start_date_local": "2025-03-10T00:00:00",
        "category": "WORKOUT",
        "type": "Ride",
        "name": "Sweet spot",
        "icu_training_load": 80,
        "moving_time": 3600,
        "workout_doc": {
            "steps": [
                {
                    "reps": 3,
                    "steps": [
                        {"duration": 720, "_power": {"value": 234}},
                        {"duration": 240, "_power": {"value": 143}},
                    ],
                }
            ]
        },
    },
    {
        "id": 902,
        "start_date_local": "2025-03-25T00:00:00",
        "category": "NOTE",
        "name": "Trip",
        "description": "Travel day\nno bike",
    },
]

CORE_ORDER = [
    "READ_THIS_FIRST",
    "metadata",
    "athlete_profile",
    "athlete_notes",
    "summary",
    "current_status",
    "recent_activities",
    "wellness_data",
    "planned_workouts",
    "workout_summary_stats",
    "weekly_summary",
]
FULL_ORDER = [
    "READ_THIS_FIRST",
    "metadata",
    "athlete_profile",
    "athlete_notes",
    "alerts",
    "readiness_decision",
    "health_context",
    "history",
    "summary",
    "current_status",
    "derived_metrics",
    "recent_activities",
    "wellness_data",
    "planned_workouts",
    "workout_summary_stats",
    "weekly_summary",
    "race_calendar",
]


def make_ctx(**changes):
    ctx = SyncInputs(
        today=TODAY,
        now=NOW,
        days=7,
        athlete=Athlete.from_raw(ATHLETE_RAW),
        activities=tuple(Activity.from_raw(a, i) for i, a in enumerate(ACTIVITIES)),
        wellness=tuple(Wellness.from_raw(w) for w in WELLNESS),
        events=tuple(Event.from_raw(e) for e in EVENTS),
        hidden_activities=2,
        version="1.0.0",
        intervals_entries={"a2": {"intervals": [{"type": "WORK"}]}},
        chat_notes={"a1": ("Nice one",)},
    )
    return replace(ctx, **changes)


def test_core_keys_in_order_and_sections_not_passed_left_out():
    doc = assemble_latest(make_ctx(), dfa_summary=None)
    assert list(doc) == CORE_ORDER
    assert list(doc["current_status"]) == ["fitness", "thresholds", "current_metrics"]
    json.dumps(doc)  # serializable as is


def test_all_sections_in_reference_order():
    sections = {
        "alerts": [],
        "readiness_decision": {"recommendation": "go"},
        "health_context": {"source_status": "ok"},
        "history": {"available": False},
        "race_calendar": {"next_race": None},
        "weight": {"trend": "stable"},
    }
    doc = assemble_latest(make_ctx(), derived={"acwr": 1.1}, sections=sections, dfa_summary=None)
    assert list(doc) == FULL_ORDER
    assert list(doc["current_status"]) == ["fitness", "thresholds", "current_metrics", "weight"]
    assert "sections_pending" not in doc["metadata"]
    assert doc["derived_metrics"] == {"acwr": 1.1} and doc["alerts"] == []


def test_weight_none_is_omitted_and_unknown_sections_rejected():
    doc = assemble_latest(make_ctx(), sections={"weight": None}, dfa_summary=None)
    assert "weight" not in doc["current_status"]
    with pytest.raises(ValueError):
        assemble_latest(make_ctx(), sections={"alert": []}, dfa_summary=None)


def test_metadata():
    meta = assemble_latest(make_ctx(), dfa_summary=None)["metadata"]
    assert meta["athlete_id"] == "i12345"
    assert meta["last_updated"] == "2025-03-10T07:45:00+01:00"
    assert meta["data_range_days"] == 7 and meta["extended_range_days"] == 28
    assert meta["version"] == "1.0.0" and meta["timezone"] == "Europe/Madrid"
    assert meta["hidden_activities"] == 2 and "2 Strava" in meta["hidden_activities_note"]
    meta = assemble_latest(make_ctx(hidden_activities=0), dfa_summary=None)["metadata"]
    assert meta["hidden_activities"] == 0 and "hidden_activities_note" not in meta


def test_no_secrets_from_raw_athlete():
    doc = assemble_latest(make_ctx(), dfa_summary=None)
    for shown in (anonymize_latest(doc), doc):
        text = json.dumps(shown)
        assert SECRET_KEY not in text
        assert SECRET_MAIL not in text
        assert "icu_api_key" not in text and "Private Person" not in text


def test_anonymize_on():
    doc = anonymize_latest(assemble_latest(make_ctx(), dfa_summary=None))
    assert doc["metadata"]["athlete_id"] == "REDACTED"
    names = {a["id"]: a["name"] for a in doc["recent_activities"]}
    assert names == {"a1": "Outdoor Ride", "a2": "Zwift - Watopia", "a3": "Outdoor Run"}
    assert "Elm Street" not in json.dumps(doc) and "i12345" not in json.dumps(doc)


def test_anonymize_off():
    doc = assemble_latest(make_ctx(), dfa_summary=None)  # redaction is the output edge's job
    assert doc["metadata"]["athlete_id"] == "i12345"
    assert doc["recent_activities"][0]["name"] == "Loop past my house on Elm Street"


def test_sections_content():
    doc = assemble_latest(make_ctx(), dfa_summary=None)
    # recent_activities spans 28 days; summary only the 7-day display window
    assert [a["id"] for a in doc["recent_activities"]] == ["a1", "a2", "a3"]
    assert doc["summary"]["total_activities"] == 2
    assert doc["READ_THIS_FIRST"]["quick_stats"] == {
        "total_training_hours": 3.0,
        "total_training_formatted": "3h",
        "total_activities": 2,
        "total_tss": 175.0,
    }
    assert doc["READ_THIS_FIRST"]["data_period"] == "Last 7 days (including today)"
    assert doc["READ_THIS_FIRST"]["zone_preference"] == DEFAULT_ZONE_PREFERENCE
    # planned workout today, nothing done today -> decayed from yesterday (48.82/52.01)
    fitness = doc["current_status"]["fitness"]
    assert fitness["fitness_source"] == SOURCE_DECAYED
    assert (fitness["ctl"], fitness["atl"], fitness["tsb"]) == (48.82, 52.01, -3.19)
    thresholds = doc["current_status"]["thresholds"]
    assert thresholds["eftp"] == 255.0 and thresholds["w_prime_kj"] == 20.0
    assert thresholds["vo2max"] == 55 and thresholds["sports"]["cycling"]["ftp"] == 260
    assert doc["current_status"]["current_metrics"]["hrv"] == 255
    assert doc["current_status"]["current_metrics"]["sleep_formatted"] == "7h30m"
    assert doc["athlete_profile"]["age"] == 39  # birthday is tomorrow
    assert doc["athlete_notes"] == "Knee surgery 2019"
    assert [w["date"] for w in doc["wellness_data"]] == ["2025-03-09", "2025-03-10"]
    # weekly_summary ignores HRV 255: only 60 is valid
    assert doc["weekly_summary"]["avg_hrv"] == 60.0
    assert doc["weekly_summary"]["avg_resting_hr"] == 49.0
    planned = doc["planned_workouts"]
    assert [p["id"] for p in planned] == ["901", "902"]
    assert planned[0]["workout_summary"] == "48 min: 3 × 12 min @ 234W (r 4 min @ 143W)"
    assert planned[1]["description_preview"] == "Travel day\nno bike"
    assert doc["workout_summary_stats"] == {
        "attempted": 1,
        "success": 1,
        "bail_no_workout_doc": 0,
        "bail_unreadable": 0,
    }
    a1, a2 = doc["recent_activities"][:2]
    assert a1["chat_notes"] == ["Nice one"] and a1["weather_status"] == "unavailable"
    assert a2["has_intervals"] is True


def test_routes_terrain_and_dfa_hooks():
    ctx = make_ctx(intervals_entries={"a2": {"dfa": {"quality": {"sufficient": True}}}})
    doc = assemble_latest(
        ctx,
        routes_with_terrain={"901"},
        activity_terrain={"a1": {"terrain_status": "no_gps"}},
        dfa_summary=lambda block: {"avg": 0.9},
    )
    assert doc["planned_workouts"][0]["has_terrain"] is True
    assert doc["recent_activities"][0]["terrain_status"] == "no_gps"
    assert doc["recent_activities"][1]["dfa_summary"] == {"avg": 0.9}


def test_long_display_window_extends_recent_activities():
    old = Activity.from_raw({"id": "old", "start_date_local": "2025-02-05T10:00:00", "type": "Run"})
    ctx = make_ctx(days=35)
    ctx = replace(ctx, activities=ctx.activities + (old,))
    doc = assemble_latest(ctx, dfa_summary=None)
    assert "old" in [a["id"] for a in doc["recent_activities"]]  # 33 days ago, N = 35
    assert doc["summary"]["total_activities"] == 4
    doc = assemble_latest(replace(ctx, days=7), dfa_summary=None)
    assert "old" not in [a["id"] for a in doc["recent_activities"]]


def test_empty_context():
    ctx = SyncInputs(
        today=TODAY,
        now=NOW,
        days=7,
        athlete=Athlete.from_raw({}),
        activities=(),
        wellness=(),
        events=(),
    )
    doc = assemble_latest(ctx, dfa_summary=None)
    assert list(doc) == CORE_ORDER
    assert doc["metadata"]["athlete_id"] is None
    assert doc["metadata"]["timezone"] == "Europe/Madrid"  # from the aware 'now'
    assert doc["recent_activities"] == [] and doc["planned_workouts"] == []
    assert doc["current_status"]["fitness"]["ctl"] is None
    json.dumps(doc)


def test_default_dfa_hook_uses_the_dfa_module():
    ctx = make_ctx(
        intervals_entries={
            "a1": {"dfa": {"quality": {"sufficient": True}}},
            "a2": {"dfa": {"quality": {"sufficient": False}}},
        }
    )
    doc = assemble_latest(ctx)
    a1, a2 = doc["recent_activities"][:2]
    assert "dfa_summary" in a1 and a1["dfa_summary"]["sufficient"] is True
    assert "dfa_summary" not in a2 and a2["has_dfa"] is True
    json.dumps(doc)


def test_read_this_first_block():
    rtf = assemble_latest(make_ctx(zone_preference={"run": "hr"}), dfa_summary=None)[
        "READ_THIS_FIRST"
    ]
    assert list(rtf) == [
        "instruction_for_ai",
        "display_formatting",
        "data_period",
        "extended_data_note",
        "capability_metrics_note",
        "readiness_decision_note",
        "health_context_note",
        "zone_preference",
        "wellness_field_scales",
        "quick_stats",
    ]
    assert rtf["zone_preference"] == {"run": "hr"}
    scales = rtf["wellness_field_scales"]
    assert list(scales) == [
        "note",
        "sleep_quality",
        "fatigue",
        "soreness",
        "stress",
        "mood",
        "motivation",
        "injury",
        "hydration",
        "menstrual",
    ]
    assert scales["sleep_quality"] == {"1": "GREAT", "2": "OK", "3": "POOR", "4": "WORST"}
    assert scales["motivation"]["1"] == "EXTREME" and scales["injury"]["4"] == "INJURED"
    assert "ui_note" in scales["fatigue"] and "ui_note" in scales["soreness"]
    assert "28 days" in rtf["extended_data_note"]


@pytest.mark.parametrize(
    "activity_type, label",
    [
        ("Ride", "Outdoor Ride"),
        ("MountainBikeRide", "Outdoor Mountain Bike Ride"),
        ("EBikeRide", "Outdoor E-Bike Ride"),
        ("TrailRun", "Outdoor Trail Run"),
        ("NordicSki", "Outdoor Nordic Ski"),
        (None, "Outdoor Activity"),
    ],
)
def test_neutral_activity_names(activity_type, label):
    from section11.outputs.anonymize import neutral_activity_name

    assert neutral_activity_name(activity_type) == label


def test_anonymize_rules_do_not_mutate_input():
    doc = {
        "metadata": {"athlete_id": "i1"},
        "recent_activities": [
            {"type": "Walk", "name": "Home street"},
            {"type": "Yoga", "name": "Studio"},
        ],
    }
    out = anonymize_latest(doc)
    assert out["metadata"]["athlete_id"] == "REDACTED"
    assert [a["name"] for a in out["recent_activities"]] == ["Outdoor Walk", "Studio"]
    assert doc["metadata"]["athlete_id"] == "i1"
    assert doc["recent_activities"][0]["name"] == "Home street"
