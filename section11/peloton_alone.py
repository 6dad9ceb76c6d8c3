"""A Peloton account as the whole mirror: a sync without Intervals.icu (pure).

`peloton_records` turns the stored Peloton workouts into the generic
`SourceRecords` of section11/source_only.py: every workout becomes an
activity exactly as an unmatched ride does next to Intervals.icu (id
`peloton_<id>`, load from its power samples and the FTP in force,
`peloton` block with role `added`), the account's cycling FTP and max HR
become the sport settings, and the timezone of the newest workout is the
athlete's. Peloton has no fitness series of its own: CTL and ATL are
computed from the rides' daily TSS (metrics/fitness.py `load_fitness`, from 0
on the day before the first ride) and carried as wellness rows, so the
fitness block, TSB and phase detection use the same code as with
Intervals.icu. Peloton keeps no wellness, no calendar, no zones and no power
model, so each metric built on those is null with a reason an AI coach can
repeat (`PELOTON_UNAVAILABLE`): the fields TrainingPeaks alone cannot fill,
reworded for Peloton, plus the HRV and resting-HR metrics TrainingPeaks'
health data feeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta, tzinfo
from typing import Any

from .metrics.fitness import load_fitness
from .metrics.load import daily_tss
from .metrics.peloton import merge_peloton
from .model import Activity
from .numbers import round_half_even
from .peloton_model import PelotonWorkout, account_ftp, athlete_record
from .source_only import SourceRecords
from .tp_merge import CURVES, PROFILE, STREAMS, TP_UNAVAILABLE, WELLNESS, ZONES
from .wellness_model import Wellness

SOURCE_KEY = "peloton"
SOURCE_LABEL = "Peloton API"

REWORDED = {
    ZONES: "zone times are not available from Peloton",
    CURVES: "power and HR curves are not available from Peloton",
    STREAMS: "the mirror reads Peloton's 5-second class summaries, not per-second streams "
    "(decoupling, HR recovery, DFA a1)",
    PROFILE: "Peloton's profile gives cycling FTP and max HR only (no LTHR, running "
    "thresholds, indoor FTP or power model)",
    WELLNESS: "Peloton records no wellness (HRV, resting HR, sleep, weight)",
}
# latest.json fields Peloton data cannot fill, with the reason an AI coach reads
PELOTON_UNAVAILABLE: dict[str, str] = {
    **{
        path: REWORDED.get(reason, reason.replace("TrainingPeaks", "Peloton"))
        for path, reason in TP_UNAVAILABLE.items()
    },
    "current_status.fitness.ramp_rate": "the ramp rate is an Intervals.icu value; CTL and "
    "ATL here are computed from the Peloton rides' TSS",
    **dict.fromkeys(
        (
            "derived_metrics.recovery_index",
            "derived_metrics.recovery_index_yesterday",
            "derived_metrics.hrv_baseline_7d",
            "derived_metrics.hrv_baseline_28d",
            "derived_metrics.rhr_baseline_7d",
            "derived_metrics.rhr_baseline_28d",
            "derived_metrics.latest_hrv",
            "derived_metrics.latest_rhr",
            "derived_metrics.load_recovery_ratio",
        ),
        REWORDED[WELLNESS],
    ),
}
PROFILE_FIELDS = "Peloton's profile as the mirror reads it has no birth date, sex, place or height"
CALENDAR = "Peloton has no calendar (planned workouts, races)"
OUTDOOR = "Peloton rides are indoor: there is no outdoor FTP to benchmark"
PELOTON_UNAVAILABLE |= {
    "athlete_profile.date_of_birth": PROFILE_FIELDS,
    "athlete_profile.age": PROFILE_FIELDS,
    "athlete_profile.sex": PROFILE_FIELDS,
    "athlete_profile.location": PROFILE_FIELDS,
    "athlete_profile.display.*": PROFILE_FIELDS,
    "current_status.current_metrics.display.*": REWORDED[WELLNESS],
    "derived_metrics.consistency_index": CALENDAR,
    "derived_metrics.phase_detection.basis.stream_2.*": CALENDAR,
    "derived_metrics.phase_detection.basis.stream_agreement": CALENDAR,
    "derived_metrics.benchmark_outdoor.*": OUTDOOR,
}
FITNESS_SOURCE = "Computed from the Peloton rides' TSS (rides outside Peloton are not counted)"


def fitness_rows(activities: Sequence[Activity], today: date) -> list[Wellness]:
    """One row per day from the first ride to today with the CTL and ATL of
    the rides' loads (rounded to 2 decimals, as Intervals.icu's)."""
    days = [a.date for a in activities if a.date and a.date <= today]
    if not days:
        return []
    first = min(days)
    span = (today - first).days + 1
    series = load_fitness(daily_tss(activities, today, span))
    return [
        Wellness(
            date=first + timedelta(days=i),
            ctl=round_half_even(ctl, 2),
            atl=round_half_even(atl, 2),
        )
        for i, (ctl, atl) in enumerate(series)
    ]


def peloton_records(
    me: Any, workouts: Sequence[PelotonWorkout], tz: tzinfo, today: date
) -> SourceRecords:
    """The account (`/api/me`, kept fields) and its workouts (newest first) as
    the whole of a sync; `tz`: the zone the activities' local times are in,
    `today`: the athlete's date."""
    ftp, ftp_source = account_ftp(me)
    merged = merge_peloton((), workouts, tz, ftp, ftp_source)
    return SourceRecords(
        source=SOURCE_KEY,
        label=SOURCE_LABEL,
        athlete=athlete_record(me, list(workouts)),
        activities=merged.activities,
        wellness=tuple(fitness_rows(merged.activities, today)),
        unavailable=PELOTON_UNAVAILABLE,
    )


def peloton_alone_latest(latest: dict[str, Any], status: str) -> dict[str, Any]:
    """latest.json of a Peloton-alone sync: `metadata.sync_status.peloton` is the
    source's status (the stored rides may be older than this run), and the
    fitness block says its CTL and ATL are computed from the rides (a copy)."""
    metadata = dict(latest.get("metadata") or {})
    metadata["sync_status"] = {**(metadata.get("sync_status") or {}), SOURCE_KEY: status}
    out = {**latest, "metadata": metadata}
    current = dict(out.get("current_status") or {})
    fitness = current.get("fitness")
    if isinstance(fitness, dict) and fitness.get("ctl") is not None:
        current["fitness"] = {**fitness, "fitness_source": FITNESS_SOURCE}
        out["current_status"] = current
    return out
