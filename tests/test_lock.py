"""--lockfile (docs/architecture.md#local-operations, fixed: O_EXCL, non-zero exit, no age rule)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time

import pytest

from section11 import lock as lockmod
from section11.errors import LockHeld, OutputFailed
from section11.lock import acquire, pid_alive


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: the pid no longer exists
    return proc.pid


@pytest.fixture
def live_pid():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def write_lock(path, pid, started="2024-01-01T00:00:00+00:00", age=None):
    path.write_text(json.dumps({"pid": pid, "started": started}))
    if age is not None:
        old = time.time() - age
        os.utime(path, (old, old))


def test_acquire_writes_pid_and_started_then_release_removes(tmp_path):
    path = tmp_path / ".sync.lock"
    lock = acquire(path)
    data = json.loads(path.read_text())
    assert data["pid"] == os.getpid()
    assert "T" in data["started"] and data["started"].endswith("+00:00")
    assert lock.held
    lock.release()
    assert not path.exists() and not lock.held
    lock.release()  # idempotent


def test_context_manager_releases_on_exception(tmp_path):
    path = tmp_path / ".sync.lock"
    with pytest.raises(RuntimeError):
        with acquire(path):
            assert path.exists()
            raise RuntimeError("boom")
    assert not path.exists()


def test_live_lock_raises_lock_held(tmp_path, live_pid):
    path = tmp_path / ".sync.lock"
    write_lock(path, live_pid, age=7 * 3600)  # old, but alive: still held
    before = path.read_bytes()
    with pytest.raises(LockHeld) as exc:
        acquire(path)
    assert exc.value.message == (
        f"another sync is running (pid {live_pid}); remove {path} if it is not"
    )
    assert exc.value.exit_code == 6
    assert path.read_bytes() == before


def test_dead_pid_lock_is_taken_over_with_warning(tmp_path):
    path = tmp_path / ".sync.lock"
    pid = dead_pid()
    assert not pid_alive(pid)
    write_lock(path, pid)
    warnings = []
    with acquire(path, warn=warnings.append):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert len(warnings) == 1 and f"pid {pid} is not running" in warnings[0]
    assert not path.exists()
    assert not (tmp_path / ".sync.lock.break").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage",
        b'{"pid": ',
        b"[1]",
        b'{"pid": 0}',
        b'{"pid": -5}',
        b'{"pid": "12"}',
        b'{"pid": true}',
        b"\xff\xfe",
    ],
)
def test_unreadable_lock_is_taken_over(tmp_path, content):
    path = tmp_path / ".sync.lock"
    path.write_bytes(content)
    old = time.time() - 60
    os.utime(path, (old, old))
    warnings = []
    lock = acquire(path, warn=warnings.append)
    assert json.loads(path.read_text())["pid"] == os.getpid()
    assert "unreadable" in warnings[0]
    lock.release()


def test_fresh_unreadable_lock_gets_a_grace_period(tmp_path, monkeypatch):
    # A lock caught between O_EXCL creation and its write looks empty; it is
    # only treated as stale once the grace period has passed.
    monkeypatch.setattr(lockmod, "UNREADABLE_GRACE_SECONDS", 0.3)
    path = tmp_path / ".sync.lock"
    path.write_bytes(b"")
    start = time.monotonic()
    with acquire(path, warn=lambda m: None):
        pass
    assert time.monotonic() - start >= 0.25


def test_lock_with_our_own_pid_is_a_leftover(tmp_path):
    path = tmp_path / ".sync.lock"
    write_lock(path, os.getpid())
    warnings = []
    with acquire(path, warn=warnings.append):
        pass
    assert "earlier run" in warnings[0]


def test_release_keeps_a_lock_that_is_no_longer_ours(tmp_path):
    path = tmp_path / ".sync.lock"
    lock = acquire(path)
    path.write_text(json.dumps({"pid": 1, "started": "x"}))
    lock.release()
    assert path.exists()


def test_missing_directory_is_output_failed(tmp_path):
    with pytest.raises(OutputFailed, match="cannot create lock file"):
        acquire(tmp_path / "missing" / ".sync.lock")


def test_pid_alive_basics(live_pid):
    assert pid_alive(os.getpid())
    assert pid_alive(live_pid)
    assert not pid_alive(0) and not pid_alive(-1)
    assert not pid_alive(dead_pid())


def test_breaker_leftover_from_a_crash_is_cleared(tmp_path, monkeypatch):
    monkeypatch.setattr(lockmod, "BREAKER_STALE_SECONDS", 0.0)
    path = tmp_path / ".sync.lock"
    write_lock(path, dead_pid())
    breaker = tmp_path / ".sync.lock.break"
    breaker.write_text("")
    old = time.time() - 5
    os.utime(breaker, (old, old))
    with acquire(path, warn=lambda m: None):
        pass
    assert not breaker.exists()


# ----------------------------------------------------------------- races


def _contender(path, barrier, results, looked, others):
    barrier.wait()
    try:
        lock = acquire(path, warn=lambda m: None)
    except LockHeld:
        results.put("held")
        looked.release()
        return
    results.put("won")
    for _ in range(others):  # hold until every other process has looked, however slow
        if not looked.acquire(timeout=20):  # a hang guard: a second winner never signals
            break
    lock.release()


@pytest.mark.parametrize("stale_first", [False, True])
def test_racing_processes_exactly_one_wins(tmp_path, stale_first):
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover
        pytest.skip("fork start method unavailable")
    path = str(tmp_path / ".sync.lock")
    if stale_first:
        write_lock(tmp_path / ".sync.lock", dead_pid())
    n = 8
    barrier = ctx.Barrier(n)
    results = ctx.Queue()
    looked = ctx.Semaphore(0)
    procs = [
        ctx.Process(target=_contender, args=(path, barrier, results, looked, n - 1))
        for _ in range(n)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    outcomes = sorted(results.get(timeout=5) for _ in range(n))
    assert outcomes.count("won") == 1, outcomes
    assert outcomes.count("held") == n - 1
    assert not os.path.exists(path)


# ------------------------------------------------------------ reused pids (issue 11)

needs_proc = pytest.mark.skipif(
    lockmod.process_identity(os.getpid()) is None,
    reason="this system shows no process start time (/proc): the pid alone decides",
)


@needs_proc
def test_the_lock_records_the_process_identity(tmp_path):
    path = tmp_path / ".sync.lock"
    with acquire(path):
        recorded = json.loads(path.read_text())["process"]
    assert recorded == lockmod.process_identity(os.getpid())
    boot = open(lockmod.BOOT_ID).read().strip()
    assert recorded.startswith(boot + ":")


@needs_proc
@pytest.mark.parametrize("identity", ["another-boot:12345", "{boot}:1"])
def test_a_live_pid_that_is_another_process_is_stale(tmp_path, live_pid, identity):
    """The pid is alive, but it is not the process that took the lock (started
    at another time, or before a reboot): the lock is taken over."""
    boot = open(lockmod.BOOT_ID).read().strip()
    path = tmp_path / ".sync.lock"
    path.write_text(json.dumps({"pid": live_pid, "process": identity.format(boot=boot)}))
    warnings = []
    with acquire(path, warn=warnings.append):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert warnings == [
        f"took over stale lock {path} (pid {live_pid} now belongs to another process)"
    ]


@needs_proc
def test_a_live_pid_that_is_the_same_process_holds_the_lock(tmp_path, live_pid):
    path = tmp_path / ".sync.lock"
    identity = lockmod.process_identity(live_pid)
    path.write_text(json.dumps({"pid": live_pid, "process": identity}))
    with pytest.raises(LockHeld):
        acquire(path)
