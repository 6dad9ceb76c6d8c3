"""TrainingPeaks as a second, optional source of a sync.

`fetch_trainingpeaks` reads what the mirror uses from a TrainingPeaks
account: workouts (the display window back, the plan window ahead), fitness
over a year (TrainingPeaks seeds CTL at 0 on the first day asked for),
health metrics, events, the Annual Training Plan around today, personal
records of the last year, and the best Bike powers of the last 28 days (the
window of Intervals.icu's power-curve anchors, for a cross-check). `alone=True` (no Intervals.icu account) reads the account
itself and ALONE_HISTORY_DAYS of workouts and health metrics, enough for
the load metrics and the weekly history. It never raises: a failure becomes the
source's status (`auth_expired`, `outage`, `rate_limited`, `error`) and the
Intervals.icu part of the sync goes on. The date of the last good read is
kept in a small state file beside the store, so an expired cookie can say
how old the TrainingPeaks data is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..sources.tp_errors import TrainingPeaksError
from ..sources.trainingpeaks import TrainingPeaksClient

STATE_FILE = "trainingpeaks.json"
PLAN_DAYS = 42
HISTORY_DAYS = 28
FITNESS_DAYS = 365
EVENT_DAYS = 365
PEAK_DAYS = 365
ALONE_HISTORY_DAYS = 365
ATP_DAYS = 28  # Annual Training Plan weeks read on each side of today
PEAKS = (
    ("Bike", "power5sec"),
    ("Bike", "power1min"),
    ("Bike", "power5min"),
    ("Bike", "power20min"),
    ("Bike", "power60min"),
    ("Run", "speed1K"),
    ("Run", "speed5K"),
    ("Run", "speed10K"),
)
CHECK_DAYS = 28  # window of the power cross-check: Intervals.icu's current curve window
CHECK_POWER = ("power5sec", "power1min", "power5min", "power20min", "power60min")
NO_ATP = "the TrainingPeaks account has no Annual Training Plan for this week"

ClientFactory = Callable[[str, str | None], TrainingPeaksClient]


@dataclass
class TpRaw:
    """One sync's TrainingPeaks answers and the source's status."""

    status: str  # ok | auth_expired | outage | rate_limited | error | disabled
    message: str | None = None
    last_good: str | None = None  # date of the last complete read (YYYY-MM-DD)
    workouts: list[dict[str, Any]] = field(default_factory=list)
    fitness: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    peaks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    check_peaks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # Bike, 28 days
    health: list[dict[str, Any]] = field(default_factory=list)
    atp: list[dict[str, Any]] = field(default_factory=list)
    atp_missing: str | None = None  # why there is no Annual Training Plan, when there is none
    user: dict[str, Any] = field(default_factory=dict)  # read only when TrainingPeaks stands alone


def _read_last_good(path: Path) -> str | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("last_good")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _write_last_good(path: Path, day: date) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps({"last_good": day.isoformat()}), encoding="utf-8")
    os.replace(temp, path)


def _atp(client: TrainingPeaksClient, today: date) -> tuple[list[dict[str, Any]], str | None]:
    """The plan's weeks around today, or why there are none (an account without
    a plan may answer 404; that is not a failure of the source)."""
    try:
        weeks = client.atp(today - timedelta(days=ATP_DAYS), today + timedelta(days=ATP_DAYS))
    except TrainingPeaksError as exc:
        if exc.status not in (400, 403, 404):
            raise
        return [], f"{NO_ATP} (HTTP {exc.status})"
    return weeks, None if weeks else NO_ATP


def _read_all(client: TrainingPeaksClient, today: date, days: int, alone: bool) -> TpRaw:
    history = ALONE_HISTORY_DAYS if alone else max(days, HISTORY_DAYS)
    back = today - timedelta(days=history - 1)
    atp, atp_missing = _atp(client, today)
    return TpRaw(
        status="ok",
        user=client.user() if alone else {},
        health=client.health_metrics(back, today),
        atp=atp,
        atp_missing=atp_missing,
        workouts=client.workouts(back, today + timedelta(days=PLAN_DAYS)),
        fitness=client.fitness(today - timedelta(days=FITNESS_DAYS - 1), today),
        events=client.events(
            today - timedelta(days=EVENT_DAYS), today + timedelta(days=EVENT_DAYS)
        ),
        peaks={
            f"{sport}.{kind}": client.peaks(sport, kind, today - timedelta(days=PEAK_DAYS), today)
            for sport, kind in PEAKS
        },
        check_peaks={
            kind: client.peaks("Bike", kind, today - timedelta(days=CHECK_DAYS - 1), today)
            for kind in CHECK_POWER
        },
    )


def fetch_trainingpeaks(
    cookie: str | None,
    base_url: str | None,
    today: date,
    days: int,
    state_dir: Path,
    warnings: list[str],
    factory: ClientFactory = TrainingPeaksClient,
    alone: bool = False,
) -> TpRaw:
    """Everything the mirror takes from TrainingPeaks, or the reason it has nothing."""
    if not cookie:
        return TpRaw(status="disabled")
    path = state_dir / STATE_FILE
    failure: TrainingPeaksError | None = None
    try:
        with factory(cookie, base_url) as client:
            got = _read_all(client, today, days, alone)
    except TrainingPeaksError as exc:
        failure = exc
    if failure is not None:
        warnings.append(failure.message)
        return TpRaw(failure.status_key, failure.message, _read_last_good(path))
    _write_last_good(path, today)
    got.last_good = today.isoformat()
    return got
