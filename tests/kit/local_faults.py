"""The "local state" section of the fault table: a previous good run whose
local files are broken in one way, then one sync in a child process against
the fake Intervals.icu (tests/kit/child_sync.py runs it and gives the verdict).

Rows: the store with a damaged row, without a table, a folder in its place,
read-only, read-only state folder, locked by another process, two syncs at
once, SIGTERM and SIGINT at several points of a run, a read-only output
folder, a symlinked data file and a symlinked sync.log. Each must end by
itself with its documented exit code, leave the previous outputs untouched or
replaced whole, and leak nothing.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from section11.demo.dataset import DemoData
from section11.demo.server import FakeIntervals
from section11.ingest.store import STORE_NAME

from .child_sync import ROOT, ChildResult, check_intact, finish, start_sync
from .faults import STATE_DIR, TODAY, Baseline, Row, snapshot, sync_env

ROW_KEY = "Lq7Zr2Wm9Xk4Vb8Tn3Hy6Pd5"  # the rows' API key: every piece of it is distinctive
HOLD_SECONDS = (
    8.0  # longer than sqlite's default 5 s busy wait: a store that waited less was rebuilt
)
SIGNAL_WAIT = 60.0  # seconds to wait for the moment a signal is due

HOLD = (
    "import sys, time\n"
    "from section11.ingest.store_file import open_store\n"
    "store = open_store(sys.argv[1], sys.argv[2])\n"
    "print('holding', flush=True)\n"
    "time.sleep(float(sys.argv[3]))\n"
    "store.close()\n"
)

Prepare = Callable[[Path, Baseline], Callable[[], None] | None]


@dataclass(frozen=True)
class LocalFault:
    """`prepare(work, baseline)` breaks the copy (and returns an undo, e.g. the
    holder of a lock); `expected`: the exit codes that are right; `signal` and
    `at` (a fraction of a whole run's requests: 0 = the first one): when the
    child gets it; `as_user`: subject to file permissions; `check(work,
    result, requests)`: row-specific problems."""

    name: str
    where: str
    expected: frozenset[int]
    prepare: Prepare | None = None
    signal: int | None = None
    at: float = 0.0
    as_user: bool = False
    twice: bool = False
    check: Callable[[Path, ChildResult, int], list[str]] | None = None

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.name} {self.where}".lower()).strip("-")


# ----------------------------------------------------------------- damage


def _sql(statement: str) -> Prepare:
    def prepare(work: Path, _baseline: Baseline) -> None:
        conn = sqlite3.connect(work / STATE_DIR / STORE_NAME)
        conn.execute(statement)
        conn.commit()
        conn.close()

    return prepare


def _store_is_a_folder(work: Path, _baseline: Baseline) -> None:
    store = work / STATE_DIR / STORE_NAME
    store.unlink()
    store.mkdir()


def _read_only(*parts: str) -> Prepare:
    def prepare(work: Path, _baseline: Baseline) -> Callable[[], None]:
        target = work.joinpath(*parts)
        mode = target.stat().st_mode & 0o777
        target.chmod(0o555 if target.is_dir() else 0o444)
        return lambda: target.chmod(mode)

    return prepare


def _locked(work: Path, baseline: Baseline) -> Callable[[], None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(work / STATE_DIR), baseline.before.athlete_id]
        + [str(HOLD_SECONDS)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None
    if holder.stdout.readline() != b"holding\n":
        raise RuntimeError("the store holder did not start")

    def release() -> None:
        holder.wait(timeout=60)
        assert holder.stdout is not None
        holder.stdout.close()

    return release


SYMLINK_TARGET = "outside.json"


def _symlinked(name: str, content: bytes) -> Prepare:
    def prepare(work: Path, _baseline: Baseline) -> None:
        target = work.parent / f"{work.name}-{SYMLINK_TARGET}"  # removed with the row
        target.write_bytes(content)
        path = work / name
        if path.exists():
            path.unlink()
        path.symlink_to(target)

    return prepare


# ----------------------------------------------------------------- row checks


def _moved_aside(work: Path, _result: ChildResult, _requests: int) -> list[str]:
    if not list((work / STATE_DIR).glob(f"{STORE_NAME}.old-*")):
        return ["the damaged store was not moved aside"]
    return []


def _not_rebuilt(work: Path, _result: ChildResult, _requests: int) -> list[str]:
    old = list((work / STATE_DIR).glob(f"{STORE_NAME}.old-*"))
    return [f"a busy store was rebuilt ({old[0].name})"] if old else []


def _no_request(_work: Path, _result: ChildResult, requests: int) -> list[str]:
    return [f"{requests} API requests before refusing"] if requests else []


def _refused_early(work: Path, result: ChildResult, requests: int) -> list[str]:
    return _no_request(work, result, requests) + _not_rebuilt(work, result, requests)


def _target_untouched(content: bytes) -> Callable[[Path, ChildResult, int], list[str]]:
    def check(work: Path, _result: ChildResult, _requests: int) -> list[str]:
        target = work.parent / f"{work.name}-{SYMLINK_TARGET}"
        if target.read_bytes() != content:
            return ["the symlink's target was changed"]
        return []

    return check


LOG_CONTENT = b"".join(b"someone else's line %06d\n" % i for i in range(60000))
LINKED_DATA = b'{"not": "ours"}\n'
OK = frozenset({0})

LOCAL_FAULTS: tuple[LocalFault, ...] = (
    LocalFault(
        "store damaged row",
        "records.raw",
        OK,
        _sql("UPDATE records SET raw = '{torn' WHERE rowid = 1"),
        check=_moved_aside,
    ),
    LocalFault(
        "store missing table", "fetch_state", OK, _sql("DROP TABLE fetch_state"), check=_moved_aside
    ),
    LocalFault(
        "store is a folder", STORE_NAME, frozenset({7}), _store_is_a_folder, check=_refused_early
    ),
    LocalFault(
        "store read-only",
        STORE_NAME,
        frozenset({7}),
        _read_only(STATE_DIR, STORE_NAME),
        as_user=True,
        check=_refused_early,
    ),
    LocalFault(
        "state folder read-only",
        STATE_DIR,
        frozenset({7}),
        _read_only(STATE_DIR),
        as_user=True,
        check=_refused_early,
    ),
    LocalFault(
        "store locked",
        f"held {HOLD_SECONDS:g} s by another process",
        OK,
        _locked,
        check=_not_rebuilt,
    ),
    LocalFault("two syncs at once", "same folder", OK, twice=True, check=_not_rebuilt),
    LocalFault(
        "output folder read-only",
        "output folder",
        frozenset({7}),
        _read_only(),
        as_user=True,
        check=_no_request,
    ),
    LocalFault(
        "symlinked data file",
        "history.json",
        frozenset({0, 7}),
        _symlinked("history.json", LINKED_DATA),
        check=_target_untouched(LINKED_DATA),
    ),
    LocalFault(
        "symlinked sync.log",
        "sync.log",
        OK,
        _symlinked("sync.log", LOG_CONTENT),
        check=_target_untouched(LOG_CONTENT),
    ),
) + tuple(
    LocalFault(
        name,
        where,
        frozenset({code}) if at < 1 else frozenset({code, 0}),
        signal=number,
        at=at,
    )
    for name, number, code in (("SIGTERM", signal.SIGTERM, 143), ("SIGINT", signal.SIGINT, 130))
    for where, at in (
        ("after the first request", 0.0),
        ("mid-fetch", 0.5),
        ("after the fetch (computing, writing)", 1.0),
    )
)


# ----------------------------------------------------------------- running a row


def with_key(data: DemoData) -> DemoData:
    """The upstream data with ROW_KEY as the athlete's key (the raw athlete
    object carries it too, as the real one does)."""
    keyed = copy.copy(data)
    keyed.api_key = ROW_KEY
    keyed.athlete = dict(data.athlete, icu_api_key=ROW_KEY)
    return keyed


@dataclass
class _Requests:
    """Requests of a whole run of the baseline (the signal rows' clock)."""

    whole: dict[Path, int] = field(default_factory=dict)


_REQUESTS = _Requests()


def _whole_run_requests(baseline: Baseline, root: Path) -> int:
    if baseline.directory not in _REQUESTS.whole:
        work = root / "reference-run"
        shutil.copytree(baseline.directory, work)
        try:
            with FakeIntervals(with_key(baseline.before), today=TODAY) as server:
                result = finish(start_sync(work, sync_env(server)), time.perf_counter())
                if result.code != 0:
                    raise RuntimeError(f"the reference run failed: {result.stderr.strip()}")
                _REQUESTS.whole[baseline.directory] = len(server.requests)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return _REQUESTS.whole[baseline.directory]


def _signalled(fault: LocalFault, work: Path, server: FakeIntervals, whole: int) -> ChildResult:
    started = time.perf_counter()
    proc = start_sync(work, sync_env(server))
    due = max(1, round(whole * fault.at))
    give_up = time.monotonic() + SIGNAL_WAIT
    while len(server.requests) < due and proc.poll() is None and time.monotonic() < give_up:
        time.sleep(0.005)
    if proc.poll() is None and fault.signal is not None:
        proc.send_signal(fault.signal)
    return finish(proc, started)


def _twice(work: Path, server: FakeIntervals) -> tuple[ChildResult, list[str]]:
    started = time.perf_counter()
    first = start_sync(work, sync_env(server))
    second = start_sync(work, sync_env(server))
    results = sorted((finish(first, started), finish(second, started)), key=lambda r: r.code != 0)
    # Either may take the lock first (the OS decides which child starts
    # sooner), so the row wants one success and the other a success or a
    # clean "lock held" (6), in whichever order.
    winner, other = results
    problems = [] if other.code in (0, 6) else [f"the other sync ended with exit {other.code}"]
    return winner, problems


def run_local_fault(baseline: Baseline, fault: LocalFault, root: Path) -> Row:
    started = time.perf_counter()
    work = root / fault.slug
    shutil.copytree(baseline.directory, work)
    whole = _whole_run_requests(baseline, root) if fault.signal is not None else 0
    undo: Callable[[], None] | None = None
    try:
        before = snapshot(work)
        with FakeIntervals(with_key(baseline.before), today=TODAY) as server:
            extra: list[str] = []
            try:
                undo = fault.prepare(work, baseline) if fault.prepare else None
                if fault.twice:
                    result, extra = _twice(work, server)
                elif fault.signal is not None:
                    result = _signalled(fault, work, server, whole)
                else:
                    result = finish(
                        start_sync(work, sync_env(server), as_user=fault.as_user),
                        time.perf_counter(),
                    )
            finally:
                if undo is not None:
                    undo()
            requests = len(server.requests)
        problems = extra + check_intact(result, before, work, ROW_KEY, set(fault.expected))
        if fault.check is not None:
            problems += fault.check(work, result, requests)
        expected = " or ".join(f"exit {c}" if c else "complete" for c in sorted(fault.expected))
        return Row(
            fault.name,
            fault.where,
            f"exit {result.code}" if result.code else "completed",
            not problems,
            expected,
            result.code,
            problems,
            time.perf_counter() - started,
            fault.expected,
        )
    finally:
        for path in [work, *work.parent.glob(f"{work.name}-*")]:
            if path.is_dir():
                os.chmod(path, 0o755)
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
