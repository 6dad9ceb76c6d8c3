"""intervals.json entries, segments, zone_basis, retention and document (docs/metrics.md#intervals-file, docs/metrics.md#recent-activities)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from section11.ingest.retention import retain
from section11.ingest.retry import Outcome, advance, plan
from section11.model import Activity
from section11.outputs.intervals import (
    entries,
    has_flags,
    intervals_document,
    merge_entry,
    segments,
    zone_basis,
)

TZ = timezone(timedelta(hours=2))
TODAY = date(2025, 6, 2)  # retention: dated >= 2025-05-19


def act(aid="a1", start="2025-06-02T08:00:00", type="Ride", **raw):
    return Activity.from_raw(
        {"id": aid, "type": type, "start_date_local": start, "name": "Morning Ride", **raw}
    )


FULL = {
    "type": "WORK",
    "group_id": "g1",
    "elapsed_time": 480,
    "moving_time": 478,
    "start_time": 600,
    "end_time": 1080,
    "average_watts": 231,
    "max_watts": 402,
    "average_heartrate": 158,
    "max_heartrate": 171,
    "min_heartrate": 131,
    "average_cadence": 92.5,
    "zone": 4,
    "wbal_start": 20000,
    "wbal_end": 9100,
    "training_load": 14.2,
    "zone_min_watts": 210,
    "id": 3,
    "distance": 4000.0,
}


# ----------------------------------------------------------------- segments


def test_segment_mapping_renames_every_field_in_order():
    assert segments([FULL]) == [
        {
            "type": "WORK",
            "label": "g1",
            "duration_secs": 480,
            "moving_secs": 478,
            "start_secs": 600,
            "end_secs": 1080,
            "avg_power": 231,
            "max_power": 402,
            "avg_hr": 158,
            "max_hr": 171,
            "min_hr": 131,
            "avg_cadence": 92.5,
            "zone": 4,
            "w_bal_start": 20000,
            "w_bal_end": 9100,
            "training_load": 14.2,
        }
    ]
    assert list(segments([FULL])[0]) == [
        "type",
        "label",
        "duration_secs",
        "moving_secs",
        "start_secs",
        "end_secs",
        "avg_power",
        "max_power",
        "avg_hr",
        "max_hr",
        "min_hr",
        "avg_cadence",
        "zone",
        "w_bal_start",
        "w_bal_end",
        "training_load",
    ]


def test_segment_nulls_and_wrong_types_are_dropped_zeros_kept():
    raw = {
        "type": "RECOVERY",
        "group_id": None,
        "elapsed_time": 300,
        "moving_time": None,
        "average_watts": 0,
        "max_watts": "lots",
        "average_heartrate": float("nan"),
        "zone": None,
        "wbal_end": True,
    }
    assert segments([raw]) == [{"type": "RECOVERY", "duration_secs": 300, "avg_power": 0}]


@pytest.mark.parametrize("raw", [None, "x", {}, {"icu_intervals": []}, 5])
def test_segments_of_odd_payloads(raw):
    assert segments(raw) == []


def test_non_object_and_empty_elements_are_skipped():
    assert segments([None, 3, {"foo": 1}, {"type": "WORK"}]) == [{"type": "WORK"}]


# ----------------------------------------------------------------- zone_basis


@pytest.mark.parametrize(
    "intervals, raw, expected",
    [
        ([{"zone": 3, "zone_min_watts": 200}], {"icu_hr_zone_times": [60]}, "power"),
        ([{"zone": 1, "zone_min_watts": 0}], {}, "power"),  # a 0 W lower bound still counts
        ([{"zone": 3}, {"zone_max_watts": 250}], {}, "power"),
        ([{"zone": 2}], {"icu_hr_zone_times": [60, 120]}, "hr"),
        ([{"zone": 2}], {"pace_zone_times": [60]}, "pace"),
        ([{"zone": 2}], {"gap_zone_times": [60]}, "pace"),
        ([{"zone": 2}], {"icu_hr_zone_times": [60], "pace_zone_times": [60]}, None),  # ambiguous
        ([{"zone": 2}], {}, None),  # nothing to tell
        ([{"zone": None, "zone_min_watts": 200}], {"icu_hr_zone_times": [60]}, None),  # no zone
        ([], {"icu_hr_zone_times": [60]}, None),
        (None, {}, None),
    ],
)
def test_zone_basis_branches(intervals, raw, expected):
    assert zone_basis(intervals, act(**raw)) == expected


# ----------------------------------------------------------------- merge_entry


def test_new_entry_from_intervals():
    a = act(interval_summary=["4x 8m 231w"], icu_hr_zone_times=[100])
    entry = merge_entry(None, a, intervals=[{"type": "WORK", "zone": 4}])
    assert entry == {
        "activity_id": "a1",
        "date": "2025-06-02",
        "start_datetime": "2025-06-02T08:00:00",
        "type": "Ride",
        "name": "Morning Ride",
        "interval_summary": ["4x 8m 231w"],
        "zone_basis": "hr",
        "intervals": [{"type": "WORK", "zone": 4}],
    }


def test_new_entry_from_dfa_only_has_empty_intervals():
    entry = merge_entry(None, act(), dfa={"avg": 0.82})
    assert entry["intervals"] == [] and entry["dfa"] == {"avg": 0.82}
    assert entry["interval_summary"] is None and "zone_basis" not in entry
    assert list(entry) == [
        "activity_id",
        "date",
        "start_datetime",
        "type",
        "name",
        "interval_summary",
        "intervals",
        "dfa",
    ]


def test_updates_are_sibling_wise():
    a = act(interval_summary=["3x 10m"])
    entry = merge_entry(None, a, intervals=[{"type": "WORK", "zone": 3, "zone_min_watts": 200}])
    entry = merge_entry(entry, a, dfa={"avg": 0.7})
    assert entry["intervals"] == [{"type": "WORK", "zone": 3}] and entry["zone_basis"] == "power"
    assert entry["dfa"] == {"avg": 0.7}
    # a later intervals update keeps dfa, replaces segments and removes an unresolvable basis
    edited = act(interval_summary=["2x 20m"])
    entry = merge_entry(entry, edited, intervals=[{"type": "WORK"}])
    assert entry["intervals"] == [{"type": "WORK"}] and "zone_basis" not in entry
    assert entry["interval_summary"] == ["2x 20m"] and entry["dfa"] == {"avg": 0.7}
    assert list(entry)[-2:] == ["intervals", "dfa"]


def test_merge_without_updates_keeps_payload_and_summary_but_takes_the_new_name():
    old = {
        "activity_id": "a1",
        "date": "2025-06-02",
        "start_datetime": "x",
        "type": "Ride",
        "name": "Morning Ride",
        "interval_summary": ["old"],
        "zone_basis": "hr",
        "intervals": [{"type": "WORK"}],
    }
    renamed = act(name="Threshold 4x8", interval_summary=["new"])
    entry = merge_entry(old, renamed)
    assert entry["name"] == "Threshold 4x8" and entry["interval_summary"] == ["old"]
    assert entry["zone_basis"] == "hr" and entry["intervals"] == [{"type": "WORK"}]
    assert old["name"] == "Morning Ride"  # input untouched


@pytest.mark.parametrize(
    "entry, flags",
    [
        (None, (False, False)),
        ({}, (False, False)),
        ({"intervals": [{"type": "WORK"}]}, (True, False)),
        ({"intervals": [{"type": "RECOVERY", "duration_secs": 3600}]}, (False, False)),
        ({"intervals": [], "dfa": {"quality": {"sufficient": False}}}, (False, True)),
        ({"intervals": [{"type": "RECOVERY"}, {"type": "WORK"}], "dfa": {}}, (True, True)),
        ({"intervals": None, "dfa": None}, (False, False)),
    ],
)
def test_has_flags(entry, flags):
    assert has_flags(entry) == flags


# ----------------------------------------------------------------- retain


def entry_for(aid, day, **extra):
    return {
        "activity_id": aid,
        "date": day,
        "start_datetime": f"{day}T08:00:00",
        "type": "Ride",
        "name": "x",
        "interval_summary": None,
        "intervals": [{"type": "WORK"}],
        **extra,
    }


def record_for(day):
    return {"date": day, "intervals": {"status": "ok", "reason": "ok", "attempts": 1}}


def test_retention_boundary_presence_and_payload():
    acts = [
        act("edge", start="2025-05-19T06:00:00"),
        act("old", start="2025-05-18T20:00:00"),
        act("keep", start="2025-06-01T07:00:00"),
        act("empty", start="2025-06-01T09:00:00"),
        act("fresh", start="2025-06-02T07:00:00"),
    ]
    entries = {
        "edge": entry_for("edge", "2025-05-19"),
        "old": entry_for("old", "2025-05-18"),
        "keep": entry_for("keep", "2025-06-01"),
        "empty": {**entry_for("empty", "2025-06-01"), "intervals": []},
        "gone": entry_for("gone", "2025-06-01"),
    }
    states = {k: record_for(v["date"]) for k, v in entries.items()}
    states["fresh"] = record_for("2025-06-02")
    kept, kept_states, warning = retain(entries, states, acts, TODAY)
    assert warning is None
    assert set(kept) == {"edge", "keep"}
    assert set(kept_states) == {"edge", "keep", "empty", "fresh"}
    assert kept["keep"] == entries["keep"]  # the stored payload, untouched


def test_entries_are_shaped_from_raw_payloads_and_the_current_list():
    ride = act("r1", name="Renamed", interval_summary=["4x 8m"], icu_hr_zone_times=[60])
    payloads = {
        "r1": {"intervals": [{"type": "WORK", "zone": 4, "average_watts": 250}]},
        "d1": {"dfa": {"avg": 0.8}},
        "junk": {"intervals": [{"unknown": 1}]},  # no segment at all: left out
        "gone": {"dfa": {"avg": 0.7}},  # not in the list: left out
    }
    shaped = entries(payloads, [ride, act("d1"), act("junk")])
    assert set(shaped) == {"r1", "d1"}
    assert shaped["r1"] == merge_entry(None, ride, intervals=payloads["r1"]["intervals"])
    assert shaped["r1"]["name"] == "Renamed" and shaped["r1"]["zone_basis"] == "hr"
    assert shaped["r1"]["intervals"] == [{"type": "WORK", "avg_power": 250, "zone": 4}]
    assert shaped["d1"]["intervals"] == [] and shaped["d1"]["dfa"] == {"avg": 0.8}


def test_retention_uses_the_current_activity_date():
    moved = act("a1", start="2025-05-10T08:00:00")  # start edited to before the cutoff
    kept, states, warning = retain(
        {"a1": entry_for("a1", "2025-06-01")},
        {"a1": record_for("2025-06-01")},
        [moved] + [act(f"b{i}") for i in range(3)],
        TODAY,
    )
    assert kept == {} and states == {} and warning is None


def test_refuses_to_prune_when_the_activity_list_is_empty():
    entries = {"a1": entry_for("a1", "2025-06-01")}
    states = {"a1": record_for("2025-06-01"), "old": record_for("2025-05-01")}
    kept, kept_states, warning = retain(entries, states, [], TODAY)
    assert kept == entries and kept_states == states
    assert "empty" in warning


def test_refuses_to_prune_when_the_list_shrank_versus_the_previous_count():
    acts = [act(f"a{i}") for i in range(4)]
    entries = {"a0": entry_for("a0", "2025-06-02")}
    kept, _, warning = retain(entries, {}, acts, TODAY, previous_count=9)  # 4 < 4.5
    assert kept == entries and "from 9 to 4" in warning
    kept, _, warning = retain(entries, {}, acts, TODAY, previous_count=8)  # 4 == half: fine
    assert warning is None and set(kept) == {"a0"}


def test_refuses_to_prune_when_most_cached_ids_are_missing():
    cached = {f"c{i}": record_for("2025-06-01") for i in range(4)}
    acts = [act("c0"), act("new")]
    kept, kept_states, warning = retain({}, cached, acts, TODAY)
    assert kept_states == cached and "3 of 4" in warning
    # half missing is a normal deletion, not a sharp shrink
    kept, kept_states, warning = retain({}, cached, acts + [act("c1")], TODAY)
    assert warning is None and set(kept_states) == {"c0", "c1"}


def test_small_caches_prune_normally_and_empty_cache_never_warns():
    cached = {"c0": record_for("2025-06-01")}
    assert retain({}, cached, [act("x")], TODAY) == ({}, {}, None)
    assert retain({}, {}, [], TODAY) == ({}, {}, None)


# ----------------------------------------------------------------- document


NOW = datetime(2025, 6, 2, 12, 0, 5, tzinfo=TZ)


def test_document_shape_and_order():
    entries = {
        "a1": entry_for("a1", "2025-05-30"),
        "a2": {**entry_for("a2", "2025-06-01"), "intervals": [], "dfa": {"avg": 0.8}},
        "a3": {**entry_for("a3", "2025-06-01"), "intervals": []},  # nothing: left out
    }
    states = {
        "a1": record_for("2025-05-30"),
        "a3": record_for("2025-06-01"),
        "a2": record_for("2025-06-01"),
    }
    doc = intervals_document(entries, states, NOW, "1.2.3")
    assert list(doc) == [
        "generated_at",
        "schema_version",
        "version",
        "scan_hours",
        "retention_days",
        "activities",
        "fetch_state",
    ]
    assert doc["generated_at"] == "2025-06-02T12:00:05+02:00"
    assert (doc["schema_version"], doc["version"], doc["scan_hours"], doc["retention_days"]) == (
        1,
        "1.2.3",
        72,
        14,
    )
    assert "script_hash" not in doc
    assert [e["activity_id"] for e in doc["activities"]] == ["a2", "a1"]
    assert list(doc["fetch_state"]) == ["a3", "a2", "a1"]
    assert doc["fetch_state"]["a3"] == states["a3"]
    json.dumps(doc)


def test_empty_document():
    doc = intervals_document({}, {}, NOW, "v")
    assert doc["activities"] == [] and doc["fetch_state"] == {}


# ----------------------------------------------------------------- one sync, end to end


def test_two_syncs_through_plan_advance_merge_retain_document():
    ride = act("r1", icu_sync_date="t1", interval_summary=["4x 8m"])
    run = act("u1", type="Run", start="2025-06-01T18:00:00")
    now = NOW
    states, entries = {}, {}
    due = plan([ride, run], states, entries, set(), now)
    assert len(due) == 4
    results = {
        ("r1", "intervals"): (Outcome("ok"), [{"type": "WORK", "zone": 4, "zone_min_watts": 210}]),
        ("r1", "streams"): (Outcome("ok"), {"avg": 0.81}),
        ("u1", "intervals"): (Outcome("no_data"), None),
        ("u1", "streams"): (Outcome("no_data"), None),
    }
    by_id = {"r1": ride, "u1": run}
    for d in due:
        outcome, payload = results[(d.activity_id, d.endpoint)]
        activity = by_id[d.activity_id]
        states[d.activity_id] = advance(
            states.get(d.activity_id), d.endpoint, outcome, activity, False, now
        )
        if outcome.kind == "ok":
            key = "intervals" if d.endpoint == "intervals" else "dfa"
            entries[d.activity_id] = merge_entry(
                entries.get(d.activity_id), activity, **{key: payload}
            )
    entries, states, warning = retain(entries, states, [ride, run], now.date())
    doc = intervals_document(entries, states, now, "v")
    assert warning is None
    assert [e["activity_id"] for e in doc["activities"]] == ["r1"]
    assert doc["activities"][0]["zone_basis"] == "power"
    assert doc["fetch_state"]["u1"]["streams"]["next_retry_at"] == "2025-06-02T12:05:05+02:00"
    # next sync, 10 minutes later: only the run's two retries are due
    later = now + timedelta(minutes=10)
    loaded = json.loads(json.dumps(doc))
    cached = {e["activity_id"]: e for e in loaded["activities"]}
    assert [
        (d.activity_id, d.endpoint, d.kind)
        for d in plan([ride, run], loaded["fetch_state"], cached, set(), later)
    ] == [("u1", "intervals", "retry"), ("u1", "streams", "retry")]
