"""What a steady run reads of the store: the kept content digest and the record of
the file as a sync closed it.

The digest kept in meta must equal a fresh hash of the content whenever it is
used, whatever sequence of writes, commits, rollbacks and crashes came before;
a store touched by any other writer must be scanned again on opening."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from section11.ingest import store_file
from section11.ingest.store import DIGEST_KEY, STORE_NAME, VOUCHED_SUFFIX, content_digest
from section11.ingest.store_file import open_store

ROOT = Path(__file__).resolve().parent.parent


def _write(store, rng: random.Random) -> None:
    """One random write of the kinds a sync makes, often of content already there."""
    aid = f"a{rng.randrange(4)}"
    value = rng.randrange(3)
    what = rng.randrange(9)
    if what == 0:
        store.upsert("activity", [(aid, "2026-11-01", f"t{value}", {"id": aid, "v": value})])
    elif what == 1:
        store.delete("activity", [aid])
    elif what == 2:
        store.put_resource(aid, "dfa", {"v": value}, f"t{value}", f"2026-11-0{value + 1}")
    elif what == 3:
        store.drop_resource(aid, "dfa")
    elif what == 4:
        store.put_fetch_state(aid, "record", {"v": value})
    elif what == 5:
        store.drop_fetch_state(aid)
    elif what == 6:
        store.put_cache(f"curve:{aid}", {"v": value}, now=1000.0 + rng.randrange(100))
    elif what == 7:
        store.prune_cache(50, now=1100.0)
    else:
        store.set_coverage("activity", *sorted([_day(rng), _day(rng)]), now=1.0)


def _day(rng: random.Random):
    from datetime import date

    return date(2026, 1, 1 + rng.randrange(28))


@pytest.mark.parametrize("seed", range(12))
def test_the_kept_digest_always_equals_a_fresh_hash_of_the_content(tmp_path, seed):
    rng = random.Random(seed)
    for _ in range(15):
        store = open_store(tmp_path, "i1")
        assert store.digest() == content_digest(store.conn)
        for _ in range(rng.randrange(8)):
            _write(store, rng)
            if rng.random() < 0.3:
                assert store.digest() == content_digest(store.conn)
            if rng.random() < 0.2:
                store.commit()
        ending = rng.randrange(3)
        if ending == 0:
            store.commit()
        elif ending == 1:
            store.conn.rollback()
        store.close()  # ending 2: what was not committed is lost, as in a crash


def test_writes_of_content_already_there_keep_the_digest(tmp_path):
    with open_store(tmp_path, "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", "t1", {"id": "a1"})])
        store.put_resource("a1", "dfa", {"a1": 0.8}, "t1", "2026-11-01T00:00:00+00:00")
        store.put_fetch_state("a1", "record", {"date": "2026-11-01"})
        store.put_cache("curve:x", {"list": [1]}, now=1000.0)
        kept = store.digest()
    with open_store(tmp_path, "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", "t1", {"id": "a1"})])
        store.put_resource("a1", "dfa", {"a1": 0.8}, "t1", "2026-11-02T00:00:00+00:00")
        store.put_fetch_state("a1", "record", {"date": "2026-11-01"})
        store.put_cache("curve:x", {"list": [1]}, now=2000.0)  # refreshed, same answer
        store.drop_resource("a2", "dfa")
        store.prune_cache(5000, now=2000.0)
        assert store.meta(DIGEST_KEY) == kept
        assert store.cached("curve:x", max_age=10, now=2005.0) == {"list": [1]}
        store.put_fetch_state("a1", "record", {"date": "2026-11-02"})
        assert store.meta(DIGEST_KEY) is None
        assert store.digest() != kept


CRASH_AFTER_COMMIT = """
import os, sys
from section11.ingest.store_file import open_store
store = open_store(sys.argv[1], "i1")
store.digest()
store.upsert("activity", [("a9", "2026-11-09", "t9", {"id": "a9"})])
store.commit()
os._exit(3)
"""


def test_a_crash_after_committing_a_change_leaves_no_stale_digest(tmp_path):
    with open_store(tmp_path, "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", "t1", {"id": "a1"})])
        before = store.digest()
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_AFTER_COMMIT, str(tmp_path)], cwd=ROOT, check=False
    )
    assert crashed.returncode == 3
    with open_store(tmp_path, "i1") as store:
        assert [r["id"] for r in store.records("activity")] == ["a1", "a9"]
        assert store.digest() == content_digest(store.conn) != before


def _scans(monkeypatch) -> list[bool]:
    """The `vouched` flag of every store check made from now on."""
    seen: list[bool] = []
    check = store_file._damage

    def recording(conn, vouched):
        seen.append(vouched)
        return check(conn, vouched)

    monkeypatch.setattr(store_file, "_damage", recording)
    return seen


def test_a_store_as_a_sync_closed_it_is_not_scanned_again(tmp_path, monkeypatch):
    with open_store(tmp_path, "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", "t1", {"id": "a1"})])
    seen = _scans(monkeypatch)
    for _ in range(2):
        with open_store(tmp_path, "i1"):
            pass
    assert seen == [True, True]


@pytest.mark.parametrize("how", ["another writer", "copied", "touched", "record removed"])
def test_a_store_changed_by_anything_else_is_scanned(tmp_path, monkeypatch, how):
    with open_store(tmp_path / "a", "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", "t1", {"id": "a1"})])
    state = tmp_path / "a"
    path = state / STORE_NAME
    if how == "another writer":
        conn = sqlite3.connect(path)
        conn.execute("INSERT INTO meta (key, value) VALUES ('written by', 'another program')")
        conn.commit()
        conn.close()
    elif how == "copied":  # e.g. restored from a cache: another inode
        shutil.copytree(state, tmp_path / "b")
        state = tmp_path / "b"
    elif how == "touched":
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    else:
        (state / (STORE_NAME + VOUCHED_SUFFIX)).unlink()
    seen = _scans(monkeypatch)
    with open_store(state, "i1"):
        pass
    assert seen == [False]


def test_a_damaged_row_hidden_behind_the_old_size_and_time_is_still_found(tmp_path):
    with open_store(tmp_path, "i1") as store:
        store.upsert("activity", [("a1", "2026-11-01", "t1", {"id": "a1", "x": 12345})])
    path = tmp_path / STORE_NAME
    before = path.stat()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE records SET raw = '{not json at all'")
    conn.commit()
    conn.close()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    notices: list[str] = []
    with open_store(tmp_path, "i1", notice=notices.append) as store:
        assert store.records("activity") == []
    assert len(notices) == 1 and "records table is damaged" in notices[0]
