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

from ..errors import LockHeld, OutputFailed, SyncError

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


class StoreRebuilt(Exception):
    """Raised internally; `open_store` reports the reason through `notice`."""


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


def _dumps(value: Any) -> str:
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
            _vouch(self.path)

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
        """Called before a write that changes digest-covered content."""
        if not self._dirty:
            self.conn.execute("DELETE FROM meta WHERE key = ?", (DIGEST_KEY,))
            self._dirty = True

    # ------------------------------------------------------------ records
    @_serialized
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
        text = _dumps(payload)
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
        text = _dumps(state)
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
        text = _dumps(payload)
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
        """Delete the rows of a digest-covered table that match; how many."""
        found = self.conn.execute(f"SELECT 1 FROM {table} WHERE {condition} LIMIT 1", args)
        if found.fetchone() is None:
            return 0
        self._content_changes()
        return self.conn.execute(f"DELETE FROM {table} WHERE {condition}", args).rowcount

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


# ----------------------------------------------------------------- opening

BUSY_TIMEOUT_SECONDS = 30.0  # how long a sync waits for another sync's store
_TABLES = frozenset({"meta", "records", "resources", "fetch_state", "cache", "coverage"})
_JSON_COLUMNS = (
    ("records", "raw"),
    ("resources", "payload"),
    ("fetch_state", "state"),
    ("cache", "payload"),
)
VOUCHED_SUFFIX = ".closed"  # beside the store: the file's state when this program closed it
_OPEN_TRIES = 3  # another process moved the file aside under us: open again

# sqlite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF)
_BUSY = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED: another process has it
_UNWRITABLE = frozenset({3, 8, 10, 13, 14})  # PERM, READONLY, IOERR, FULL, CANTOPEN


def _code(exc: sqlite3.Error) -> int:
    return (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF


def _refusal(exc: sqlite3.Error, path: Path) -> SyncError | None:
    """The run-ending error for a store that is busy (exit 6) or cannot be
    written (exit 7); None for a damaged store (it is rebuilt)."""
    code = _code(exc)
    if code in _BUSY:
        return LockHeld(
            f"the local store {path} is in use by another sync (waited "
            f"{BUSY_TIMEOUT_SECONDS:g} s); run again when it has finished"
        )
    if code in _UNWRITABLE:
        return OutputFailed(
            f"the local store {path} cannot be written ({exc}): make it and its folder "
            f"{path.parent} writable, or choose another folder with --state-dir"
        )
    return None


def _create(conn: sqlite3.Connection, fingerprint: str) -> None:
    """The schema in the open transaction (executescript would commit first)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
    )
    conn.execute("INSERT INTO meta (key, value) VALUES ('athlete', ?)", (fingerprint,))


def _damage(conn: sqlite3.Connection, vouched: bool) -> str | None:
    """Why the file is not a whole store (a missing table, a row that is not
    JSON, a failed integrity check), or None. `vouched`: the file is as this
    program closed it (`_vouched`): its rows are not scanned again."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = sorted(_TABLES - tables)
    if missing:
        return f"the local store lacks its {', '.join(missing)} table"
    if vouched:
        return None
    integrity = conn.execute("PRAGMA quick_check").fetchone()
    if not integrity or integrity[0] != "ok":
        return "the local store failed its integrity check"
    for table, column in _JSON_COLUMNS:
        bad = conn.execute(f"SELECT count(*) FROM {table} WHERE NOT json_valid({column})")
        if bad.fetchone()[0]:
            return f"a row of the local store's {table} table is damaged"
    return None


def _check(conn: sqlite3.Connection, fingerprint: str, vouched: bool) -> None:
    """Raise StoreRebuilt with the reason when the file is not a usable store;
    migrate a store of the previous schema version."""
    reason = _damage(conn, vouched)
    if reason:
        raise StoreRebuilt(reason)
    rows = dict(conn.execute("SELECT key, value FROM meta").fetchall())
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
        conn.execute("DELETE FROM meta WHERE key = ?", (DIGEST_KEY,))
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )


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


def _vouch(path: Path) -> None:
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


def _vouched(path: Path) -> bool:
    """True when the store file is exactly as this program last closed it."""
    try:
        recorded = path.with_name(path.name + VOUCHED_SUFFIX).read_text(encoding="ascii")
    except (OSError, ValueError):
        return False
    return recorded == _file_state(path)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _lock(path: Path) -> sqlite3.Connection:
    """A connection that holds the store's write lock until it is closed:
    exclusive locking mode, and a write transaction begun at once (it waits up
    to BUSY_TIMEOUT_SECONDS for another sync)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _take(path: Path, fingerprint: str) -> sqlite3.Connection | None:
    """The locked, checked (or freshly created) store at `path`; None when
    another process replaced the file meanwhile. Raises StoreRebuilt for a
    damaged store (still in place), LockHeld or OutputFailed."""
    before = _identity(path)
    try:
        conn = _lock(path)
    except sqlite3.Error as exc:
        raise _refusal(exc, path) or StoreRebuilt(
            f"the local store is unreadable ({exc})"
        ) from None
    try:
        if before is not None and _identity(path) != before:
            conn.close()
            return None  # moved aside and rebuilt by another sync while we waited
        try:
            fresh = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
            if fresh:
                _create(conn, fingerprint)
            else:
                _check(conn, fingerprint, _vouched(path))
            # a write now: a read-only file or folder is found before any fetch
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('opened', ?)",
                (str(time.time()),),
            )
            conn.commit()  # the lock stays (exclusive locking mode)
        except sqlite3.Error as exc:
            raise _refusal(exc, path) or StoreRebuilt(
                f"the local store is unreadable ({exc})"
            ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _move_aside(path: Path) -> Path:
    """Rename the damaged store and its journal files (never deleted: a journal
    may belong to a process still using that file) to `<name>.old-<ts>`."""
    aside = path.with_name(f"{STORE_NAME}.old-{time.strftime('%Y%m%dT%H%M%S')}")
    os.replace(path, aside)
    path.with_name(path.name + VOUCHED_SUFFIX).unlink(missing_ok=True)
    for suffix in ("-journal", "-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    return aside


def open_store(
    state_dir: Path | str | None,
    athlete_id: str,
    notice: Callable[[str], None] | None = None,
) -> Store:
    """Open (or create) the store in `state_dir`; None = an in-memory store.

    The store stays locked for this process until it is closed: a second sync
    waits up to BUSY_TIMEOUT_SECONDS, then gets LockHeld (exit 6); a busy store
    is never rebuilt. A damaged, foreign or outdated store is renamed to
    `store.sqlite3.old-<ts>` (under its lock) and rebuilt; `notice(message)` is
    told why. A store that cannot be written, a store path that is a folder or
    a state folder that cannot be created raise OutputFailed (exit 7).
    """
    fingerprint = athlete_fingerprint(athlete_id)
    if state_dir is None:
        memory = sqlite3.connect(":memory:", check_same_thread=False)
        _create(memory, fingerprint)
        memory.commit()
        return Store(memory, None)
    directory = Path(state_dir)
    path = directory / STORE_NAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFailed(
            f"cannot create the state folder {directory} ({exc.strerror or exc}): make its "
            "parent writable, or choose another folder with --state-dir"
        ) from None
    for _ in range(_OPEN_TRIES):
        if os.path.lexists(path) and not path.is_file():
            raise OutputFailed(
                f"the local store {path} is not a file: move it away (the store is "
                "rebuilt from Intervals.icu), or choose another folder with --state-dir"
            )
        try:
            conn = _take(path, fingerprint)
        except StoreRebuilt as exc:
            aside = _move_aside(path)
            if notice:
                notice(
                    f"{exc}; rebuilding it from Intervals.icu (the old file is kept as "
                    f"{aside.name})"
                )
            continue
        if conn is not None:
            return Store(conn, path)
    raise LockHeld(
        f"the local store {path} keeps being replaced by another process; "
        "run again when no other sync is running"
    )


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
