"""`athletes/index.json`: one row per athlete of a coach repository (README.md#coach-mode).

Pure: built from each athlete's `sync_status.json` (this run's outcome) and
its latest.json as written (privacy already applied; after a failed sync, the
last good one). Rows are sorted so that who needs attention comes first:
failed syncs, then readiness "skip", alarms, "modify", warnings, the rest;
ties by folder name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

INDEX_SCHEMA_VERSION = 1
STATUS_SCHEMA_VERSION = 1
# attention label -> rank (0 first)
ATTENTION = ("sync_failed", "skip", "alarm", "modify", "warning", "no_data", "ok")


@dataclass(frozen=True)
class AthleteFiles:
    """What one athlete's folder holds: its sync outcome and latest.json."""

    folder: str
    status: Mapping[str, Any] | None  # sync_status.json, None when missing
    latest: Mapping[str, Any] | None  # latest.json, None before the first good sync


def status_document(ok: bool, reason: str | None, generated_at: str) -> dict[str, Any]:
    """sync_status.json: the outcome of this athlete's latest sync attempt."""
    return {
        "schema_version": STATUS_SCHEMA_VERSION,
        "generated_at": generated_at,
        "status": "ok" if ok else "failed",
        "reason": None if ok else (reason or "unknown error"),
    }


def _get(document: Mapping[str, Any] | None, *path: str) -> Any:
    value: Any = document
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _alerts(latest: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    alerts = _get(latest, "alerts")
    if not isinstance(alerts, list):
        return []
    return [
        {"metric": a.get("metric"), "severity": a.get("severity")}
        for a in alerts
        if isinstance(a, Mapping)
    ]


def _next_race(latest: Mapping[str, Any] | None) -> dict[str, Any] | None:
    race = _get(latest, "race_calendar", "next_race")
    if not isinstance(race, Mapping):
        return None
    return {k: race.get(k) for k in ("name", "date", "category", "days_until")}


def attention(failed: bool, readiness: Any, alerts: list[dict[str, Any]], has_data: bool) -> str:
    """Why this athlete needs a look today (the first that applies, ATTENTION order)."""
    severities = {a.get("severity") for a in alerts}
    if failed:
        return "sync_failed"
    if readiness == "skip":
        return "skip"
    if "alarm" in severities:
        return "alarm"
    if readiness == "modify":
        return "modify"
    if "warning" in severities:
        return "warning"
    return "ok" if has_data else "no_data"


def index_row(files: AthleteFiles) -> dict[str, Any]:
    """The index row of one athlete."""
    latest = files.latest
    failed = _get(files.status, "status") != "ok"
    readiness = _get(latest, "readiness_decision", "recommendation")
    alerts = _alerts(latest)
    fitness = _get(latest, "current_status", "fitness")
    label = attention(failed, readiness, alerts, latest is not None)
    return {
        "folder": files.folder,
        "attention": label,
        "sync": "failed" if failed else "ok",
        "reason": _get(files.status, "reason") if failed else None,
        "last_successful_sync": _get(latest, "metadata", "last_updated"),
        "sources": dict(_get(latest, "metadata", "sync_status") or {}),
        "readiness": readiness,
        "alerts": alerts,
        "fitness": {k: _get(fitness, k) for k in ("ctl", "atl", "tsb")},
        "acwr": _get(latest, "derived_metrics", "acwr"),
        "next_race": _next_race(latest),
    }


def index_document(athletes: Iterable[AthleteFiles], generated_at: str) -> dict[str, Any]:
    """athletes/index.json: every athlete's row, who needs attention first."""
    rows = sorted(
        (index_row(files) for files in athletes),
        key=lambda row: (ATTENTION.index(row["attention"]), row["folder"]),
    )
    return {
        "schema_version": INDEX_SCHEMA_VERSION,
        "generated_at": generated_at,
        "athlete_count": len(rows),
        "failed_count": sum(row["sync"] == "failed" for row in rows),
        "athletes": rows,
    }
