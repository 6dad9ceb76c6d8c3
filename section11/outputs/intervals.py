"""intervals.json: per-interval segments, session DFA blocks, retention (pure).

docs/metrics.md#intervals-file (shape), docs/metrics.md#intervals-file (segment mapping, zone_basis), docs/metrics.md#intervals-file
(merge and write), docs/metrics.md#recent-activities (has_intervals / has_dfa); docs/architecture.md#caching.
The fetch stage (`section11.ingest`) stores the raw `icu_intervals` list and
the DFA block of each activity, with its fetch-state record, and prunes them
to the retention; `entries(...)` shapes them into intervals.json entries and
`intervals_document(...)` writes the document.

Entries and fetch_state records are plain dicts keyed by activity id (str).

Deliberate differences from the reference (docs/deviations.md):
* No `script_hash` key: the cache schema is versioned by `schema_version`
  instead of a hash of the script file (weakness 9.4 (docs/architecture.md#reference-weaknesses), weakness 9.6 (docs/architecture.md#reference-weaknesses)).
* Pruning is refused when the activity list is empty or shrank sharply
  (weakness 9.2 (docs/architecture.md#reference-weaknesses), `section11.ingest.retention`).
* An entry's date, start_datetime, type and name follow the current activity
  list (a rename after upload shows up), not only the values at first fetch.
* Segment values of the wrong type are dropped like nulls; elements that are not
  objects, or that map to no field at all, are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from ..ingest.retry import RETENTION_DAYS, SCAN_HOURS
from ..model import Activity, as_dict, as_list, num
from .activities import has_dfa, has_intervals

SCHEMA_VERSION = 1

# output key <- icu_intervals element key (docs/metrics.md#intervals-file), in emitted order
SEGMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("type", "type"),
    ("label", "group_id"),
    ("duration_secs", "elapsed_time"),
    ("moving_secs", "moving_time"),
    ("start_secs", "start_time"),
    ("end_secs", "end_time"),
    ("avg_power", "average_watts"),
    ("max_power", "max_watts"),
    ("avg_hr", "average_heartrate"),
    ("max_hr", "max_heartrate"),
    ("min_hr", "min_heartrate"),
    ("avg_cadence", "average_cadence"),
    ("zone", "zone"),
    ("w_bal_start", "wbal_start"),
    ("w_bal_end", "wbal_end"),
    ("training_load", "training_load"),
)
TEXT_FIELDS = frozenset({"type"})
LABEL_FIELDS = frozenset({"label"})


# ----------------------------------------------------------------- docs/metrics.md#intervals-file segments


def _label(value: Any) -> str | int | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def segment(raw: Mapping[str, Any]) -> dict:
    """One `icu_intervals` element → a segment, null (or ill-typed) values dropped."""
    out: dict[str, Any] = {}
    for key, source in SEGMENT_FIELDS:
        value = raw.get(source)
        if key in TEXT_FIELDS:
            value = value if isinstance(value, str) else None
        elif key in LABEL_FIELDS:
            value = _label(value)
        else:
            value = num(value)
        if value is not None:
            out[key] = value
    return out


def segments(icu_intervals: Any) -> list[dict]:
    """All segments of an `icu_intervals` list, in order (docs/metrics.md#intervals-file)."""
    out = []
    for raw in as_list(icu_intervals):
        if isinstance(raw, dict):
            seg = segment(raw)
            if seg:
                out.append(seg)
    return out


def _has(raw: Any, key: str) -> bool:
    return num(as_dict(raw).get(key)) is not None


def zone_basis(icu_intervals: Any, activity: Activity) -> str | None:
    """Activity-level basis of the intervals' `zone` (docs/metrics.md#intervals-file): power, hr, pace or None.

    power: some interval carries zone_min_watts/zone_max_watts; hr: the activity
    has HR zone times and no pace/GAP zone times; pace: pace or GAP zone times
    and no HR zone times; otherwise (or when no interval has a zone) None.
    """
    items = as_list(icu_intervals)
    if not any(_has(raw, "zone") for raw in items):
        return None
    if any(_has(raw, "zone_min_watts") or _has(raw, "zone_max_watts") for raw in items):
        return "power"
    has_hr = bool(activity.hr_zone_times)
    has_pace = bool(activity.pace_zone_times or activity.gap_zone_times)
    if has_hr and not has_pace:
        return "hr"
    if has_pace and not has_hr:
        return "pace"
    return None


# ----------------------------------------------------------------- docs/metrics.md#intervals-file entries


def has_payload(entry: Any) -> bool:
    """An entry worth keeping: some segments or a dfa block (docs/metrics.md#intervals-file)."""
    if not isinstance(entry, Mapping):
        return False
    segs = entry.get("intervals")
    return (isinstance(segs, list) and bool(segs)) or isinstance(entry.get("dfa"), Mapping)


def has_flags(entry: Mapping[str, Any] | None) -> tuple[bool, bool]:
    """(has_intervals, has_dfa) for latest.json (docs/metrics.md#recent-activities): a WORK segment; a dfa block."""
    return has_intervals(entry), has_dfa(entry)


def _summary(activity: Activity) -> list[str] | None:
    return list(activity.interval_summary) or None


def merge_entry(
    entry: Mapping[str, Any] | None,
    activity: Activity,
    *,
    intervals: Any = None,
    dfa: Mapping[str, Any] | None = None,
) -> dict:
    """The activity's entry after this sync's updates (docs/metrics.md#intervals-file), as a new dict.

    intervals: the raw `icu_intervals` list of an ok fetch (replaces segments,
    interval_summary and zone_basis); dfa: a computed dfa block (replaces it).
    None means "no update". Key order: activity_id, date, start_datetime, type,
    name, interval_summary, [zone_basis], intervals, [dfa].
    """
    old = dict(entry) if isinstance(entry, Mapping) else {}
    out: dict[str, Any] = {
        "activity_id": activity.id,
        "date": activity.date.isoformat() if activity.date else old.get("date"),
        "start_datetime": activity.start_local or old.get("start_datetime"),
        "type": activity.type or old.get("type"),
        "name": activity.name if activity.name is not None else old.get("name"),
        "interval_summary": old.get("interval_summary") if entry else _summary(activity),
    }
    segs = old.get("intervals") if isinstance(old.get("intervals"), list) else []
    basis = old.get("zone_basis")
    if intervals is not None:
        segs = segments(intervals)
        basis = zone_basis(intervals, activity)
        out["interval_summary"] = _summary(activity)
    if basis is not None:
        out["zone_basis"] = basis
    out["intervals"] = segs
    block = dfa if dfa is not None else old.get("dfa")
    if isinstance(block, Mapping):
        out["dfa"] = dict(block)
    return out


def entries(
    payloads: Mapping[str, Mapping[str, Any]], activities: Iterable[Activity]
) -> dict[str, dict]:
    """intervals.json entries of the stored payloads (`{"intervals": raw
    icu_intervals, "dfa": block}` by activity id) for the activities they
    belong to; payloads of activities not in `activities`, and entries with
    neither segments nor dfa, are left out."""
    by_id: dict[str, Activity] = {}
    for activity in activities:
        by_id.setdefault(activity.id, activity)
    out = {}
    for key, payload in payloads.items():
        found = by_id.get(str(key))
        if found is None or not isinstance(payload, Mapping):
            continue
        entry = merge_entry(None, found, intervals=payload.get("intervals"), dfa=payload.get("dfa"))
        if has_payload(entry):
            out[str(key)] = entry
    return out


# ----------------------------------------------------------------- docs/metrics.md#intervals-file document


def _newest_first(
    items: list[tuple[str, Any]], when: Callable[[Any], str]
) -> list[tuple[str, Any]]:
    return sorted(items, key=lambda kv: (when(kv[1]), kv[0]), reverse=True)


def intervals_document(
    entries: Mapping[str, Any], states: Mapping[str, Any], now: datetime, version: str
) -> dict:
    """The intervals.json document (docs/metrics.md#intervals-file), newest activity first.

    Keys: generated_at, schema_version, version, scan_hours, retention_days,
    activities, fetch_state (no script_hash, see the module notes). Entries
    without segments or dfa are left out; their fetch_state records stay, which
    is what stops them being fetched again.
    """
    kept = [(str(k), v) for k, v in entries.items() if has_payload(v)]
    ordered = _newest_first(kept, lambda e: str(e.get("start_datetime") or e.get("date") or ""))
    records = [(str(k), v) for k, v in states.items() if isinstance(v, Mapping)]
    ordered_states = _newest_first(records, lambda r: str(r.get("date") or ""))
    return {
        "generated_at": now.isoformat(),
        "schema_version": SCHEMA_VERSION,
        "version": version,
        "scan_hours": SCAN_HOURS,
        "retention_days": RETENTION_DAYS,
        "activities": [dict(e) for _, e in ordered],
        "fetch_state": {k: dict(r) for k, r in ordered_states},
    }
