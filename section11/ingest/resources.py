"""Per-activity resources, each fetched once in its life and kept in the store.

Messages (chat notes) for the last 8 days are fetched when an activity is first
seen or its change token moves (the reference asked for every one of them on
every run). Intervals and DFA streams follow the retry schedule (`retry.py`);
terrain is reduced from the streams once per outdoor activity.

Stored shapes: the raw `icu_intervals` list; the DFA block and the terrain
keys that the pipeline's reducers compute from a streams payload (the streams
themselves, tens of thousands of samples, are not kept); message texts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ..sources import errors as api_errors
from ..sources.intervals import IntervalsClient
from ..sports import is_outdoor
from .calls import in_parallel
from .raw import ActivityRef, EventRef
from .retention import retain
from .retry import Outcome, advance, pairing, plan
from .status import Tally, source_status
from .store import DFA, INTERVALS, MESSAGES, TERRAIN, Store

MESSAGES_DAYS = 7
MESSAGES_RECHECK_DAYS = 1  # today and yesterday: where new comments usually land
MESSAGES_RECHECK_SECONDS = 6 * 3600

STREAM_TYPES = ["dfa_a1", "artifacts", "heartrate", "watts"]
TERRAIN_TYPES = ["latlng", "altitude"]
# DFA a1 is computed from the RR intervals, the "hrv" stream of the activity list's
# `stream_types`; without them (or without "latlng" for terrain) the answer is known
# and the call is not made
RR_STREAMS = ("hrv", "dfa_a1")
TRACK_STREAM = "latlng"
INTERVALS_BATCH = 25  # activity ids per intervals request (a short URL)
RECORD = "record"  # fetch_state endpoint key holding the whole per-activity record
COUNT_KEY = "activities_28d_count"  # meta: size of the previous run's 28-day list

# streams payload -> a reduced, JSON-ready value (see ingest/__init__.py)
Reducer = Callable[[list[Any]], Mapping[str, Any] | None]


# ----------------------------------------------------------------- messages


def message_texts(messages: Any) -> tuple[str, ...]:
    """Non-blank `content` (else `text`) of each message (docs/metrics.md#recent-activities)."""
    texts = []
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        body = message.get("content")
        if not isinstance(body, str) or not body.strip():
            body = message.get("text")
        if isinstance(body, str) and body.strip():
            texts.append(body.strip())
    return tuple(texts)


def messages_due(store: Store, activity: ActivityRef, today: date, now: datetime) -> bool:
    """New or changed activities; and the last two days' ones every 6 hours, since a
    comment added later does not change the activity's sync token."""
    stored = store.resource(activity.id, MESSAGES)
    if stored is None or stored[1] != activity.sync_date:
        return True
    if activity.date is None or activity.date < today - timedelta(days=MESSAGES_RECHECK_DAYS):
        return False
    fetched = store.resource_fetched_at(activity.id, MESSAGES)
    try:
        age = (now - datetime.fromisoformat(fetched or "")).total_seconds()
    except (TypeError, ValueError):
        return True
    return age > MESSAGES_RECHECK_SECONDS


def fetch_chat_notes(
    client: IntervalsClient,
    store: Store,
    activities: Sequence[ActivityRef],
    today: date,
    now: datetime,
    warnings: list[str],
    status: dict[str, str],
) -> dict[str, tuple[str, ...]]:
    """{activity id: texts} for activities dated today-7..today.
    `status["messages"]` gets this run's outcome."""
    recent = [a for a in activities if a.date and a.date >= today - timedelta(days=MESSAGES_DAYS)]
    due = [a for a in recent if messages_due(store, a, today, now)]
    failed = 0
    for activity, result in zip(
        due, client.map_bounded(lambda a: client.activity_messages(a.id), due)
    ):
        if isinstance(result, Exception) or not isinstance(result, list):
            failed += 1
            continue
        store.put_resource(
            activity.id, MESSAGES, list(message_texts(result)), activity.sync_date, now.isoformat()
        )
    if failed:
        warnings.append(
            f"activity messages unavailable for {failed} of {len(due)} activities; "
            "the next sync retries them"
        )
    status["messages"] = source_status(failed, len(due))
    notes = {}
    for activity in recent:
        stored = store.resource(activity.id, MESSAGES)
        if stored and stored[0]:
            notes[activity.id] = tuple(stored[0])
    return notes


# ----------------------------------------------------------------- intervals + DFA


def classify_error(exc: Exception) -> Outcome:
    """A client error as a retry Outcome (docs/architecture.md#errors-and-retries)."""
    if isinstance(exc, api_errors.NotFound):
        return Outcome("terminal")
    if isinstance(exc, api_errors.RateLimited):
        return Outcome("transient", retry_after=exc.retry_after)
    return Outcome("transient")


def _intervals_batches(
    client: IntervalsClient, activities: Sequence[ActivityRef]
) -> dict[str, tuple[Outcome, list[Any] | None]]:
    """The intervals of `activities`, INTERVALS_BATCH ids per request: activity id
    -> (Outcome, raw icu_intervals | None). A failed request fails each of its
    ids; an id left out of the answer is unknown to the API (a 404 alone)."""
    out: dict[str, tuple[Outcome, list[Any] | None]] = {}
    for start in range(0, len(activities), INTERVALS_BATCH):
        batch = activities[start : start + INTERVALS_BATCH]
        try:
            answer = client.activities_with_intervals([a.id for a in batch])
        except Exception as exc:  # noqa: BLE001 - classified, never fatal
            out.update({a.id: (classify_error(exc), None) for a in batch})
            continue
        by_id = {str(r.get("id")): r for r in answer if isinstance(r, dict)}
        for activity in batch:
            out[activity.id] = _intervals_outcome(by_id.get(activity.id), activity)
    return out


def _intervals_outcome(
    raw: dict[str, Any] | None, activity: ActivityRef
) -> tuple[Outcome, list[Any] | None]:
    """(Outcome, raw icu_intervals | None) of one activity of a batch answer."""
    if raw is None:
        return Outcome("terminal"), None
    items = raw.get("icu_intervals")
    if not isinstance(items, list):
        return Outcome("transient"), None
    if not items:
        return Outcome("no_data"), None
    return Outcome("ok", sync_date=activity.sync_date), items


def _streams_attempt(
    client: IntervalsClient, activity: ActivityRef, dfa_block: Reducer
) -> tuple[Outcome, Mapping[str, Any] | None, list[Any] | None]:
    """(Outcome, dfa block | None, streams list | None). Outdoor activities ask for
    the terrain streams too, so one call serves DFA and terrain."""
    if not activity.recorded(*RR_STREAMS):
        return Outcome("no_data"), None, None  # what the call would say; terrain asks apart
    types = STREAM_TYPES + (TERRAIN_TYPES if is_outdoor(activity.type) else [])
    try:
        streams = client.activity_streams(activity.id, types=types)
    except Exception as exc:  # noqa: BLE001 - classified, never fatal
        return classify_error(exc), None, None
    if not isinstance(streams, list):
        return Outcome("transient"), None, None
    try:
        block = dfa_block(streams)
    except Exception:  # noqa: BLE001 - a bug in one session must not stop the sync
        return Outcome("compute_error"), None, streams
    return (Outcome("ok") if block is not None else Outcome("no_data")), block, streams


def stored_payloads(store: Store) -> dict[str, dict[str, Any]]:
    """{activity id: {"intervals": raw list, "dfa": block}} (keys present when stored)."""
    payloads: dict[str, dict[str, Any]] = {}
    for kind in (INTERVALS, DFA):
        for activity_id, payload in store.resources(kind).items():
            payloads.setdefault(activity_id, {})[kind] = payload
    return payloads


def _attempt_result(result: Any, endpoint: str) -> tuple[Outcome, Any, list[Any] | None]:
    """(outcome, payload, streams) of one map_bounded result."""
    if isinstance(result, Exception):  # skipped after rate limiting, or a bug
        return classify_error(result), None, None
    if endpoint == "intervals":
        outcome, payload = result
        return outcome, payload, None
    outcome, payload, streams = result
    return outcome, payload, streams


def fetch_intervals(
    client: IntervalsClient,
    store: Store,
    activities: Sequence[ActivityRef],
    events: Sequence[EventRef],
    today: date,
    now: datetime,
    warnings: list[str],
    reducers: tuple[Reducer, Reducer],
    status: dict[str, str],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict]]:
    """Due intervals/streams calls (docs/metrics.md#intervals-file), applied to the stored state.

    `activities`: the 28-day list. `reducers`: (dfa_block, terrain) of a
    streams payload. Returns (payloads, records) after retention: the stored
    `{"intervals": ..., "dfa": ...}` and fetch-state record of each activity.
    `status["intervals"]` / `status["streams"]` get this run's outcome.
    """
    dfa_block, terrain = reducers
    records = {aid: rec for (aid, _e), rec in store.fetch_states(RECORD).items()}
    payloads = stored_payloads(store)
    paired = pairing(activities, [e for e in events if e.date and e.date <= today])
    due = plan(activities, records, payloads, paired, now)
    by_id = {a.id: a for a in activities}

    streams_due = [item for item in due if item.endpoint != "intervals"]
    intervals_due = [by_id[item.activity_id] for item in due if item.endpoint == "intervals"]
    intervals, streams_results = in_parallel(
        lambda: _intervals_batches(client, intervals_due),
        lambda: client.map_bounded(
            lambda item: _streams_attempt(client, by_id[item.activity_id], dfa_block),
            streams_due,
        ),
    )
    streamed = dict(zip((item.activity_id for item in streams_due), streams_results))

    tallies = {"intervals": Tally(), "streams": Tally()}
    for item in due:
        activity = by_id[item.activity_id]
        result = intervals[activity.id] if item.endpoint == "intervals" else streamed[activity.id]
        outcome, payload, streams = _attempt_result(result, item.endpoint)
        tallies[item.endpoint].record(outcome.kind not in ("ok", "no_data"))
        records[activity.id] = advance(
            records.get(activity.id), item.endpoint, outcome, activity, activity.id in paired, now
        )
        if outcome.kind == "ok":
            kind = INTERVALS if item.endpoint == "intervals" else DFA
            payloads.setdefault(activity.id, {})[kind] = payload
            store.put_resource(activity.id, kind, payload, activity.sync_date, now.isoformat())
        if streams is not None and is_outdoor(activity.type):
            store_terrain(store, activity, streams, terrain, now)
    kept_payloads, kept_records = _retain(store, payloads, records, activities, today, warnings)
    failures = sum(t.failed for t in tallies.values())
    if failures:
        warnings.append(f"{failures} per-activity calls failed; they are retried on schedule")
    status.update({endpoint: tally.status for endpoint, tally in tallies.items()})
    return kept_payloads, kept_records


def _retain(
    store: Store,
    payloads: dict[str, dict[str, Any]],
    records: dict[str, dict],
    activities: Sequence[ActivityRef],
    today: date,
    warnings: list[str],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict]]:
    """Prune the stored payloads and records to the retention (`retention.retain`)."""
    previous = store.meta(COUNT_KEY)
    kept_payloads, kept_records, warning = retain(
        payloads,
        records,
        activities,
        today,
        previous_count=int(previous) if previous and previous.isdigit() else None,
    )
    if warning:
        warnings.append(warning)
    else:
        store.set_meta(COUNT_KEY, str(len(activities)))
    for aid in set(payloads) - set(kept_payloads):
        store.drop_resource(aid, INTERVALS)
        store.drop_resource(aid, DFA)
    for aid in set(records) - set(kept_records):
        store.drop_fetch_state(aid)
    for aid, record in kept_records.items():
        store.put_fetch_state(aid, RECORD, record)
    return kept_payloads, kept_records


# ----------------------------------------------------------------- terrain (docs/metrics.md#recent-activities)


def store_terrain(
    store: Store, activity: ActivityRef, streams: list[Any], terrain: Reducer, now: datetime
) -> None:
    """Terrain of a completed outdoor activity from its streams, kept for good."""
    try:
        result = terrain(streams)
    except Exception:  # noqa: BLE001 - a bad track must not stop the sync
        result = None
    if result is None:
        result = {"terrain_status": "no_gps"}
    store.put_resource(activity.id, TERRAIN, result, activity.sync_date, now.isoformat())


def fetch_terrain(
    client: IntervalsClient,
    store: Store,
    activities: Sequence[ActivityRef],
    now: datetime,
    warnings: list[str],
    terrain: Reducer,
    status: dict[str, str],
) -> dict[str, dict[str, Any]]:
    """{activity id: terrain keys} for the outdoor activities of the window.

    Activities whose streams were not already fetched for DFA get one small
    `streams.json?types=latlng,altitude` call, once in their life (none when their
    `stream_types` has no track: "no_gps"); a 404/410 is recorded as `failed`, a
    transient error is retried next sync. `status["terrain"]` gets this run's outcome.
    """
    outdoor = [a for a in activities if is_outdoor(a.type)]
    due = [a for a in outdoor if store.resource(a.id, TERRAIN) is None]
    for activity in due:
        if not activity.recorded(TRACK_STREAM):
            store_terrain(store, activity, [], terrain, now)
    tracks = [a for a in due if a.recorded(TRACK_STREAM)]
    failed = 0
    for activity, result in zip(
        tracks,
        client.map_bounded(lambda a: client.activity_streams(a.id, types=TERRAIN_TYPES), tracks),
    ):
        if isinstance(result, api_errors.NotFound):
            store.put_resource(
                activity.id,
                TERRAIN,
                {"terrain_status": "failed", "terrain_error": f"http_{result.status or 404}"},
                activity.sync_date,
                now.isoformat(),
            )
        elif isinstance(result, list):
            store_terrain(store, activity, result, terrain, now)
        else:
            failed += 1
    if failed:
        warnings.append(f"terrain unavailable for {failed} outdoor activities; retried next sync")
    status["terrain"] = source_status(failed, len(due))
    out = {}
    for activity in outdoor:
        stored = store.resource(activity.id, TERRAIN)
        if stored and isinstance(stored[0], dict):
            out[activity.id] = stored[0]
    return out
