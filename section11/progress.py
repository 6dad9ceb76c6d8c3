"""Progress of one sync, and its summary in GitHub Actions.

Three ways to report, picked from where the run happens:

- a terminal (stderr is a TTY): a live line on stderr, redrawn a few times a
  second, showing the phase, the requests made (of the planned number when
  the last run of this store left one) and the time left; it appears only
  once a run has taken LIVE_AFTER seconds, so a steady run prints nothing
  extra, and it is erased at the end;
- GitHub Actions (GITHUB_ACTIONS=true): one line per phase on stderr, and a
  step summary table appended to $GITHUB_STEP_SUMMARY (what changed, requests
  made, each source's status, wall time);
- anything else (cron, a pipe): nothing.

The pipeline calls `phase(name)`; the request counter is the client's. No
terminal library: a carriage return and "erase line" are all it needs.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

LIVE_AFTER = 2.0  # seconds before the live line appears
REDRAW_EVERY = 0.25  # seconds
ERASE = "\r\x1b[K"
PLAN_NAME = "progress.json"  # in the state directory: the last run's request count


class Progress:
    """Phase reporting; `mode` is "live", "actions" or "quiet"."""

    def __init__(
        self,
        mode: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        environ: Mapping[str, str] | None = None,
    ):
        self.mode = mode
        self.environ = dict(environ or {})
        self.plan_dir: Path | None = None
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.current = ""
        self.planned: int | None = None
        self.phases: list[tuple[str, float]] = []
        self._count: Callable[[], int] = lambda: 0
        self._stop = threading.Event()
        self._drawn = False
        self._thread: threading.Thread | None = None

    @classmethod
    def for_environment(cls, environ: Mapping[str, str], stream: TextIO | None = None) -> Progress:
        stream = stream or sys.stderr
        if environ.get("GITHUB_ACTIONS") == "true":
            return cls("actions", stream, environ=environ)
        try:
            live = stream.isatty()
        except (AttributeError, ValueError):
            live = False
        return cls("live" if live else "quiet", stream, environ=environ)

    # ------------------------------------------------------------- the pipeline's hook

    def count_requests(self, counter: Callable[[], int], plan_dir: Path | None = None) -> None:
        """Requests so far (the client's counter); the plan is the last run's
        count, kept in `plan_dir` (the state directory)."""
        self._count, self.plan_dir = counter, plan_dir
        self.planned = read_plan(plan_dir) if plan_dir is not None else None

    def report(self, written: Sequence[Any], sources: Mapping[str, Any]) -> None:
        """The run succeeded: keep its request count as the next plan; in
        Actions, append the step summary."""
        self.finish()
        requests = self.requests
        if self.plan_dir is not None and requests:
            save_plan(self.plan_dir, requests)
        if self.mode == "actions":
            names = [Path(str(p)).name for p in written]
            text = step_summary(names, requests, sources, self.elapsed)
            append_step_summary(self.environ, text)

    def phase(self, name: str) -> None:
        self.phases.append((name, self.clock()))
        self.current = name
        if self.mode == "actions":
            print(f"sync: {name} ({self.requests} requests so far)", file=self.stream, flush=True)
        elif self.mode == "live" and self._thread is None:
            self._thread = threading.Thread(target=self._redraw, daemon=True)
            self._thread.start()

    def finish(self) -> None:
        """Stop the live line and erase it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._drawn:
            self.stream.write(ERASE)
            self.stream.flush()
            self._drawn = False

    # ------------------------------------------------------------- the live line

    @property
    def requests(self) -> int:
        try:
            return int(self._count())
        except Exception:  # noqa: BLE001 - a display must never fail the sync
            return 0

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def line(self) -> str:
        done, elapsed = self.requests, self.elapsed
        text = f"section11: {self.current} · {done}"
        if self.planned and self.planned > done:
            text += f" of ~{self.planned} requests"
            if done:
                left = elapsed / done * (self.planned - done)
                text += f" · about {left:.0f} s left"
        else:
            text += " requests"
        return text + f" · {elapsed:.0f} s"

    def _redraw(self) -> None:
        while not self._stop.wait(REDRAW_EVERY):
            if self.elapsed < LIVE_AFTER:
                continue
            self.stream.write(ERASE + self.line())
            self.stream.flush()
            self._drawn = True


# ----------------------------------------------------------------- the last run's plan


def read_plan(state_dir: Path) -> int | None:
    """The request count of the last run of this store (the next run's plan)."""
    try:
        value = json.loads((state_dir / PLAN_NAME).read_text(encoding="utf-8")).get("requests")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and value > 0 else None


def save_plan(state_dir: Path, requests: int) -> None:
    try:
        (state_dir / PLAN_NAME).write_text(json.dumps({"requests": requests}), encoding="utf-8")
    except OSError:
        pass  # only a display hint


# ----------------------------------------------------------------- Actions step summary


def step_summary(
    changed: Sequence[str], requests: int, sources: Mapping[str, Any], seconds: float
) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: what changed, requests, sources, wall time."""
    rows = [
        "### Intervals.icu sync",
        "",
        "| | |",
        "| --- | --- |",
        f"| files written | {', '.join(f'`{n}`' for n in changed) or 'none'} |",
        f"| requests to Intervals.icu | {requests} |",
        f"| wall time | {seconds:.1f} s |",
    ]
    if sources:
        rows += ["", "| source | status |", "| --- | --- |"]
        rows += [f"| {name} | {status} |" for name, status in sorted(sources.items())]
    return "\n".join(rows) + "\n\n"


def append_step_summary(environ: Mapping[str, str], text: str) -> None:
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        print("warning: could not write the step summary", file=sys.stderr)


__all__ = [
    "Progress",
    "read_plan",
    "save_plan",
    "step_summary",
    "append_step_summary",
    "LIVE_AFTER",
]
