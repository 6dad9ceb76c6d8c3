#!/usr/bin/env python3
"""Benchmark: requests and wall time of real syncs against the fake API.

For each injected latency (per request) it runs, in a fresh temp directory:
  first       - empty store: 3-year history, per-activity resources, routes
  steady      - nothing new upstream
  new         - one new outdoor ride appears upstream (a late watch sync)
  history     - --generate-history with a warm store (rebuilt from the store)
and prints requests, wall time and the metric compute time (compute_sections +
build_documents, no I/O) on 3 years of demo data. The coach case syncs N demo
athletes (default 20) behind one coach key in one process, cold and steady,
at the first latency: every request draws from one shared rate budget, so a
cold run takes at least requests / rate seconds.

Usage: python bench/bench_sync.py [--latency 0.05 0.1] [--today 2026-11-23] [--coach 20]
Targets (issue 4): steady <= 6 requests, new <= steady + 4, steady wall time
< 1.5 s at 100 ms latency; coach (issue 17): steady <= 4 requests per athlete.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from section11 import pipeline  # noqa: E402
from section11.config import Settings  # noqa: E402
from section11.demo.dataset import build_demo  # noqa: E402
from section11.demo.server import FakeIntervals  # noqa: E402


def recent_outdoor_ride(data, today: date) -> dict:
    for raw in data.activities:
        if (
            raw.get("type") in ("Ride", "GravelRide")
            and raw.get("start_date_local", "")[:10]
            >= date.fromordinal(today.toordinal() - 2).isoformat()
        ):
            return raw
    raise SystemExit("the demo has no recent outdoor ride")


def run_case(server, settings) -> tuple[int, float]:
    server.reset_log()
    start = time.perf_counter()
    pipeline.sync(settings)
    return len(server.requests), time.perf_counter() - start


def bench_latency(latency: float, today: date, now: datetime) -> list[tuple[str, int, float]]:
    data = build_demo(today)
    late = recent_outdoor_ride(data, today)
    data.activities.remove(late)
    rows = []
    with FakeIntervals(data, today=today) as server, tempfile.TemporaryDirectory() as tmp:
        server.latency = latency
        settings = Settings(
            athlete_id=data.athlete_id,
            intervals_key=data.api_key,
            base_url=server.base_url,
            output_dir=tmp,
            now=now,
        )
        rows.append(("first run (empty store)", *run_case(server, settings)))
        rows.append(("steady state, nothing new", *run_case(server, settings)))
        data.activities.append(late)
        rows.append(("one new activity", *run_case(server, settings)))
        rows.append(
            (
                "history regeneration (--generate-history)",
                *run_case(server, replace(settings, generate_history=True)),
            )
        )
    return rows


def bench_coach(
    count: int, latency: float, today: date, now: datetime
) -> list[tuple[str, int, float]]:
    """A coach run of `count` demo athletes: cold (empty stores), then steady."""
    from section11.coach.run import sync_all
    from section11.demo.coach import FakeCoachIntervals, build_coach_demo

    roster = [(f"i5001{n:02d}", 11 + n, f"Athlete{n}") for n in range(count)]
    coach = build_coach_demo(today, roster=roster, revoked=())
    rows = []
    with FakeCoachIntervals(coach) as server, tempfile.TemporaryDirectory() as tmp:
        server.latency = latency
        settings = Settings(
            intervals_key=coach.key,
            base_url=server.base_url,
            output_dir=tmp,
            athletes="all",
            now=now,
        )
        for case in ("cold", "steady"):
            server.reset_log()
            start = time.perf_counter()
            sync_all(settings, {}, [], lambda s: lambda t: t, out=io.StringIO())
            rows.append(
                (
                    f"coach, {count} athletes, {case}",
                    len(server.requests),
                    time.perf_counter() - start,
                )
            )
    return rows


def compute_time(today: date, now: datetime) -> tuple[float, float]:
    """Seconds for compute_sections and for all documents, on 3 years of data."""
    from section11.outputs.sections import compute_sections

    data = build_demo(today)
    with FakeIntervals(data, today=today) as server, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            athlete_id=data.athlete_id,
            intervals_key=data.api_key,
            base_url=server.base_url,
            output_dir=tmp,
            now=now,
        )
        result = pipeline.sync(settings)
    ctx = result.inputs
    start = time.perf_counter()
    compute_sections(ctx, history_activities=ctx.history_activities)
    sections = time.perf_counter() - start
    start = time.perf_counter()
    pipeline.build_documents(ctx)
    return sections, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.05, 0.1])
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    parser.add_argument(
        "--coach", type=int, default=20, help="athletes of the coach case (0: skip)"
    )
    args = parser.parse_args()
    now = datetime.combine(args.today, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    print(f"{'latency':>8}  {'case':<44} {'requests':>8} {'wall s':>8}")
    for latency in args.latency:
        for case, requests, wall in bench_latency(latency, args.today, now):
            print(f"{latency * 1000:>6.0f}ms  {case:<44} {requests:>8} {wall:>8.2f}")
    if args.coach > 0:
        latency = args.latency[0]
        for case, requests, wall in bench_coach(args.coach, latency, args.today, now):
            print(f"{latency * 1000:>6.0f}ms  {case:<44} {requests:>8} {wall:>8.2f}")
    sections, documents = compute_time(args.today, now)
    print(f"metric compute (derived metrics, alerts, readiness): {sections * 1000:.0f} ms")
    print(f"all documents incl. 3-year history.json:            {documents * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
