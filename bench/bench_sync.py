#!/usr/bin/env python3
"""Benchmark: wall time, requests and memory of real syncs against the fake API.

Each sync runs as its own process (`python sync.py --output-dir DIR`, so the
interpreter start and the imports count), against the demo athlete served by
the fake Intervals.icu API in this process with a fixed latency per request:

  cold    - empty output folder and store: 3-year history, per-activity calls
  steady  - the same folder again, nothing new upstream
for the demo history and one four times denser (`build_demo(density=4)`), at
each latency; each figure is the median of --repeat runs. Then `sync.py
--demo` (loopback, unpaced), and a phase table of one steady run in process:
the steady run as it is, and the same run forced to rebuild every document
(what a run with a change costs).

The checkout's modules are byte-compiled first, as an installed copy is after
its first run.

Usage: python bench/bench_sync.py [--latency 0.05 0.2] [--repeat 3] [--tree DIR] [--now ISO]
`--tree DIR` runs the sync.py of another checkout (e.g. the code before a
change) against the same server, for a before/after comparison in one run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from section11.demo.dataset import build_demo  # noqa: E402
from section11.demo.runner import DEMO_TIMEZONE  # noqa: E402
from section11.demo.server import FakeIntervals  # noqa: E402

# The demo athlete's day and the syncs' clock (SECTION11_NOW): fixed, so that
# the figures of two sessions count the same activities and requests.
DEFAULT_NOW = "2026-11-23T09:00:00+00:00"  # 10:00 in the demo athlete's timezone


def today_local(now: datetime) -> date:
    return now.astimezone(ZoneInfo(DEMO_TIMEZONE)).date()


# Runs sync.py and reports its wall time and peak RSS. A separate small process
# starts it: Linux keeps a process's peak RSS across exec, so a sync forked
# straight from this (large) process would report this process's size.
LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_sync(tree: Path, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one `sync.py` process."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, sys.executable, str(tree / "sync.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=args[-1] if args and Path(args[-1]).is_dir() else None,
    )
    wall, rss_kb, code = done.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"sync.py failed: {done.stderr}")
    return float(wall), int(rss_kb) / 1024


def sync_env(data: Any, server: FakeIntervals, now: datetime) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECTION11", "GITHUB"))}
    env.update(
        ATHLETE_ID=data.athlete_id,
        INTERVALS_KEY=data.api_key,
        INTERVALS_BASE_URL=server.base_url,
        SECTION11_UPDATE_CHECK="off",
        SECTION11_NOW=now.isoformat(),
    )
    return env


def bench_case(
    tree: Path, latency: float, density: int, repeat: int, now: datetime
) -> dict[str, tuple[float, int, float]]:
    """{"cold"|"steady": (median wall s, requests of the last run, median peak MB)}."""
    data = build_demo(today_local(now), timezone=DEMO_TIMEZONE, density=density)
    out: dict[str, tuple[float, int, float]] = {}
    with FakeIntervals(data) as server:
        server.latency = latency
        env = sync_env(data, server, now)
        cold, steady = [], []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                server.reset_log()
                cold.append((*run_sync(tree, ["--output-dir", tmp], env), len(server.requests)))
                for _ in range(repeat):
                    server.reset_log()
                    steady.append(
                        (*run_sync(tree, ["--output-dir", tmp], env), len(server.requests))
                    )
        for name, runs in (("cold", cold), ("steady", steady)):
            out[name] = (
                statistics.median(r[0] for r in runs),
                runs[-1][2],
                statistics.median(r[1] for r in runs),
            )
    return out


def bench_demo(tree: Path, repeat: int, now: datetime) -> float:
    """Median wall seconds of `sync.py --demo` into a fresh folder."""
    walls = []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECTION11", "GITHUB"))}
    env.update(SECTION11_UPDATE_CHECK="off", SECTION11_NOW=now.isoformat())
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            walls.append(run_sync(tree, ["--demo", "--output-dir", tmp], env)[0])
    return statistics.median(walls)


# ----------------------------------------------------------------- phases


def timed(table: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            table[name] = table.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def import_seconds(tree: Path, modules: str) -> float:
    """Imports of a sync (`modules`: section11.cli and what a run pulls in), interpreter
    start aside."""
    code = f"import {modules}"
    walls = []
    for statement in ("pass", code):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], cwd=tree, check=True)
        walls.append(time.perf_counter() - start)
    return walls[1] - walls[0]


def phase_table(latency: float, force_rebuild: bool, now: datetime) -> dict[str, float]:
    """Seconds per phase of one steady run in this process (the second of two)."""
    from section11 import pipeline, rebuild, steady
    from section11.config import Settings

    data = build_demo(today_local(now), timezone=DEMO_TIMEZONE)
    table: dict[str, float] = {}
    patches = {
        (pipeline, "fetch_raw"): "requests (and store writes)",
        (pipeline, "inputs_key"): "store read (fingerprint)",
        (pipeline, "with_history"): "store read (3 years)",
        (pipeline, "inputs_from"): "model",
        (rebuild, "compute_sections"): "metrics",
        (rebuild, "build_documents"): "documents (incl. metrics)",
        (rebuild, "validate_documents"): "validation",
        (rebuild, "serialize"): "documents (incl. metrics)",
        (rebuild, "changed_pictures"): "pictures",
        (rebuild, "write_outputs"): "writes",
        (pipeline, "refresh_latest"): "writes",
    }
    saved = {(mod, name): getattr(mod, name) for mod, name in patches}
    if force_rebuild:
        pipeline.unchanged_since_last_run = lambda *a: False
    try:
        with FakeIntervals(data) as server, tempfile.TemporaryDirectory() as tmp:
            server.latency = latency
            settings = Settings(
                athlete_id=data.athlete_id,
                intervals_key=data.api_key,
                base_url=server.base_url,
                output_dir=tmp,
                now=now,
            )
            pipeline.sync(settings)
            for (mod, name), label in patches.items():
                setattr(mod, name, timed(table, label, saved[(mod, name)]))
            start = time.perf_counter()
            pipeline.sync(settings)
            table["total (in process)"] = time.perf_counter() - start
    finally:
        for (mod, name), fn in saved.items():
            setattr(mod, name, fn)
        pipeline.unchanged_since_last_run = steady.unchanged_since_last_run
    table["metrics"] = table.get("metrics", 0.0)
    table["documents (incl. metrics)"] = (
        table.get("documents (incl. metrics)", 0.0) - table["metrics"]
    )
    return table


# ----------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.05, 0.2])
    parser.add_argument("--density", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout whose sync.py runs")
    parser.add_argument("--no-phases", action="store_true")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=datetime.fromisoformat(DEFAULT_NOW),
        help=f"the syncs' clock and the demo's day (default {DEFAULT_NOW})",
    )
    args = parser.parse_args()
    tree = args.tree.resolve()
    # as an installed copy after its first run: the bytecode is there (a run under
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module each time)
    compileall.compile_dir(tree / "section11", quiet=1)
    print(
        f"tree {tree}; clock {args.now.isoformat()}; load average {os.getloadavg()[0]:.2f}; median of {args.repeat}"
    )
    print(
        f"{'latency':>8} {'history':>8}  {'cold s':>7} {'cold req':>8}  "
        f"{'steady s':>8} {'steady req':>10} {'steady MB':>9}"
    )
    for latency in args.latency:
        for density in args.density:
            got = bench_case(tree, latency, density, args.repeat, args.now)
            (cw, cr, _), (sw, sr, smb) = got["cold"], got["steady"]
            print(
                f"{latency * 1000:>6.0f}ms {f'{density}x':>8}  {cw:>7.2f} {cr:>8}  "
                f"{sw:>8.2f} {sr:>10} {smb:>9.0f}"
            )
    print(f"sync.py --demo (loopback): {bench_demo(tree, args.repeat, args.now):.2f} s")
    if args.no_phases or tree != ROOT:
        print(f"load average {os.getloadavg()[0]:.2f}")
        return 0
    print(f"\nphases of a steady run at {args.latency[0] * 1000:.0f} ms, ms")
    imports = import_seconds(tree, "section11.cli, section11.pipeline")
    imports_rebuild = import_seconds(tree, "section11.cli, section11.pipeline, section11.rebuild")
    steady_run = phase_table(args.latency[0], force_rebuild=False, now=args.now)
    rebuilt = phase_table(args.latency[0], force_rebuild=True, now=args.now)
    print(f"{'phase':<28} {'steady':>8} {'rebuild':>8}")
    print(f"{'imports (subprocess)':<28} {imports * 1000:>8.0f} {imports_rebuild * 1000:>8.0f}")
    for name in dict.fromkeys([*steady_run, *rebuilt]):
        a, b = steady_run.get(name, 0.0), rebuilt.get(name, 0.0)
        print(f"{name:<28} {a * 1000:>8.0f} {b * 1000:>8.0f}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
