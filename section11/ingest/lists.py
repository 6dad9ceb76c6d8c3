"""Bring the local store up to date with as few requests as possible.

Each run asks for the recent window of activities and wellness (one call
each). The rest of the 3-year history is fetched once, one request per list
(beside the per-activity calls), and refreshed in full only when it is older
than a week, so edits to old records are picked
up without a 3-year download on every run. Curves and the year of health
markers are cached with a time-to-live (`calls.cached_call`). Per-activity
resources are fetched elsewhere (`resources.py`), only when new or changed.

Suspicious answers never destroy stored data: an activity list that comes back
empty, or sharply shorter, while the store knows activities in that window is
recorded as a warning and the stored records are kept (weakness 9.2 (docs/architecture.md#reference-weaknesses)).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..sources.intervals import IntervalsClient
from ..windows import HISTORY_DAYS
from .calls import in_parallel
from .raw import as_dict, as_list, parse_date
from .status import KEPT_PREVIOUS, OK
from .store import Store, iter_chunks

CHUNK_DAYS = (
    550  # about 18 months: the 3 years in two requests per list, the newest with the recent window
)
FULL_REFRESH_SECONDS = 7 * 86400
GENERATE_HISTORY_MAX_AGE = 86400
SHRINK_GUARD_MIN = 3  # removals below this are never suspicious


@dataclass
class RefreshReport:
    requests: int = 0
    new_activities: list[str] = field(default_factory=list)
    changed_activities: list[str] = field(default_factory=list)
    removed_activities: list[str] = field(default_factory=list)
    history_due: bool = False  # the 3-year history is re-read this run
    history_chunks: list[tuple[date, date]] = field(default_factory=list)  # due, newest first
    history_fetched: bool = False
    status: dict[str, str] = field(default_factory=dict)  # per list: ok | kept_previous
    warnings: list[str] = field(default_factory=list)


Keyed = tuple[str, str | None, str | None, Any]  # (id, day, change token, raw)


def activity_key(raw: Any) -> Keyed | None:
    raw = as_dict(raw)
    if raw.get("id") is None or isinstance(raw.get("id"), bool):
        return None
    day = parse_date(raw.get("start_date_local"))
    token = raw.get("icu_sync_date") if isinstance(raw.get("icu_sync_date"), str) else None
    return str(raw["id"]), day.isoformat() if day else None, token, raw


def wellness_key(raw: Any) -> Keyed | None:
    raw = as_dict(raw)
    day = parse_date(raw.get("id"))
    if day is None:
        return None
    token = raw.get("updated") if isinstance(raw.get("updated"), str) else None
    return day.isoformat(), day.isoformat(), token, raw


def _upsert(
    store: Store,
    kind: str,
    items: list,
    keyer: Callable[[Any], Keyed | None],
    report: RefreshReport,
) -> set[str]:
    keyed = [k for k in (keyer(i) for i in items) if k is not None]
    if kind == "activity":
        known = {
            row_id: token for row_id, token in store.ids_in("activity", date.min, date.max).items()
        }
        for record_id, _day, token, _raw in keyed:
            if record_id not in known:
                report.new_activities.append(record_id)
            elif known[record_id] != token:
                report.changed_activities.append(record_id)
    store.upsert(kind, keyed)
    return {k[0] for k in keyed}


def refresh_lists(
    client: IntervalsClient,
    store: Store,
    today: date,
    span: int,
    now: float | None = None,
    max_history_age: float = FULL_REFRESH_SECONDS,
) -> RefreshReport:
    """Activities and wellness for the last `span` days (both calls at once). When
    the 3-year history is missing or older than `max_history_age` seconds (a week
    by default; --generate-history asks for a day), these two calls cover its
    newest chunk instead and the report lists the older chunks due
    (`refresh_history` fetches them). Core calls: failures propagate."""
    now = time.time() if now is None else now
    report = RefreshReport()
    recent_oldest = today - timedelta(days=span - 1)
    history_oldest = today - timedelta(days=HISTORY_DAYS - 1)

    coverage = store.coverage("activity")
    stale = coverage is None or coverage[0] > history_oldest or now - coverage[2] > max_history_age
    report.history_due = stale and recent_oldest > history_oldest
    chunks = list(iter_chunks(history_oldest, today, CHUNK_DAYS)) if report.history_due else []
    # when the history is due, its newest chunk replaces the recent window's calls
    window_oldest = min([recent_oldest, *(start for start, _ in chunks[:1])])
    report.history_chunks = chunks[1:]
    activities, wellness = in_parallel(
        lambda: as_list(client.activities(window_oldest, today)),
        lambda: as_list(client.wellness(window_oldest, today)),
    )
    report.requests += 2
    span = (today - window_oldest).days + 1

    stored = store.ids_in("activity", window_oldest, today)
    stored_days = store.ids_in("wellness", window_oldest, today)
    fetched = _upsert(store, "activity", activities, activity_key, report)
    if not _upsert(store, "wellness", wellness, wellness_key, report) and stored_days:
        report.status["wellness"] = KEPT_PREVIOUS  # wellness rows are never deleted
        report.warnings.append(
            f"the wellness list came back empty where {len(stored_days)} "
            f"days were known for the last {span} days; kept the stored ones"
        )
    missing = sorted(set(stored) - fetched)
    suspicious = bool(missing) and (
        not fetched or (len(missing) >= SHRINK_GUARD_MIN and len(missing) > len(stored) / 2)
    )
    if suspicious:
        report.status["activities"] = KEPT_PREVIOUS
        report.warnings.append(
            f"the activity list came back with {len(fetched)} activities where "
            f"{len(stored)} were known for the last {span} days; kept the stored ones "
            "(if you really deleted them, they disappear on the next full refresh)"
        )
    else:
        report.status["activities"] = OK
        store.delete("activity", missing)
        report.removed_activities = missing

    report.status["history"] = OK  # "kept_previous" when a history chunk shrank
    return report


def refresh_history(
    client: IntervalsClient, store: Store, report: RefreshReport, today: date, now: float
) -> RefreshReport:
    """Re-read the older 3-year history chunks `refresh_lists` found due, all at once (the
    shared token bucket paces them), applied to the store oldest last as a
    sequential refresh would; `report` gets the requests, status and warnings.
    Core calls: failures propagate."""
    if not report.history_due:
        return report
    answers = in_parallel(
        *(
            call
            for start, end in report.history_chunks
            for call in (
                lambda start=start, end=end: as_list(client.activities(start, end)),
                lambda start=start, end=end: as_list(client.wellness(start, end)),
            )
        )
    )
    report.requests += len(answers)
    for index, (start, end) in enumerate(report.history_chunks):
        _apply_chunk(store, start, end, answers[2 * index], answers[2 * index + 1], report)
    history_oldest = today - timedelta(days=HISTORY_DAYS - 1)
    store.set_coverage("activity", history_oldest, today, now)
    store.set_coverage("wellness", history_oldest, today, now)
    report.history_fetched = True
    return report


def _apply_chunk(
    store: Store,
    start: date,
    end: date,
    activities: list,
    wellness: list,
    report: RefreshReport,
) -> None:
    """Store one chunk of the history; records gone upstream are removed
    only when the chunk answered with data (an empty chunk deletes nothing)."""
    stored = store.ids_in("activity", start, end)
    fetched = _upsert(store, "activity", activities, activity_key, RefreshReport())
    _upsert(store, "wellness", wellness, wellness_key, report)
    gone = set(stored) - fetched
    if fetched and len(gone) <= max(SHRINK_GUARD_MIN, len(stored) // 2):
        store.delete("activity", gone)
    elif gone:
        report.status["history"] = KEPT_PREVIOUS
        report.warnings.append(
            f"the activity list for {start}..{end} came back with {len(fetched)} of "
            f"{len(stored)} known activities; kept the stored ones"
        )
