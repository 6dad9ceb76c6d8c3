"""`python sync.py --demo`: the real pipeline against the fake API on loopback.

Builds the demo athlete for today's date in its timezone, serves it on a free
127.0.0.1 port and runs an ordinary sync against it through the real client,
writing into ./demo-output/ (or --output-dir / --output).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..errors import NotAvailable
from ..publish.files import resolve_destination
from .dataset import build_demo
from .server import FakeIntervals
from .tp_server import FakeTrainingPeaks
from .tp_view import add_tp2intervals_footers, build_tp_view

DEMO_TIMEZONE = "Europe/Amsterdam"
DEFAULT_DIR = "demo-output"


def demo_settings(settings, data, base_url):
    """The user's settings pointed at the demo athlete and server."""
    output_dir = settings.output_dir if (settings.output or settings.output_dir) else DEFAULT_DIR
    return replace(
        settings,
        athlete_id=data.athlete_id,
        intervals_key=data.api_key,
        base_url=base_url,
        output_dir=output_dir,
        github_token=None,
        github_repo=None,
        tp_auth_cookie=None,
        tp_base_url=None,
    )


def run_demo(settings, out=None, sources: str = "intervals") -> int:
    """`sources`: "intervals" (the default demo) or "both" (Intervals.icu and a
    fake TrainingPeaks account; a few calendar workouts carry tp2intervals
    footers). TrainingPeaks alone is not available yet."""
    from .. import pipeline

    if sources == "tp":
        raise NotAvailable("--demo-sources tp (TrainingPeaks alone) is not available yet")
    out = out or sys.stdout
    now = settings.now or datetime.now(UTC)
    today = now.astimezone(ZoneInfo(DEMO_TIMEZONE)).date()
    data = build_demo(today, timezone=DEMO_TIMEZONE)
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(FakeIntervals(data))
        local = demo_settings(settings, data, server.base_url)
        print(f"Demo athlete served by the fake Intervals.icu API at {server.base_url}", file=out)
        if sources == "both":
            view = build_tp_view(data)
            add_tp2intervals_footers(data, view)
            tp = stack.enter_context(FakeTrainingPeaks(view))
            local = replace(local, tp_auth_cookie=view.cookie, tp_base_url=tp.base_url)
            print(f"and by the fake TrainingPeaks API at {tp.base_url}", file=out)
        result = pipeline.sync(local)
        requests_made = len(server.requests)
    for line in pipeline.summary_lines(result):
        print(line, file=out)
    print(f"{requests_made} API requests.", file=out)
    _, directory = resolve_destination(local.output, local.output_dir)
    print(f"Dashboard: open {directory / 'dashboard.html'} in a browser.", file=out)
    return 0
