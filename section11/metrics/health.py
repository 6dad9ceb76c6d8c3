"""health_context: calendar SICK/INJURED markers and the wellness injury field
(docs/metrics.md#health-context).

Informational only, never an input to readiness_decision. The markers come
from a dedicated 365-day SICK/INJURED fetch; when that fetch failed
(health_events is None) the main calendar list is used instead and the
context says so with source_status "partial" and the shorter lookback.

Intervals.icu all-day entries carry an exclusive end (a one-day marker on the
21st ends on the 22nd at 00:00); end dates are turned inclusive here.
An event without a parseable start date is skipped; an unparseable end date
counts as absent (a one-day marker).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from ..event_model import Event
from ..model import parse_date
from ..sports import HEALTH_CATEGORIES
from ..wellness_model import Wellness

FULL_LOOKBACK_DAYS = 365
RECENT_WINDOW_DAYS = 14
INJURY_FLAG_MIN = 2  # NIGGLE or worse is reported
INJURY_CLARIFY_MIN = 3  # POOR or INJURED today asks for clarification
INJURY_SCALE_MAX = 4

INJURY_SERIES = (
    "wellness_data[].injury holds the daily values (1 NONE, 2 NIGGLE, 3 POOR, 4 INJURED)"
)
NOTE_OK = (
    "Calendar SICK/INJURED markers of the last {lookback} days and the planned "
    "ones ahead. A marker only says the athlete logged it; ask how they are when "
    "clarification_required is true. Not used by readiness_decision."
)
NOTE_PARTIAL = (
    "The dedicated SICK/INJURED fetch failed, so only the regular calendar "
    "window ({lookback} days back) was checked: an illness or injury that "
    "started earlier may be missing. Ask the athlete before prescribing "
    "intensity. Not used by readiness_decision."
)


def marker_end(event: Event, start: date) -> date:
    """Inclusive end day of a marker (docs/metrics.md#health-context): an end at 00:00 (or date-only) is
    exclusive, so the day before; any other time is that day; never before start."""
    raw = event.end_local
    end_day = parse_date(raw)
    if raw is None or end_day is None:
        return start
    time_part = raw[11:16] if len(raw) >= 16 else ""
    end = end_day - timedelta(days=1) if time_part in ("", "00:00") else end_day
    return max(end, start)


def marker_entry(event: Event, start: date, today: date) -> dict[str, Any]:
    """{event_id, category, start_date, end_date, marker_active_today, source,
    [name], [description]} of one SICK/INJURED event starting on `start`."""
    end = marker_end(event, start)
    entry: dict[str, Any] = {
        "event_id": event.id,
        "category": event.category,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "marker_active_today": start <= today <= end,
        "source": "calendar",
    }
    name = (event.name or "").strip()
    if name:
        entry["name"] = name
    description = (event.description or "").strip()
    if description:
        entry["description"] = description
    return entry


def marker_buckets(events: Iterable[Event], today: date) -> tuple[list, list, list]:
    """(current, recent, upcoming) marker entries, each sorted by
    (start_date, category, event id). Markers that ended more than 14 days ago
    are dropped; recent entries carry days_since_end."""
    current, recent, upcoming = [], [], []
    for event in events:
        start = event.date
        if event.category not in HEALTH_CATEGORIES or start is None:
            continue
        entry = marker_entry(event, start, today)
        end = date.fromisoformat(entry["end_date"])
        if start > today:
            upcoming.append(entry)
        elif entry["marker_active_today"]:
            current.append(entry)
        elif end >= today - timedelta(days=RECENT_WINDOW_DAYS):
            entry["days_since_end"] = (today - end).days
            recent.append(entry)

    def order(e: dict) -> tuple:
        return (e["start_date"], e["category"], str(e["event_id"]))

    return sorted(current, key=order), sorted(recent, key=order), sorted(upcoming, key=order)


def wellness_injury(latest: Wellness | None, today: date) -> dict[str, Any] | None:
    """The latest wellness record's injury when NIGGLE or worse (2..4) (docs/metrics.md#health-context):
    {value, date, freshness current|stale, series, [days_old when stale]}.

    Values outside the 1-4 scale and records dated after today are ignored.
    """
    if latest is None or latest.injury is None:
        return None
    value = latest.injury
    days_old = (today - latest.date).days
    if not INJURY_FLAG_MIN <= value <= INJURY_SCALE_MAX or days_old < 0:
        return None
    out: dict[str, Any] = {
        "value": value,
        "date": latest.date.isoformat(),
        "freshness": "current" if days_old == 0 else "stale",
        "series": INJURY_SERIES,
    }
    if days_old:
        out["days_old"] = days_old
    return out


def health_context(
    health_events: Sequence[Event] | None,
    main_events: Sequence[Event],
    main_floor: date,
    latest_wellness: Wellness | None,
    today: date,
) -> dict[str, Any]:
    """Top-level `health_context` (docs/metrics.md#health-context).

    health_events: the dedicated SICK/INJURED fetch, or None when it failed;
    then main_events (the regular calendar list, fetched from main_floor on)
    are scanned instead and source_status is "partial" with
    lookback_days = today - main_floor. latest_wellness: the newest wellness
    record (its injury field).
    """
    ok = health_events is not None
    events = health_events if ok else main_events
    lookback = FULL_LOOKBACK_DAYS if ok else (today - main_floor).days
    current, recent, upcoming = marker_buckets(events or (), today)
    injury = wellness_injury(latest_wellness, today)
    injury_clarify = (
        injury is not None
        and injury["freshness"] == "current"
        and injury["value"] >= INJURY_CLARIFY_MIN
    )

    context: dict[str, Any] = {"source_status": "ok" if ok else "partial"}
    if ok:
        context["marker_active"] = bool(current)
        context["recent_marker"] = bool(recent) and not current
    context.update(
        {
            "clarification_required": bool(current or recent or injury_clarify or not ok),
            "lookback_days": lookback,
            "recent_window_days": RECENT_WINDOW_DAYS,
            "current": current,
            "recent": recent,
            "upcoming": upcoming,
        }
    )
    if injury is not None:
        context["wellness_injury"] = injury
    context["note"] = (NOTE_OK if ok else NOTE_PARTIAL).format(lookback=lookback)
    return context
