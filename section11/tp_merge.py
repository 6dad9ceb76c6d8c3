"""TrainingPeaks merged into a sync's inputs, Intervals.icu the authority (pure).

- Completed workouts: a TrainingPeaks workout that matches an Intervals.icu
  activity (start within MATCH_START_SECONDS, duration within
  MATCH_DURATION_FRACTION of the longer one) gives the activity a
  `trainingpeaks` block: TrainingPeaks' TSS and IF, feeling, RPE, athlete and
  coach comments. The activity keeps every number Intervals.icu computed and
  nothing is added to the activity list, so no session counts twice.
- Health metrics (HRV, resting HR, sleep, weight, steps, SpO2) fill only the
  wellness fields Intervals.icu left empty, and days it has no record for;
  each filled field is named in the day's `filled_from`.
- Events with an A/B/C priority join the calendar as RACE_A/B/C entries
  unless Intervals.icu already has a race that day.

The TrainingPeaks-alone path uses `source_records` instead: the account's
records as the whole of a sync (section11/source_only.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from .context import SyncInputs
from .event_model import Event
from .model import Activity
from .source_only import SourceRecords
from .tp_model import (
    TpEvent,
    TpWorkout,
    activity_record,
    athlete_record,
    health_by_day,
    planned_event,
    race_event,
    wellness_records,
)
from .wellness_model import Wellness

SOURCE_KEY = "trainingpeaks"
SOURCE_LABEL = "TrainingPeaks API"
MATCH_START_SECONDS = 300.0
MATCH_DURATION_FRACTION = 0.10
RACE_CATEGORIES = ("RACE_A", "RACE_B", "RACE_C")

ZONES = "zone times are not available from TrainingPeaks"
CURVES = "power and HR curves are not available from TrainingPeaks"
STREAMS = "TrainingPeaks' workout list has no per-second data (decoupling, HR recovery, DFA a1)"
PROFILE = "TrainingPeaks' profile gives FTP only (no LTHR, max HR, indoor FTP or power model)"
WELLNESS = (
    "TrainingPeaks health metrics hold HRV, resting HR, sleep hours, weight, steps and SpO2 only"
)
# latest.json fields TrainingPeaks data cannot fill (".*": every null field of
# that block), with the reason an AI coach reads
TP_UNAVAILABLE: dict[str, str] = {
    "derived_metrics.seiler_tid_7d.*": ZONES,
    "derived_metrics.seiler_tid_28d.*": ZONES,
    "derived_metrics.seiler_tid_7d_primary.*": ZONES,
    "derived_metrics.seiler_tid_28d_primary.*": ZONES,
    "derived_metrics.zone_distribution_7d.*": ZONES,
    "derived_metrics.easy_time_ratio": ZONES,
    "derived_metrics.grey_zone_percentage": ZONES,
    "derived_metrics.quality_intensity_percentage": ZONES,
    "derived_metrics.capability.tid_comparison.*": ZONES,
    "derived_metrics.capability.power_curve_delta.*": CURVES,
    "derived_metrics.capability.hr_curve_delta.*": CURVES,
    "derived_metrics.capability.dfa_a1_profile": STREAMS,
    "derived_metrics.capability.durability.*": STREAMS,
    "derived_metrics.capability.efficiency_factor.*": STREAMS,
    "derived_metrics.capability.hrrc.*": STREAMS,
    "derived_metrics.benchmark_indoor.*": PROFILE,
    "current_status.thresholds.*": PROFILE,
    "current_status.thresholds.sports.cycling.*": PROFILE,
    "current_status.thresholds.sports.running.*": PROFILE,
    "current_status.current_metrics.*": WELLNESS,
    "current_status.fitness.ramp_rate": "TrainingPeaks' performance data has no ramp rate",
    "athlete_profile.height_m": "TrainingPeaks' profile has no height",
    "athlete_profile.platform_activated": "the date an Intervals.icu account was opened; there is none",
    "athlete_profile.years_on_platform": "the date an Intervals.icu account was opened; there is none",
}


def tp_block(w: TpWorkout, role: str) -> dict[str, Any]:
    """What TrainingPeaks says about a completed session; `role`: enriched or
    source (the session came from TrainingPeaks alone). Comments are present
    only when written (the privacy `notes` rule removes them)."""
    block: dict[str, Any] = {
        "role": role,
        "workout_id": w.id,
        "tss": w.tss_actual,
        "if": w.if_actual,
        "feeling": w.feeling,
        "rpe": w.rpe,
    }
    if w.athlete_comments:
        block["athlete_comments"] = w.athlete_comments
    if w.coach_comments:
        block["coach_comments"] = w.coach_comments
    return block


def _start(text: str | None) -> datetime | None:
    try:
        start = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return start.replace(tzinfo=None)


def start_gap(w: TpWorkout, activity: Activity) -> float | None:
    """Seconds between the starts when the workout matches the activity, else None."""
    ours, theirs = _start(activity.start_local), _start(w.start)
    length = activity.moving_time or activity.elapsed_time
    if ours is None or theirs is None or not length or not w.actual_seconds:
        return None
    gap = abs((ours - theirs).total_seconds())
    longest = max(length, w.actual_seconds)
    if gap > MATCH_START_SECONDS:
        return None
    if abs(length - w.actual_seconds) > MATCH_DURATION_FRACTION * longest:
        return None
    return gap


def enrich(activities: Iterable[Activity], workouts: Iterable[TpWorkout]) -> list[Activity]:
    """The activities, those a completed workout matches with its `trainingpeaks`
    block (each workout and each activity matched at most once, nearest start first)."""
    merged = list(activities)
    taken: set[int] = set()
    for w in workouts:
        if not w.completed:
            continue
        candidates = [
            (gap, i)
            for i, a in enumerate(merged)
            if i not in taken and (gap := start_gap(w, a)) is not None
        ]
        if candidates:
            index = min(candidates)[1]
            taken.add(index)
            merged[index] = replace(merged[index], trainingpeaks=tp_block(w, "enriched"))
    return merged


def fill_wellness(
    records: Iterable[Wellness], health: Mapping[date, Mapping[str, float]], first: date, last: date
) -> tuple[Wellness, ...]:
    """The wellness records with the empty fields TrainingPeaks has filled, plus
    the days in [first, last] only TrainingPeaks has, ascending."""
    by_day = {w.date: w for w in records}
    for day, values in health.items():
        own = by_day.get(day)
        if own is None and not first <= day <= last:
            continue
        base = own or Wellness(date=day)
        gaps = {k: v for k, v in values.items() if getattr(base, k) is None}
        if gaps:
            filled = {**base.filled_from, **dict.fromkeys(gaps, SOURCE_KEY)}
            by_day[day] = replace(base, **gaps, filled_from=filled)  # type: ignore[arg-type]
    return tuple(by_day[d] for d in sorted(by_day))


def extra_races(icu_events: Iterable[Event], tp_events: Iterable[TpEvent]) -> list[Event]:
    """TrainingPeaks A/B/C events on days Intervals.icu has no race."""
    race_days = {e.date for e in icu_events if e.category in RACE_CATEGORIES}
    return [
        race
        for race in (race_event(e) for e in tp_events)
        if race is not None and race.date not in race_days
    ]


def merge_trainingpeaks(
    ctx: SyncInputs,
    workouts: Iterable[Mapping[str, Any]],
    health: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]],
) -> SyncInputs:
    """The inputs with TrainingPeaks merged in (see the module docstring)."""
    tp_workouts = sorted(
        (TpWorkout.from_raw(r) for r in workouts), key=lambda w: (w.start or "", w.id or "")
    )
    by_day = health_by_day(list(health))
    window = (ctx.wellness[0].date if ctx.wellness else ctx.today, ctx.today)
    history_window = (
        ctx.history_wellness[0].date if ctx.history_wellness else window[0],
        ctx.today,
    )
    races = extra_races(ctx.events, (TpEvent.from_raw(e) for e in events))
    return replace(
        ctx,
        activities=tuple(enrich(ctx.activities, tp_workouts)),
        history_activities=tuple(enrich(ctx.history_activities, tp_workouts)),
        wellness=fill_wellness(ctx.wellness, by_day, *window),
        history_wellness=fill_wellness(ctx.history_wellness, by_day, *history_window),
        events=tuple(sorted((*ctx.events, *races), key=lambda e: e.start_local or "")),
    )


def source_records(
    user: Mapping[str, Any],
    workouts: Iterable[Mapping[str, Any]],
    health: Iterable[Mapping[str, Any]],
    fitness: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]],
) -> SourceRecords:
    """A TrainingPeaks account as the whole of a sync: completed workouts as
    activities (with their `trainingpeaks` block), planned ones and A/B/C
    events as the calendar, health metrics and TrainingPeaks' CTL/ATL as
    wellness, the account's FTPs as sport settings."""
    activities: list[Activity] = []
    planned: list[Event] = []
    for w in (TpWorkout.from_raw(r) for r in workouts):
        activity = activity_record(w)
        if activity is not None:
            activities.append(replace(activity, trainingpeaks=tp_block(w, "source")))
        elif (entry := planned_event(w)) is not None:
            planned.append(entry)
    races = [r for r in (race_event(TpEvent.from_raw(e)) for e in events) if r is not None]
    return SourceRecords(
        source=SOURCE_KEY,
        label=SOURCE_LABEL,
        athlete=athlete_record(user),
        activities=tuple(activities),
        wellness=tuple(wellness_records(list(health), list(fitness))),
        events=(*planned, *races),
        unavailable=TP_UNAVAILABLE,
    )
