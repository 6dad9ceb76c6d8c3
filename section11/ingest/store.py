"""Local store: raw Intervals.icu records and per-activity resources, fetched once.

A stdlib sqlite3 file in the state directory (default `.section11/` beside the
outputs, never published). It holds raw records keyed by id with their change
token, per-activity resources (the raw `icu_intervals` list, the DFA block and
the terrain reduced from the streams, message texts), per-activity fetch state,
cached curve and health-marker responses, and the date ranges already fetched. It holds no secrets: the athlete id is kept
only as a hash, to notice a store that belongs to another athlete.

The schema is versioned explicitly. A store of the previous version is
migrated in place (`_migrate_v1`); one that is corrupt, from an unknown
version or another athlete is moved aside and rebuilt from the API: losing it
costs requests, never data.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2
STORE_NAME = "store.sqlite3"

# resource kinds (one row per activity and kind)
INTERVALS = "intervals"  # the raw icu_intervals list of GET /activity/{id}?intervals=true
DFA = "dfa"  # the DFA block computed from the streams (the streams are not kept)
TERRAIN = "terrain"  # terrain keys computed from the streams, metric units, no display
MESSAGES = "messages"  # non-blank message texts

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    kind TEXT NOT NULL,              -- activity | wellness | event
    id TEXT NOT NULL,
    day TEXT,                        -- YYYY-MM-DD the record belongs to
    token TEXT,                      -- change token (icu_sync_date, updated)
    raw TEXT NOT NULL,               -- the API's JSON
    PRIMARY KEY (kind, id));
CREATE INDEX records_day ON records (kind, day);
CREATE TABLE resources (
    activity_id TEXT NOT NULL,
    kind TEXT NOT NULL,              -- intervals | dfa | terrain | messages
    token TEXT,                      -- change token of the activity when fetched
    payload TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (activity_id, kind));
CREATE TABLE fetch_state (
    activity_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (activity_id, endpoint));
CREATE TABLE cache (                 -- responses keyed by request (curves, health events)
    key TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    fetched_at REAL NOT NULL);
CREATE TABLE coverage (              -- date ranges fetched in full, per record kind
    kind TEXT PRIMARY KEY,
    oldest TEXT NOT NULL,
    newest TEXT NOT NULL,
    fetched_at REAL NOT NULL);
"""


class StoreRebuilt(Exception):
    """Raised internally; `open_store` reports the reason through `notice`."""


def athlete_fingerprint(athlete_id: str) -> str:
    return hashlib.sha256(f"section11:{athlete_id}".encode()).hexdigest()[:16]


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class Store:
    """A thin, typed wrapper over the sqlite file. Not thread-safe: one sync."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path
        self.changes = 0  # records inserted or changed in this session

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.conn.commit()
        else:
            self.conn.rollback()
        self.close()

    def commit(self) -> None:
        self.conn.commit()

    # ------------------------------------------------------------ meta
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------ records
    def upsert(self, kind: str, records: Iterable[tuple[str, str | None, str | None, Any]]) -> int:
        """Insert or update (id, day, token, raw) records; returns how many changed."""
        changed = 0
        for record_id, day, token, raw in records:
            text = _dumps(raw)
            row = self.conn.execute(
                "SELECT raw FROM records WHERE kind = ? AND id = ?", (kind, record_id)
            ).fetchone()
            if row is not None and row[0] == text:
                continue
            self.conn.execute(
                "INSERT OR REPLACE INTO records (kind, id, day, token, raw) VALUES (?,?,?,?,?)",
                (kind, record_id, day, token, text),
            )
            changed += 1
        self.changes += changed
        return changed

    def delete(self, kind: str, ids: Iterable[str]) -> int:
        ids = list(ids)
        for record_id in ids:
            self.conn.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, record_id))
            self.conn.execute("DELETE FROM resources WHERE activity_id = ?", (record_id,))
            self.conn.execute("DELETE FROM fetch_state WHERE activity_id = ?", (record_id,))
        self.changes += len(ids)
        return len(ids)

    def records(
        self, kind: str, oldest: date | None = None, newest: date | None = None
    ) -> list[Any]:
        """Raw records of a kind, by day ascending (records without a day last)."""
        sql = "SELECT raw FROM records WHERE kind = ?"
        args: list[Any] = [kind]
        if oldest is not None:
            sql += " AND day >= ?"
            args.append(oldest.isoformat())
        if newest is not None:
            sql += " AND day <= ?"
            args.append(newest.isoformat())
        sql += " ORDER BY day IS NULL, day, id"
        return [json.loads(row[0]) for row in self.conn.execute(sql, args)]

    def ids_in(self, kind: str, oldest: date, newest: date) -> dict[str, str | None]:
        """{id: token} of the records of a kind dated oldest..newest."""
        rows = self.conn.execute(
            "SELECT id, token FROM records WHERE kind = ? AND day >= ? AND day <= ?",
            (kind, oldest.isoformat(), newest.isoformat()),
        )
        return {row[0]: row[1] for row in rows}

    # ------------------------------------------------------------ resources
    def resource(self, activity_id: str, kind: str) -> tuple[Any, str | None] | None:
        """(payload, token) of a stored per-activity resource, or None."""
        row = self.conn.execute(
            "SELECT payload, token FROM resources WHERE activity_id = ? AND kind = ?",
            (activity_id, kind),
        ).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    def resource_fetched_at(self, activity_id: str, kind: str) -> str | None:
        row = self.conn.execute(
            "SELECT fetched_at FROM resources WHERE activity_id = ? AND kind = ?",
            (activity_id, kind),
        ).fetchone()
        return row[0] if row else None

    def resources(self, kind: str) -> dict[str, Any]:
        rows = self.conn.execute(
            "SELECT activity_id, payload FROM resources WHERE kind = ?", (kind,)
        )
        return {row[0]: json.loads(row[1]) for row in rows}

    def put_resource(
        self, activity_id: str, kind: str, payload: Any, token: str | None, fetched_at: str
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO resources (activity_id, kind, token, payload, fetched_at) "
            "VALUES (?,?,?,?,?)",
            (activity_id, kind, token, _dumps(payload), fetched_at),
        )

    def drop_resource(self, activity_id: str, kind: str) -> None:
        self.conn.execute(
            "DELETE FROM resources WHERE activity_id = ? AND kind = ?", (activity_id, kind)
        )

    # ------------------------------------------------------------ fetch state
    def fetch_states(self, endpoint: str | None = None) -> dict[tuple[str, str], dict]:
        sql = "SELECT activity_id, endpoint, state FROM fetch_state"
        args: tuple[str, ...] = ()
        if endpoint is not None:
            sql += " WHERE endpoint = ?"
            args = (endpoint,)
        return {(r[0], r[1]): json.loads(r[2]) for r in self.conn.execute(sql, args)}

    def put_fetch_state(self, activity_id: str, endpoint: str, state: dict) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO fetch_state (activity_id, endpoint, state) VALUES (?,?,?)",
            (activity_id, endpoint, _dumps(state)),
        )

    def drop_fetch_state(self, activity_id: str) -> None:
        self.conn.execute("DELETE FROM fetch_state WHERE activity_id = ?", (activity_id,))

    # ------------------------------------------------------------ cache
    def cached(
        self, key: str, max_age: float | None = None, now: float | None = None
    ) -> Any | None:
        row = self.conn.execute(
            "SELECT payload, fetched_at FROM cache WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        if max_age is not None and (now if now is not None else time.time()) - row[1] > max_age:
            return None
        return json.loads(row[0])

    def put_cache(self, key: str, payload: Any, now: float | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO cache (key, payload, fetched_at) VALUES (?,?,?)",
            (key, _dumps(payload), now if now is not None else time.time()),
        )

    def prune_cache(self, older_than: float, now: float | None = None) -> int:
        """Drop cached responses fetched more than `older_than` seconds ago."""
        cutoff = (now if now is not None else time.time()) - older_than
        return self.conn.execute("DELETE FROM cache WHERE fetched_at < ?", (cutoff,)).rowcount

    # ------------------------------------------------------------ coverage
    def coverage(self, kind: str) -> tuple[date, date, float] | None:
        row = self.conn.execute(
            "SELECT oldest, newest, fetched_at FROM coverage WHERE kind = ?", (kind,)
        ).fetchone()
        if row is None:
            return None
        return date.fromisoformat(row[0]), date.fromisoformat(row[1]), row[2]

    def set_coverage(self, kind: str, oldest: date, newest: date, now: float | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO coverage (kind, oldest, newest, fetched_at) VALUES (?,?,?,?)",
            (kind, oldest.isoformat(), newest.isoformat(), now if now is not None else time.time()),
        )


# ----------------------------------------------------------------- opening


def _create(conn: sqlite3.Connection, fingerprint: str) -> None:
    conn.executescript(_SCHEMA)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
    )
    conn.execute("INSERT INTO meta (key, value) VALUES ('athlete', ?)", (fingerprint,))
    conn.commit()


def _check(conn: sqlite3.Connection, fingerprint: str) -> None:
    """Raise StoreRebuilt with the reason when the file is not a usable store;
    migrate a store of the previous schema version."""
    try:
        integrity = conn.execute("PRAGMA quick_check").fetchone()
        rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise StoreRebuilt(f"the local store is unreadable ({exc})") from None
    if not integrity or integrity[0] != "ok":
        raise StoreRebuilt("the local store failed its integrity check")
    if rows.get("athlete") != fingerprint:
        raise StoreRebuilt("the local store belongs to another athlete")
    if rows.get("schema_version") == "1":
        _migrate_v1(conn)
    elif rows.get("schema_version") != str(SCHEMA_VERSION):
        raise StoreRebuilt(
            f"the local store has schema {rows.get('schema_version')!r}, "
            f"this version uses {SCHEMA_VERSION}"
        )


def _without_display(summary: Any) -> Any:
    """A version-1 terrain summary without its display blocks (metric fields kept)."""
    if not isinstance(summary, dict):
        return summary
    out = {k: v for k, v in summary.items() if k != "display"}
    for key in ("climbs", "descents"):
        if isinstance(out.get(key), list):
            out[key] = [
                {k: v for k, v in s.items() if k != "display"} if isinstance(s, dict) else s
                for s in out[key]
            ]
    return out


def _migrate_v1(conn: sqlite3.Connection) -> None:
    """Version 1 -> 2, in one transaction, without touching the 3-year lists.

    Version 1 kept an intervals.json-shaped `entry` per activity (segments, not
    the raw `icu_intervals`) and terrain with display blocks. Its DFA blocks
    carry over as `dfa` rows and its terrain loses the display blocks; the
    segments cannot be turned back into the raw list, so the `intervals` state
    of those activities (14 days at most) is reset and fetched again.
    """
    with conn:
        for activity_id, payload, fetched_at in conn.execute(
            "SELECT activity_id, payload, fetched_at FROM resources WHERE kind = 'entry'"
        ).fetchall():
            entry = json.loads(payload)
            block = entry.get("dfa") if isinstance(entry, dict) else None
            if isinstance(block, dict):
                conn.execute(
                    "INSERT OR REPLACE INTO resources (activity_id, kind, token, payload, "
                    "fetched_at) VALUES (?,?,NULL,?,?)",
                    (activity_id, DFA, _dumps(block), fetched_at),
                )
        conn.execute("DELETE FROM resources WHERE kind = 'entry'")
        for activity_id, endpoint, state in conn.execute(
            "SELECT activity_id, endpoint, state FROM fetch_state"
        ).fetchall():
            record = json.loads(state)
            if isinstance(record, dict) and isinstance(record.get("intervals"), dict):
                if record["intervals"].get("status") == "ok":
                    del record["intervals"]
                    conn.execute(
                        "UPDATE fetch_state SET state = ? WHERE activity_id = ? AND endpoint = ?",
                        (_dumps(record), activity_id, endpoint),
                    )
        for activity_id, payload in conn.execute(
            "SELECT activity_id, payload FROM resources WHERE kind = ?", (TERRAIN,)
        ).fetchall():
            fields = json.loads(payload)
            if isinstance(fields, dict) and "terrain_summary" in fields:
                fields["terrain_summary"] = _without_display(fields["terrain_summary"])
                conn.execute(
                    "UPDATE resources SET payload = ? WHERE activity_id = ? AND kind = ?",
                    (_dumps(fields), activity_id, TERRAIN),
                )
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )


def open_store(
    state_dir: Path | str | None,
    athlete_id: str,
    notice: Callable[[str], None] | None = None,
) -> Store:
    """Open (or create) the store in `state_dir`; None = an in-memory store.

    A corrupt, foreign or outdated store is renamed to `store.sqlite3.old-<ts>`
    and rebuilt; `notice(message)` is told why.
    """
    fingerprint = athlete_fingerprint(athlete_id)
    if state_dir is None:
        conn = sqlite3.connect(":memory:")
        _create(conn, fingerprint)
        return Store(conn, None)
    directory = Path(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / STORE_NAME
    if path.exists():
        conn = sqlite3.connect(path)
        try:
            _check(conn, fingerprint)
            return Store(conn, path)
        except StoreRebuilt as exc:
            conn.close()
            aside = path.with_name(f"{STORE_NAME}.old-{time.strftime('%Y%m%dT%H%M%S')}")
            os.replace(path, aside)
            for suffix in ("-journal", "-wal", "-shm"):
                stale = path.with_name(path.name + suffix)
                if stale.exists():
                    stale.unlink()
            if notice:
                notice(
                    f"{exc}; rebuilding it from Intervals.icu (the old file is kept as "
                    f"{aside.name})"
                )
    conn = sqlite3.connect(path)
    _create(conn, fingerprint)
    return Store(conn, path)


def iter_chunks(oldest: date, newest: date, days: int) -> Iterator[tuple[date, date]]:
    """Split oldest..newest into consecutive ranges of at most `days` days, newest first."""
    end = newest
    while end >= oldest:
        start = max(oldest, end - timedelta(days=days - 1))
        yield start, end
        end = start - timedelta(days=1)


__all__ = [
    "Store",
    "open_store",
    "iter_chunks",
    "SCHEMA_VERSION",
    "STORE_NAME",
    "athlete_fingerprint",
]
