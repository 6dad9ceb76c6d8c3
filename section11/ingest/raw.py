"""The few raw Intervals.icu fields the fetch stage decides on.

The fetch stage works on the API's raw dicts; `model.py` (a layer above) turns
them into the records metrics read. Scheduling needs only a handful of fields
(ids, dates, change tokens, pairing), read here with the same rules as
`model.py`: present-but-null is absent, a value of the wrong type is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


def as_list(value: Any) -> list:
    """A list, or [] for None / anything that is not a list."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def raw_id(value: Any) -> str | None:
    """An id as a string; bools and other types are no id."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value)


def names(value: Any) -> frozenset[str] | None:
    """The strings of a list (e.g. `stream_types`); None when it is no list."""
    if not isinstance(value, list):
        return None
    return frozenset(item for item in value if isinstance(item, str))


def parse_date(value: Any) -> date | None:
    """The YYYY-MM-DD prefix of an ISO date/datetime string."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class ActivityRef:
    """What scheduling needs of one activity of the list."""

    id: str
    date: date | None
    start_local: str | None
    type: str | None
    sync_date: str | None = None  # icu_sync_date, the edit token
    intervals_edited: bool = False
    paired_event_id: str | None = None
    is_stub: bool = False  # Strava-sourced activity hidden by the API
    stream_types: frozenset[str] | None = None  # the streams recorded; None: not said

    def recorded(self, *streams: str) -> bool:
        """False only when the activity's `stream_types` says none of `streams` was
        recorded; an absent or empty list says nothing (it may still be processing)."""
        return not self.stream_types or not self.stream_types.isdisjoint(streams)

    @classmethod
    def from_raw(cls, raw: Any, index: int = 0) -> ActivityRef:
        raw = as_dict(raw)
        start = text(raw.get("start_date_local"))
        kind = text(raw.get("type"))
        return cls(
            id=raw_id(raw.get("id")) or f"unknown_{index + 1}",
            date=parse_date(start),
            start_local=start,
            type=kind,
            sync_date=text(raw.get("icu_sync_date")),
            intervals_edited=raw.get("icu_intervals_edited") is True,
            paired_event_id=raw_id(raw.get("paired_event_id")),
            is_stub=kind is None and (raw.get("source") == "STRAVA" or "_note" in raw),
            stream_types=names(raw.get("stream_types")),
        )


@dataclass(frozen=True)
class EventRef:
    """What pairing needs of one calendar event."""

    id: str | None
    date: date | None
    steps: tuple[Mapping[str, Any], ...] = ()
    paired_activity_id: str | None = None

    @classmethod
    def from_raw(cls, raw: Any) -> EventRef:
        raw = as_dict(raw)
        doc = as_dict(raw.get("workout_doc"))
        return cls(
            id=raw_id(raw.get("id")),
            date=parse_date(text(raw.get("start_date_local"))),
            steps=tuple(s for s in as_list(doc.get("steps")) if isinstance(s, dict)),
            paired_activity_id=raw_id(raw.get("paired_activity_id")),
        )


def activity_refs(items: Any) -> list[ActivityRef]:
    """Refs of the dict items of a raw activity list, in order (ids as model.py numbers them)."""
    return [ActivityRef.from_raw(a, i) for i, a in enumerate(as_list(items)) if isinstance(a, dict)]


def event_refs(items: Any) -> list[EventRef]:
    return [EventRef.from_raw(e) for e in as_list(items) if isinstance(e, dict)]
