"""Peloton as an optional second source: fetch at most hourly, keep in the store.

`fetch_peloton` never raises. It reads Peloton at most once an hour (by the
run's clock; accounts polled more often have been locked), walks the
workouts newest first until one the store already holds, fetches each new
workout's detail and performance graph, and keeps them as raw records of
kind `peloton` in the store. New workouts are stored oldest first, one by
one, so a run cut short leaves no gap: the next run stops at the newest one
stored and fetches everything above it.

A failure becomes the source's status (`auth_expired`, `rate_limited`,
`stale`) with a one-line message; the stored workouts are still returned.
A rotated refresh token is written to `peloton_token.json` in the state
directory (mode 0600, never in the store or the outputs) and preferred over
the configured one for as long as the configured one is the token it came from.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..sources.peloton import (
    DEFAULT_AUTH_URL,
    PelotonAuth,
    PelotonClient,
    PelotonError,
    Token,
    mint_access_token,
)
from .store import Store

KIND = "peloton"
TOKEN_FILE = "peloton_token.json"
MIN_INTERVAL = 3600.0  # seconds between two reads of Peloton, whatever the sync cadence
HISTORY_DAYS = 1095  # the mirror's 3-year horizon: older workouts are never fetched
META_FETCHED = "peloton_fetched_at"
META_STATUS = "peloton_status"
META_LAST_GOOD = "peloton_last_good"
META_ME = "peloton_me"
ME_FIELDS = (
    "id",
    "cycling_ftp",
    "cycling_ftp_source",
    "cycling_workout_ftp",
    "estimated_cycling_ftp",
    "customized_max_heart_rate",
    "default_max_heart_rate",
)

ClientFactory = Callable[[str, str | None], PelotonClient]
Minter = Callable[[str, str, str], Token]


@dataclass
class PelotonRaw:
    """The stored Peloton workouts (raw bundles) and the source's status."""

    status: str  # ok | auth_expired | rate_limited | stale | disabled
    message: str | None = None
    last_good: str | None = None  # date of the last complete read (YYYY-MM-DD)
    fetched: bool = False  # Peloton was read this run (not throttled)
    me: dict[str, Any] = field(default_factory=dict)
    workouts: list[dict[str, Any]] = field(default_factory=list)  # {workout, detail, graph}


# ----------------------------------------------------------------- the rotated token


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def stored_refresh_token(state_dir: Path, configured: str) -> str:
    """The rotated token descended from `configured`, else `configured` itself."""
    try:
        saved = json.loads((state_dir / TOKEN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return configured
    if not isinstance(saved, dict) or saved.get("configured") != _fingerprint(configured):
        return configured
    token = saved.get("refresh_token")
    return token if isinstance(token, str) and token else configured


def save_refresh_token(state_dir: Path, configured: str, rotated: str) -> None:
    """Write the rotated token (0600, atomically) for the next run."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / TOKEN_FILE
    temp = path.with_name(path.name + ".tmp")
    text = json.dumps({"configured": _fingerprint(configured), "refresh_token": rotated})
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temp, 0o600)
    os.replace(temp, path)


def access_token(auth: PelotonAuth, state_dir: Path, minter: Minter) -> str:
    """The bearer token, or one minted from the (possibly rotated) refresh token."""
    if auth.bearer_token:
        return auth.bearer_token
    configured = auth.refresh_token or ""
    if not auth.client_id:
        raise PelotonError(
            "PELOTON_CLIENT_ID is not set: the token endpoint needs the web app's client id "
            "(README: Peloton)",
            "auth_expired",
        )
    token = minter(
        auth.auth_url or DEFAULT_AUTH_URL,
        auth.client_id,
        stored_refresh_token(state_dir, configured),
    )
    if token.refresh_token:
        save_refresh_token(state_dir, configured, token.refresh_token)
    return token.access_token


# ----------------------------------------------------------------- reading


def _start_date(workout: dict[str, Any]) -> date | None:
    start = workout.get("start_time") or workout.get("created_at")
    if isinstance(start, bool) or not isinstance(start, (int, float)):
        return None
    return datetime.fromtimestamp(start, UTC).date()


def new_workouts(
    client: PelotonClient, user_id: str, known: set[str], oldest: date
) -> list[dict[str, Any]]:
    """Finished workouts above the newest stored one, newest first, each once."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for page in client.workout_pages(user_id):
        for item in page:
            wid = item.get("id")
            if not isinstance(wid, str) or wid in seen:
                continue  # an item repeated across pages
            day = _start_date(item)
            if wid in known or (day is not None and day < oldest):
                return found
            seen.add(wid)
            if item.get("status") == "COMPLETE":
                found.append(item)
    return found


def _bundle(client: PelotonClient, item: dict[str, Any]) -> dict[str, Any]:
    wid = str(item["id"])
    joined = item.get("ride")
    ride: dict[str, Any] = joined if isinstance(joined, dict) else {}
    bundle: dict[str, Any] = {
        "workout": item,
        "detail": client.workout(wid),
        "graph": client.performance_graph(wid),
    }
    ride_id = ride.get("id")
    if isinstance(ride_id, str) and not ride.get("title"):
        bundle["ride"] = client.ride(ride_id).get("ride") or {}
    return bundle


def _read(
    client: PelotonClient, store: Store, today: date
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    me = client.me()
    kept = {key: me.get(key) for key in ME_FIELDS if me.get(key) is not None}
    known = {str(r["workout"]["id"]) for r in store.records(KIND)}
    fresh = new_workouts(client, me["id"], known, today - timedelta(days=HISTORY_DAYS - 1))
    for item in reversed(fresh):  # oldest first: a cut-short run leaves no gap
        day = _start_date(item)
        store.upsert(
            KIND, [(str(item["id"]), day.isoformat() if day else None, None, _bundle(client, item))]
        )
        store.commit()
    return kept, fresh


def _stored(store: Store, status: str, message: str | None) -> PelotonRaw:
    me = json.loads(store.meta(META_ME) or "{}")
    return PelotonRaw(
        status=status,
        message=message,
        last_good=store.meta(META_LAST_GOOD),
        me=me if isinstance(me, dict) else {},
        workouts=store.records(KIND),
    )


def fetch_peloton(
    auth: PelotonAuth | None,
    store: Store,
    state_dir: Path,
    now: datetime,
    today: date,
    warnings: list[str],
    factory: ClientFactory = PelotonClient,
    minter: Minter = mint_access_token,
) -> PelotonRaw:
    """Peloton's workouts (stored and new) and the source's status; never raises."""
    if auth is None or not auth.configured:
        return PelotonRaw(status="disabled")
    last = store.meta(META_FETCHED)
    if last is not None and 0 <= now.timestamp() - float(last) < MIN_INTERVAL:
        saved = json.loads(store.meta(META_STATUS) or "{}")
        saved = saved if isinstance(saved, dict) else {}
        return _stored(store, saved.get("status", "ok"), saved.get("message"))
    store.set_meta(META_FETCHED, repr(now.timestamp()))
    failure: PelotonError | None = None
    try:
        token = access_token(auth, state_dir, minter)
        with factory(token, auth.base_url) as client:
            me, _fresh = _read(client, store, today)
    except PelotonError as exc:
        failure = exc
    if failure is not None:
        message = failure.message
        warnings.append(message)
        store.set_meta(META_STATUS, json.dumps({"status": failure.status_key, "message": message}))
        store.commit()
        return _stored(store, failure.status_key, message)
    store.set_meta(META_ME, json.dumps(me))
    store.set_meta(META_LAST_GOOD, today.isoformat())
    store.set_meta(META_STATUS, json.dumps({"status": "ok"}))
    store.commit()
    got = _stored(store, "ok", None)
    got.fetched = True
    return got
