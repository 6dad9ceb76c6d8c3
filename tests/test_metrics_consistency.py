"""Consistency index (docs/metrics.md#consistency) and planned_workouts_7d."""

import math
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from section11.event_model import Event
from section11.metrics.consistency import (
    NO_PLANNED_NOTE,
    consistency_block,
    planned_workouts_count,
)
from section11.model import Activity

TODAY = date(2025, 3, 10)


def day(n):
    return TODAY - timedelta(days=n)


def event(days_ago, category="WORKOUT"):
    d = day(days_ago)
    return Event.from_raw(
        {
            "id": f"e{days_ago}{category}",
            "category": category,
            "start_date_local": f"{d.isoformat()}T00:00:00",
        }
    )


def act(days_ago, atype="Ride"):
    d = day(days_ago)
    return Activity.from_raw(
        {
            "id": f"a{days_ago}{atype}",
            "type": atype,
            "start_date_local": f"{d.isoformat()}T07:00:00",
        }
    )


def test_basic_adherence_any_sport_completes_a_day():
    # planned: days 6, 4, 2, 1 (4 days); completed: 6 (Run), 4 (Swim), 3 (Ride)
    # matched = {6, 4} -> 2/4 = 0.5
    events = [event(6), event(4), event(2), event(1)]
    acts = [act(6, "Run"), act(4, "Swim"), act(3), act(3, "Run")]
    out = consistency_block(events, acts, TODAY)
    assert out["consistency_index"] == 0.5
    assert out["consistency_details"] == {
        "planned_days": 4,
        "completed_days": 3,
        "matched_days": 2,
        "planned_dates": [
            day(6).isoformat(),
            day(4).isoformat(),
            day(2).isoformat(),
            day(1).isoformat(),
        ],
        "completed_dates": [day(6).isoformat(), day(4).isoformat(), day(3).isoformat()],
    }


def test_two_workouts_same_day_are_one_planned_day():
    # planned dates {5}; completed {5} -> 1/1 = 1.0
    out = consistency_block([event(5), event(5)], [act(5)], TODAY)
    assert out["consistency_index"] == 1.0
    assert out["consistency_details"]["planned_days"] == 1


def test_races_and_notes_are_not_planned_days():
    events = [event(3, "RACE_A"), event(2, "NOTE"), event(1, "RACE_C")]
    out = consistency_block(events, [act(3)], TODAY)
    assert out["consistency_index"] is None
    assert out["consistency_details"] == {
        "planned_days": 0,
        "completed_days": 1,
        "matched_days": 0,
        "note": NO_PLANNED_NOTE,
    }


def test_today_pending_workout_is_not_missed():
    # quirk 17 fix: planned {2, today}; today not done yet -> planned {2}; matched {2} -> 1.0
    out = consistency_block([event(2), event(0)], [act(2)], TODAY)
    assert out["consistency_index"] == 1.0
    assert out["consistency_details"]["planned_dates"] == [day(2).isoformat()]


def test_today_done_counts_as_matched():
    # planned {3, today}; completed {today} -> matched {today}: 1/2 = 0.5
    out = consistency_block([event(3), event(0)], [act(0)], TODAY)
    assert out["consistency_index"] == 0.5
    assert out["consistency_details"]["planned_dates"] == [day(3).isoformat(), TODAY.isoformat()]


def test_only_today_planned_and_pending_gives_null_index():
    out = consistency_block([event(0)], [act(1)], TODAY)
    assert out["consistency_index"] is None
    assert out["consistency_details"]["planned_days"] == 0
    assert out["consistency_details"]["completed_days"] == 1


def test_nothing_at_all():
    out = consistency_block([], [], TODAY)
    assert out["consistency_index"] is None
    assert out["consistency_details"]["completed_days"] == 0


def test_rounding_half_even():
    # 1 of 3 matched: 0.3333 -> 0.33; 2 of 3: 0.6667 -> 0.67
    events = [event(1), event(2), event(3)]
    assert consistency_block(events, [act(1)], TODAY)["consistency_index"] == 0.33
    assert consistency_block(events, [act(1), act(2)], TODAY)["consistency_index"] == 0.67


def test_undated_records_are_ignored():
    undated_event = Event.from_raw({"id": "x", "category": "WORKOUT"})
    undated_act = Activity.from_raw({"id": "y", "type": "Ride"})
    out = consistency_block([undated_event, event(1)], [undated_act], TODAY)
    assert out["consistency_index"] == 0.0
    assert out["consistency_details"]["completed_days"] == 0


def test_planned_workouts_count_uses_training_categories():
    events = [
        event(1),
        event(2, "RACE_A"),
        event(3, "RACE_B"),
        event(3, "RACE_C"),
        event(4, "NOTE"),
        event(5, "SICK"),
        Event.from_raw({"id": "n"}),
    ]
    assert planned_workouts_count(events) == 4
    assert planned_workouts_count([]) == 0


# ----------------------------------------------------------------- property

_days = st.integers(min_value=-3, max_value=10)
_cats = st.sampled_from(["WORKOUT", "RACE_A", "NOTE", None, 5, ""])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_days, _cats), max_size=12), st.lists(_days, max_size=12))
def test_property_index_is_a_finite_ratio(planned, done):
    events = [
        Event.from_raw(
            {"id": str(i), "category": c, "start_date_local": f"{day(n).isoformat()}T00:00:00"}
        )
        for i, (n, c) in enumerate(planned)
    ]
    acts = [act(n) for n in done]
    out = consistency_block(events, acts, TODAY)
    idx = out["consistency_index"]
    details = out["consistency_details"]
    assert idx is None or (math.isfinite(idx) and 0.0 <= idx <= 1.0)
    assert details["matched_days"] <= details["planned_days"]
    if idx is not None:
        assert (
            TODAY.isoformat() not in details["planned_dates"]
            or TODAY.isoformat() in details["completed_dates"]
        )
