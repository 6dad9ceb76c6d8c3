"""The local store: records with change tokens, resources, fetch state, cache,
coverage, and rebuilding a corrupt, foreign or outdated file."""

from __future__ import annotations

import sqlite3
from datetime import date

from section11.ingest.store import SCHEMA_VERSION, STORE_NAME, iter_chunks, open_store


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
