"""planned_workouts[] and the workout_doc renderer (spec/metrics.md §27)."""

from datetime import date, timedelta

import pytest

from section11.model import Event
from section11.outputs.planned import (
    merge_parts,
    nested_alternating,
    pattern_a,
    pattern_b,
    planned_entry,
    planned_workouts,
    render_workout,
    step_power,
    terrain_event_ids,
)

TODAY = date(2025, 3, 10)


def s(dur=None, watts=None, *, hr=None, rel=None, rel_units="%ftp", hr_rel=None):
    """A workout step: resolved watts/bpm, or a relative target only."""
    step = {}
    if dur is not None:
        step["duration"] = dur
    if watts is not None:
        step["_power"] = {"value": watts}
        step["power"] = {"value": 99.0, "units": "%ftp"}
    if rel is not None:
        step["power"] = {"value": rel, "units": rel_units}
    if hr is not None:
        step["_hr"] = {"value": hr}
    if hr_rel is not None:
        step["hr"] = {"value": hr_rel, "units": "%lthr"}
    return step


def rep(n, *steps):
    return {"reps": n, "steps": list(steps)}


def pairs(n, work=(30, 400), rest=(15, 150)):
    out = []
    for _ in range(n):
        out += [s(*work), s(*rest)]
    return out


# ---------------------------------------------------------------- targets


def test_step_power_sources():
    assert step_power(s(60, 234.0)).label == "234W"
    assert step_power(s(60, 162.5)).label == "162W"  # round half-to-even
    assert step_power(s(60, rel=90.0)).label == "90% FTP"  # deviation: not "90W"
    assert step_power(s(60, rel=87.5)).label == "87.5% FTP"
    assert step_power(s(60, rel=250, rel_units="w")).label == "250W"
    assert step_power({"duration": 60, "power": {"value": 250}}).label == "250W"
    assert step_power(s(60, rel=3, rel_units="power_zone")).label == "Z3"
    # a ramp without a single value and a null/zero target have no power
    assert step_power({"power": {"start": 50, "end": 75, "units": "%ftp"}}) is None
    assert step_power({"_power": None, "power": None}) is None
    assert step_power({"_power": {"value": 0}}) is None


def test_merge_parts():
    assert merge_parts(["a", "a", "b", "a"]) == "2 × a | b | a"
    assert merge_parts([]) == ""


# ---------------------------------------------------------------- pattern A


def test_pattern_a_api_example():
    steps = [
        {
            "duration": 600,
            "ramp": True,
            "power": {"start": 50, "end": 75, "units": "%ftp"},
            "_power": {"value": 162.5, "start": 130.0, "end": 195.0},
        },
        rep(3, s(720, 234.0), s(240, 143.0)),
        s(480, 130.0),
    ]
    assert render_workout(steps) == ("10m @162W | 3×12m @234W / 4m rec | 8m @130W", "A")


@pytest.mark.parametrize(
    "block, expected",
    [
        (rep(5, s(300, 300), {}), "5×5m @300W"),  # rest without duration
        (rep(4, s(600, hr=160), s(120, hr=120)), "4×10m @160bpm / 2m rec"),
        (rep(3, s(60), s(30)), "3×1m / 30s rec"),  # no targets
        (rep(4, s(600, rel=90.0), s(300, rel=55.0)), "4×10m @90% FTP / 5m rec"),
        (rep(2, s(600, hr_rel=95), s(60)), "2×10m @95% LTHR / 1m rec"),
    ],
)
def test_pattern_a_two_step_repeats(block, expected):
    assert pattern_a([block]) == expected


def test_pattern_a_merges_identical_blocks_and_drops_failed_ones():
    block = rep(3, s(720, 234), s(240, 143))
    odd = rep(2, s(60, 300), s(60, 100), s(60, 250))  # 3 nested steps, not alternating
    assert pattern_a([s(600, 150), block, block, odd, s(300, 120)]) == (
        "10m @150W | 2 × 3×12m @234W / 4m rec | 5m @120W"
    )


@pytest.mark.parametrize(
    "steps",
    [
        [s(600, 150), s(1200, 220), s(300, 120)],  # flat only: no summary
        [rep(3, s(60, 300))],  # one nested step
        [rep(3)],  # empty repeat
        [rep(0, s(60, 300), s(60, 100))],  # zero reps
        [rep(3, {"text": "no duration"}, s(60, 100))],  # work without duration
        [s(600, 150), s(None, 200)],
    ],
)
def test_pattern_a_bails(steps):
    assert pattern_a(steps) is None


def test_plain_flat_workout_has_no_summary():
    assert render_workout([s(3600, 200)]) == (None, None)
    assert render_workout([]) == (None, None)


# ---------------------------------------------------------------- nested alternating


def test_nested_alternating_single_set():
    assert nested_alternating(1, pairs(4)) == "4×30s @400W / 15s rec"
    assert pattern_a([rep(1, *pairs(4))]) == "4×30s @400W / 15s rec"


def test_nested_alternating_sets_with_set_recovery():
    steps = [s(180, 100)] + pairs(4)
    assert nested_alternating(3, steps) == "3 sets × 4×30s @400W / 15s rec (3m set rec)"
    assert render_workout([s(600, 150), rep(3, *steps)]) == (
        "10m @150W | 3 sets × 4×30s @400W / 15s rec (3m set rec)",
        "A",
    )


def test_nested_alternating_trailing_rep_and_last_rest():
    assert nested_alternating(2, pairs(3) + [s(30, 401)]) == "2 sets × 4×30s @400W / 15s rec"
    # the last pair's rest may differ (e.g. longer before the next set)
    assert nested_alternating(1, pairs(2) + [s(30, 400), s(60, 150)]) == "3×30s @400W / 15s rec"
    # tolerance: powers within ±2 W of the first pair
    steps = [s(30, 400), s(15, 150), s(30, 402), s(15, 148), s(30, 398), s(15, 152)]
    assert nested_alternating(1, steps) == "3×30s @400W / 15s rec"


@pytest.mark.parametrize(
    "steps",
    [
        pairs(3) + [s(30, 300)],  # leftover is not a rep
        pairs(3) + [s(20, 400)],  # leftover duration differs
        [s(180, 100)] + pairs(2),  # 4 left after set rec
        pairs(2) + [s(30, 400)],  # only 5 steps
        pairs(3, work=(30, 200), rest=(15, 195)),  # gap 5 < 10
        pairs(3, work=(30, 300), rest=(15, 286)),  # gap 14 < 5 % of 300 = 15
        pairs(2) + [s(40, 400), s(15, 150)],  # work durations differ
        pairs(2) + [s(30, 403), s(15, 150)],  # work power off by 3
        pairs(2) + [s(30, 400), s(15, 153)],  # rest power off by 3
        [s(30, 400), s(20, 150)] + pairs(2),  # a middle rest differs
        pairs(2) + [s(30), s(15, 150)],  # missing power
    ],
)
def test_nested_alternating_bails(steps):
    assert nested_alternating(1, steps) is None


def test_nested_alternating_gap_boundaries():
    # gap exactly max(10, 5 %) passes: 200-190 = 10; 300-285 = 15
    assert (
        nested_alternating(1, pairs(3, work=(30, 200), rest=(15, 190))) == "3×30s @200W / 15s rec"
    )
    assert (
        nested_alternating(1, pairs(3, work=(30, 300), rest=(15, 285))) == "3×30s @300W / 15s rec"
    )


# ---------------------------------------------------------------- pattern B

WARM = s(600, 150)
COOL = s(300, 120)
W = (60, 300)
R = (60, 150)


def test_pattern_b_flat_alternating():
    steps = [WARM] + pairs(4, W, R) + [COOL]
    assert render_workout(steps) == ("10m @150W | 4×1m @300W / 1m rec | 5m @120W", "B")


def test_pattern_b_tolerances():
    steps = [s(60, 300), s(60, 150), s(61, 302), s(62, 148), s(59, 298), s(58, 152)]
    assert pattern_b(steps) == "3×1m @300W / 1m rec"


def test_pattern_b_trailing_lone_rep_keeps_cooldown():
    # deviation (quirk 14 fixed): the cool-down after the lone 4th rep stays in the summary
    steps = [WARM] + pairs(3, W, R) + [s(*W), COOL]
    assert pattern_b(steps) == "10m @150W | 4×1m @300W / 1m rec | 5m @120W"


def test_pattern_b_trailing_lone_rep_at_end():
    assert pattern_b(pairs(3, W, R) + [s(*W)]) == "4×1m @300W / 1m rec"


def test_pattern_b_long_rest_at_rest_power_closes_block():
    # a cool-down at rest power lasting >= 1.5x the rest is absorbed as the final pair
    steps = [WARM] + pairs(3, W, R) + [s(*W), s(300, 150)]
    assert pattern_b(steps) == "10m @150W | 4×1m @300W / 1m rec"


def test_pattern_b_set_break_splits_blocks():
    steps = pairs(3, W, R) + [s(*W), s(240, 150)] + pairs(3, W, R)
    assert pattern_b(steps) == "4×1m @300W / 1m rec | 3×1m @300W / 1m rec"


def test_pattern_b_irregular_rest_without_more_work_is_final_pair():
    steps = pairs(2, W, R) + [s(*W), s(80, 150)]
    assert pattern_b(steps) == "3×1m @300W / 1m rec"


def test_pattern_b_irregular_rest_with_more_work_stops_before_it():
    steps = pairs(3, W, R) + [s(*W), s(80, 150)] + pairs(2, W, R)
    # the block stops before the 80 s rest; what follows (W, R80, 2 pairs) forms no
    # block of >= 3 and is rendered flat
    assert pattern_b(steps) == (
        "3×1m @300W / 1m rec | 1m @300W | 1m20s @150W | 1m @300W | 1m @150W | 1m @300W | 1m @150W"
    )


def test_pattern_b_identical_blocks_merge():
    block = pairs(3, W, R)
    steps = block + [s(300, 100)] + block
    # the 5-minute step at 100 W is no work step and not a matching rest
    assert pattern_b(steps) == "3×1m @300W / 1m rec | 5m @100W | 3×1m @300W / 1m rec"


@pytest.mark.parametrize(
    "steps",
    [
        pairs(2, W, R) + [s(*W)],  # 5 steps
        [s(600, 200)] * 6,  # steady: no block
        pairs(2, W, R) + [WARM, COOL],  # only 2 reps
        pairs(3, W, R)[:-1] + [{"reps": 2, "duration": 60}],  # a truthy reps key
        pairs(3, (60, 200), (60, 195)),  # not separated
    ],
)
def test_pattern_b_bails(steps):
    assert pattern_b(steps) is None


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


def test_planned_workouts_stats():
    events = [
        event(0, workout_doc={"steps": [rep(3, s(720, 234), s(240, 143))]}),  # A
        event(1, workout_doc={"steps": [WARM] + pairs(4, W, R) + [COOL]}),  # B
        event(2, workout_doc={"steps": [s(3600, 200)]}),  # no match
        event(3, description="Easy 1h"),  # no doc
        event(4, category="NOTE", description="Travel"),  # not training
        event(5, category="RACE_A", description="   "),  # blank
        event(6, workout_doc={"steps": []}, description="Long ride"),  # no doc
    ]
    entries, stats = planned_workouts(events, TODAY)
    assert [e["workout_summary"] for e in entries] == [
        "3×12m @234W / 4m rec",
        "10m @150W | 4×1m @300W / 1m rec | 5m @120W",
        None,
        None,
        None,
        None,
        None,
    ]
    assert stats == {
        "attempted": 3,
        "success": 2,
        "patternA": 1,
        "patternB": 1,
        "bail_no_workout_doc": 2,
        "bail_no_match": 1,
    }


def test_terrain_event_ids_ignores_errors():
    routes = [
        {"event_id": 1, "terrain_summary": {"total_distance_km": 50.0}},
        {"event_id": 2, "terrain_summary": {"error": "insufficient trackpoints"}},
        {"event_id": 3, "terrain_summary": None},
        {"event_id": 4, "terrain_summary": {}},
    ]
    assert terrain_event_ids(routes) == {"1"}


# ---------------------------------------------------------------- robustness

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st

_values = st.one_of(
    st.none(), st.integers(-5, 600), st.floats(allow_nan=True), st.text(max_size=3), st.booleans()
)
_target = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"value": _values},
        optional={"units": st.sampled_from(["%ftp", "w", "power_zone", "x", None])},
    ),
)
_flat = st.fixed_dictionaries(
    {},
    optional={
        "duration": _values,
        "_power": _target,
        "power": _target,
        "_hr": _target,
        "hr": _target,
    },
)
_step = st.one_of(
    _flat,
    st.fixed_dictionaries(
        {"reps": _values, "steps": st.one_of(st.none(), st.lists(_flat, max_size=9))}
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_step, max_size=14))
def test_renderer_never_crashes(steps):
    summary, pattern = render_workout(steps)
    assert (summary is None) == (pattern is None)
    assert summary is None or isinstance(summary, str)
