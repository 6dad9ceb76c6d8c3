"""health_context (docs/metrics.md#health-context)."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.event_model import Event
from section11.metrics.health import health_context, marker_end
from section11.wellness_model import Wellness

TODAY = date(2026, 5, 20)
FLOOR = TODAY - timedelta(days=14)


def d(n):
    return (TODAY + timedelta(days=n)).isoformat()


def marker(eid, category, start, end=None, **raw):
    return Event.from_raw(
        {"id": eid, "category": category, "start_date_local": start, "end_date_local": end, **raw}
    )


def well(days_ago, injury):
    return Wellness.from_raw({"id": d(-days_ago), "injury": injury})


def ctx(events, latest=None, main=(), floor=FLOOR):
    return health_context(events, main, floor, latest, TODAY)


# ----------------------------------------------------------------- end dates


@pytest.mark.parametrize(
    "start,end,expected",
    [
        ("2026-08-21T00:00:00", "2026-08-24T00:00:00", "2026-08-23"),  # exclusive -> 21..23
        ("2026-08-21T00:00:00", "2026-08-22T00:00:00", "2026-08-21"),  # one-day marker
        ("2026-08-21T00:00:00", "2026-08-24", "2026-08-23"),  # date-only end is exclusive too
        ("2026-08-21T00:00:00", "2026-08-24T18:30:00", "2026-08-24"),  # timed end is inclusive
        ("2026-08-21T00:00:00", "2026-08-21T00:00:00", "2026-08-21"),  # never before start
        ("2026-08-21T00:00:00", "2026-08-01T00:00:00", "2026-08-21"),
        ("2026-08-21T00:00:00", None, "2026-08-21"),  # no end -> start
        ("2026-08-21T00:00:00", "soon", "2026-08-21"),  # unparseable end -> as absent
    ],
)
def test_marker_end(start, end, expected):
    e = marker(1, "SICK", start, end)
    assert marker_end(e, e.date).isoformat() == expected


# ----------------------------------------------------------------- buckets


def test_buckets_hand_computed():
    events = [
        marker(
            1, "SICK", d(-2) + "T00:00:00", d(1) + "T00:00:00", name="  Cold  ", description="   "
        ),  # 18..20 -> current
        marker(2, "INJURED", d(-19) + "T00:00:00", d(-14) + "T00:00:00"),  # ends -15 -> dropped
        marker(3, "INJURED", d(-19) + "T00:00:00", d(-13) + "T00:00:00"),  # ends -14 -> recent 14
        marker(4, "SICK", d(-10) + "T00:00:00", description=" Flu\n"),  # -10 only -> recent 10
        marker(5, "SICK", d(-1) + "T00:00:00", d(-1) + "T18:00:00"),  # timed end -1 -> recent 1
        marker(6, "SICK", d(5) + "T00:00:00", d(8) + "T00:00:00"),  # upcoming
        marker(7, "WORKOUT", d(-1) + "T00:00:00"),  # not a health category
        marker(8, "SICK", "garbage"),  # no start date -> skipped
        marker(9, "SICK", d(0) + "T00:00:00", d(1) + "T00:00:00"),  # today only -> current
        marker(10, "INJURED", d(0) + "T00:00:00"),  # current
    ]
    c = ctx(events)
    assert c["source_status"] == "ok"
    assert [e["event_id"] for e in c["current"]] == ["1", "10", "9"]  # start, then category
    assert c["current"][0] == {
        "event_id": "1",
        "category": "SICK",
        "start_date": d(-2),
        "end_date": d(0),
        "marker_active_today": True,
        "source": "calendar",
        "name": "Cold",
    }
    assert [(e["event_id"], e["days_since_end"]) for e in c["recent"]] == [
        ("3", 14),
        ("4", 10),
        ("5", 1),
    ]
    assert c["recent"][1]["description"] == "Flu" and "name" not in c["recent"][1]
    assert c["recent"][0]["end_date"] == d(-14)
    assert all(e["marker_active_today"] is False for e in c["recent"] + c["upcoming"])
    assert [e["event_id"] for e in c["upcoming"]] == ["6"]
    assert c["upcoming"][0]["end_date"] == d(7) and "days_since_end" not in c["upcoming"][0]
    assert c["marker_active"] is True and c["recent_marker"] is False
    assert c["clarification_required"] is True
    assert (c["lookback_days"], c["recent_window_days"]) == (365, 14)
    assert list(c) == [
        "source_status",
        "marker_active",
        "recent_marker",
        "clarification_required",
        "lookback_days",
        "recent_window_days",
        "current",
        "recent",
        "upcoming",
        "note",
    ]


def test_sort_uses_string_event_id():
    c = ctx([marker(9, "SICK", d(0)), marker(10, "SICK", d(0))])
    assert [e["event_id"] for e in c["current"]] == ["10", "9"]  # "10" < "9"


def test_marker_ending_yesterday_is_recent_not_current():
    # exclusive end today 00:00 -> inclusive end yesterday
    c = ctx([marker(1, "SICK", d(-3) + "T00:00:00", d(0) + "T00:00:00")])
    assert c["current"] == [] and c["recent"][0]["days_since_end"] == 1
    assert c["marker_active"] is False and c["recent_marker"] is True
    assert c["clarification_required"] is True


def test_only_upcoming_needs_no_clarification():
    c = ctx([marker(1, "INJURED", d(3))])
    assert c["upcoming"] and c["clarification_required"] is False
    assert c["marker_active"] is False and c["recent_marker"] is False


def test_nothing_at_all():
    c = ctx(())
    assert c["clarification_required"] is False
    assert (c["current"], c["recent"], c["upcoming"]) == ([], [], [])
    assert "wellness_injury" not in c and c["note"]


# ----------------------------------------------------------------- partial fallback


def test_failed_fetch_falls_back_to_main_events():
    main = [marker(1, "SICK", d(-3), d(-1) + "T00:00:00"), marker(2, "WORKOUT", d(0))]
    c = health_context(None, main, TODAY - timedelta(days=20), None, TODAY)
    assert c["source_status"] == "partial"
    assert c["lookback_days"] == 20  # today - floor
    assert "marker_active" not in c and "recent_marker" not in c
    assert [e["event_id"] for e in c["recent"]] == ["1"]
    assert c["clarification_required"] is True
    assert list(c)[:3] == ["source_status", "clarification_required", "lookback_days"]


def test_partial_always_asks_for_clarification():
    c = health_context(None, [], FLOOR, None, TODAY)
    assert c["clarification_required"] is True and c["lookback_days"] == 14
    assert "20 days" not in c["note"] and "14 days" in c["note"]


def test_dedicated_list_wins_over_main_list():
    c = health_context([], [marker(1, "SICK", d(0))], FLOOR, None, TODAY)
    assert c["current"] == [] and c["source_status"] == "ok"


# ----------------------------------------------------------------- wellness injury


def test_wellness_injury_current_poor_requires_clarification():
    c = ctx((), well(0, 3))
    assert c["wellness_injury"] == {
        "value": 3,
        "date": d(0),
        "freshness": "current",
        "series": c["wellness_injury"]["series"],
    }
    assert "injury" in c["wellness_injury"]["series"]
    assert c["clarification_required"] is True
    assert list(c)[-2:] == ["wellness_injury", "note"]


def test_wellness_injury_niggle_is_reported_without_clarification():
    c = ctx((), well(0, 2))
    assert c["wellness_injury"]["value"] == 2 and c["clarification_required"] is False


def test_wellness_injury_stale_has_days_old_and_no_clarification():
    c = ctx((), well(2, 4))
    assert c["wellness_injury"]["freshness"] == "stale"
    assert c["wellness_injury"]["days_old"] == 2
    assert c["clarification_required"] is False


@pytest.mark.parametrize("injury", [None, 0, 1, 1.5, 5, 99, -3])
def test_wellness_injury_absent(injury):
    assert "wellness_injury" not in ctx((), well(0, injury))


def test_wellness_injury_future_record_ignored():
    assert "wellness_injury" not in ctx((), well(-1, 4))


# ----------------------------------------------------------------- properties

stamps = st.one_of(
    st.none(),
    st.just("x"),
    st.just("2026-13-40T00:00:00"),
    st.integers(-400, 120).map(lambda n: d(n) + "T00:00:00"),
    st.integers(-400, 120).map(lambda n: d(n) + "T09:45:00"),
    st.integers(-400, 120).map(d),
)
raw_markers = st.fixed_dictionaries(
    {
        "id": st.one_of(st.none(), st.integers(0, 10**9), st.text(max_size=3)),
        "category": st.sampled_from(["SICK", "INJURED", "RACE_A", None, 7]),
        "start_date_local": stamps,
        "end_date_local": stamps,
        "name": st.one_of(st.none(), st.text(max_size=6)),
        "description": st.one_of(st.none(), st.text(max_size=6), st.integers()),
    }
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.lists(raw_markers, max_size=8)),
    st.lists(raw_markers, max_size=5),
    st.integers(0, 60),
    st.one_of(st.none(), st.integers(-2, 30)),
    st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-10, 10)),
)
def test_property_no_crash(health, main, floor_days, injury_age, injury):
    health_events = None if health is None else [Event.from_raw(e) for e in health]
    latest = (
        None if injury_age is None else Wellness.from_raw({"id": d(-injury_age), "injury": injury})
    )
    c = health_context(
        health_events,
        [Event.from_raw(e) for e in main],
        TODAY - timedelta(days=floor_days),
        latest,
        TODAY,
    )
    json.dumps(c, allow_nan=False)
    assert c["source_status"] == ("ok" if health is not None else "partial")
    for entry in c["current"]:
        assert entry["start_date"] <= TODAY.isoformat() <= entry["end_date"]
    for entry in c["recent"] + c["upcoming"] + c["current"]:
        assert entry["start_date"] <= entry["end_date"]
        assert entry["category"] in ("SICK", "INJURED")
    for entry in c["recent"]:
        assert 0 < entry["days_since_end"] <= 14
    for entry in c["upcoming"]:
        assert entry["start_date"] > TODAY.isoformat()
    if c["current"] or c["recent"] or c["source_status"] == "partial":
        assert c["clarification_required"] is True
