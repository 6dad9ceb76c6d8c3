"""Peloton workouts into the activity list, Intervals.icu the authority (pure).

A Peloton workout that matches an Intervals.icu activity (start within
MATCH_START_SECONDS, duration within MATCH_DURATION_FRACTION) only enriches
it: the activity gains a `peloton` block (class title, instructor,
discipline, difficulty, total output, time in the cadence and resistance
target ranges) and keeps every number Intervals.icu computed. A workout that
matches nothing becomes an activity of its own, id `peloton_<id>`, with its
load computed from its power samples and the FTP in force: the workout's
`ftp_info`, else the account's FTP from /api/me (the source is noted). Each
ride is therefore counted once by every load metric.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from ..model import Activity
from ..peloton_model import PelotonWorkout

MATCH_START_SECONDS = 300.0
MATCH_DURATION_FRACTION = 0.10
NP_WINDOW_SECONDS = 30.0
ID_PREFIX = "peloton_"
SOURCE = "PELOTON"


@dataclass(frozen=True)
class RideLoad:
    """Load of a ride from its power samples."""

    norm_power: float
    intensity: float  # IF (NP / FTP)
    tss: float
    ftp: float
    ftp_source: str


@dataclass(frozen=True)
class Merged:
    activities: tuple[Activity, ...]  # newest first
    enriched: tuple[str, ...]  # Intervals.icu activity ids a workout matched
    added: tuple[str, ...]  # ids of the activities made from unmatched workouts


def normalized_power(power: Sequence[float], sample_seconds: float) -> float | None:
    """NP: the 4th-power mean of the 30 s rolling average, 4th root; None when too short."""
    window = max(1, round(NP_WINDOW_SECONDS / sample_seconds)) if sample_seconds > 0 else 1
    if len(power) < window:
        return None
    total = sum(power[:window])
    rolling = [total / window]
    for i in range(window, len(power)):
        total += power[i] - power[i - window]
        rolling.append(total / window)
    return (sum(v**4 for v in rolling) / len(rolling)) ** 0.25


def ride_load(
    workout: PelotonWorkout, account_ftp: float | None, account_source: str | None
) -> RideLoad | None:
    """NP, IF and TSS of a workout with power samples; None without samples or an FTP."""
    if workout.ftp:
        ftp, source = workout.ftp, f"peloton ftp_info ({workout.ftp_source or 'unknown'})"
    elif account_ftp and account_source:
        ftp, source = account_ftp, account_source
    else:
        return None
    norm = normalized_power(workout.power, workout.sample_seconds)
    if norm is None or workout.seconds <= 0:
        return None
    intensity = norm / ftp
    tss = workout.seconds * norm * intensity / (ftp * 3600) * 100
    return RideLoad(round(norm), round(intensity, 3), round(tss, 1), ftp, source)


def _local_start(activity: Activity, tz: tzinfo) -> datetime | None:
    if not activity.start_local:
        return None
    try:
        start = datetime.fromisoformat(activity.start_local)
    except ValueError:
        return None
    return start.replace(tzinfo=tz) if start.tzinfo is None else start


def matches(workout: PelotonWorkout, activity: Activity, tz: tzinfo) -> float | None:
    """Start gap in seconds when the workout matches the activity, else None."""
    start = _local_start(activity, tz)
    length = activity.elapsed_time or activity.moving_time
    if start is None or not length:
        return None
    gap = abs((start - workout.start).total_seconds())
    longest = max(length, workout.seconds)
    if (
        gap > MATCH_START_SECONDS
        or abs(length - workout.seconds) > MATCH_DURATION_FRACTION * longest
    ):
        return None
    return gap


def peloton_block(workout: PelotonWorkout, role: str) -> dict[str, Any]:
    """What a Peloton class adds to an activity; `role`: enriched or added."""
    return {
        "role": role,
        "workout_id": workout.id,
        "class_title": workout.title,
        "instructor": workout.instructor,
        "discipline": workout.discipline,
        "difficulty": workout.difficulty,
        "total_output_kj": round(workout.total_output_kj, 1)
        if workout.total_output_kj is not None
        else None,
        "cadence_in_range_s": workout.cadence_in_range_s,
        "resistance_in_range_s": workout.resistance_in_range_s,
    }


def activity_of(workout: PelotonWorkout, tz: tzinfo, load: RideLoad | None) -> Activity:
    """An activity of its own for a workout Intervals.icu does not have."""
    local = workout.start.astimezone(tz)
    block = peloton_block(workout, "added")
    block["load_source"] = (
        {"ftp": load.ftp, "ftp_source": load.ftp_source} if load is not None else None
    )
    joules = workout.total_output_kj * 1000 if workout.total_output_kj is not None else None
    return Activity(
        id=ID_PREFIX + workout.id,
        date=local.date(),
        start_local=local.replace(tzinfo=None).isoformat(timespec="seconds"),
        type=workout.activity_type,
        name=workout.title,
        source=SOURCE,
        moving_time=workout.seconds,
        elapsed_time=workout.seconds,
        distance=workout.distance_m,
        load=load.tss if load else None,
        ftp=load.ftp if load else None,
        intensity=round(load.intensity * 100, 1) if load else None,
        avg_power=workout.avg_power,
        norm_power=load.norm_power if load else None,
        avg_hr=workout.avg_hr,
        max_hr=workout.max_hr,
        avg_cadence=workout.avg_cadence,
        joules=joules,
        calories=workout.calories,
        trainer=True,
        peloton=block,
    )


def merge_peloton(
    activities: Iterable[Activity],
    workouts: Iterable[PelotonWorkout],
    tz: tzinfo,
    account_ftp: float | None = None,
    account_source: str | None = None,
) -> Merged:
    """The activity list with Peloton merged in (see the module docstring)."""
    merged = {a.id: a for a in activities}
    order = list(merged)
    taken: set[str] = set()
    enriched: list[str] = []
    added: list[Activity] = []
    for workout in sorted(workouts, key=lambda w: w.start):
        candidates = [
            (gap, aid)
            for aid in order
            if aid not in taken
            and merged[aid].source != SOURCE
            and (gap := matches(workout, merged[aid], tz)) is not None
        ]
        if candidates:
            aid = min(candidates)[1]
            taken.add(aid)
            enriched.append(aid)
            merged[aid] = replace(merged[aid], peloton=peloton_block(workout, "enriched"))
            continue
        added.append(activity_of(workout, tz, ride_load(workout, account_ftp, account_source)))
    result = [merged[aid] for aid in order] + added
    result.sort(key=lambda a: a.start_local or "", reverse=True)
    return Merged(tuple(result), tuple(enriched), tuple(a.id for a in added))
