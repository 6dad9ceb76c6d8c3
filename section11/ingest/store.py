"""Local store: raw Intervals.icu records and per-activity resources, fetched once.

A stdlib sqlite3 file in the state directory (default `.section11/` beside the
outputs, never published). It holds raw records keyed by id with their change
token, per-activity resources (the raw `icu_intervals` list, the DFA block and
the terrain reduced from the streams, message texts), per-activity fetch state,
cached curve and health-marker responses, and the date ranges already fetched. It holds no secrets: the athlete id is kept
only as a hash, to notice a store that belongs to another athlete.

The schema is versioned explicitly; opening, checking, migrating and
rebuilding the file is `store_file.py`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

SCHEMA_VERSION = 2
STORE_NAME = "store.sqlite3"

# resource kinds (one row per activity and kind)
INTERVALS = "intervals"  # the raw icu_intervals list of GET /activity/{id}?intervals=true
DFA = "dfa"  # the DFA block computed from the streams (the streams are not kept)
TERRAIN = "terrain"  # terrain keys computed from the streams, metric units, no display
MESSAGES = "messages"  # non-blank message texts

SCHEMA_SQL = """
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


DIGEST_QUERIES = (
    "SELECT kind, id, token, raw FROM records ORDER BY kind, id",
    "SELECT activity_id, kind, token, payload FROM resources ORDER BY activity_id, kind",
    "SELECT activity_id, endpoint, state FROM fetch_state ORDER BY activity_id, endpoint",
    "SELECT key, payload FROM cache ORDER BY key",
)


DIGEST_KEY = "content_digest"  # meta: the content's digest, kept while it holds


def content_digest(conn: sqlite3.Connection) -> str:
    """SHA-256 of the rows of DIGEST_QUERIES, read afresh. Streamed row by row, so
    it costs no memory whatever the size of the history."""
    digest = hashlib.sha256()
    for query in DIGEST_QUERIES:
        for row in conn.execute(query):
            digest.update(repr(row).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def athlete_fingerprint(athlete_id: str) -> str:
    return hashlib.sha256(f"section11:{athlete_id}".encode()).hexdigest()[:16]


def _finite_only(value: Any) -> Any:
    """`value` with every non-finite float (NaN, +/-inf) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_only(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_only(item) for item in value]
    return value


def stored_json(value: Any) -> str:
    """Compact JSON; a non-finite number is stored as null (absent), never a crash."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(
            _finite_only(value), separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )


def _loads(text: str) -> Any:
    """A stored JSON value; None (absent) for a row that does not parse."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


P = ParamSpec("P")
R = TypeVar("R")


def _serialized(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """`method` run under the store's lock, cursors read to the end before it is released."""

    @wraps(method)
    def locked(self: Store, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.lock:
            return method(self, *args, **kwargs)

    return locked


class Store:
    """A thin, typed wrapper over the sqlite file, for one sync. The fetch stages of a
    sync share it from a few threads; each stage writes its own rows. Every method
    holds `lock` while it uses the connection: sqlite3 serializes the C calls, not
    Python's implicit BEGIN before a write, so two threads' first writes after a
    commit could both begin a transaction ("cannot start a transaction within a
    transaction", an unexpected error ending the run)."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path
        self.changes = 0  # records inserted or changed in this session
        self._dirty = False  # digest-covered content changed since the digest was kept
        self.lock = threading.RLock()

    # ------------------------------------------------------------ lifecycle
    @_serialized
    def close(self) -> None:
        self.conn.close()
        if self.path is not None:
            vouch(self.path)

    def __enter__(self) -> Store:
        return self

    @_serialized
    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.conn.commit()
        else:
            self.conn.rollback()
        self.close()

    @_serialized
    def commit(self) -> None:
        self.conn.commit()

    # ------------------------------------------------------------ meta
    @_serialized
    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @_serialized
    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @_serialized
    def digest(self) -> str:
        """SHA-256 over what the documents are built from: every record, resource,
        fetch state and cached answer, their fetch times aside (`content_digest`).

        Kept in meta (DIGEST_KEY), in the same transactions as the content it
        describes: every write that changes that content first removes it, so a
        store whose content did not change since the digest was taken (a steady
        run) is not read again, and a store changed and committed without it
        (a crash before this was called) is hashed afresh."""
        if not self._dirty:
            kept = self.meta(DIGEST_KEY)
            if kept is not None:
                return kept
        digest = content_digest(self.conn)
        self.set_meta(DIGEST_KEY, digest)
        self._dirty = False
        return digest

    def _content_changes(self) -> None:
        """Called with a write that changes digest-covered content, under the same
        lock (so in the same transaction)."""
        if not self._dirty:
            self.conn.execute("DELETE FROM meta WHERE key = ?", (DIGEST_KEY,))
            self._dirty = True

    # ------------------------------------------------------------ records
    @_serialized
    def upsert(self, kind: str, records: Iterable[tuple[str, str | None, str | None, Any]]) -> int:
        """Insert or update (id, day, token, raw) records; returns how many changed."""
        changed = 0
        for record_id, day, token, raw in records:
            text = stored_json(raw)
            row = self.conn.execute(
                "SELECT raw FROM records WHERE kind = ? AND id = ?", (kind, record_id)
            ).fetchone()
            if row is not None and row[0] == text:
                continue
            self._content_changes()
            self.conn.execute(
                "INSERT OR REPLACE INTO records (kind, id, day, token, raw) VALUES (?,?,?,?,?)",
                (kind, record_id, day, token, text),
            )
            changed += 1
        self.changes += changed
        return changed

    @_serialized
    def delete(self, kind: str, ids: Iterable[str]) -> int:
        ids = list(ids)
        if ids:
            self._content_changes()
        for record_id in ids:
            self.conn.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, record_id))
            self.conn.execute("DELETE FROM resources WHERE activity_id = ?", (record_id,))
            self.conn.execute("DELETE FROM fetch_state WHERE activity_id = ?", (record_id,))
        self.changes += len(ids)
        return len(ids)

    @_serialized
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
        rows = (_loads(row[0]) for row in self.conn.execute(sql, args))
        return [record for record in rows if record is not None]

    @_serialized
    def ids_in(self, kind: str, oldest: date, newest: date) -> dict[str, str | None]:
        """{id: token} of the records of a kind dated oldest..newest."""
        rows = self.conn.execute(
            "SELECT id, token FROM records WHERE kind = ? AND day >= ? AND day <= ?",
            (kind, oldest.isoformat(), newest.isoformat()),
        )
        return {row[0]: row[1] for row in rows}

    # ------------------------------------------------------------ resources
    @_serialized
    def resource(self, activity_id: str, kind: str) -> tuple[Any, str | None] | None:
        """(payload, token) of a stored per-activity resource, or None."""
        row = self.conn.execute(
            "SELECT payload, token FROM resources WHERE activity_id = ? AND kind = ?",
            (activity_id, kind),
        ).fetchone()
        payload = _loads(row[0]) if row else None
        return (payload, row[1]) if payload is not None else None

    @_serialized
    def resource_fetched_at(self, activity_id: str, kind: str) -> str | None:
        row = self.conn.execute(
            "SELECT fetched_at FROM resources WHERE activity_id = ? AND kind = ?",
            (activity_id, kind),
        ).fetchone()
        return row[0] if row else None

    @_serialized
    def resources(self, kind: str) -> dict[str, Any]:
        rows = self.conn.execute(
            "SELECT activity_id, payload FROM resources WHERE kind = ?", (kind,)
        )
        loaded = ((row[0], _loads(row[1])) for row in rows)
        return {key: payload for key, payload in loaded if payload is not None}

    @_serialized
    def put_resource(
        self, activity_id: str, kind: str, payload: Any, token: str | None, fetched_at: str
    ) -> None:
        text = stored_json(payload)
        row = self.conn.execute(
            "SELECT token, payload FROM resources WHERE activity_id = ? AND kind = ?",
            (activity_id, kind),
        ).fetchone()
        if row != (token, text):
            self._content_changes()
        self.conn.execute(
            "INSERT OR REPLACE INTO resources (activity_id, kind, token, payload, fetched_at) "
            "VALUES (?,?,?,?,?)",
            (activity_id, kind, token, text, fetched_at),
        )

    @_serialized
    def drop_resource(self, activity_id: str, kind: str) -> None:
        self._delete_where("resources", "activity_id = ? AND kind = ?", (activity_id, kind))

    # ------------------------------------------------------------ fetch state
    @_serialized
    def fetch_states(self, endpoint: str | None = None) -> dict[tuple[str, str], dict]:
        sql = "SELECT activity_id, endpoint, state FROM fetch_state"
        args: tuple[str, ...] = ()
        if endpoint is not None:
            sql += " WHERE endpoint = ?"
            args = (endpoint,)
        loaded = (((r[0], r[1]), _loads(r[2])) for r in self.conn.execute(sql, args))
        return {key: state for key, state in loaded if isinstance(state, dict)}

    @_serialized
    def put_fetch_state(self, activity_id: str, endpoint: str, state: dict) -> None:
        text = stored_json(state)
        row = self.conn.execute(
            "SELECT state FROM fetch_state WHERE activity_id = ? AND endpoint = ?",
            (activity_id, endpoint),
        ).fetchone()
        if row is not None and row[0] == text:
            return
        self._content_changes()
        self.conn.execute(
            "INSERT OR REPLACE INTO fetch_state (activity_id, endpoint, state) VALUES (?,?,?)",
            (activity_id, endpoint, text),
        )

    @_serialized
    def drop_fetch_state(self, activity_id: str) -> None:
        self._delete_where("fetch_state", "activity_id = ?", (activity_id,))

    # ------------------------------------------------------------ cache
    @_serialized
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
        return _loads(row[0])

    @_serialized
    def put_cache(self, key: str, payload: Any, now: float | None = None) -> None:
        text = stored_json(payload)
        row = self.conn.execute("SELECT payload FROM cache WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] != text:
            self._content_changes()
        self.conn.execute(
            "INSERT OR REPLACE INTO cache (key, payload, fetched_at) VALUES (?,?,?)",
            (key, text, now if now is not None else time.time()),
        )

    @_serialized
    def prune_cache(self, older_than: float, now: float | None = None) -> int:
        """Drop cached responses fetched more than `older_than` seconds ago."""
        cutoff = (now if now is not None else time.time()) - older_than
        return self._delete_where("cache", "fetched_at < ?", (cutoff,))

    def _delete_where(self, table: str, condition: str, args: tuple[Any, ...]) -> int:
        """Delete the rows of a digest-covered table that match; how many. (The
        digest goes in the same transaction: no commit can come between, every
        method holds the store's lock.)"""
        deleted = self.conn.execute(f"DELETE FROM {table} WHERE {condition}", args).rowcount
        if deleted:
            self._content_changes()
        return deleted

    # ------------------------------------------------------------ coverage
    @_serialized
    def coverage(self, kind: str) -> tuple[date, date, float] | None:
        row = self.conn.execute(
            "SELECT oldest, newest, fetched_at FROM coverage WHERE kind = ?", (kind,)
        ).fetchone()
        if row is None:
            return None
        return date.fromisoformat(row[0]), date.fromisoformat(row[1]), row[2]

    @_serialized
    def set_coverage(self, kind: str, oldest: date, newest: date, now: float | None = None) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO coverage (kind, oldest, newest, fetched_at) VALUES (?,?,?,?)",
            (kind, oldest.isoformat(), newest.isoformat(), now if now is not None else time.time()),
        )


# ----------------------------------------------------------------- the file as closed

VOUCHED_SUFFIX = ".closed"  # beside the store: the file's state when this program closed it


def _file_state(path: Path) -> str | None:
    """The store file as it stands: device, inode, size, modification time and
    its sqlite header (whose change counter every committing writer bumps)."""
    try:
        with open(path, "rb") as file:
            st = os.fstat(file.fileno())
            header = file.read(100)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{header.hex()}"


def vouch(path: Path) -> None:
    """Record, beside the store, the file as this program just closed it: a store
    only this program has written since it was checked needs no new scan."""
    state = _file_state(path)
    sidecar = path.with_name(path.name + VOUCHED_SUFFIX)
    try:
        if state is None:
            sidecar.unlink(missing_ok=True)
        else:
            sidecar.write_text(state, encoding="ascii")
    except OSError:
        pass  # without the record the next run scans the store: slower, never wrong


def vouched(path: Path) -> bool:
    """True when the store file is exactly as this program last closed it."""
    try:
        recorded = path.with_name(path.name + VOUCHED_SUFFIX).read_text(encoding="ascii")
    except (OSError, ValueError):
        return False
    return recorded == _file_state(path)


def iter_chunks(oldest: date, newest: date, days: int) -> Iterator[tuple[date, date]]:
    """Split oldest..newest into consecutive ranges of at most `days` days, newest first."""
    end = newest
    while end >= oldest:
        start = max(oldest, end - timedelta(days=days - 1))
        yield start, end
        end = start - timedelta(days=1)


__all__ = [
    "Store",
    "iter_chunks",
    "SCHEMA_VERSION",
    "STORE_NAME",
    "athlete_fingerprint",
]
