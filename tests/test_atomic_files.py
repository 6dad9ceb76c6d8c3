"""Atomic output files and JSON encoding (docs/architecture.md#writing-files, weakness 9.2 (docs/architecture.md#reference-weaknesses))."""

from __future__ import annotations

import json
import math
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from section11.errors import InvalidInput, OutputFailed
from section11.publish import files as filesmod
from section11.publish.files import dump_json, resolve_destination, write_files_atomic


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture
def outdir(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    (d / "latest.json").write_bytes(b'{"old": "latest"}')
    (d / "intervals.json").write_bytes(b'{"old": "intervals"}')
    (d / "routes.json").write_bytes(b'{"old": "routes"}')
    return d


def new_files(d: Path) -> dict[Path, bytes]:
    return {d / "intervals.json": b"I2\n", d / "routes.json": b"R2\n", d / "latest.json": b"L2\n"}


# ----------------------------------------------------------------- dump_json


def test_dump_json_format():
    assert (
        dump_json({"name": "Zoë", "a": [1, 2.5], "n": None})
        == ('{\n  "name": "Zoë",\n  "a": [\n    1,\n    2.5\n  ],\n  "n": null\n}\n').encode()
    )
    assert dump_json([]) == b"[]\n"


@pytest.mark.parametrize(
    "bad,where",
    [
        ({"a": [1, float("nan")]}, "$.a[1]"),
        ({"x": {"y": float("inf")}}, "$.x.y"),
        ([float("-inf")], "$[0]"),
    ],
)
def test_dump_json_refuses_nan_and_infinity(bad, where):
    with pytest.raises(OutputFailed) as exc:
        dump_json(bad, name="latest.json")
    assert exc.value.message == f"latest.json: refusing to write NaN or infinity at {where}"


def test_dump_json_refuses_unencodable_values():
    with pytest.raises(OutputFailed, match="cannot encode"):
        dump_json({"d": date(2024, 1, 1)})
    with pytest.raises(OutputFailed, match="invalid Unicode"):
        dump_json({"s": "\ud800"})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_dump_json_round_trips(value):
    raw = dump_json(value)
    assert raw.endswith(b"\n")
    assert json.loads(raw.decode("utf-8")) == value


# ----------------------------------------------------------------- success


def test_writes_every_file_and_leaves_no_temp_files(outdir):
    write_files_atomic(new_files(outdir))
    assert snapshot(outdir) == {
        "intervals.json": b"I2\n",
        "latest.json": b"L2\n",
        "routes.json": b"R2\n",
    }
    assert sorted(os.listdir(outdir)) == ["intervals.json", "latest.json", "routes.json"]


def test_creates_new_files_with_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_files_atomic({tmp_path / "a.json": b"x"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644


def test_keeps_the_mode_of_an_existing_target(outdir):
    os.chmod(outdir / "latest.json", 0o640)
    write_files_atomic({outdir / "latest.json": b"new"})
    assert stat.S_IMODE((outdir / "latest.json").stat().st_mode) == 0o640


def test_explicit_mode_applies_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        write_files_atomic({tmp_path / "secret.json": b"{}"}, mode=0o600)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "secret.json").stat().st_mode) == 0o600


def test_files_are_renamed_in_the_given_order(outdir, monkeypatch):
    order = []
    real = os.replace
    monkeypatch.setattr(
        filesmod.os, "replace", lambda s, t: (order.append(Path(t).name), real(s, t))[1]
    )
    write_files_atomic(new_files(outdir))
    assert order == ["intervals.json", "routes.json", "latest.json"]


def test_directories_are_fsynced(outdir, monkeypatch):
    synced = []
    monkeypatch.setattr(filesmod, "_fsync_directory", synced.append)
    write_files_atomic(new_files(outdir))
    assert synced == [outdir]


# ----------------------------------------------------------------- failures


def test_replace_failing_first_leaves_every_file_identical(outdir, monkeypatch):
    before = snapshot(outdir)

    def fail(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(filesmod.os, "replace", fail)
    with pytest.raises(OutputFailed) as exc:
        write_files_atomic(new_files(outdir))
    assert str(outdir / "intervals.json") in exc.value.message
    assert "Permission denied" in exc.value.message
    assert snapshot(outdir) == before
    assert sorted(os.listdir(outdir)) == sorted(before)


def test_replace_failing_midway_rolls_back(outdir, monkeypatch):
    before = snapshot(outdir)
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 3:  # intervals and routes already replaced
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(filesmod.os, "replace", flaky)
    new = new_files(outdir)
    new[outdir / "brand_new.json"] = b"N"
    with pytest.raises(OutputFailed) as exc:
        write_files_atomic(new)
    assert "latest.json" in exc.value.message and "no output file was changed" in exc.value.message
    assert snapshot(outdir) == before  # brand_new.json was never created either
    assert sorted(os.listdir(outdir)) == sorted(before)


def test_rollback_removes_a_new_file_already_renamed(outdir, monkeypatch):
    before = snapshot(outdir)
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(filesmod.os, "replace", flaky)
    with pytest.raises(OutputFailed):
        write_files_atomic({outdir / "new.json": b"N", outdir / "latest.json": b"L"})
    assert snapshot(outdir) == before


def test_missing_directory_fails_before_touching_anything(outdir, tmp_path):
    before = snapshot(outdir)
    new = new_files(outdir)
    missing = tmp_path / "nope" / "history.json"
    new[missing] = b"H"
    with pytest.raises(OutputFailed) as exc:
        write_files_atomic(new)
    assert str(missing) in exc.value.message and "does not exist" in exc.value.message
    assert snapshot(outdir) == before
    assert sorted(os.listdir(outdir)) == sorted(before)
    assert not missing.parent.exists()  # not created


def test_target_that_is_a_directory(outdir):
    before = snapshot(outdir)
    (outdir / "history.json").mkdir()
    new = new_files(outdir)
    new[outdir / "history.json"] = b"H"
    with pytest.raises(OutputFailed, match="history.json"):
        write_files_atomic(new)
    assert snapshot(outdir) == before


def test_fsync_failure_cleans_up(outdir, monkeypatch):
    before = snapshot(outdir)
    calls = []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(filesmod.os, "fsync", failing_fsync)
    with pytest.raises(OutputFailed, match="routes.json: Input/output error"):
        write_files_atomic(new_files(outdir))
    assert snapshot(outdir) == before
    assert sorted(os.listdir(outdir)) == sorted(before)


def test_non_bytes_content_is_refused(outdir):
    before = snapshot(outdir)
    with pytest.raises(OutputFailed, match="must be bytes"):
        write_files_atomic({outdir / "latest.json": {"not": "bytes"}})
    assert snapshot(outdir) == before


@pytest.mark.skipif(
    os.name == "nt" or os.geteuid() == 0, reason="root ignores directory permissions"
)
def test_read_only_directory(outdir, tmp_path):
    other = tmp_path / "ro"
    other.mkdir()
    (other / "history.json").write_bytes(b"old history")
    os.chmod(other, 0o555)
    try:
        before = snapshot(outdir)
        new = new_files(outdir)
        new[other / "history.json"] = b"H"
        with pytest.raises(OutputFailed, match="history.json"):
            write_files_atomic(new)
        assert snapshot(outdir) == before and sorted(os.listdir(outdir)) == sorted(before)
        assert (other / "history.json").read_bytes() == b"old history"
    finally:
        os.chmod(other, 0o755)


def test_interrupt_during_write_phase_cleans_up_and_propagates(outdir, monkeypatch):
    before = snapshot(outdir)
    calls = []

    def interrupting_fsync(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(filesmod.os, "fsync", interrupting_fsync)
    with pytest.raises(KeyboardInterrupt):
        write_files_atomic(new_files(outdir))
    assert sorted(os.listdir(outdir)) == sorted(before) and snapshot(outdir) == before


# ----------------------------------------------------------------- destination


def test_destination_output_path(tmp_path):
    assert resolve_destination(str(tmp_path / "latest.json"), None) == (
        tmp_path / "latest.json",
        tmp_path,
    )
    assert resolve_destination("latest.json", None) == (Path("latest.json"), Path("."))


def test_destination_output_parent_must_exist(tmp_path):
    with pytest.raises(InvalidInput) as exc:
        resolve_destination(str(tmp_path / "missing" / "latest.json"), None)
    assert "does not exist" in exc.value.message and "\n" not in exc.value.message
    assert not (tmp_path / "missing").exists()


def test_destination_output_is_a_directory(tmp_path):
    with pytest.raises(InvalidInput, match="--output-dir"):
        resolve_destination(str(tmp_path), None)


def test_destination_output_dir_is_created(tmp_path):
    target = tmp_path / "a" / "b"
    assert resolve_destination(None, str(target)) == (target / "latest.json", target)
    assert target.is_dir()


def test_destination_output_dir_that_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InvalidInput, match="not a directory"):
        resolve_destination(None, str(tmp_path / "f"))


def test_destination_required():
    with pytest.raises(InvalidInput, match="--output latest.json"):
        resolve_destination(None, None)


def test_nan_never_reaches_disk(outdir):
    before = snapshot(outdir)
    with pytest.raises(OutputFailed):
        write_files_atomic({outdir / "latest.json": dump_json({"x": math.nan})})
    assert snapshot(outdir) == before


def test_stale_temp_files_of_a_killed_run_are_removed(tmp_path):
    import os
    import time

    from section11.publish.files import remove_stale_temps, write_files_atomic

    target = tmp_path / "latest.json"
    old = [tmp_path / ".latest.json.0a1b2c3d.tmp", tmp_path / ".latest.json.0a1b2c3e.bak"]
    fresh = tmp_path / ".latest.json.99999999.tmp"
    other = tmp_path / ".other.json.0a1b2c3d.tmp"
    for path in old + [fresh, other]:
        path.write_bytes(b"x")
    past = time.time() - 3600
    for path in old + [other]:
        os.utime(path, (past, past))
    write_files_atomic({target: b"{}\n"})
    assert not any(p.exists() for p in old)
    assert fresh.exists() and other.exists()  # too young / another file's
    assert target.read_bytes() == b"{}\n"
    assert remove_stale_temps(target, now=time.time() + 120) == 1 and not fresh.exists()
