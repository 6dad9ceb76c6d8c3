"""Raw Intervals.icu calendar events -> `Event` records: planned workouts (with
their workout steps), races, notes and other calendar entries, and their
attachments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .model import as_dict, as_list, flag, ident, non_negative, num, parse_date, text
from .origins import split_origin


@dataclass(frozen=True)
class Attachment:
    id: str
    filename: str
    url: str


@dataclass(frozen=True)
class Event:
    id: str | None
    date: date | None
    start_local: str | None
    end_local: str | None = None  # exclusive for all-day markers
    category: str | None = None
    type: str | None = None  # sport
    name: str | None = None
    description: str | None = None
    load: float | None = None  # planned icu_training_load
    moving_time: float | None = None
    distance: float | None = None
    indoor: bool | None = None
    steps: tuple[Mapping[str, Any], ...] = ()  # workout_doc.steps (raw step dicts)
    attachments: tuple[Attachment, ...] = ()
    paired_activity_id: str | None = None
    updated: str | None = None
    origin: str | None = None  # "trainingpeaks" / "trainerroad": a tp2intervals copy
    origin_id: str | None = None  # the workout's id at its origin

    @classmethod
    def from_raw(cls, raw: Any) -> Event:
        raw = as_dict(raw)
        start = text(raw.get("start_date_local"))
        attachments = []
        for a in as_list(raw.get("attachments")):
            aid = ident(a.get("id")) if isinstance(a, dict) else None
            if aid and text(a.get("url")):
                attachments.append(Attachment(aid, text(a.get("filename")) or "", a["url"]))
        doc = as_dict(raw.get("workout_doc"))
        source = split_origin(text(raw.get("description")))
        return cls(
            id=ident(raw.get("id")),
            date=parse_date(start),
            start_local=start,
            end_local=text(raw.get("end_date_local")),
            category=text(raw.get("category")),
            type=text(raw.get("type")),
            name=text(raw.get("name")),
            description=source.text,
            load=num(raw.get("icu_training_load")),
            moving_time=non_negative(raw.get("moving_time")),
            distance=non_negative(raw.get("distance")),
            indoor=flag(raw.get("indoor")),
            steps=tuple(s for s in as_list(doc.get("steps")) if isinstance(s, dict)),
            attachments=tuple(attachments),
            paired_activity_id=ident(raw.get("paired_activity_id")),
            updated=text(raw.get("updated")),
            origin=source.origin,
            origin_id=source.origin_id,
        )


def events_from_raw(items: Any) -> list[Event]:
    return [Event.from_raw(e) for e in as_list(items) if isinstance(e, dict)]
