"""`python sync.py --demo --athletes all`: a coach run against the demo coach, offline.

The demo roster (demo/coach.py) is served on 127.0.0.1 behind one coach key;
the real coach run (section11.coach) syncs every athlete the key lists into
./demo-output/athletes/ (or --output-dir) and writes the index. The revoked
athlete is reported in the index without blocking the others, so the demo
exits 0 when every other athlete was written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from ..coach.run import exit_code, sync_all
from ..config import Settings
from .coach import FakeCoachIntervals, build_coach_demo
from .runner import DEFAULT_DIR, DEMO_TIMEZONE


def run_coach_demo(
    settings: Settings,
    scrubber: Callable[[list[str]], Callable[[str], str]],
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    now = settings.now or datetime.now(UTC)
    coach = build_coach_demo(now.astimezone(ZoneInfo(DEMO_TIMEZONE)).date(), DEMO_TIMEZONE)
    with FakeCoachIntervals(coach) as server:
        print(f"Demo coach served by the fake Intervals.icu API at {server.base_url}", file=out)
        local = replace(
            settings,
            intervals_key=coach.key,
            base_url=server.base_url,
            output=None,
            output_dir=settings.output_dir or DEFAULT_DIR,
            github_token=None,
            github_repo=None,
            tp_auth_cookie=None,
            tp_base_url=None,
            peloton=None,
        )
        outcomes = sync_all(local, {}, [], scrubber, out=out)
        print(f"{len(server.requests)} API requests.", file=out)
    revoked = [o.entry.folder for o in outcomes if o.entry.athlete_id in coach.revoked]
    if revoked:
        print(
            f"({', '.join(revoked)} revoked the share on purpose: the demo of a failure)", file=out
        )
    return exit_code([o for o in outcomes if o.entry.athlete_id not in coach.revoked])
