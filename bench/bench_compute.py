#!/usr/bin/env python3
"""Benchmark: the pure computations whose speed the tests once asserted.

Timed here, never in tests (a test that passes only when the machine is fast
enough fails under load). Each figure is the best of --repeat runs:
  build_demo      - the demo athlete's 3-year history (target well under 1.5 s)
  alert replay    - a year of days through compute_sections (test_demo_alert_coverage)
  dfa 3 h         - dfa_block of a 3-hour session sweeping every band (target ~10 ms)
  dfa segments    - dfa_block of 3 hours of short segments with implausible heart rate
                    (linear: about the 3-hour figure, never many times it)
  gpx laughs      - a billion-laughs GPX refused (no entity is ever expanded)
  gpx oversize    - a 50 MB route file refused by its size, before any parsing

Usage: python bench/bench_compute.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from section11.demo.dataset import build_demo  # noqa: E402
from section11.metrics.dfa import dfa_block  # noqa: E402
from section11.outputs.sections import compute_sections  # noqa: E402
from section11.sources.routefiles import RouteFileError, parse_route  # noqa: E402
from tests.kit.replay import DemoReplay  # noqa: E402

TODAY = date(2026, 4, 15)
GPX_NS = "http://www.topografix.com/GPX/1/1"


def best_of(repeat: int, work: Callable[[], Any]) -> float:
    """The shortest wall time of `repeat` runs of `work`, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def dfa_streams(a1: list[float], hr: list[float], watts: list[float]) -> list[dict]:
    n = len(a1)
    return [
        {"type": "time", "data": list(range(n))},
        {"type": "dfa_a1", "data": a1},
        {"type": "heartrate", "data": hr},
        {"type": "watts", "data": watts},
        {"type": "artifacts", "data": [1.0] * n},
    ]


def sweep_session(n: int = 10_800) -> list[dict]:
    a1 = [1.3 - 1.0 * i / n for i in range(n)]  # sweeps every band once
    return dfa_streams(
        a1, [110 + 60 * i // n for i in range(n)], [150 + 150 * i // n for i in range(n)]
    )


def segmented_session(n: int = 10_800) -> list[dict]:
    a1 = (([0.75] * 60 + [1.2] * 6) * (n // 66 + 1))[:n]
    return dfa_streams(a1, [0.01] * n, [200.0] * n)


def refused(data: bytes, name: str) -> None:
    try:
        parse_route(data, name)
    except RouteFileError:
        return
    raise AssertionError(f"{name} was not refused")


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE gpx [{"".join(entities)}]>'
        f'<gpx xmlns="{GPX_NS}"><trk><name>&lol9;</name><trkseg>'
        f'<trkpt lat="1" lon="1"/><trkpt lat="2" lon="2"/></trkseg></trk></gpx>'
    ).encode()


def replay_year(replay: DemoReplay) -> None:
    day = TODAY - timedelta(days=364)
    while day <= TODAY:
        ctx = replay.inputs(day)
        compute_sections(ctx, history_activities=ctx.history_activities)
        day += timedelta(days=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = max(1, parser.parse_args().repeat)
    demo = build_demo(TODAY)
    sweep, segmented = sweep_session(), segmented_session()
    laughs, oversize = billion_laughs(), b"<gpx>" + b" " * (50 * 1024 * 1024)
    rows = [
        ("build_demo", best_of(repeat, lambda: build_demo(TODAY))),
        ("alert replay (365 days)", best_of(1, lambda: replay_year(DemoReplay(demo)))),
        ("dfa 3 h", best_of(repeat, lambda: dfa_block(sweep))),
        ("dfa segments", best_of(repeat, lambda: dfa_block(segmented))),
        ("gpx laughs", best_of(repeat, lambda: refused(laughs, "laughs.gpx"))),
        ("gpx oversize", best_of(repeat, lambda: refused(oversize, "huge.gpx"))),
    ]
    for name, seconds in rows:
        print(f"{name:26s} {seconds * 1000:10.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
