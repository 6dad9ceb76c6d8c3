"""routes.json: terrain of the course files attached to calendar events.

Implements docs/metrics.md#routes and docs/architecture.md#caching, with the
fixes of weakness 9.1.4 (docs/architecture.md#reference-weaknesses) and quirk 16 (docs/deviations.md):

* a failed route is an entry with `terrain_summary: null`,
  `terrain_status: "error"` and `terrain_error: "<one line>"` instead of a
  `terrain_summary: {"error": ...}` dict, so `has_terrain` (and any consumer
  testing `terrain_summary`) never mistakes a failure for terrain;
* errors are terminal or transient: terminal ones are reused from the previous
  routes.json, transient ones (marked `terrain_retry: true`) are tried again;
* `.fit` attachments are listed as unsupported without being downloaded;
* the document carries `schema_version`; the cache is keyed by attachment id
  and valid only for the same schema and sync version (the reference used a
  hash of its own script for the same purpose and emitted it as `script_hash`).

Pure: downloading is the caller's `fetch` function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from ..event_model import Attachment, Event
from ..metrics.courses import COURSE_RULES, choose_course
from ..metrics.terrain import analyse_terrain
from ..sources.routefiles import (
    ROUTE_EXTENSIONS,
    RouteFileError,
    extension,
    file_label,
    parse_route,
)
from .terrain import refresh_display, with_display

ROUTES_SCHEMA_VERSION = 1
ROUTE_SOURCE = "gpx_attachment"  # the reference's label for GPX and TCX alike
MAX_ERROR_CHARS = 200

RouteResult = dict[str, Any] | RouteFileError


def attachment_kind(attachment: Attachment) -> str | None:
    """ "gpx", "tcx" or "fit" by the filename extension, else None."""
    ext = extension(attachment.filename)
    return ext if ext in ROUTE_EXTENSIONS else None


def route_attachments(events: Iterable[Event]) -> list[tuple[Event, Attachment]]:
    """(event, attachment) for every route file on the events, in order (docs/metrics.md#routes).

    Attachments need an id and url (event_model.Event keeps only those) and a
    gpx/tcx/fit extension. `.fit` ones are included so they can be listed as
    unsupported (see `unsupported_error`), never downloaded.
    """
    out = []
    seen = set()
    for event in events:
        for attachment in event.attachments:
            key = (event.id, attachment.id)
            if attachment_kind(attachment) is None or key in seen:
                continue
            seen.add(key)
            out.append((event, attachment))
    return out


def unsupported_error(attachment: Attachment) -> RouteFileError | None:
    """The terminal error of an attachment that is not downloaded (FIT), else None."""
    if attachment_kind(attachment) == "fit":
        return RouteFileError(f"{file_label(attachment.filename)}: FIT format not yet supported")
    return None


def analyse_route_file(
    data: bytes, filename: str, units: Mapping[str, str] | None = None
) -> RouteResult:
    """Terrain summary (with polyline) of a downloaded route file, or the error.

    The summary says which part of the file it describes: `courses` (tracks
    and routes with two points), `segments` (pieces analysed) and
    `course_rule` (`metrics.courses`), right after `source`.
    """
    try:
        choice = choose_course(parse_route(data, filename))
    except RouteFileError as exc:
        return exc
    try:
        summary = analyse_terrain(choice.segments, ROUTE_SOURCE, polyline=True) if choice else None
    except (ArithmeticError, ValueError, IndexError) as exc:  # never fail a sync on one file
        return RouteFileError(
            f"{file_label(filename)}: terrain analysis failed ({type(exc).__name__})"
        )
    if summary is None or choice is None:
        return RouteFileError(f"{file_label(filename)}: insufficient trackpoints")
    source = summary.pop("source")
    return with_display({"source": source, **choice.fields(), **summary}, units)


def _start_time(start_local: str | None) -> str | None:
    if not start_local or len(start_local) < 16 or start_local[10] != "T":
        return None
    hhmm = start_local[11:16]
    return None if hhmm == "00:00" else hhmm


def _one_line(message: str, attachment: Attachment) -> str:
    """A single line, capped, that can never carry the (possibly signed) URL."""
    text = " ".join(str(message).split())
    if attachment.url:
        text = text.replace(attachment.url, "<url>")
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def route_entry(
    event: Event,
    attachment: Attachment,
    summary_or_error: RouteResult | None,
    units: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One routes.json `events[]` entry (docs/metrics.md#routes).

    summary_or_error: a terrain summary (fresh or cached; its display blocks
    are re-derived for `units`), a RouteFileError, or None (nothing known).
    """
    entry: dict[str, Any] = {
        "event_id": event.id,
        "event_name": event.name or "Unnamed",
        "event_date": event.date.isoformat() if event.date else None,
        "category": event.category,
        "attachment_id": attachment.id,
        "filename": attachment.filename,
        "terrain_summary": (
            refresh_display(summary_or_error, units)
            if isinstance(summary_or_error, Mapping)
            else None
        ),
    }
    start_time = _start_time(event.start_local)
    if start_time:
        entry["start_time"] = start_time
    if isinstance(summary_or_error, RouteFileError):
        entry["terrain_status"] = "error"
        entry["terrain_error"] = _one_line(summary_or_error.message, attachment)
        if not summary_or_error.terminal:
            entry["terrain_retry"] = True
    return entry


def previous_entries(document: Any, version: str | None) -> dict[str, Mapping[str, Any]]:
    """attachment_id -> entry of the previous routes.json (docs/architecture.md#caching).

    Empty when the document is unreadable or was written by another schema or
    sync version (the analysis may have changed).
    """
    if not isinstance(document, Mapping) or document.get("schema_version") != ROUTES_SCHEMA_VERSION:
        return {}
    if document.get("sync_version") != version or not isinstance(document.get("events"), list):
        return {}
    return {
        str(e["attachment_id"]): e
        for e in document["events"]
        if isinstance(e, Mapping) and e.get("attachment_id") is not None
    }


def cached_result(entry: Mapping[str, Any] | None) -> RouteResult | None:
    """What a cached entry says about its file: the summary, a terminal error,
    or None when it must be (re)downloaded (transient error, nothing usable)."""
    if not isinstance(entry, Mapping):
        return None
    summary = entry.get("terrain_summary")
    if isinstance(summary, Mapping) and summary and "error" not in summary:
        return dict(summary)
    if (
        entry.get("terrain_status") == "error"
        and not entry.get("terrain_retry")
        and isinstance(entry.get("terrain_error"), str)
    ):
        return RouteFileError(entry["terrain_error"], terminal=True)
    return None


def attachments_to_fetch(
    events: Iterable[Event], cache: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Attachment]:
    """The attachments `route_entries` will download: gpx/tcx files without a
    usable result in `cache` (`previous_entries(...)`), each once."""
    cache = cache or {}
    wanted: dict[str, Attachment] = {}
    for _event, attachment in route_attachments(events):
        if attachment.id in wanted or unsupported_error(attachment) is not None:
            continue
        if cached_result(cache.get(attachment.id)) is None:
            wanted[attachment.id] = attachment
    return list(wanted.values())


def route_entries(
    events: Iterable[Event],
    fetch: Callable[[Attachment], bytes],
    units: Mapping[str, str] | None = None,
    cache: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Entries for every route attachment on the events (docs/metrics.md#routes, docs/architecture.md#caching).

    cache: `previous_entries(...)`. fetch(attachment) returns the file's bytes
    or raises RouteFileError (terminal=False for failures worth retrying); it
    is called only for gpx/tcx attachments without a usable cached result.
    """
    cache = cache or {}
    done: dict[str, RouteResult] = {}  # one download per attachment per sync
    entries = []
    for event, attachment in route_attachments(events):
        result = (
            done.get(attachment.id)
            or unsupported_error(attachment)
            or cached_result(cache.get(attachment.id))
        )
        if result is None:
            try:
                result = analyse_route_file(fetch(attachment), attachment.filename, units)
            except RouteFileError as exc:
                result = exc
        done[attachment.id] = result
        entries.append(route_entry(event, attachment, result, units))
    return entries


def routes_document(
    entries: Iterable[Mapping[str, Any]], now: datetime, version: str | None
) -> dict[str, Any]:
    """The routes.json document (docs/metrics.md#routes); always written, even with no events.
    `course_rules` states what each summary's `course_rule` means."""
    return {
        "generated_at": now.isoformat(),
        "sync_version": version,
        "schema_version": ROUTES_SCHEMA_VERSION,
        "course_rules": dict(COURSE_RULES),
        "events": [dict(e) for e in entries],
    }


def terrain_event_ids(entries: Iterable[Mapping[str, Any]]) -> set[str]:
    """Event ids (str) whose entry has a real terrain summary: drives
    `has_terrain` (docs/metrics.md#routes). Error entries never count (quirk 16 fixed)."""
    ids = set()
    for entry in entries:
        summary = entry.get("terrain_summary")
        if (
            isinstance(summary, Mapping)
            and summary
            and "error" not in summary
            and entry.get("event_id") is not None
        ):
            ids.add(str(entry["event_id"]))
    return ids
