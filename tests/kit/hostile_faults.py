"""The "hostile server" section of the fault table: a previous good run, then
one sync in a child process against a server that misbehaves on purpose (the
hostile engineer's tests/hostile_server.py, or the fake Intervals.icu with a
rewritten answer), verdict by tests/kit/child_sync.py.

Rows: slow drip, endless body, gzip bomb, huge body (the memory rows run
under a 200 MB data limit), NaN/Infinity/5,000-digit numbers, deep
JSON, wrong types, HTML with 200, a redirect to another host, attachments on
another host. Each must end by itself with its documented exit code, leave the
previous outputs untouched or replaced whole, and send nothing to the other
host.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.hostile_server import (
    HostileServer,
    drip,
    endless,
    gzip_bomb,
    huge,
    raw_reply,
    redirect,
)

from .child_sync import ChildResult, check_intact, finish, start_sync
from .fault_answers import FaultyIntervals
from .faults import NOW, TODAY, Baseline, Row, snapshot, strict_json
from .local_faults import ROW_KEY, with_key

DEADLINE = "1.5"  # SECTION11_REQUEST_DEADLINE of the slow rows (seconds)
DEEP = 100_000  # nesting depth of the deep-JSON answer
BIG_INT = 10**5000  # more digits than Python's int() accepts by default


@dataclass
class Setup:
    base_url: str
    env: dict[str, str]
    other: HostileServer | None = None  # another host that must receive nothing


Start = Callable[[Baseline, contextlib.ExitStack], Setup]


@dataclass(frozen=True)
class HostileFault:
    name: str
    where: str
    expected: frozenset[int]
    start: Start
    memory_limit: bool = False
    check: Callable[[Path, ChildResult], list[str]] | None = None

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.name} {self.where}".lower()).strip("-")


# ----------------------------------------------------------------- servers


def _hostile(route: Callable[[Any], None], **env: str) -> Start:
    """A hostile server answering every path with `route`."""

    def start(_baseline: Baseline, stack: contextlib.ExitStack) -> Setup:
        server = stack.enter_context(HostileServer([(r".", route)]))
        return Setup(server.url, dict(env))

    return start


def _rewritten(pattern: str, rewrite: Callable[[Any], Any]) -> Start:
    """The fake Intervals.icu with the answers of `pattern` rewritten."""

    def start(baseline: Baseline, stack: contextlib.ExitStack) -> Setup:
        previous = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(0)  # the fake must be able to write BIG_INT
        stack.callback(sys.set_int_max_str_digits, previous)
        server = stack.enter_context(
            FaultyIntervals(
                with_key(baseline.before), today=TODAY, pattern=pattern, rewrite=rewrite
            )
        )
        return Setup(server.base_url, {})

    return start


def _elsewhere(other: HostileServer) -> str:
    """The other server's URL under another host name (the API is 127.0.0.1)."""
    return f"http://localhost:{other.port}"


def _redirected(baseline: Baseline, stack: contextlib.ExitStack) -> Setup:
    """The API answers 302 to another host (with the same path)."""
    other = stack.enter_context(HostileServer([(r".", raw_reply(b"{}"))]))
    api = stack.enter_context(HostileServer())
    api.add(r".", lambda h: redirect(_elsewhere(other) + h.path)(h))
    return Setup(api.url, {}, other)


def _attachments_elsewhere(baseline: Baseline, stack: contextlib.ExitStack) -> Setup:
    """Calendar attachments (route files) that point at another host."""
    other = stack.enter_context(HostileServer([(r".", raw_reply(b"<gpx/>"))]))

    def elsewhere(events: Any) -> Any:
        if not isinstance(events, list):
            return events
        out = []
        for event in events:
            attachments = event.get("attachments") if isinstance(event, dict) else None
            if isinstance(attachments, list) and attachments:
                event = dict(event)
                event["attachments"] = [
                    {**a, "id": f"elsewhere-{a.get('id')}", "url": f"{_elsewhere(other)}/route.gpx"}
                    for a in attachments
                    if isinstance(a, dict)
                ]
            out.append(event)
        return out

    setup = _rewritten(r"/events$", elsewhere)(baseline, stack)
    setup.other = other
    return setup


# ----------------------------------------------------------------- answers


def _unreadable_numbers(payload: Any) -> Any:
    """Every wellness record gets NaN, Infinity and a 5,001-digit integer."""
    if not isinstance(payload, list):
        return payload
    return [
        dict(r, hrv=float("nan"), restingHR=float("inf"), steps=BIG_INT)
        if isinstance(r, dict)
        else r
        for r in payload
    ]


def _deep() -> bytes:
    return b"[" * DEEP + b"]" * DEEP


def _numbers_noted(work: Path, _result: ChildResult) -> list[str]:
    latest = strict_json((work / "latest.json").read_bytes())
    status = latest.get("metadata", {}).get("sync_status", {})
    if not str(status.get("numbers", "")).startswith("dropped: "):
        return [f"sync_status.numbers is {status.get('numbers')!r}"]
    return []


MEMORY = frozenset({5})
API_FAILED = frozenset({5})

HOSTILE_FAULTS: tuple[HostileFault, ...] = (
    HostileFault(
        "slow drip",
        "every call",
        API_FAILED,
        _hostile(drip(interval=0.3), SECTION11_REQUEST_DEADLINE=DEADLINE),
    ),
    HostileFault("endless body", "every call", MEMORY, _hostile(endless()), memory_limit=True),
    HostileFault("gzip bomb", "every call", MEMORY, _hostile(gzip_bomb()), memory_limit=True),
    HostileFault("huge body (1 GB)", "every call", MEMORY, _hostile(huge()), memory_limit=True),
    HostileFault(
        "NaN, Infinity, 5,000-digit numbers",
        "wellness",
        frozenset({0}),
        _rewritten(r"/wellness$", _unreadable_numbers),
        check=_numbers_noted,
    ),
    HostileFault(
        "deep JSON",
        "athlete",
        API_FAILED,
        _hostile(raw_reply(_deep(), content_type="application/json")),
    ),
    HostileFault(
        "wrong types",
        "athlete is a list",
        API_FAILED,
        _rewritten(r"/athlete/[^/]+$", lambda athlete: [athlete]),
    ),
    HostileFault(
        "wrong types",
        "events are an object",
        API_FAILED,
        _rewritten(r"/events$", lambda events: {"events": events}),
    ),
    HostileFault(
        "HTML with 200",
        "every call",
        API_FAILED,
        _hostile(raw_reply(b"<html><body>Welcome</body></html>", content_type="text/html")),
    ),
    HostileFault("redirect to another host", "every call", API_FAILED, _redirected),
    HostileFault("attachments on another host", "calendar", frozenset({0}), _attachments_elsewhere),
)


# ----------------------------------------------------------------- running a row


def _nothing_sent(other: HostileServer | None) -> list[str]:
    if other is None or not other.seen:
        return []
    leaked = [s for s in other.seen if "authorization" in {k.lower() for k in s.headers}]
    what = "with the credentials" if leaked else "without credentials"
    return [f"{len(other.seen)} requests reached the other host ({what})"]


def _env(base_url: str, athlete_id: str) -> dict[str, str]:
    return {
        "ATHLETE_ID": athlete_id,
        "INTERVALS_KEY": ROW_KEY,
        "INTERVALS_BASE_URL": base_url,
        "SECTION11_NOW": NOW,
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
    }


def run_hostile_fault(baseline: Baseline, fault: HostileFault, root: Path) -> Row:
    started = time.perf_counter()
    work = root / fault.slug
    shutil.copytree(baseline.directory, work)
    try:
        before = snapshot(work)
        with contextlib.ExitStack() as stack:
            setup = fault.start(baseline, stack)
            env = dict(_env(setup.base_url, baseline.before.athlete_id), **setup.env)
            proc = start_sync(work, env, memory_limit=fault.memory_limit)
            result = finish(proc, time.perf_counter())
            problems = _nothing_sent(setup.other)
        problems += check_intact(result, before, work, ROW_KEY, set(fault.expected))
        if fault.check is not None and result.code == 0:
            problems += fault.check(work, result)
        if "MemoryError" in result.stderr:
            problems.append("MemoryError: the 200 MB limit was reached")
        return Row(
            fault.name,
            fault.where,
            f"exit {result.code}" if result.code else "completed",
            not problems,
            " or ".join(f"exit {c}" if c else "complete" for c in sorted(fault.expected)),
            result.code,
            problems,
            time.perf_counter() - started,
            fault.expected,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
