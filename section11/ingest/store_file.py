"""Opening the store file: locked for the run, checked, migrated, or rebuilt.

`open_store` takes the store's write lock for the whole sync (a second sync
waits, then gets LockHeld), checks the file (tables, `PRAGMA quick_check`,
every JSON column; skipped for a file exactly as this program last closed it,
`store.vouched`), migrates a store of the previous schema version in place
(`_migrate_v1`), and moves a damaged, foreign or outdated one aside to be
rebuilt from the API: losing it costs requests, never data.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import LockHeld, OutputFailed, SyncError
from .store import (
    DFA,
    DIGEST_KEY,
    SCHEMA_SQL,
    SCHEMA_VERSION,
    STORE_NAME,
    TERRAIN,
    VOUCHED_SUFFIX,
    Store,
    athlete_fingerprint,
    stored_json,
    vouched,
)


class StoreRebuilt(Exception):
    """Raised internally; `open_store` reports the reason through `notice`."""


BUSY_TIMEOUT_SECONDS = 30.0  # how long a sync waits for another sync's store
_TABLES = frozenset({"meta", "records", "resources", "fetch_state", "cache", "coverage"})
_JSON_COLUMNS = (
    ("records", "raw"),
    ("resources", "payload"),
    ("fetch_state", "state"),
    ("cache", "payload"),
)
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
    for statement in SCHEMA_SQL.split(";"):
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
                    (activity_id, DFA, stored_json(block), fetched_at),
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
                        (stored_json(record), activity_id, endpoint),
                    )
        for activity_id, payload in conn.execute(
            "SELECT activity_id, payload FROM resources WHERE kind = ?", (TERRAIN,)
        ).fetchall():
            fields = json.loads(payload)
            if isinstance(fields, dict) and "terrain_summary" in fields:
                fields["terrain_summary"] = _without_display(fields["terrain_summary"])
                conn.execute(
                    "UPDATE resources SET payload = ? WHERE activity_id = ? AND kind = ?",
                    (stored_json(fields), activity_id, TERRAIN),
                )
        conn.execute("DELETE FROM meta WHERE key = ?", (DIGEST_KEY,))
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )


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
                _check(conn, fingerprint, vouched(path))
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


__all__ = ["open_store", "BUSY_TIMEOUT_SECONDS"]
