"""Per-activity resources, each fetched once in its life and kept in the store.

Messages (chat notes) for the last 8 days are fetched when an activity is first
seen or its change token moves (the reference asked for every one of them on
every run). Intervals, DFA streams and terrain follow the fetch-state machine.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .store import Store

MESSAGES_DAYS = 7
MESSAGES_RECHECK_DAYS = 1  # today and yesterday: where new comments usually land
MESSAGES_RECHECK_SECONDS = 6 * 3600


def message_texts(messages) -> tuple[str, ...]:
    """Non-blank `content` (else `text`) of each message (§25.6)."""
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


def messages_due(store: Store, activity, today: date, now: datetime) -> bool:
    """New or changed activities; and the last two days' ones every 6 hours, since a
    comment added later does not change the activity's sync token."""
    stored = store.resource(activity.id, "messages")
    if stored is None or stored[1] != activity.sync_date:
        return True
    if activity.date < today - timedelta(days=MESSAGES_RECHECK_DAYS):
        return False
    fetched = store.resource_fetched_at(activity.id, "messages")
    try:
        age = (now - datetime.fromisoformat(fetched)).total_seconds()
    except (TypeError, ValueError):
        return True
    return age > MESSAGES_RECHECK_SECONDS


def fetch_chat_notes(
    client,
    store: Store,
    activities,
    today: date,
    now: datetime,
    warnings: list[str],
    status: dict[str, str] | None = None,
) -> dict[str, tuple[str, ...]]:
    """{activity id: texts} for activities dated today-7..today.
    `status["messages"]` gets this run's outcome (fetch.source_status)."""
    from .fetch import source_status

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
            activity.id,
            "messages",
            list(message_texts(result)),
            activity.sync_date,
            now.isoformat(),
        )
    if failed:
        warnings.append(
            f"activity messages unavailable for {failed} of {len(due)} activities; "
            "the next sync retries them"
        )
    if status is not None:
        status["messages"] = source_status(failed, len(due))
    notes = {}
    for activity in recent:
        stored = store.resource(activity.id, "messages")
        if stored and stored[0]:
            notes[activity.id] = tuple(stored[0])
    return notes


# ----------------------------------------------------------------- intervals + DFA

STREAM_TYPES = ["dfa_a1", "artifacts", "heartrate", "watts"]
TERRAIN_TYPES = ["latlng", "altitude"]
RECORD = "record"  # fetch_state endpoint key holding the whole per-activity record
ENTRY = "entry"  # resource kind: the intervals.json entry


def classify_error(exc: Exception):
    """A client error as a fetch-state Outcome (spec/pipeline.md §3.2)."""
    from .fetch_state import Outcome
    from .sources import errors as api_errors

    if isinstance(exc, api_errors.NotFound):
        return Outcome("terminal")
    if isinstance(exc, api_errors.RateLimited):
        return Outcome("transient", retry_after=exc.retry_after)
    return Outcome("transient")


def _intervals_attempt(client, activity):
    """(Outcome, icu_intervals | None)."""
    from .fetch_state import Outcome

    try:
        raw = client.activity_intervals(activity.id)
    except Exception as exc:  # noqa: BLE001 - classified, never fatal
        return classify_error(exc), None
    items = raw.get("icu_intervals") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return Outcome("transient"), None
    if not items:
        return Outcome("no_data"), None
    return Outcome("ok", sync_date=activity.sync_date), items


def _streams_attempt(client, activity, with_terrain: bool):
    """(Outcome, dfa block | None, streams list | None)."""
    from .fetch_state import Outcome
    from .metrics.dfa import dfa_block

    types = STREAM_TYPES + (TERRAIN_TYPES if with_terrain else [])
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


def fetch_intervals(
    client,
    store: Store,
    activities,
    events,
    today: date,
    now: datetime,
    warnings: list[str],
    on_streams=None,
    status: dict[str, str] | None = None,
):
    """Due intervals/streams calls (§30), applied to the stored state.

    Returns (entries, records): the intervals.json entries and fetch_state
    records after retention. `on_streams(activity, streams)` sees every streams
    payload (terrain reuses it, so one call serves DFA and terrain).
    `status["intervals"]` / `status["streams"]` get this run's outcome.
    """
    from .fetch import source_status
    from .fetch_state import advance, pairing, plan
    from .outputs.intervals import merge_entry, retain
    from .sports import is_outdoor

    stored_records = {aid: rec for (aid, _e), rec in store.fetch_states(RECORD).items()}
    entries = store.resources(ENTRY)
    paired = pairing(activities, [e for e in events if e.date and e.date <= today])
    due = plan(activities, stored_records, entries, paired, now)
    by_id = {a.id: a for a in activities}

    def attempt(item):
        activity = by_id[item.activity_id]
        if item.endpoint == "intervals":
            return _intervals_attempt(client, activity)
        return _streams_attempt(client, activity, is_outdoor(activity.type))

    records = dict(stored_records)
    failures = 0
    tally = {endpoint: [0, 0] for endpoint in ("intervals", "streams")}
    for item, result in zip(due, client.map_bounded(attempt, due)):
        activity = by_id[item.activity_id]
        if isinstance(result, Exception):  # skipped after rate limiting, or a bug
            outcome, payload, streams = classify_error(result), None, None
        elif item.endpoint == "intervals":
            (outcome, payload), streams = result, None
        else:
            outcome, payload, streams = result
        tally[item.endpoint][1] += 1
        if outcome.kind not in ("ok", "no_data"):
            failures += 1
            tally[item.endpoint][0] += 1
        records[activity.id] = advance(
            records.get(activity.id), item.endpoint, outcome, activity, activity.id in paired, now
        )
        if outcome.kind == "ok":
            if item.endpoint == "intervals":
                entries[activity.id] = merge_entry(
                    entries.get(activity.id), activity, intervals=payload
                )
            else:
                entries[activity.id] = merge_entry(entries.get(activity.id), activity, dfa=payload)
        if streams is not None and on_streams is not None:
            on_streams(activity, streams)
    previous = store.meta("activities_28d_count")
    kept_entries, kept_records, warning = retain(
        entries,
        records,
        activities,
        today,
        previous_count=int(previous) if previous and previous.isdigit() else None,
    )
    if warning:
        warnings.append(warning)
    else:
        store.set_meta("activities_28d_count", str(len(activities)))
    for aid in set(entries) - set(kept_entries):
        store.drop_resource(aid, ENTRY)
    for aid in set(records) - set(kept_records):
        store.drop_fetch_state(aid)
    for aid, entry in kept_entries.items():
        store.put_resource(aid, ENTRY, entry, None, now.isoformat())
    for aid, record in kept_records.items():
        store.put_fetch_state(aid, RECORD, record)
    if failures:
        warnings.append(f"{failures} per-activity calls failed; they are retried on schedule")
    if status is not None:
        status.update({endpoint: source_status(*counts) for endpoint, counts in tally.items()})
    return kept_entries, kept_records


# ----------------------------------------------------------------- terrain (§25.4)

TERRAIN = "terrain"


def store_terrain(store: Store, activity, streams, units, now: datetime) -> None:
    """Terrain of a completed outdoor activity from its streams, kept for good."""
    from .outputs.terrain import terrain_from_streams

    try:
        result = terrain_from_streams(streams, units)
    except Exception:  # noqa: BLE001 - a bad track must not stop the sync
        result = {"terrain_status": "no_gps"}
    store.put_resource(activity.id, TERRAIN, result, activity.sync_date, now.isoformat())


def fetch_terrain(
    client,
    store: Store,
    activities,
    units,
    now: datetime,
    warnings: list[str],
    status: dict[str, str] | None = None,
) -> dict[str, dict]:
    """{activity id: terrain fields} for the outdoor activities of the window.

    Activities whose streams were not already fetched for DFA get one small
    `streams.json?types=latlng,altitude` call, once in their life; a 404/410 is
    recorded as `failed`, a transient error is retried next sync.
    `status["terrain"]` gets this run's outcome.
    """
    from .fetch import source_status
    from .outputs.terrain import refresh_display
    from .sources import errors as api_errors
    from .sports import is_outdoor

    outdoor = [a for a in activities if is_outdoor(a.type)]
    due = [a for a in outdoor if store.resource(a.id, TERRAIN) is None]
    failed = 0
    for activity, result in zip(
        due, client.map_bounded(lambda a: client.activity_streams(a.id, types=TERRAIN_TYPES), due)
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
            store_terrain(store, activity, result, units, now)
        else:
            failed += 1
    if failed:
        warnings.append(f"terrain unavailable for {failed} outdoor activities; retried next sync")
    if status is not None:
        status["terrain"] = source_status(failed, len(due))
    out = {}
    for activity in outdoor:
        stored = store.resource(activity.id, TERRAIN)
        if not stored or not isinstance(stored[0], dict):
            continue
        fields = dict(stored[0])
        if isinstance(fields.get("terrain_summary"), dict):
            fields["terrain_summary"] = refresh_display(fields["terrain_summary"], units)
        out[activity.id] = fields
    return out


# ----------------------------------------------------------------- routes (§31)


def fetch_routes(client, events, units, previous_doc, version: str) -> list[dict]:
    """routes.json entries: each attachment downloaded once (terminal results are
    reused from the previous routes.json, transient ones retried)."""
    from .outputs.routes import previous_entries, route_entries
    from .sources import errors as api_errors
    from .sources.routefiles import MAX_ROUTE_BYTES, RouteFileError

    def fetch(attachment) -> bytes:
        try:
            return client.download(attachment.url, max_bytes=MAX_ROUTE_BYTES)
        except api_errors.ResponseTooLarge:
            raise RouteFileError(
                f"{attachment.filename}: larger than "
                f"{MAX_ROUTE_BYTES // 1_000_000} MB; not downloaded",
                terminal=True,
            ) from None
        except api_errors.NotFound:
            raise RouteFileError(
                f"{attachment.filename}: the attachment is gone (HTTP 404)", terminal=True
            ) from None
        except api_errors.IntervalsError as exc:
            raise RouteFileError(
                f"{attachment.filename}: download failed ({exc.status or 'network'}); "
                "retried next sync",
                terminal=False,
            ) from None

    return route_entries(events, fetch, units, previous_entries(previous_doc, version))
