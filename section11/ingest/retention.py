"""Which per-activity intervals payloads and fetch-state records the store keeps.

docs/metrics.md#intervals-file and docs/architecture.md#caching: 14 days of retention, and
only activities still in the 28-day list. Payloads are the stored raw
`{"intervals": [...], "dfa": {...}}` of an activity; records are its
fetch-state records (`retry.py`).

Deliberate difference from the reference (docs/deviations.md): pruning is
refused when the activity list is empty or shrank sharply (weakness 9.2 (docs/architecture.md#reference-weaknesses));
payloads and records then come back unchanged with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from .retry import RETENTION_DAYS, ActivityLike, record_date

SHRINK_RATIO = 0.5  # fewer than half of before counts as "shrank sharply"
SHRINK_MIN_BASE = 4  # too few to judge a ratio below this


def has_payload(payload: Any) -> bool:
    """A payload worth keeping: a non-empty intervals list or a dfa block."""
    if not isinstance(payload, Mapping):
        return False
    intervals = payload.get("intervals")
    return (isinstance(intervals, list) and bool(intervals)) or isinstance(
        payload.get("dfa"), Mapping
    )


def _shrink_warning(
    known: set[str], activities: list[ActivityLike], previous_count: int | None
) -> str | None:
    present = {a.id for a in activities}
    if not activities:
        return (
            "the activity list came back empty; intervals.json entries and fetch state "
            "are kept unpruned this run"
        )
    if (
        previous_count is not None
        and previous_count >= SHRINK_MIN_BASE
        and len(activities) < previous_count * SHRINK_RATIO
    ):
        return (
            f"the activity list shrank from {previous_count} to {len(activities)}; "
            "intervals.json entries and fetch state are kept unpruned this run"
        )
    missing = known - present
    if len(known) >= SHRINK_MIN_BASE and len(missing) > len(known) * SHRINK_RATIO:
        return (
            f"{len(missing)} of {len(known)} cached activities inside retention are missing "
            "from the activity list; intervals.json entries and fetch state are kept "
            "unpruned this run"
        )
    return None


def _stored_date(value: Any) -> date | None:
    if isinstance(value, Mapping) and isinstance(value.get("date"), str):
        return record_date(value)
    return None


def retain(
    payloads: Mapping[str, Any],
    states: Mapping[str, Any],
    activities: Iterable[ActivityLike],
    today: date,
    *,
    previous_count: int | None = None,
) -> tuple[dict, dict, str | None]:
    """Prune to the 14-day retention and still-present ids (docs/metrics.md#intervals-file, docs/architecture.md#caching).

    Keeps payloads/records whose activity is in `activities` (the 28-day list)
    and dated >= today - 14 (the list's date wins over the stored one, then the
    record's); payloads without intervals or dfa are dropped; kept records take
    the activity's current date. Returns (payloads, states, warning).

    Refuses to prune (returns both unchanged, with a warning) when the list is
    empty while something is stored, when it has fewer than half of
    `previous_count` (the previous run's list size, if known), or when more than
    half of the stored ids inside retention are missing from it.
    """
    activities = list(activities)
    cutoff = today - timedelta(days=RETENTION_DAYS)
    payloads = {str(k): v for k, v in payloads.items()}
    states = {str(k): v for k, v in states.items()}
    known = {
        k
        for k, v in list(payloads.items()) + list(states.items())
        if (_stored_date(v) or _stored_date(states.get(k)) or cutoff) >= cutoff
    }
    if payloads or states:
        warning = _shrink_warning(known, activities, previous_count)
        if warning:
            return dict(payloads), dict(states), warning
    by_id: dict[str, ActivityLike] = {}
    for activity in activities:
        by_id.setdefault(activity.id, activity)

    def keep(key: str, value: Any) -> ActivityLike | None:
        activity = by_id.get(key)
        if activity is None or not isinstance(value, Mapping):
            return None
        day = activity.date or _stored_date(value) or _stored_date(states.get(key))
        return activity if day is not None and day >= cutoff else None

    kept_payloads = {
        key: payload
        for key, payload in payloads.items()
        if keep(key, payload) is not None and has_payload(payload)
    }
    kept_states = {}
    for key, record in states.items():
        current = keep(key, record)
        if current is not None:
            record = dict(record)
            if current.date is not None:
                record["date"] = current.date.isoformat()
            kept_states[key] = record
    return kept_payloads, kept_states, None
