"""The local store: records with change tokens, resources, fetch state, cache,
coverage, and rebuilding a corrupt, foreign or outdated file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from section11.errors import LockHeld, OutputFailed
from section11.ingest import store_file
from section11.ingest.store import SCHEMA_VERSION, STORE_NAME, Store, iter_chunks
from section11.ingest.store_file import open_store

ROOT = Path(__file__).resolve().parent.parent


def test_records_roundtrip_and_change_detection(tmp_path):
    with open_store(tmp_path, "i1") as store:
        assert (
            store.upsert(
                "activity",
                [
                    ("a1", "2026-11-01", "t1", {"id": "a1", "x": 1}),
                    ("a2", "2026-11-03", "t1", {"id": "a2"}),
                ],
            )
            == 2
        )
        assert store.upsert("activity", [("a1", "2026-11-01", "t1", {"id": "a1", "x": 1})]) == 0
        assert store.upsert("activity", [("a1", "2026-11-01", "t2", {"id": "a1", "x": 2})]) == 1
    with open_store(tmp_path, "i1") as store:
        assert [r["id"] for r in store.records("activity")] == ["a1", "a2"]
        assert store.records("activity", oldest=date(2026, 11, 2)) == [{"id": "a2"}]
        assert store.ids_in("activity", date(2026, 11, 1), date(2026, 11, 1)) == {"a1": "t2"}


def test_resources_state_cache_coverage(tmp_path):
    with open_store(tmp_path, "i1") as store:
        store.put_resource("a1", "intervals", [{"type": "WORK"}], "t1", "2026-11-01T00:00:00+00:00")
        store.put_fetch_state("a1", "streams", {"status": "pending", "attempts": 1})
        store.put_cache("curves:x", {"list": []}, now=1000.0)
        store.set_coverage("activity", date(2024, 1, 1), date(2026, 11, 1), now=1000.0)
    with open_store(tmp_path, "i1") as store:
        assert store.resource("a1", "intervals") == ([{"type": "WORK"}], "t1")
        assert store.resource("a1", "dfa") is None
        assert store.fetch_states() == {("a1", "streams"): {"status": "pending", "attempts": 1}}
        assert store.cached("curves:x", max_age=100, now=1050.0) == {"list": []}
        assert store.cached("curves:x", max_age=10, now=1050.0) is None
        assert store.prune_cache(100, now=1050.0) == 0
        assert store.prune_cache(10, now=1050.0) == 1
        assert store.cached("curves:x") is None
        assert store.coverage("activity")[:2] == (date(2024, 1, 1), date(2026, 11, 1))
        store.delete("activity", ["a1"])
        assert store.resource("a1", "intervals") is None and store.fetch_states() == {}


def test_garbage_file_is_moved_aside_and_rebuilt(tmp_path):
    (tmp_path / STORE_NAME).write_bytes(b"this is not sqlite at all" * 100)
    notices = []
    with open_store(tmp_path, "i1", notice=notices.append) as store:
        assert store.records("activity") == []
    assert len(notices) == 1 and "unreadable" in notices[0]
    assert len(list(tmp_path.glob(f"{STORE_NAME}.old-*"))) == 1


def test_other_schema_or_athlete_rebuilds(tmp_path):
    with open_store(tmp_path, "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", None, {})])
    notices = []
    with open_store(tmp_path, "i2", notice=notices.append) as store:
        assert store.records("activity") == []
    assert "another athlete" in notices[0]
    conn = sqlite3.connect(tmp_path / STORE_NAME)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    notices.clear()
    with open_store(tmp_path, "i2", notice=notices.append):
        pass
    assert f"uses {SCHEMA_VERSION}" in notices[0]


def test_store_holds_no_secret(tmp_path):
    with open_store(tmp_path, "i123456") as store:
        store.upsert("activity", [("a1", "2026-11-01", None, {"id": "a1"})])
    assert b"i123456" not in (tmp_path / STORE_NAME).read_bytes()


def test_iter_chunks_covers_range_newest_first():
    chunks = list(iter_chunks(date(2026, 1, 1), date(2026, 12, 31), 200))
    assert chunks[0][1] == date(2026, 12, 31) and chunks[-1][0] == date(2026, 1, 1)
    total = sum((end - start).days + 1 for start, end in chunks)
    assert total == 365
    assert all((end - start).days < 200 for start, end in chunks)


# ------------------------------------------------------------ broken local state (issue 11)


def _put_raw(tmp_path, sql):
    conn = sqlite3.connect(tmp_path / STORE_NAME)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "sql, reason",
    [
        ("UPDATE records SET raw = '{not json'", "records table is damaged"),
        ("UPDATE fetch_state SET state = '['", "fetch_state table is damaged"),
        ("DROP TABLE resources", "lacks its resources table"),
    ],
)
def test_damaged_row_or_missing_table_is_moved_aside_and_rebuilt(tmp_path, sql, reason):
    with open_store(tmp_path, "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", None, {"id": "a1"})])
        store.put_fetch_state("a1", "record", {"date": "2026-11-01"})
    _put_raw(tmp_path, sql)
    notices = []
    with open_store(tmp_path, "i1", notice=notices.append) as store:
        assert store.records("activity") == [] and store.fetch_states() == {}
    assert len(notices) == 1 and reason in notices[0]
    assert len(list(tmp_path.glob(f"{STORE_NAME}.old-*"))) == 1
    with open_store(tmp_path, "i1", notice=notices.append):
        pass  # the rebuilt store is whole: no second rebuild
    assert len(notices) == 1


def test_non_finite_numbers_are_stored_as_absent(tmp_path):
    value = {"a": float("nan"), "b": [float("inf"), 1.5, -float("inf")], "c": {"d": 2}}
    with open_store(tmp_path, "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", None, dict(value, id="a1"))])
        store.put_resource("a1", "dfa", value, None, "2026-11-01T00:00:00+00:00")
        store.put_cache("k", value)
    with open_store(tmp_path, "i1") as store:
        absent = {"a": None, "b": [None, 1.5, None], "c": {"d": 2}}
        assert store.records("activity") == [dict(absent, id="a1")]
        assert store.resource("a1", "dfa") == (absent, None)
        assert store.cached("k") == absent


def test_a_store_path_that_is_a_folder_is_refused_with_exit_7(tmp_path):
    (tmp_path / STORE_NAME).mkdir()
    (tmp_path / STORE_NAME / "mine.txt").write_text("keep")
    with pytest.raises(OutputFailed, match="is not a file"):
        open_store(tmp_path, "i1")
    assert (tmp_path / STORE_NAME / "mine.txt").read_text() == "keep"


def test_a_busy_store_is_waited_for_then_refused_never_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setattr(store_file, "BUSY_TIMEOUT_SECONDS", 0.3)
    with open_store(tmp_path, "i1") as first:
        first.upsert("activity", [("a1", "2026-11-01", None, {"id": "a1"})])
        first.commit()
        notices = []
        with pytest.raises(LockHeld, match="in use by another sync"):
            open_store(tmp_path, "i1", notice=notices.append)
        assert notices == []
    assert list(tmp_path.glob(f"{STORE_NAME}.old-*")) == []
    with open_store(tmp_path, "i1") as store:
        assert store.records("activity") == [{"id": "a1"}]


HOLD = (
    "import sys, time\n"
    "from section11.ingest.store_file import open_store\n"
    "store = open_store(sys.argv[1], 'i1')\n"
    "store.upsert('activity', [('a1', '2026-11-01', None, {'id': 'a1'})])\n"
    "store.commit()\n"
    "print('holding', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "store.close()\n"
)


def test_a_second_store_waits_for_the_first_to_close(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path), "0.5"], cwd=ROOT, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline() == b"holding\n"
        notices = []
        with open_store(tmp_path, "i1", notice=notices.append) as second:  # waits for it
            assert second.records("activity") == [{"id": "a1"}]
        assert notices == []
    finally:
        assert holder.wait(timeout=60) == 0


def test_companion_files_are_moved_aside_with_the_store_never_deleted(tmp_path):
    """open_store used to unlink the -journal/-wal/-shm of a store it set
    aside; they may belong to another process, so they move with the file."""
    (tmp_path / STORE_NAME).write_bytes(b"damaged")
    for suffix in ("-journal", "-wal", "-shm"):
        (tmp_path / f"{STORE_NAME}{suffix}").write_bytes(b"not ours to delete")
    aside = store_file._move_aside(tmp_path / STORE_NAME)
    assert aside.read_bytes() == b"damaged"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [aside.name] + [aside.name + s for s in ("-journal", "-wal", "-shm")]
    )


UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def unprivileged(command: list[str]) -> list[str]:
    """Run `command` subject to file permissions even when the tests run as root."""
    if os.geteuid() == 0 and shutil.which("setpriv"):
        return UNPRIVILEGED + command
    return command


OPEN = (
    "import sys\n"
    "from section11.errors import SyncError\n"
    "from section11.ingest.store_file import open_store\n"
    "try:\n"
    "    open_store(sys.argv[1], 'i1').close()\n"
    "except SyncError as exc:\n"
    "    print(exc.message); sys.exit(exc.exit_code)\n"
)


@pytest.mark.parametrize("what", ["store", "folder", "empty folder"])
def test_a_store_that_cannot_be_written_gives_exit_7_with_the_fix(tmp_path, what):
    state = tmp_path / "state"
    state.mkdir()
    if what != "empty folder":
        with open_store(state, "i1") as store:
            store.upsert("activity", [("a1", "2026-11-01", None, {"id": "a1"})])
    if what == "store":
        (state / STORE_NAME).chmod(0o444)
    else:
        state.chmod(0o555)
    try:
        proc = subprocess.run(
            unprivileged([sys.executable, "-c", OPEN, str(state)]),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        state.chmod(0o755)
    assert proc.returncode == 7, proc.stderr
    assert "cannot be written" in proc.stdout and "writable" in proc.stdout
    assert list(state.glob(f"{STORE_NAME}.old-*")) == []


# ----------------------------------------------------------------- shared by threads

DAY = date(2026, 11, 24)
STORE_CALLS = {  # every public method of Store, with arguments
    "meta": ("athlete",),
    "set_meta": ("athlete_timezone", "Europe/Amsterdam"),
    "digest": (),
    "upsert": ("activity", [("a1", "2026-11-24", "t1", {"id": "a1"})]),
    "delete": ("activity", ["a1"]),
    "records": ("activity",),
    "ids_in": ("activity", DAY, DAY),
    "resource": ("a1", "dfa"),
    "resource_fetched_at": ("a1", "dfa"),
    "resources": ("dfa",),
    "put_resource": ("a1", "dfa", {"alpha1": 0.75}, "t1", "2026-11-24T09:00:00+00:00"),
    "drop_resource": ("a1", "dfa"),
    "fetch_states": (),
    "put_fetch_state": ("a1", "intervals", {"status": "ok"}),
    "drop_fetch_state": ("a1",),
    "cached": ("health:2026-11-24",),
    "put_cache": ("health:2026-11-24", [], 0.0),
    "prune_cache": (60.0, 0.0),
    "coverage": ("activity",),
    "set_coverage": ("activity", DAY, DAY, 0.0),
    "commit": (),
    "close": (),
}


class PausedConnection:
    """The store's sqlite connection, whose calls wait inside until released."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.inside = threading.Event()
        self.release = threading.Event()

    def _paused(self, name: str):
        def call(*args):
            self.inside.set()
            self.release.wait(60)  # a hang guard only: the test releases it
            return getattr(self.conn, name)(*args)

        return call

    def __getattr__(self, name: str):
        return (
            self._paused(name)
            if name in ("execute", "commit", "close")
            else getattr(self.conn, name)
        )


def test_every_store_method_is_listed():
    public = {name for name in vars(Store) if not name.startswith("_")}
    assert public == set(STORE_CALLS)


@pytest.mark.parametrize("method", sorted(STORE_CALLS))
def test_while_one_thread_uses_the_connection_other_threads_wait(tmp_path, method):
    """The fetch stages share one store from a few threads. sqlite3 serializes its
    C calls but not Python's implicit BEGIN before a write: two threads' first
    writes after a commit could both begin a transaction, and the run ended with
    "unexpected OperationalError: cannot start a transaction within a
    transaction" (exit 1). So a store call holds the store's lock for as long as
    it uses the connection: here a call is held inside the connection, and no
    other thread can take the store meanwhile."""
    store = open_store(tmp_path, "i1")
    paused = PausedConnection(store.conn)
    store.conn = paused  # type: ignore[assignment]
    caller = threading.Thread(target=getattr(store, method), args=STORE_CALLS[method])
    caller.start()
    try:
        assert paused.inside.wait(60)
        taken = store.lock.acquire(blocking=False)
        if taken:
            store.lock.release()
        assert not taken, f"Store.{method} uses the connection without holding the store"
    finally:
        paused.release.set()
        caller.join(60)
    assert not caller.is_alive()
    store.conn = paused.conn
    if method != "close":
        store.close()
