"""Fault-injection scenarios against the fake Intervals.icu (docs/architecture.md#writing-files, "Crash and partial-data behaviour"
and weakness 9.1.13 (docs/architecture.md#reference-weaknesses), weakness 9.2 (docs/architecture.md#reference-weaknesses)).

Each scenario starts from a copy of a previous good run (its five files and
its local store), puts one fault on one call, runs one sync through the CLI
and gives a verdict, one row of the fault table:

    fault | call | outcome ("completed, status=..." or "exit N") | files intact

"Intact" means: a failed run left every previous file byte-identical and
added none; a completed run left every file valid JSON (no NaN or infinity),
added no file, and when the fault outlasted the client's retries
`metadata.sync_status` names the affected source with something other than
"ok" (plus a fault-specific check, e.g. an empty activity list must be
"kept_previous").

The tables (CALLS, FAULTS) are data (the answer rewrites and the fake server
that applies them live in fault_answers.py); `scenarios()` is their product without
the combinations that make no sense. `prepare_baseline()` + `run_scenario()`
(or `run_scenarios()`) are shared by scripts/fault_table.py and
tests/test_fault_table.py. Per-activity calls need activities that are new to
the store: the baseline run is made with the newest NEW_ACTIVITIES activities
hidden upstream, and per-activity scenarios show them again.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from section11 import cli, pipeline
from section11.demo.dataset import DemoData, build_demo
from section11.demo.fake_api import STRAVA_ERROR
from section11.demo.server import FakeIntervals
from section11.ingest.store_file import open_store
from tests.kit.fast_client import fast_client_factory

from .fault_answers import (
    FaultyIntervals,
    absurd_values,
    emptied,
    null_fields,
    schema_drift,
    strava_stubs,
)

TODAY = date(2026, 11, 23)
NOW = "2026-11-23T09:00:00+00:00"  # 10:00 in the demo athlete's Amsterdam
NEW_ACTIVITIES = 3  # newest activities hidden from the baseline run
PERSIST = 10_000  # `times` of a fault that outlasts every retry
READ_TIMEOUT = 0.4  # read timeout of the "slow" rows only (seconds)
SLOW = 2.5 * READ_TIMEOUT  # an answer that arrives after the client gave up
NORMAL_READ_TIMEOUT = 30.0  # every other row: a loaded machine must not look like a slow server
STATE_DIR = ".section11"


# ----------------------------------------------------------------- calls


@dataclass(frozen=True)
class Call:
    """One API call of a sync, as the fake server sees it."""

    name: str
    pattern: str  # re.search on the URL path
    core: bool  # core calls must succeed or the run stops
    sources: tuple[str, ...]  # metadata.sync_status keys this call feeds
    skip: int = 0  # matching requests spared before the fault (the recent list
    #                comes before the history chunks)
    history: bool = False  # age the store so the 3-year history is re-read


CALLS: tuple[Call, ...] = (
    Call("athlete", r"/athlete/[^/]+$", True, ("athlete",)),
    Call("activities", r"/activities$", True, ("activities",)),
    Call("activities, history chunk", r"/activities$", True, ("history",), skip=1, history=True),
    Call("wellness", r"/wellness$", True, ("wellness",)),
    Call("events", r"/events$", True, ("events",)),
    Call("activity intervals", r"/athlete/[^/]+/activities/[^/]+$", False, ("intervals",)),
    Call("activity streams", r"/activity/[^/]+/streams\.json$", False, ("streams", "terrain")),
    Call("activity messages", r"/activity/[^/]+/messages$", False, ("messages",)),
)


# ----------------------------------------------------------------- faults


@dataclass(frozen=True)
class Fault:
    """One kind of trouble. `inject`: FakeIntervals.inject keywords (HTTP-level
    faults); `rewrite`: a function of the real answer's JSON (content faults).
    `core_outcome`: "exit" or "complete" on a core call (per-activity calls
    always complete). `calls`: the calls it applies to (None: all).
    `check(call, latest, baseline_latest)`: a problem the completed run must
    not have, or None."""

    name: str
    inject: Mapping[str, Any] | None = None
    rewrite: Callable[[Any], Any] | None = None
    core_outcome: str = "exit"
    calls: tuple[str, ...] | None = None
    check: Callable[[Call, dict, dict], str | None] | None = None


def _kept_previous(call: Call, latest: dict, _baseline: dict) -> str | None:
    if call.name not in ("activities", "activities, history chunk", "wellness"):
        return None
    status = latest.get("metadata", {}).get("sync_status", {})
    source = call.sources[0]
    if status.get(source) != "kept_previous":
        return f"sync_status.{source} is {status.get(source)!r}, not 'kept_previous'"
    return None


def _more_hidden(call: Call, latest: dict, baseline: dict) -> str | None:
    if call.name != "activities":
        return None  # history stubs are outside the 28-day window
    now = latest.get("metadata", {}).get("hidden_activities") or 0
    before = baseline.get("metadata", {}).get("hidden_activities") or 0
    return None if now > before else "metadata.hidden_activities did not count the stubs"


CORE_NAMES = tuple(c.name for c in CALLS if c.core)
LIST_CALLS = ("activities", "activities, history chunk")
PER_ACTIVITY = tuple(c.name for c in CALLS if not c.core)

FAULTS: tuple[Fault, ...] = (
    Fault("429 + Retry-After", {"status": 429, "retry_after": "1", "times": PERSIST}),
    Fault("429, no Retry-After", {"status": 429, "times": PERSIST}),
    Fault("5xx burst (3x 503)", {"status": 503, "times": 3}, core_outcome="complete"),
    Fault("5xx persistent", {"status": 500, "times": PERSIST}),
    Fault("slow past the timeout", {"delay": SLOW, "times": PERSIST}),
    Fault("connection reset", {"reset": True, "times": PERSIST}),
    Fault("truncated body", {"truncate": True, "times": PERSIST}),
    Fault("invalid JSON", {"invalid_json": True, "times": PERSIST}),
    Fault("JSON null body", {"null_body": True, "times": PERSIST}),
    Fault("present-but-null fields", rewrite=null_fields, core_outcome="complete"),
    Fault(
        "Strava stubs",
        rewrite=strava_stubs,
        core_outcome="complete",
        calls=LIST_CALLS,
        check=_more_hidden,
    ),
    Fault(
        "Strava stubs",
        {"status": 422, "body": json.dumps(STRAVA_ERROR).encode(), "times": PERSIST},
        calls=PER_ACTIVITY,
    ),
    Fault(
        "empty after a full answer", rewrite=emptied, core_outcome="complete", check=_kept_previous
    ),
    Fault("absurd values", rewrite=absurd_values, core_outcome="complete"),
    Fault("schema drift", rewrite=schema_drift, core_outcome="complete"),
)


@dataclass(frozen=True)
class Scenario:
    fault: Fault
    call: Call

    @property
    def expected(self) -> str:
        """ "exit" (non-zero, files untouched) or "complete" (exit 0)."""
        return self.fault.core_outcome if self.call.core else "complete"

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.fault.name} {self.call.name}".lower()).strip("-")


def scenarios(faults: Iterable[Fault] = FAULTS, calls: Iterable[Call] = CALLS) -> list[Scenario]:
    calls = list(calls)
    return [Scenario(f, c) for f in faults for c in calls if f.calls is None or c.name in f.calls]


# ----------------------------------------------------------------- running a sync


def sync_env(server: FakeIntervals, now: str = NOW) -> dict[str, str]:
    return {
        "ATHLETE_ID": server.data.athlete_id,
        "INTERVALS_KEY": server.data.api_key,
        "INTERVALS_BASE_URL": server.base_url,
        "SECTION11_NOW": now,
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
    }


@contextlib.contextmanager
def fast_client(read_timeout: float = NORMAL_READ_TIMEOUT):
    """pipeline.make_client without real sleeps between retries
    (tests/kit/fast_client.py); the read timeout is the normal one except in
    the "slow" rows."""
    original = pipeline.make_client
    pipeline.make_client = fast_client_factory(read_timeout)
    try:
        yield
    finally:
        pipeline.make_client = original


def run_sync(
    server: FakeIntervals,
    directory: Path,
    now: str = NOW,
    read_timeout: float = NORMAL_READ_TIMEOUT,
    extra_env: Mapping[str, str] | None = None,
) -> tuple[int, str, str]:
    """`sync.py --output-dir directory` in this process: (exit code, stdout, stderr).
    `extra_env`: more environment (a second source's settings)."""
    env = sync_env(server, now) | dict(extra_env or {})
    return run_sync_with(env, directory, read_timeout=read_timeout)


def run_sync_with(
    env: Mapping[str, str],
    directory: Path,
    *extra: str,
    read_timeout: float = NORMAL_READ_TIMEOUT,
) -> tuple[int, str, str]:
    """`sync.py --output-dir directory *extra` in this process with exactly
    this environment: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(directory)  # no stray .sync_config.json from wherever we were started
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            fast_client(read_timeout),
        ):
            code = cli.main(["--output-dir", str(directory), *extra], environ=dict(env))
    finally:
        os.chdir(previous)
    return code, out.getvalue(), err.getvalue()


# ----------------------------------------------------------------- files


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` except the local store, by relative path."""
    files = {}
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if path.is_file() and rel.parts[0] != STATE_DIR:
            files[rel.as_posix()] = path.read_bytes()
    return files


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} overflows to infinity")
    return value


def strict_json(data: bytes) -> Any:
    """Parse JSON refusing NaN, Infinity and numbers that overflow to infinity."""
    return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite)


def _age_history(directory: Path, athlete_id: str) -> None:
    """Make the store's 3-year history 8 days old so the next run re-reads it."""
    with open_store(directory / STATE_DIR, athlete_id) as store:
        for kind in ("activity", "wellness"):
            coverage = store.coverage(kind)
            if coverage is not None:
                store.set_coverage(kind, coverage[0], coverage[1], now=coverage[2] - 8 * 86400)


# ----------------------------------------------------------------- baseline + scenarios


@dataclass
class Baseline:
    """A previous good run: its directory, the upstream data as it was then
    (`before`) and as it is now (`after`: NEW_ACTIVITIES more activities)."""

    directory: Path
    before: DemoData
    after: DemoData
    latest: dict
    new_ids: list[str] = field(default_factory=list)


def prepare_baseline(root: Path, today: date = TODAY, data: DemoData | None = None) -> Baseline:
    data = data or build_demo(today)
    new = [a for a in data.activities if a.get("source") != "STRAVA"][:NEW_ACTIVITIES]
    new_ids = {str(a.get("id")) for a in new}
    before = copy.copy(data)
    before.activities = [a for a in data.activities if str(a.get("id")) not in new_ids]
    directory = root / "baseline"
    directory.mkdir(parents=True, exist_ok=True)
    with FakeIntervals(before, today=today) as server:
        code, _out, err = run_sync(server, directory)
    if code != 0:
        raise RuntimeError(f"the baseline sync failed (exit {code}): {err.strip()}")
    latest = strict_json((directory / "latest.json").read_bytes())
    return Baseline(directory, before, data, latest, sorted(new_ids))


@dataclass
class Row:
    fault: str
    call: str
    outcome: str
    intact: bool
    expected: str
    code: int
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    expected_codes: frozenset[int] | None = None  # the exact exit codes that are right

    @property
    def as_expected(self) -> bool:
        if self.expected_codes is not None:
            return self.code in self.expected_codes
        return (self.code == 0) == (self.expected == "complete")


def _bitten(call: Call, requests) -> bool:
    """Did the fault outlast the retries: is the last answer to some request
    of this call (same path and query) a fault or an error?"""
    pattern = re.compile(call.pattern)
    last: dict[tuple, Any] = {}
    for record in requests:
        if pattern.search(record.path):
            last[(record.path, tuple(sorted(record.query.items())))] = record
    return any(r.fault is not None or r.status is None or r.status >= 400 for r in last.values())


def _completed_problems(
    scenario: Scenario,
    before: dict[str, bytes],
    after: dict[str, bytes],
    bitten: bool,
    baseline: Baseline,
) -> tuple[list[str], dict]:
    problems = []
    added = sorted(set(after) - set(before))
    if added:
        problems.append(f"new files: {', '.join(added)}")
    documents = {}
    for name, data in after.items():
        if not name.endswith(".json"):  # charts and dashboard: complete files checked below
            if not data.rstrip().endswith((b"</svg>", b"</html>")):
                problems.append(f"{name} is incomplete")
            continue
        try:
            documents[name] = strict_json(data)
        except ValueError as exc:
            problems.append(f"{name} is not valid JSON: {exc}")
    latest = documents.get("latest.json")
    if not isinstance(latest, dict):
        return problems + ["latest.json is missing"], {}
    status = latest.get("metadata", {}).get("sync_status")
    if not isinstance(status, dict) or not all(isinstance(v, str) for v in status.values()):
        return problems + ["metadata.sync_status is missing"], latest
    if bitten and all(status.get(s, "ok") == "ok" for s in scenario.call.sources):
        problems.append(
            f"the fault outlasted the retries but sync_status says "
            f"{', '.join(f'{s}={status.get(s)!r}' for s in scenario.call.sources)}"
        )
    if scenario.fault.check is not None:
        problem = scenario.fault.check(scenario.call, latest, baseline.latest)
        if problem:
            problems.append(problem)
    return problems, latest


def _outcome(code: int, latest: dict, baseline: Baseline) -> str:
    if code != 0:
        return f"exit {code}"
    metadata = latest.get("metadata", {}) if isinstance(latest, dict) else {}
    status = metadata.get("sync_status") or {}
    bad = [f"{k}:{v}" for k, v in status.items() if v != "ok"]
    text = f"completed, status={'; '.join(bad) if bad else 'ok'}"
    hidden = metadata.get("hidden_activities")
    if hidden != baseline.latest.get("metadata", {}).get("hidden_activities"):
        text += f", hidden_activities={hidden}"
    return text


def run_scenario(
    baseline: Baseline,
    scenario: Scenario,
    root: Path,
    inspect: Callable[[Path], None] | None = None,
) -> Row:
    """One row of the fault table (see the module docstring). `inspect(work
    directory)` sees the files after the run, before they are removed."""
    started = time.perf_counter()
    work = root / scenario.slug
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(baseline.directory, work)
    call, fault = scenario.call, scenario.fault
    try:
        if call.history:
            _age_history(work, baseline.after.athlete_id)
        before = snapshot(work)
        data = baseline.before if call.core else baseline.after
        with FaultyIntervals(
            data, today=TODAY, pattern=call.pattern, skip=call.skip, rewrite=fault.rewrite
        ) as server:
            if fault.inject is not None:
                server.inject(call.pattern, **fault.inject)
            slow = (fault.inject or {}).get("delay", 0) >= SLOW
            code, _out, _err = run_sync(
                server, work, read_timeout=READ_TIMEOUT if slow else NORMAL_READ_TIMEOUT
            )
            requests = server.requests
        after = snapshot(work)
        if inspect is not None:
            inspect(work)
        if code != 0:
            touched = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            problems = [f"changed or added: {', '.join(touched)}"] if touched else []
            latest: dict = {}
        else:
            problems, latest = _completed_problems(
                scenario, before, after, _bitten(call, requests), baseline
            )
        return Row(
            fault.name,
            call.name,
            _outcome(code, latest, baseline),
            not problems,
            scenario.expected,
            code,
            problems,
            time.perf_counter() - started,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_scenarios(
    selected: Iterable[Scenario] | None = None,
    root: Path | None = None,
    progress: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Every scenario against one baseline, in a temporary directory."""
    selected = scenarios() if selected is None else list(selected)
    with tempfile.TemporaryDirectory(prefix="section11-faults-") as tmp:
        base = Path(root) if root is not None else Path(tmp)
        baseline = prepare_baseline(base)
        rows = []
        for scenario in selected:
            row = run_scenario(baseline, scenario, base)
            rows.append(row)
            if progress is not None:
                progress(row)
        return rows


# ----------------------------------------------------------------- the table


HEADERS = ("fault", "call", "outcome", "files intact")


def format_table(rows: Iterable[Row]) -> str:
    """A fixed-width text table: fault | call | outcome | files intact."""
    cells = [HEADERS] + [(r.fault, r.call, r.outcome, "yes" if r.intact else "NO") for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)
