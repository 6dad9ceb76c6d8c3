"""Per-activity retry schedule: the fetch-state machine (pure).

Implements docs/metrics.md#retry-states-docs/metrics.md#retry-states and docs/architecture.md#errors-and-retries-docs/metrics.md#retry-states / docs/architecture.md#caching:
which per-activity calls (`intervals`: GET /activity/{id}?intervals=true,
`streams`: the DFA streams) are due this sync, and how one attempt's outcome
moves the stored state. `resources.py` does the HTTP calls and persists the
records; nothing here does I/O or reads the clock ("now" is an argument).
Activities and events are anything with the fields of `ActivityLike` /
`EventLike` (the fetch stage's `raw.ActivityRef`, or `model.Activity`).

A stored record, keyed by activity id (str)::

    {"date": "YYYY-MM-DD", ["paired_planned": true],
     "intervals": EndpointState, "streams": EndpointState}

    EndpointState = {status: ok|pending|tombstone,
                     reason: ok|no_data|transient|compute_error|terminal_error|retry_expired,
                     attempts, first_seen, last_attempt, [next_retry_at],
                     [source_icu_sync_date], [refresh{...}], [no_data_attempts]}

Timestamps are stored as tz-aware ISO strings in now's timezone and always
compared as datetimes (weakness 9.1.16 (docs/architecture.md#reference-weaknesses)). Legacy naive strings are read as
now's timezone; unreadable ones count as missing.

Deliberate differences from the reference (docs/deviations.md):
* Late discovery (weakness 9.1.3 (docs/architecture.md#reference-weaknesses)): an eligible activity inside retention with no
  state is NEW whatever its age, and when it is first seen after its retry
  window had already closed, the window is measured from first_seen instead of
  the activity start, so it gets the same retries as a timely one.
* Final attempt at the deadline (weakness 9.1.12 (docs/architecture.md#reference-weaknesses)): when the next ladder slot
  falls on or after the deadline, the last attempt is scheduled at the deadline
  (or later if Retry-After demands it) instead of tombstoning at once.
* Streams no_data cap (weakness 9.1.14 (docs/architecture.md#reference-weaknesses)): a 200 without a `dfa_a1` stream is
  retried once more; a second no_data tombstones with reason "no_data".
* A retry_expired intervals tombstone is re-opened when the activity becomes
  exactly paired later and the 14-day paired window is still open.
* An endpoint state that is already `ok` is never downgraded by a failed
  attempt (its payload stays); for intervals the failure goes into `refresh`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Protocol

from ..sports import INTERVAL_ELIGIBLE_FAMILIES, family_of

ENDPOINTS = ("intervals", "streams")
STATUSES = frozenset({"ok", "pending", "tombstone"})
REASONS = frozenset(
    {"ok", "no_data", "transient", "compute_error", "terminal_error", "retry_expired"}
)
OUTCOME_KINDS = frozenset({"ok", "no_data", "transient", "terminal", "compute_error"})

RETENTION_DAYS = 14
SCAN_HOURS = 72
WINDOW = timedelta(hours=SCAN_HOURS)  # retry deadline, from the activity start
PAIRED_WINDOW = timedelta(days=14)  # paired intervals only
PAIRED_MIN_DELAY = 86400.0  # paired intervals once past start + 72 h
STREAMS_NO_DATA_MAX = 2  # the first no_data plus one retry
MAX_RETRY_AFTER = float(RETENTION_DAYS * 86400)  # clamp absurd server values

# (last attempt number of the rung, delay in seconds); later attempts use the last rung
LADDER = ((6, 300.0), (12, 1800.0), (None, 21600.0))


class ActivityLike(Protocol):
    """The activity fields scheduling reads."""

    @property
    def id(self) -> str: ...
    @property
    def date(self) -> date | None: ...
    @property
    def start_local(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def sync_date(self) -> str | None: ...
    @property
    def intervals_edited(self) -> bool: ...
    @property
    def paired_event_id(self) -> str | None: ...


class EventLike(Protocol):
    """The calendar event fields pairing reads."""

    @property
    def id(self) -> str | None: ...
    @property
    def steps(self) -> tuple[Mapping[str, Any], ...]: ...
    @property
    def paired_activity_id(self) -> str | None: ...


@dataclass(frozen=True)
class Due:
    """One per-activity call the pipeline should make this sync."""

    activity_id: str
    endpoint: str  # "intervals" | "streams"
    kind: str  # "new" | "retry" | "refresh"


@dataclass(frozen=True)
class Outcome:
    """The classified result of one attempt (docs/architecture.md#errors-and-retries).

    kind: ok | no_data | transient | terminal | compute_error (anything else is
    treated as transient). retry_after: seconds from a 429's Retry-After.
    sync_date: the icu_sync_date seen with an intervals payload, if any.
    """

    kind: str
    retry_after: float | None = None
    sync_date: str | None = None


# ----------------------------------------------------------------- time helpers


def _zone(now: datetime) -> tzinfo:
    return now.tzinfo or UTC


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    return _aware(moment).astimezone(UTC)


def iso(moment: datetime, now: datetime) -> str:
    """A stored timestamp: aware ISO in now's timezone, whole seconds."""
    return moment.astimezone(_zone(now)).isoformat(timespec="seconds")


def parse_stamp(value: Any, now: datetime) -> datetime | None:
    """A stored ISO timestamp as an aware datetime; naive ones are in now's zone."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(now))
    return moment


def activity_start(activity: ActivityLike, now: datetime) -> datetime | None:
    """Activity start (start_date_local, a local wall time) as an aware datetime."""
    start = parse_stamp(activity.start_local, now)
    if start is None and activity.date is not None:
        start = datetime.combine(activity.date, datetime.min.time(), _zone(now))
    return start


def ladder_delay(attempts: int) -> float:
    """Base delay after the given attempt number: 1-6 → 300 s, 7-12 → 1800 s, then 21600 s."""
    for last, delay in LADDER:
        if last is None or attempts <= last:
            return delay
    return LADDER[-1][1]  # pragma: no cover - the last rung is open-ended


def _retry_after(value: Any) -> float:
    """Retry-After seconds clamped to [0, MAX_RETRY_AFTER]; 0 when unusable."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return min(max(float(value), 0.0), MAX_RETRY_AFTER)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return min(value, 10**6)


# ----------------------------------------------------------------- pairing


def pairing(activities: Iterable[ActivityLike], events: Iterable[EventLike]) -> set[str]:
    """Ids of activities exactly paired to a planned workout with steps (docs/metrics.md#retry-states).

    Joined both ways: activity.paired_event_id == event.id, or
    event.paired_activity_id == activity.id. Only events whose workout_doc has
    steps count. Pairing only extends the intervals retry window.
    """
    activities = list(activities)
    with_steps = [e for e in events if e.steps]
    event_ids = {e.id for e in with_steps if e.id is not None}
    linked = {e.paired_activity_id for e in with_steps if e.paired_activity_id is not None}
    return {
        a.id
        for a in activities
        if (a.paired_event_id is not None and a.paired_event_id in event_ids) or a.id in linked
    }


# ----------------------------------------------------------------- deadlines


def _window(endpoint: str, paired: bool) -> timedelta:
    return PAIRED_WINDOW if endpoint == "intervals" and paired else WINDOW


def _anchor(start: datetime | None, first_seen: datetime, window: timedelta) -> datetime:
    """What the retry window is measured from: the activity start, or first_seen
    when the activity was first seen after its window had closed (late discovery)."""
    if start is None or first_seen >= start + window:
        return first_seen
    return start


def deadline(endpoint: str, paired: bool, start: datetime | None, first_seen: datetime) -> datetime:
    """Retry deadline: anchor + 72 h, or + 14 d for paired intervals (docs/metrics.md#retry-states)."""
    window = _window(endpoint, paired)
    return _anchor(start, first_seen, window) + window


def schedule(
    endpoint: str,
    attempts: int,
    paired: bool,
    start: datetime | None,
    first_seen: datetime,
    now: datetime,
    retry_after: float | None,
) -> datetime | None:
    """Next retry time after a failed attempt, or None when the window is spent.

    Ladder by attempt number, at least 86400 s for paired intervals once past
    anchor + 72 h, at least Retry-After. A slot on or after the deadline becomes
    one final attempt at the deadline (not before Retry-After allows).
    """
    now = _utc(now)  # elapsed-time arithmetic, immune to DST wall-clock shifts
    start = _utc(start) if start is not None else None
    window = _window(endpoint, paired)
    anchor = _anchor(start, _utc(first_seen), window)
    end = anchor + window
    if now >= end:
        return None
    delay = ladder_delay(attempts)
    if endpoint == "intervals" and paired and now >= anchor + WINDOW:
        delay = max(delay, PAIRED_MIN_DELAY)
    wait = _retry_after(retry_after)
    delay = max(delay, wait)
    nxt = now + timedelta(seconds=delay)
    if nxt >= end:
        nxt = max(end, now + timedelta(seconds=wait))
    return nxt


# ----------------------------------------------------------------- plan


def _has_payload(entry: Any, endpoint: str) -> bool:
    if not isinstance(entry, Mapping):
        return False
    if endpoint == "intervals":
        return isinstance(entry.get("intervals"), list) and bool(entry["intervals"])
    return isinstance(entry.get("dfa"), Mapping)


def _is_due(stamp: Any, now: datetime) -> bool:
    moment = parse_stamp(stamp, now)
    return moment is None or moment <= now


def _refresh_due(state: Mapping, activity: ActivityLike, now: datetime) -> bool:
    """Intervals refresh arm (docs/metrics.md#retry-states): an edited activity whose token moved."""
    token = activity.sync_date
    if not (activity.intervals_edited and token and token != state.get("source_icu_sync_date")):
        return False
    refresh = state.get("refresh")
    if not isinstance(refresh, Mapping) or refresh.get("target_sync_date") != token:
        return True
    return refresh.get("status") != "exhausted" and _is_due(refresh.get("next_retry_at"), now)


def _reopen(state: Mapping, activity: ActivityLike, paired: bool, now: datetime) -> bool:
    """A retry_expired intervals tombstone whose paired window is still open."""
    if not paired or state.get("reason") != "retry_expired":
        return False
    start = activity_start(activity, now)
    return start is not None and now < start + PAIRED_WINDOW


def stored_status(state: Any) -> str | None:
    """The status of a stored endpoint state, or None when the state is damaged
    (not an object, or a status that is not one of STATUSES, e.g. a list): a
    damaged state counts as absent, so the endpoint is fetched again."""
    if not isinstance(state, Mapping):
        return None
    status = state.get("status")
    return status if isinstance(status, str) and status in STATUSES else None


def _endpoint_due(
    endpoint: str, state: Any, entry: Any, activity: ActivityLike, paired: bool, now: datetime
) -> str | None:
    status = stored_status(state)
    if status is None:
        return None if _has_payload(entry, endpoint) else "new"
    if status == "pending":
        return "retry" if _is_due(state.get("next_retry_at"), now) else None
    if endpoint != "intervals":
        return None
    if status == "ok":
        return "refresh" if _refresh_due(state, activity, now) else None
    return "retry" if _reopen(state, activity, paired, now) else None


def plan(
    activities: Iterable[ActivityLike],
    states: Mapping[str, Any],
    entries: Mapping[str, Any],
    paired_ids: set[str],
    now: datetime,
) -> list[Due]:
    """The calls due this sync (docs/metrics.md#retry-states with the weakness 9.1.3 (docs/architecture.md#reference-weaknesses) late-discovery fix).

    Eligible: a family in {cycling, run, ski, rowing, swim}, dated within the
    14-day retention (≥ today − 14, today = now's date). An endpoint with no
    stored state is NEW unless the cached entry already holds its payload
    (legacy caches); pending endpoints are due when next_retry_at ≤ now (or
    missing); ok intervals are due for a refresh on a new edit token.
    Returned in activity order, intervals before streams.
    """
    now = _aware(now)
    cutoff = now.date() - timedelta(days=RETENTION_DAYS)
    due: list[Due] = []
    seen: set[str] = set()
    for activity in activities:
        if activity.id in seen or activity.date is None or activity.date < cutoff:
            continue
        if family_of(activity.type) not in INTERVAL_ELIGIBLE_FAMILIES:
            continue
        seen.add(activity.id)
        record = states.get(activity.id)
        record = record if isinstance(record, Mapping) else {}
        entry = entries.get(activity.id)
        for endpoint in ENDPOINTS:
            kind = _endpoint_due(
                endpoint, record.get(endpoint), entry, activity, activity.id in paired_ids, now
            )
            if kind:
                due.append(Due(activity.id, endpoint, kind))
    return due


# ----------------------------------------------------------------- advance


def _outcome_kind(outcome: Any) -> str:
    kind = getattr(outcome, "kind", None)
    return kind if isinstance(kind, str) and kind in OUTCOME_KINDS else "transient"


def _token(outcome: Outcome, activity: ActivityLike) -> str | None:
    token = getattr(outcome, "sync_date", None)
    return token if isinstance(token, str) and token else activity.sync_date


def _kept_ok(old: Mapping, now: datetime) -> dict:
    """An ok state that stays ok after a failed attempt: only last_attempt moves
    (stored values that are unreadable are normalised on the way)."""
    first_seen = parse_stamp(old.get("first_seen"), now) or now
    state: dict[str, Any] = {
        "status": "ok",
        "reason": "ok",
        "attempts": _count(old.get("attempts")),
        "first_seen": iso(first_seen, now),
        "last_attempt": iso(now, now),
    }
    if isinstance(old.get("source_icu_sync_date"), str):
        state["source_icu_sync_date"] = old["source_icu_sync_date"]
    return state


def _advance_refresh(
    old: Mapping, kind: str, outcome: Outcome, activity: ActivityLike, now: datetime
) -> dict:
    """An attempt on an intervals endpoint that is already ok (docs/metrics.md#retry-states refresh lifecycle)."""
    token = _token(outcome, activity)
    if kind == "ok":  # rebuilt, so the finished refresh{} goes away
        first_seen = parse_stamp(old.get("first_seen"), now) or now
        state = {
            "status": "ok",
            "reason": "ok",
            "attempts": _count(old.get("attempts")) + 1,
            "first_seen": iso(first_seen, now),
            "last_attempt": iso(now, now),
        }
        if token:
            state["source_icu_sync_date"] = token
        return state
    state = _kept_ok(old, now)
    stored = old.get("refresh")
    previous: Mapping[str, Any] = stored if isinstance(stored, Mapping) else {}
    same_target = previous.get("target_sync_date") == token
    attempts = _count(previous.get("attempts")) + 1 if same_target else 1
    refresh: dict[str, Any] = {"target_sync_date": token, "attempts": attempts}
    if kind == "terminal":
        refresh.update(reason="terminal_error", status="exhausted")
    else:
        refresh["reason"] = "no_data" if kind == "no_data" else "transient"
        delay = max(ladder_delay(attempts), _retry_after(getattr(outcome, "retry_after", None)))
        refresh["next_retry_at"] = iso(_utc(now) + timedelta(seconds=delay), now)
    state["refresh"] = refresh
    return state


def _advance_endpoint(
    old: Mapping,
    endpoint: str,
    kind: str,
    outcome: Outcome,
    activity: ActivityLike,
    paired: bool,
    now: datetime,
) -> dict:
    if old.get("status") == "ok":
        if endpoint == "intervals":
            return _advance_refresh(old, kind, outcome, activity, now)
        if kind != "ok":  # streams are final once ok: keep the payload's state
            return _kept_ok(old, now)
    attempts = _count(old.get("attempts")) + 1
    first_seen = parse_stamp(old.get("first_seen"), now) or now
    state: dict[str, Any] = {
        "status": "pending",
        "reason": kind,
        "attempts": attempts,
        "first_seen": iso(first_seen, now),
        "last_attempt": iso(now, now),
    }
    if kind == "ok":
        state.update(status="ok", reason="ok")
        token = _token(outcome, activity) if endpoint == "intervals" else None
        if token:
            state["source_icu_sync_date"] = token
        return state
    if kind == "terminal":
        state.update(status="tombstone", reason="terminal_error")
        return state
    no_data = _count(old.get("no_data_attempts")) if endpoint == "streams" else 0
    if endpoint == "streams" and kind == "no_data":
        no_data += 1
    if (
        kind == "no_data" and no_data >= STREAMS_NO_DATA_MAX
    ):  # weakness 9.1.14 (docs/architecture.md#reference-weaknesses): give up
        state["status"] = "tombstone"
    else:
        nxt = schedule(
            endpoint,
            attempts,
            paired,
            activity_start(activity, now),
            first_seen,
            now,
            getattr(outcome, "retry_after", None),
        )
        if nxt is None:
            state.update(status="tombstone", reason="retry_expired")
        else:
            state["next_retry_at"] = iso(nxt, now)
    if no_data:
        state["no_data_attempts"] = no_data
    return state


def advance(
    state: Mapping[str, Any] | None,
    endpoint: str,
    outcome: Outcome,
    activity: ActivityLike,
    paired: bool,
    now: datetime,
) -> dict:
    """The activity's fetch_state record after one attempt on `endpoint` (docs/metrics.md#retry-states).

    Returns a new record (the input is not modified): `date`, `paired_planned`
    when paired, and both endpoint states (the other one untouched). Never
    raises on odd stored values or outcomes; an unknown outcome kind counts as
    transient, an unknown endpoint as streams.
    """
    now = _aware(now)
    endpoint = endpoint if isinstance(endpoint, str) and endpoint in ENDPOINTS else "streams"
    record = dict(state) if isinstance(state, Mapping) else {}
    if activity.date is not None:
        record["date"] = activity.date.isoformat()
    elif not isinstance(record.get("date"), str):
        record["date"] = now.date().isoformat()
    if paired:
        record["paired_planned"] = True
    else:
        record.pop("paired_planned", None)
    old = record.get(endpoint)
    old = old if isinstance(old, Mapping) else {}
    record[endpoint] = _advance_endpoint(
        old, endpoint, _outcome_kind(outcome), outcome, activity, paired, now
    )
    return record


def record_date(record: Any) -> date | None:
    """The `date` of a stored record, if readable."""
    if not isinstance(record, Mapping) or not isinstance(record.get("date"), str):
        return None
    try:
        return date.fromisoformat(record["date"][:10])
    except ValueError:
        return None
