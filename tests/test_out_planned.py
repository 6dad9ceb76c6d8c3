"""planned_workouts[] entries and workout_summary_stats (docs/metrics.md#planned-workouts).

The summary text itself is tested in test_workout_text.py.
"""

from datetime import date, timedelta

import pytest

from section11.event_model import Event
from section11.outputs.planned import planned_entry, planned_workouts

TODAY = date(2025, 3, 10)


def s(dur, watts):
    return {"duration": dur, "power": {"value": watts, "units": "w"}}


def rep(n, *steps):
    return {"reps": n, "steps": list(steps)}


# ---------------------------------------------------------------- entries


def event(day_offset=0, **raw):
    base = {
        "id": 100 + day_offset,
        "category": "WORKOUT",
        "type": "Ride",
        "name": "W",
        "start_date_local": (TODAY + timedelta(days=day_offset)).isoformat() + "T00:00:00",
    }
    base.update(raw)
    return Event.from_raw(base)


ENTRY_KEYS = [
    "id",
    "date",
    "name",
    "type",
    "sport_type",
    "planned_tss",
    "duration_hours",
    "duration_formatted",
    "workout_summary",
    "has_terrain",
]


def test_entry_near_day_has_description():
    e = event(
        0,
        icu_training_load=75,
        moving_time=5400,
        indoor=True,
        start_date_local="2025-03-10T17:30:00",
        description="NOTE: fuel well\n\nNOTE: easy spin first\nWarm up 10m\nMain set",
    )
    out = planned_entry(e, TODAY, None, {"100"})
    assert list(out) == ENTRY_KEYS + ["coach_notes", "start_time", "indoor", "description"]
    assert out["id"] == "100" and out["date"] == "2025-03-10" and out["type"] == "WORKOUT"
    assert out["sport_type"] == "Ride" and out["planned_tss"] == 75
    assert out["duration_hours"] == 1.5 and out["duration_formatted"] == "1h30m"
    assert out["has_terrain"] is True
    assert out["coach_notes"] == ["fuel well", "easy spin first"]
    assert out["start_time"] == "17:30" and out["indoor"] is True
    assert out["description"] == "Warm up 10m\nMain set"


@pytest.mark.parametrize(
    "offset, summary, key, value",
    [
        (7, None, "description", "a\n\n b\nc\nd"),
        (7, "3×1m", "description", "a\n\n b\nc\nd"),
        (8, None, "description_preview", "a\nb\nc"),
        (42, None, "description_preview", "a\nb\nc"),
    ],
)
def test_description_vs_preview(offset, summary, key, value):
    out = planned_entry(event(offset, description="a\n\n b\nc\nd"), TODAY, summary)
    assert out[key] == value
    assert ("description" in out) == (key == "description")


def test_far_day_with_summary_has_no_description_and_empty_preview_is_null():
    out = planned_entry(event(8, description="x"), TODAY, "3×1m @300W / 1m rec")
    assert "description" not in out and "description_preview" not in out
    out = planned_entry(event(9, description="NOTE: only notes"), TODAY, None)
    assert out["description_preview"] is None and out["coach_notes"] == ["only notes"]
    out = planned_entry(event(1), TODAY, None)
    assert out["description"] == "" and out["duration_hours"] is None
    assert out["has_terrain"] is False and "start_time" not in out and "indoor" not in out


def test_planned_workouts_stats_count_each_attempt_once():
    events = [
        event(0, workout_doc={"steps": [rep(3, s(720, 234), s(240, 143))]}),  # repeats
        event(1, workout_doc={"steps": [s(3600, 200)]}),  # one flat step
        event(
            2, type="WeightTraining", workout_doc={"steps": [{"text": "Squats", "duration": 600}]}
        ),
        event(3, workout_doc={"steps": [{"text": "no amount"}, {"reps": 2, "steps": []}]}),
        event(4, description="Easy 1h"),  # no doc
        event(5, category="NOTE", description="Travel"),  # not training
        event(6, category="RACE_A", description="   "),  # blank
        event(7, workout_doc={"steps": []}, description="Long ride"),  # no steps
        event(8, category="NOTE", workout_doc={"steps": [s(60, 100)]}),  # steps count anywhere
    ]
    entries, stats = planned_workouts(events, TODAY)
    assert [e["workout_summary"] for e in entries] == [
        "48 min: 3 × 12 min @ 234W (r 4 min @ 143W)",
        "60 min: 60 min @ 200W",
        '10 min: 10 min "Squats"',
        None,
        None,
        None,
        None,
        None,
        "1 min: 1 min @ 100W",
    ]
    assert stats == {
        "attempted": 7,
        "success": 4,
        "bail_no_workout_doc": 2,
        "bail_unreadable": 1,
    }
    assert stats["attempted"] == sum(v for k, v in stats.items() if k != "attempted")
