"""Archive snapshots and change detection (docs/architecture.md#writing-files, weakness 9.4 (docs/architecture.md#reference-weaknesses))."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from section11.errors import InvalidInput
from section11.publish.archive import (
    parse_retention_days,
    plan_archive,
    snapshot_path,
    snapshot_time,
    snapshots,
)
from section11.publish.volatile import content_fingerprint, strip_volatile

NOW = datetime(2026, 11, 23, 7, 30, 5, tzinfo=UTC)


def latest(stamp: str = "2026-11-23T08:30:05+01:00", ctl: float = 50.0) -> bytes:
    return json.dumps(
        {
            "metadata": {"last_updated": stamp, "version": "1"},
            "derived_metrics": {"calculation_timestamp": stamp, "acwr": 1.0},
            "current_status": {"fitness": {"ctl": ctl}},
        },
        indent=2,
    ).encode()


# ----------------------------------------------------------------- fingerprint


def test_generation_timestamps_are_not_content():
    assert content_fingerprint(latest("2026-11-23T01:00:00Z")) == content_fingerprint(
        latest("2026-11-24T23:59:59+05:00")
    )
    for doc_a, doc_b in [
        ({"generated_at": "a", "x": 1}, {"generated_at": "b", "x": 1}),
        ({"generated_at": "a", "x": 1}, {"x": 1}),
    ]:
        assert content_fingerprint(json.dumps(doc_a).encode()) == content_fingerprint(
            json.dumps(doc_b).encode()
        )


def test_real_change_is_content():
    assert content_fingerprint(latest(ctl=50.0)) != content_fingerprint(latest(ctl=50.1))


def test_same_named_keys_elsewhere_are_content():
    """Only the three generation stamps are volatile, not every key with that name."""
    a = {
        "activities": [{"generated_at": "x"}],
        "history": {"last_generated": "2026-11-01"},
        "metadata": {"last_updated": "t", "version": "1"},
    }
    b = {
        "activities": [{"generated_at": "y"}],
        "history": {"last_generated": "2026-11-01"},
        "metadata": {"last_updated": "t", "version": "1"},
    }
    c = dict(a, history={"last_generated": "2026-11-08"})
    fp = content_fingerprint
    assert fp(json.dumps(a).encode()) != fp(json.dumps(b).encode())
    assert fp(json.dumps(a).encode()) != fp(json.dumps(c).encode())
    # metadata.version still counts when last_updated goes
    d = dict(a, metadata={"last_updated": "t", "version": "2"})
    assert fp(json.dumps(a).encode()) != fp(json.dumps(d).encode())


def test_formatting_and_key_order_are_not_content():
    compact = b'{"b":1,"a":[1,2]}'
    pretty = b'{\n  "a": [1, 2],\n  "b": 1\n}\n'
    assert content_fingerprint(compact) == content_fingerprint(pretty)


def test_volatile_parents_of_other_types_are_left_alone():
    assert strip_volatile({"metadata": None, "derived_metrics": [1]}) == {
        "metadata": None,
        "derived_metrics": [1],
    }
    assert strip_volatile([{"generated_at": 1}]) == [{"generated_at": 1}]
    original = {"metadata": {"last_updated": "t", "k": 1}}
    assert strip_volatile(original) == {"metadata": {"k": 1}}
    assert original == {"metadata": {"last_updated": "t", "k": 1}}  # not mutated


def test_non_json_bytes_are_hashed_raw():
    assert content_fingerprint(b"\xff\xfe").startswith("raw:")
    assert content_fingerprint(b"{truncated").startswith("raw:")
    assert content_fingerprint(b"{truncated") != content_fingerprint(b"{truncate")
    assert content_fingerprint(b"{}").startswith("json:")


@given(
    st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=5),
    st.text(max_size=10),
    st.text(max_size=10),
)
def test_fingerprint_ignores_any_generated_at_value(body, stamp_a, stamp_b):
    body.pop("generated_at", None)
    a = json.dumps({**body, "generated_at": stamp_a}).encode()
    b = json.dumps({"generated_at": stamp_b, **body}).encode()
    assert content_fingerprint(a) == content_fingerprint(b)


# ----------------------------------------------------------------- paths


def test_snapshot_path_is_utc():
    local = datetime(2026, 12, 1, 0, 30, 0, tzinfo=timezone(timedelta(hours=2)))
    assert snapshot_path(local) == "archive/2026-11/20261130_223000.json"
    assert snapshot_path(NOW, "data/") == "data/archive/2026-11/20261123_073005.json"
    with pytest.raises(ValueError):
        snapshot_path(datetime(2026, 11, 23))


def test_snapshot_time_parses_month_folders_and_the_old_flat_layout():
    utc = UTC
    assert snapshot_time("archive/2026-11/20261123_073005.json") == datetime(
        2026, 11, 23, 7, 30, 5, tzinfo=utc
    )
    assert snapshot_time("archive/20250102_030405.json") == datetime(
        2025, 1, 2, 3, 4, 5, tzinfo=utc
    )
    assert snapshot_time("data/archive/2026-11/20261123_073005.json") is not None
    for other in (
        "archive/2026-10/20261123_073005.json",  # wrong month folder
        "archive/2026-11/20261399_000000.json",  # not a date
        "archive/README.md",
        "latest.json",
        "myarchive/20261123_073005.json",
        "archive/2026-11/20261123_073005.json.bak",
    ):
        assert snapshot_time(other) is None, other


def test_snapshots_are_sorted_oldest_first():
    paths = [
        "archive/2026-11/20261123_000000.json",
        "archive/x.txt",
        "archive/20250101_000000.json",
        "archive/2026-10/20261001_120000.json",
    ]
    assert [p for _, p in snapshots(paths)] == [
        "archive/20250101_000000.json",
        "archive/2026-10/20261001_120000.json",
        "archive/2026-11/20261123_000000.json",
    ]


# ----------------------------------------------------------------- plan


def reader(contents: dict[str, bytes]):
    return contents.get


def test_first_snapshot_is_written():
    plan = plan_archive([], reader({}), latest(), NOW)
    assert plan.add == ("archive/2026-11/20261123_073005.json", latest())
    assert plan.remove == ()


def test_no_snapshot_when_newest_has_the_same_content():
    old = {
        "archive/2026-11/20261101_000000.json": latest(ctl=40),
        "archive/2026-11/20261122_000000.json": latest("2026-11-22T00:00:00Z"),
    }
    plan = plan_archive(list(old), reader(old), latest(), NOW)
    assert plan.add is None


def test_snapshot_when_newest_differs_even_if_an_older_one_matches():
    old = {
        "archive/2026-11/20261101_000000.json": latest(),
        "archive/2026-11/20261122_000000.json": latest(ctl=49),
    }
    plan = plan_archive(list(old), reader(old), latest(), NOW)
    assert plan.add is not None


def test_unreadable_newest_snapshot_means_write_one():
    plan = plan_archive(["archive/2026-11/20261122_000000.json"], reader({}), latest(), NOW)
    assert plan.add is not None


def test_same_second_snapshot_is_not_written_twice():
    path = "archive/2026-11/20261123_073005.json"
    plan = plan_archive([path], reader({path: latest(ctl=1)}), latest(), NOW)
    assert plan.add is None


def test_retention_none_keeps_everything():
    old = {"archive/20200101_000000.json": latest(ctl=1)}
    plan = plan_archive(list(old), reader(old), latest(), NOW, retention_days=None)
    assert plan.remove == ()


def test_retention_prunes_strictly_older_than_the_cutoff():
    # cutoff = 2026-11-23 07:30:05 - 7 days = 2026-11-16 07:30:05
    old = {
        "archive/2026-11/20261116_073004.json": latest(ctl=1),  # 1 s before: pruned
        "archive/2026-11/20261116_073005.json": latest(ctl=2),  # at the cutoff: kept
        "archive/2026-11/20261120_000000.json": latest(ctl=3),
        "archive/2026-10/20261001_000000.json": latest(ctl=4),
        "archive/notes.txt": b"x",
    }
    plan = plan_archive(list(old), reader(old), latest(), NOW, retention_days=7)
    assert plan.add is not None
    assert sorted(plan.remove) == [
        "archive/2026-10/20261001_000000.json",
        "archive/2026-11/20261116_073004.json",
    ]


def test_retention_keeps_the_newest_snapshot_when_nothing_is_added():
    old = {
        "archive/2026-10/20261001_000000.json": latest(ctl=1),
        "archive/2026-10/20261002_000000.json": latest(),
    }
    plan = plan_archive(list(old), reader(old), latest(), NOW, retention_days=1)
    assert plan.add is None
    assert plan.remove == ("archive/2026-10/20261001_000000.json",)


def test_retention_removes_all_old_ones_when_a_new_snapshot_is_added():
    old = {
        "archive/2026-10/20261001_000000.json": latest(ctl=1),
        "archive/2026-10/20261002_000000.json": latest(ctl=2),
    }
    plan = plan_archive(list(old), reader(old), latest(), NOW, retention_days=1)
    assert plan.add is not None
    assert sorted(plan.remove) == sorted(old)


def test_prefix_is_used_for_the_new_snapshot():
    plan = plan_archive([], reader({}), latest(), NOW, prefix="data/")
    assert plan.add[0] == "data/archive/2026-11/20261123_073005.json"


@pytest.mark.parametrize("bad", [0, -3, True, "7", 2.5])
def test_invalid_retention_is_refused(bad):
    with pytest.raises(InvalidInput, match="--archive-retention-days"):
        parse_retention_days(bad)
    with pytest.raises(InvalidInput):
        plan_archive([], reader({}), latest(), NOW, retention_days=bad)


def test_valid_retention():
    assert parse_retention_days(None) is None
    assert parse_retention_days(1) == 1
    assert parse_retention_days(365) == 365
