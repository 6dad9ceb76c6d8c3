"""Per-activity resources, each fetched once in its life and kept in the store.

Messages (chat notes) for the last 8 days are fetched when an activity is first
seen or its change token moves (the reference asked for every one of them on
every run). Intervals, DFA streams and terrain follow the fetch-state machine.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from .store import Store

MESSAGES_DAYS = 7


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


def fetch_chat_notes(client, store: Store, activities, today: date, now: datetime,
                     warnings: list[str]) -> dict[str, tuple[str, ...]]:
    """{activity id: texts} for activities dated today-7..today."""
    recent = [a for a in activities if a.date and a.date >= today - timedelta(days=MESSAGES_DAYS)]
    due = []
    for activity in recent:
        stored = store.resource(activity.id, "messages")
        if stored is None or stored[1] != activity.sync_date:
            due.append(activity)
    failed = 0
    for activity, result in zip(due, client.map_bounded(
            lambda a: client.activity_messages(a.id), due)):
        if isinstance(result, Exception) or not isinstance(result, list):
            failed += 1
            continue
        store.put_resource(activity.id, "messages", list(message_texts(result)),
                           activity.sync_date, now.isoformat())
    if failed:
        warnings.append(f"activity messages unavailable for {failed} of {len(due)} activities; "
                        "the next sync retries them")
    notes = {}
    for activity in recent:
        stored = store.resource(activity.id, "messages")
        if stored and stored[0]:
            notes[activity.id] = tuple(stored[0])
    return notes
