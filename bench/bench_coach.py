#!/usr/bin/env python3
"""Benchmark: coach mode, N demo athletes behind one coach key in one process.

Cold (empty stores), then steady, at one latency per request: every request
draws from one shared rate budget, so a cold run takes at least
requests / rate seconds. Target: steady <= 4 requests per athlete.

Usage: python bench/bench_coach.py [--athletes 20] [--latency 0.05] [--today 2026-11-23]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from section11.coach.run import sync_all  # noqa: E402
from section11.config import Settings  # noqa: E402
from section11.demo.coach import FakeCoachIntervals, build_coach_demo  # noqa: E402


def bench_coach(
    count: int, latency: float, today: date, now: datetime
) -> list[tuple[str, int, float]]:
    """A coach run of `count` demo athletes: cold (empty stores), then steady."""
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
            rows.append((case, len(server.requests), time.perf_counter() - start))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    args = parser.parse_args()
    now = datetime.combine(args.today, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    print(f"coach mode, {args.athletes} athletes, {args.latency * 1000:.0f} ms per request")
    print(f"{'case':<8} {'requests':>8} {'per athlete':>11} {'wall s':>8}")
    for case, requests, wall in bench_coach(args.athletes, args.latency, args.today, now):
        print(f"{case:<8} {requests:>8} {requests / args.athletes:>11.1f} {wall:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
