"""Per-activity fetch state machine (docs/metrics.md#retry-states-docs/metrics.md#retry-states, weakness 9.1 (docs/architecture.md#reference-weaknesses)).

All expected timestamps are hand-computed from the ladder (300 s ×6, 1800 s ×6,
21600 s), the 72 h / 14 d deadlines and the 86400 s paired floor.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from section11.event_model import Event
from section11.ingest.retry import (
    REASONS,
    STATUSES,
    Due,
    Outcome,
    advance,
    ladder_delay,
    pairing,
    parse_stamp,
    plan,
)
from section11.model import Activity

TZ = timezone(timedelta(hours=2))
START = "2025-06-02T08:00:00"  # local; deadline unpaired 2025-06-05T08:00, paired 06-16T08:00


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def act(aid="a1", start=START, type="Ride", **raw):
    return Activity.from_raw({"id": aid, "type": type, "start_date_local": start, **raw})


def pending(attempts, first_seen="2025-06-02T10:00:00+02:00", **extra):
    return {
        "status": "pending",
        "reason": "transient",
        "attempts": attempts,
        "first_seen": first_seen,
        "last_attempt": first_seen,
        **extra,
    }


def step(state, outcome, now, endpoint="intervals", activity=None, paired=False):
    record = None if state is None else {"date": "2025-06-02", endpoint: state}
    return advance(record, endpoint, outcome, activity or act(), paired, now)[endpoint]


TRANSIENT = Outcome("transient")


# ----------------------------------------------------------------- ladder


@pytest.mark.parametrize(
    "attempts, delay", [(1, 300), (6, 300), (7, 1800), (12, 1800), (13, 21600), (40, 21600)]
)
def test_ladder_delay(attempts, delay):
    assert ladder_delay(attempts) == delay


@pytest.mark.parametrize(
    "before, expected_next",
    [
        (0, "2025-06-02T12:05:00+02:00"),  # attempt 1 -> 300 s
        (5, "2025-06-02T12:05:00+02:00"),  # attempt 6 -> 300 s
        (6, "2025-06-02T12:30:00+02:00"),  # attempt 7 -> 1800 s
        (11, "2025-06-02T12:30:00+02:00"),  # attempt 12 -> 1800 s
        (12, "2025-06-02T18:00:00+02:00"),  # attempt 13 -> 21600 s
    ],
)
def test_ladder_steps(before, expected_next):
    state = step(pending(before) if before else None, TRANSIENT, at("2025-06-02T12:00:00"))
    assert state["status"] == "pending" and state["reason"] == "transient"
    assert state["attempts"] == before + 1
    assert state["next_retry_at"] == expected_next
    assert state["last_attempt"] == "2025-06-02T12:00:00+02:00"


def test_first_attempt_sets_first_seen_and_later_ones_keep_it():
    now = at("2025-06-02T12:00:00")
    first = step(None, TRANSIENT, now)
    assert first["first_seen"] == "2025-06-02T12:00:00+02:00"
    second = step(first, TRANSIENT, at("2025-06-02T12:05:00"))
    assert second["first_seen"] == "2025-06-02T12:00:00+02:00"
    assert second["last_attempt"] == "2025-06-02T12:05:00+02:00"
    assert second["attempts"] == 2


def test_retry_after_larger_than_the_ladder_wins():
    state = step(None, Outcome("transient", retry_after=1200), at("2025-06-02T12:00:00"))
    assert state["next_retry_at"] == "2025-06-02T12:20:00+02:00"


def test_retry_after_smaller_than_the_ladder_is_ignored():
    state = step(None, Outcome("transient", retry_after=100), at("2025-06-02T12:00:00"))
    assert state["next_retry_at"] == "2025-06-02T12:05:00+02:00"


@pytest.mark.parametrize("bad", [-50, float("nan"), float("inf"), float("-inf")])
def test_unusable_retry_after_falls_back_to_the_ladder(bad):
    state = step(None, Outcome("transient", retry_after=bad), at("2025-06-02T12:00:00"))
    assert state["next_retry_at"] == "2025-06-02T12:05:00+02:00"


def test_absurd_retry_after_is_clamped_and_does_not_overflow():
    state = step(None, Outcome("transient", retry_after=1e300), at("2025-06-02T12:00:00"))
    # clamped to 14 days, past the 72 h deadline -> the final attempt waits for it
    assert state["status"] == "pending"
    assert state["next_retry_at"] == "2025-06-16T12:00:00+02:00"


# ----------------------------------------------------------------- deadlines


def test_paired_intervals_after_72h_wait_at_least_a_day():
    now = at("2025-06-05T16:00:00")  # start + 80 h
    state = step(pending(3), TRANSIENT, now, paired=True)
    assert state["attempts"] == 4
    assert state["next_retry_at"] == "2025-06-06T16:00:00+02:00"


def test_paired_intervals_before_72h_use_the_ladder():
    state = step(pending(3), TRANSIENT, at("2025-06-03T12:00:00"), paired=True)
    assert state["next_retry_at"] == "2025-06-03T12:05:00+02:00"


def test_paired_streams_keep_the_72h_deadline():
    state = step(pending(3), TRANSIENT, at("2025-06-05T16:00:00"), endpoint="streams", paired=True)
    assert state["status"] == "tombstone" and state["reason"] == "retry_expired"
    assert "next_retry_at" not in state


def test_paired_intervals_final_attempt_at_the_14_day_deadline():
    now = at("2025-06-15T20:00:00")  # 12 h before start + 14 d
    state = step(pending(20), TRANSIENT, now, paired=True)
    assert state["next_retry_at"] == "2025-06-16T08:00:00+02:00"
    last = step(state, TRANSIENT, at("2025-06-16T08:00:00"), paired=True)
    assert (last["status"], last["reason"]) == ("tombstone", "retry_expired")


def test_deadline_reached_final_attempt_at_the_deadline_then_tombstone():
    # 3 h before start + 72 h; attempt 13 would wait 6 h (past the deadline)
    state = step(pending(12), TRANSIENT, at("2025-06-05T05:00:00"))
    assert state["status"] == "pending"
    assert state["next_retry_at"] == "2025-06-05T08:00:00+02:00"
    last = step(state, Outcome("no_data"), at("2025-06-05T08:00:00"))
    assert last["status"] == "tombstone" and last["reason"] == "retry_expired"
    assert last["attempts"] == 14 and "next_retry_at" not in last


def test_final_attempt_still_honours_retry_after_past_the_deadline():
    state = step(pending(2), Outcome("transient", retry_after=7200), at("2025-06-05T07:00:00"))
    assert state["next_retry_at"] == "2025-06-05T09:00:00+02:00"


def test_slot_just_before_the_deadline_is_a_normal_retry():
    state = step(pending(1), TRANSIENT, at("2025-06-05T07:54:59"))
    assert state["next_retry_at"] == "2025-06-05T07:59:59+02:00"


def test_success_at_the_final_attempt_is_ok():
    state = step(pending(14), Outcome("ok"), at("2025-06-05T08:00:00"))
    assert state["status"] == "ok" and state["reason"] == "ok"
    assert "next_retry_at" not in state


def test_late_discovered_activity_gets_a_full_window_from_first_seen():
    late = act(start="2025-05-23T08:00:00")  # 10 days before now
    now = at("2025-06-02T12:00:00")
    first = advance(None, "intervals", TRANSIENT, late, False, now)["intervals"]
    assert first["status"] == "pending"
    assert first["next_retry_at"] == "2025-06-02T12:05:00+02:00"
    # deadline = first_seen + 72 h = 2025-06-05T12:00
    before = advance(
        {"intervals": pending(12, first["first_seen"])},
        "intervals",
        TRANSIENT,
        late,
        False,
        at("2025-06-05T09:00:00"),
    )["intervals"]
    assert before["next_retry_at"] == "2025-06-05T12:00:00+02:00"
    after = advance(
        {"intervals": before}, "intervals", TRANSIENT, late, False, at("2025-06-05T12:00:00")
    )["intervals"]
    assert after["status"] == "tombstone" and after["reason"] == "retry_expired"


# ----------------------------------------------------------------- outcomes


def test_terminal_tombstones():
    state = step(pending(2), Outcome("terminal"), at("2025-06-02T12:00:00"))
    assert state == {
        "status": "tombstone",
        "reason": "terminal_error",
        "attempts": 3,
        "first_seen": "2025-06-02T10:00:00+02:00",
        "last_attempt": "2025-06-02T12:00:00+02:00",
    }


def test_ok_intervals_record_the_sync_token_and_drop_the_schedule():
    a = act(icu_sync_date="2025-06-02T09:10:00Z")
    state = step(
        pending(2, next_retry_at="2025-06-02T11:00:00+02:00"),
        Outcome("ok"),
        at("2025-06-02T12:00:00"),
        activity=a,
    )
    assert state == {
        "status": "ok",
        "reason": "ok",
        "attempts": 3,
        "first_seen": "2025-06-02T10:00:00+02:00",
        "last_attempt": "2025-06-02T12:00:00+02:00",
        "source_icu_sync_date": "2025-06-02T09:10:00Z",
    }


def test_ok_intervals_prefer_the_token_seen_with_the_payload():
    a = act(icu_sync_date="old")
    state = step(None, Outcome("ok", sync_date="new"), at("2025-06-02T12:00:00"), activity=a)
    assert state["source_icu_sync_date"] == "new"


def test_ok_streams_have_no_token():
    a = act(icu_sync_date="tok")
    state = step(None, Outcome("ok"), at("2025-06-02T12:00:00"), endpoint="streams", activity=a)
    assert state["status"] == "ok" and "source_icu_sync_date" not in state


def test_compute_error_is_pending():
    state = step(None, Outcome("compute_error"), at("2025-06-02T12:00:00"), endpoint="streams")
    assert (state["status"], state["reason"]) == ("pending", "compute_error")
    assert state["next_retry_at"] == "2025-06-02T12:05:00+02:00"


def test_unknown_outcome_kind_counts_as_transient():
    state = step(None, Outcome("weird"), at("2025-06-02T12:00:00"))
    assert (state["status"], state["reason"]) == ("pending", "transient")


def test_streams_no_data_is_retried_once_then_tombstoned():
    now = at("2025-06-02T12:00:00")
    first = step(None, Outcome("no_data"), now, endpoint="streams")
    assert (first["status"], first["reason"]) == ("pending", "no_data")
    assert first["next_retry_at"] == "2025-06-02T12:05:00+02:00"
    second = step(first, Outcome("no_data"), at("2025-06-02T12:05:00"), endpoint="streams")
    assert (second["status"], second["reason"]) == ("tombstone", "no_data")
    assert second["attempts"] == 2 and "next_retry_at" not in second


def test_streams_transient_between_no_data_does_not_count():
    s = step(None, Outcome("no_data"), at("2025-06-02T12:00:00"), endpoint="streams")
    s = step(s, TRANSIENT, at("2025-06-02T12:05:00"), endpoint="streams")
    assert s["status"] == "pending" and s["attempts"] == 2
    s = step(s, Outcome("no_data"), at("2025-06-02T12:10:00"), endpoint="streams")
    assert (s["status"], s["reason"], s["attempts"]) == ("tombstone", "no_data", 3)


def test_intervals_no_data_is_not_capped():
    s = None
    now = at("2025-06-02T12:00:00")
    for _ in range(5):
        s = step(s, Outcome("no_data"), now)
        now += timedelta(minutes=5)
    assert (s["status"], s["reason"], s["attempts"]) == ("pending", "no_data", 5)


def test_ok_streams_are_not_downgraded_by_a_later_failure():
    ok = step(None, Outcome("ok"), at("2025-06-02T12:00:00"), endpoint="streams")
    s = step(ok, TRANSIENT, at("2025-06-02T13:00:00"), endpoint="streams")
    assert s["status"] == "ok" and s["attempts"] == 1
    assert s["last_attempt"] == "2025-06-02T13:00:00+02:00"


def test_record_fields_and_siblings():
    now = at("2025-06-02T12:00:00")
    streams = {"status": "ok", "reason": "ok", "attempts": 1}
    record = {"date": "2025-06-01", "streams": streams}
    out = advance(record, "intervals", TRANSIENT, act(), True, now)
    assert out["date"] == "2025-06-02" and out["paired_planned"] is True
    assert out["streams"] == streams
    assert record == {"date": "2025-06-01", "streams": streams}  # input untouched
    unpaired = advance(out, "intervals", TRANSIENT, act(), False, now)
    assert "paired_planned" not in unpaired


# ----------------------------------------------------------------- refresh


def ok_intervals(source="t1", **extra):
    return {
        "status": "ok",
        "reason": "ok",
        "attempts": 1,
        "first_seen": "2025-06-02T09:00:00+02:00",
        "last_attempt": "2025-06-02T09:00:00+02:00",
        "source_icu_sync_date": source,
        **extra,
    }


def test_refresh_arm_on_a_new_token_and_its_lifecycle():
    edited = act(icu_intervals_edited=True, icu_sync_date="t2")
    now = at("2025-06-03T12:00:00")
    states = {
        "a1": {
            "date": "2025-06-02",
            "intervals": ok_intervals(),
            "streams": {"status": "tombstone", "reason": "no_data"},
        }
    }
    assert plan([edited], states, {}, set(), now) == [Due("a1", "intervals", "refresh")]

    failed = advance(states["a1"], "intervals", TRANSIENT, edited, False, now)["intervals"]
    assert failed["status"] == "ok" and failed["attempts"] == 1
    assert failed["first_seen"] == "2025-06-02T09:00:00+02:00"
    assert failed["source_icu_sync_date"] == "t1"
    assert failed["last_attempt"] == "2025-06-03T12:00:00+02:00"
    assert failed["refresh"] == {
        "target_sync_date": "t2",
        "attempts": 1,
        "reason": "transient",
        "next_retry_at": "2025-06-03T12:05:00+02:00",
    }
    states["a1"]["intervals"] = failed
    assert plan([edited], states, {}, set(), at("2025-06-03T12:04:00")) == []
    assert plan([edited], states, {}, set(), at("2025-06-03T12:05:00")) == [
        Due("a1", "intervals", "refresh")
    ]

    again = advance(
        states["a1"], "intervals", Outcome("no_data"), edited, False, at("2025-06-03T12:05:00")
    )["intervals"]
    assert again["refresh"]["attempts"] == 2 and again["refresh"]["reason"] == "no_data"

    done = advance(
        {"intervals": again}, "intervals", Outcome("ok"), edited, False, at("2025-06-03T12:10:00")
    )["intervals"]
    assert done == {
        "status": "ok",
        "reason": "ok",
        "attempts": 2,
        "first_seen": "2025-06-02T09:00:00+02:00",
        "last_attempt": "2025-06-03T12:10:00+02:00",
        "source_icu_sync_date": "t2",
    }
    assert (
        plan(
            [edited],
            {"a1": {"intervals": done, "streams": {"status": "ok"}}},
            {},
            set(),
            at("2025-06-04T12:00:00"),
        )
        == []
    )


def test_refresh_ladder_has_no_deadline():
    edited = act(icu_intervals_edited=True, icu_sync_date="t2")
    state = ok_intervals(refresh={"target_sync_date": "t2", "attempts": 12, "reason": "transient"})
    now = at("2025-06-10T12:00:00")  # long past start + 72 h
    out = advance(
        {"intervals": state}, "intervals", Outcome("transient", retry_after=30), edited, False, now
    )["intervals"]
    assert out["refresh"]["attempts"] == 13
    assert out["refresh"]["next_retry_at"] == "2025-06-10T18:00:00+02:00"


def test_refresh_exhausted_on_404_and_rearmed_by_a_new_token():
    edited = act(icu_intervals_edited=True, icu_sync_date="t2")
    now = at("2025-06-03T12:00:00")
    out = advance(
        {"intervals": ok_intervals()}, "intervals", Outcome("terminal"), edited, False, now
    )["intervals"]
    assert out["status"] == "ok"
    assert out["refresh"] == {
        "target_sync_date": "t2",
        "attempts": 1,
        "reason": "terminal_error",
        "status": "exhausted",
    }
    states = {"a1": {"intervals": out, "streams": {"status": "ok"}}}
    assert plan([edited], states, {}, set(), at("2025-06-08T12:00:00")) == []
    newer = act(icu_intervals_edited=True, icu_sync_date="t3")
    assert plan([newer], states, {}, set(), at("2025-06-08T12:00:00")) == [
        Due("a1", "intervals", "refresh")
    ]
    rearmed = advance(
        states["a1"], "intervals", TRANSIENT, newer, False, at("2025-06-08T12:00:00")
    )["intervals"]
    assert rearmed["refresh"]["target_sync_date"] == "t3"
    assert rearmed["refresh"]["attempts"] == 1 and "status" not in rearmed["refresh"]


@pytest.mark.parametrize(
    "raw",
    [
        {"icu_intervals_edited": False, "icu_sync_date": "t2"},  # not edited
        {"icu_intervals_edited": True, "icu_sync_date": "t1"},  # same token
        {"icu_intervals_edited": True, "icu_sync_date": ""},  # no token
        {"icu_intervals_edited": True},
    ],
)
def test_no_refresh_without_an_edit_and_a_new_token(raw):
    states = {"a1": {"intervals": ok_intervals(), "streams": {"status": "ok"}}}
    assert plan([act(**raw)], states, {}, set(), at("2025-06-03T12:00:00")) == []


# ----------------------------------------------------------------- plan


NOW = at("2025-06-02T12:00:00")  # retention: dated >= 2025-05-19


def test_new_activity_is_due_on_both_endpoints():
    assert plan([act()], {}, {}, set(), NOW) == [
        Due("a1", "intervals", "new"),
        Due("a1", "streams", "new"),
    ]


def test_late_discovery_of_a_10_day_old_activity_is_new():
    old = act(start="2025-05-23T07:00:00")
    assert plan([old], {}, {}, set(), NOW) == [
        Due("a1", "intervals", "new"),
        Due("a1", "streams", "new"),
    ]


def test_retention_and_family_filters():
    acts = [
        act("edge", start="2025-05-19T06:00:00"),
        act("old", start="2025-05-18T23:00:00"),
        act("lift", type="WeightTraining"),
        act("walk", type="Walk"),
        act("swim", type="Swim"),
        act("nodate", start=None),
    ]
    ids = {d.activity_id for d in plan(acts, {}, {}, set(), NOW)}
    assert ids == {"edge", "swim"}


def test_legacy_entry_without_state_only_fetches_what_it_lacks():
    entries = {"a1": {"activity_id": "a1", "intervals": [{"type": "WORK"}]}}
    assert plan([act()], {}, entries, set(), NOW) == [Due("a1", "streams", "new")]
    entries = {"a1": {"activity_id": "a1", "intervals": [], "dfa": {"avg": 0.8}}}
    assert plan([act()], {}, entries, set(), NOW) == [Due("a1", "intervals", "new")]


def test_record_missing_one_endpoint_fetches_it_as_new():
    states = {"a1": {"date": "2025-06-02", "intervals": ok_intervals()}}
    assert plan([act()], states, {}, set(), NOW) == [Due("a1", "streams", "new")]


def test_pending_endpoint_is_due_when_next_retry_at_has_passed():
    states = {
        "a1": {
            "intervals": pending(1, next_retry_at="2025-06-02T12:00:00+02:00"),
            "streams": pending(1, next_retry_at="2025-06-02T12:00:01+02:00"),
        }
    }
    assert plan([act()], states, {}, set(), NOW) == [Due("a1", "intervals", "retry")]


def test_pending_without_or_with_unreadable_next_retry_at_is_due():
    states = {"a1": {"intervals": pending(1), "streams": pending(1, next_retry_at="soon")}}
    assert plan([act()], states, {}, set(), NOW) == [
        Due("a1", "intervals", "retry"),
        Due("a1", "streams", "retry"),
    ]


def test_timestamps_are_compared_as_datetimes_not_strings():
    # 10:30 UTC is 12:30 at +02:00: not due at 12:10 local, although the string sorts lower
    states = {
        "a1": {
            "intervals": pending(1, next_retry_at="2025-06-02T10:30:00+00:00"),
            "streams": {"status": "tombstone", "reason": "terminal_error"},
        }
    }
    assert plan([act()], states, {}, set(), at("2025-06-02T12:10:00")) == []
    assert plan([act()], states, {}, set(), at("2025-06-02T12:30:00")) == [
        Due("a1", "intervals", "retry")
    ]


def test_legacy_naive_timestamps_are_read_in_the_athlete_zone():
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2025, 6, 2, 12, 0, tzinfo=berlin)
    assert parse_stamp("2025-06-02T12:00:00", now) == now
    states = {
        "a1": {
            "intervals": pending(1, next_retry_at="2025-06-02T12:00:01"),
            "streams": {"status": "ok"},
        }
    }
    assert plan([act()], states, {}, set(), now) == []


def test_tombstones_and_ok_streams_are_never_due():
    states = {
        "a1": {
            "intervals": {"status": "tombstone", "reason": "terminal_error"},
            "streams": {"status": "ok", "reason": "ok"},
        }
    }
    assert plan([act()], states, {}, set(), NOW) == []


def test_expired_intervals_reopen_when_paired_later():
    states = {
        "a1": {
            "intervals": {"status": "tombstone", "reason": "retry_expired", "attempts": 20},
            "streams": {"status": "tombstone", "reason": "retry_expired"},
        }
    }
    later = at("2025-06-08T12:00:00")
    assert plan([act()], states, {}, set(), later) == []
    assert plan([act()], states, {}, {"a1"}, later) == [Due("a1", "intervals", "retry")]
    # past start + 14 d the paired window is closed too
    assert plan([act()], states, {}, {"a1"}, at("2025-06-16T08:00:00")) == []
    reopened = advance(states["a1"], "intervals", TRANSIENT, act(), True, later)["intervals"]
    assert reopened["status"] == "pending" and reopened["attempts"] == 21
    assert reopened["next_retry_at"] == "2025-06-09T12:00:00+02:00"


def test_duplicate_activity_ids_are_planned_once():
    assert len(plan([act(), act()], {}, {}, set(), NOW)) == 2


# ----------------------------------------------------------------- pairing


def test_pairing_joins_both_ways_and_needs_steps():
    steps = {"workout_doc": {"steps": [{"duration": 600}]}}
    events = [
        Event.from_raw({"id": 11, **steps}),
        Event.from_raw({"id": 12, "paired_activity_id": "a2", **steps}),
        Event.from_raw({"id": 13, "workout_doc": {"steps": []}}),
        Event.from_raw({"id": 14, "paired_activity_id": "a4"}),
        Event.from_raw({"id": 15, "paired_activity_id": "elsewhere", **steps}),
    ]
    acts = [
        act("a1", paired_event_id=11),
        act("a2"),
        act("a3", paired_event_id=13),
        act("a4"),
        act("a5", paired_event_id=99),
    ]
    assert pairing(acts, events) == {"a1", "a2"}
    assert pairing([], events) == set() and pairing(acts, []) == set()


# ----------------------------------------------------------------- property


outcomes = st.builds(
    Outcome,
    kind=st.sampled_from(["ok", "no_data", "transient", "terminal", "compute_error", "?", ""]),
    retry_after=st.one_of(
        st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**20), 10**20)
    ),
    sync_date=st.one_of(st.none(), st.sampled_from(["t1", "t2", "t3", ""])),
)
garbage = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=8),
    st.floats(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
endpoint_states = st.one_of(
    st.none(),
    garbage,
    st.fixed_dictionaries(
        {},
        optional={
            "status": st.one_of(st.sampled_from(sorted(STATUSES)), garbage),
            "reason": st.one_of(st.sampled_from(sorted(REASONS)), garbage),
            "attempts": st.one_of(st.integers(-5, 10**9), garbage),
            "first_seen": st.one_of(
                st.sampled_from(["2025-06-01T00:00:00+00:00", "2025-06-02T09:00:00"]), garbage
            ),
            "next_retry_at": garbage,
            "no_data_attempts": garbage,
            "refresh": st.one_of(
                garbage,
                st.fixed_dictionaries(
                    {
                        "target_sync_date": st.one_of(st.none(), st.sampled_from(["t1", "t2"])),
                        "attempts": garbage,
                        "status": st.sampled_from(["exhausted", "x"]),
                    }
                ),
            ),
        },
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    initial=st.one_of(
        st.none(),
        garbage,
        st.fixed_dictionaries({"intervals": endpoint_states, "streams": endpoint_states}),
    ),
    steps=st.lists(
        st.tuples(
            st.sampled_from(["intervals", "streams", "other"]),
            outcomes,
            st.booleans(),
            st.integers(0, 10 * 86400),
        ),
        max_size=25,
    ),
    start=st.sampled_from([START, "2025-05-20", "garbage", None, "2025-06-02T08:00:00Z"]),
    edited=st.booleans(),
    token=st.sampled_from([None, "t1", "t2"]),
    zone=st.sampled_from([TZ, UTC, ZoneInfo("America/New_York")]),
)
# issue 11: a damaged stored state ({"status": []}) made planning raise
# "TypeError: unhashable type: 'list'"; always run that case
@example(
    initial={"intervals": {"status": []}, "streams": None},
    steps=[("streams", Outcome("ok"), False, 0)],
    start=START,
    edited=False,
    token=None,
    zone=TZ,
)
def test_advance_never_raises_and_yields_valid_states(initial, steps, start, edited, token, zone):
    activity = act(start=start, icu_intervals_edited=edited, icu_sync_date=token)
    now = datetime(2025, 6, 2, 9, 0, tzinfo=zone)
    record = initial
    for endpoint, outcome, paired, gap in steps:
        now += timedelta(seconds=gap)
        record = advance(record, endpoint, outcome, activity, paired, now)
        name = endpoint if endpoint in ("intervals", "streams") else "streams"
        state = record[name]
        assert state["status"] in STATUSES and state["reason"] in REASONS
        assert isinstance(state["attempts"], int) and state["attempts"] >= 0
        assert parse_stamp(state["last_attempt"], now) == now.replace(microsecond=0)
        if state["status"] == "ok":
            assert state["reason"] == "ok"
            assert isinstance(state.get("refresh", {}), dict)
        elif state["status"] == "pending":
            assert parse_stamp(state["next_retry_at"], now) > now
        elif state["status"] == "tombstone":
            assert state["reason"] in {"terminal_error", "retry_expired", "no_data"}
        assert isinstance(record["date"], str)
        # planning over the result never raises either
        plan([activity], {activity.id: record}, {}, {activity.id} if paired else set(), now)


@pytest.mark.parametrize("status", [[], {}, ["ok"], 7, None, "gone"])
def test_damaged_stored_state_counts_as_absent_and_is_fetched_again(status):
    a = act()
    now = at("2025-06-02T09:00:00")
    damaged = {"intervals": {"status": status}, "streams": {"status": status}}
    assert [(d.endpoint, d.kind) for d in plan([a], {a.id: damaged}, {}, set(), now)] == [
        ("intervals", "new"),
        ("streams", "new"),
    ]
    record = advance(damaged, "intervals", Outcome("ok"), a, False, now)
    assert record["intervals"]["status"] == "ok"


@pytest.mark.parametrize("endpoint", ["intervals", "streams"])
def test_ok_state_with_unreadable_fields_is_normalised_on_failure(endpoint):
    old = {"status": "ok", "reason": 7, "attempts": "x", "first_seen": None, "refresh": "bad"}
    now = at("2025-06-03T12:00:00")
    out = step(
        old,
        TRANSIENT,
        now,
        endpoint=endpoint,
        activity=act(icu_intervals_edited=True, icu_sync_date="t2"),
    )
    assert out["status"] == "ok" and out["reason"] == "ok" and out["attempts"] == 0
    assert out["first_seen"] == out["last_attempt"] == "2025-06-03T12:00:00+02:00"


def test_retry_times_are_elapsed_seconds_across_a_dst_change():
    berlin = ZoneInfo("Europe/Berlin")
    # 2025-10-26 03:00 CEST -> 02:00 CET; 02:58 CEST + 300 s = 02:03 CET
    now = datetime(2025, 10, 26, 2, 58, tzinfo=berlin, fold=0)
    a = act(start="2025-10-26T01:00:00")
    state = advance(None, "intervals", TRANSIENT, a, False, now)["intervals"]
    assert state["next_retry_at"] == "2025-10-26T02:03:00+01:00"
    assert parse_stamp(state["next_retry_at"], now) - now == timedelta(seconds=300)
