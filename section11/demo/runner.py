"""`python sync.py --demo`: the real pipeline against the fake API on loopback.

Builds the demo athlete for today's date in its timezone, serves it on a free
127.0.0.1 port (from a child process where it can: child_server.py) and runs an
ordinary sync against it through the real client, writing into ./demo-output/
(or --output-dir / --output).
"""

from __future__ import annotations

import contextlib
import gc
import secrets
import sys
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..errors import NotAvailable
from ..publish.files import resolve_destination
from . import profile
from .child_server import ChildIntervals, serve_demo_intervals
from .dataset import DemoData, build_demo

DEMO_TIMEZONE = "Europe/Amsterdam"
DEFAULT_DIR = "demo-output"


def demo_settings(settings, base_url):
    """The user's settings pointed at the demo athlete and server."""
    output_dir = settings.output_dir if (settings.output or settings.output_dir) else DEFAULT_DIR
    return replace(
        settings,
        athlete_id=profile.ATHLETE_ID,
        intervals_key=profile.DEMO_API_KEY,
        base_url=base_url,
        output_dir=output_dir,
        github_token=None,
        github_repo=None,
        tp_auth_cookie=None,
        tp_base_url=None,
        peloton=None,
    )


def with_demo_peloton(local, stack, data, out):
    """(settings pointed at a fake Peloton account started on `stack`, the fake)."""
    from ..sources.peloton import PelotonAuth  # imported only when asked for
    from .peloton_server import FakePeloton
    from .peloton_view import build_peloton_view

    view = build_peloton_view(data, DEMO_TIMEZONE)
    view.refresh_token = secrets.token_hex(16)  # a new account each run: no stale rotation
    fake = stack.enter_context(FakePeloton(view))
    print(f"and by the fake Peloton API at {fake.base_url}", file=out)
    auth = PelotonAuth(
        refresh_token=view.refresh_token,
        client_id=view.client_id,
        base_url=fake.base_url,
        auth_url=fake.base_url,
    )
    return replace(local, peloton=auth), fake


def demo_tp_view(data, today, sources):
    """The athlete's TrainingPeaks account. With `sources` "both" a few calendar
    workouts carry tp2intervals footers: `data` changes too, so this comes
    before the Intervals.icu fake starts (a child process copies `data`)."""
    from .tp_view import add_tp2intervals_footers, build_tp_view, keep_recent_health_in_tp

    view = build_tp_view(data)
    if sources == "both":
        add_tp2intervals_footers(data, view)
        keep_recent_health_in_tp(data, today)
    return view


def with_demo_trainingpeaks(local, stack, view, out):
    """(settings pointed at a fake TrainingPeaks account started on `stack`, the fake)."""
    from .tp_server import FakeTrainingPeaks  # imported only when asked for

    tp = stack.enter_context(FakeTrainingPeaks(view))
    print(f"and by the fake TrainingPeaks API at {tp.base_url}", file=out)
    return replace(local, tp_auth_cookie=view.cookie, tp_base_url=tp.base_url), tp


def preload_documents() -> None:
    """Load what a sync loads only once it has its data (the document builders,
    the schema validators): the demo does it while the forked server builds the
    athlete, on a core that would wait for it anyway."""
    from .. import rebuild  # noqa: F401
    from ..outputs.validate import SCHEMA_FILES, validator_for

    for name in SCHEMA_FILES:
        validator_for(name)


def run_demo(settings, out=None, sources: str = "intervals", peloton: bool = False) -> int:
    """`sources`: "intervals" (the default demo), "both" (Intervals.icu and a
    fake TrainingPeaks account; a few calendar workouts carry tp2intervals
    footers), "tp" (the same athlete on TrainingPeaks alone: no Intervals.icu
    credentials) or "peloton" (the athlete's Peloton account alone). `peloton`:
    the athlete also rides on a fake Peloton account (some rides match
    Intervals.icu activities, some exist only on Peloton)."""
    if sources == "tp" and peloton:
        raise NotAvailable("--demo-peloton needs Intervals.icu: use it without --demo-sources tp")
    out = out or sys.stdout
    now = settings.now or datetime.now(UTC)
    today = now.astimezone(ZoneInfo(DEMO_TIMEZONE)).date()
    # The other fakes are views of the athlete, built here; else only the
    # Intervals.icu fake needs it, and builds it (in its child process if any).
    data: DemoData | None = None
    if sources != "intervals" or peloton:
        data = build_demo(today, timezone=DEMO_TIMEZONE)
    tp_view = demo_tp_view(data, today, sources) if sources in ("both", "tp") else None

    def make_data() -> DemoData:
        return data if data is not None else build_demo(today, timezone=DEMO_TIMEZONE)

    with contextlib.ExitStack() as stack:
        # Started before the other fakes: it forks, they start threads.
        server = serve_demo_intervals(make_data)
        stack.enter_context(server)
        # The demo athlete lives as long as the run: frozen, its records are
        # skipped by the cycle collector's full passes (~0.15 s of a demo run).
        gc.freeze()
        stack.callback(gc.unfreeze)
        from .. import pipeline  # loaded while a forked server builds the athlete

        if isinstance(server, ChildIntervals):
            preload_documents()
        local = demo_settings(settings, server.base_url)
        print(f"Demo athlete served by the fake Intervals.icu API at {server.base_url}", file=out)
        if tp_view is not None:
            local, tp = with_demo_trainingpeaks(local, stack, tp_view, out)
        if peloton or sources == "peloton":
            local, fake_peloton = with_demo_peloton(local, stack, data, out)
        if sources in ("peloton", "tp"):  # one source alone: no Intervals.icu credentials
            from .. import source_sync

            local = replace(local, athlete_id=None, intervals_key=None, base_url=None)
            if sources == "peloton":
                result = source_sync.sync_peloton_alone(local)
                requests_made = len(fake_peloton.requests)
            else:
                result = source_sync.sync_trainingpeaks_alone(local)
                requests_made = len(tp.requests)
        else:
            result = pipeline.sync(local)
            requests_made = len(server.requests)
    for line in pipeline.summary_lines(result):
        print(line, file=out)
    print(f"{requests_made} API requests.", file=out)
    _, directory = resolve_destination(local.output, local.output_dir)
    print(f"Dashboard: open {directory / 'dashboard.html'} in a browser.", file=out)
    return 0
