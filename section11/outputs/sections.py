"""derived_metrics and the computed sections of latest.json, from a SyncInputs.

Glue only: every number comes from a metric family in `section11.metrics`.
Order of work follows the data flow: load/recovery -> zones/TID -> capability
-> race calendar and plan -> phase -> benchmark -> alerts -> readiness.

Windows: metrics labelled "7d" always cover the last 7 calendar days and "28d"
the last 28, whatever --days is (deviation D1: the reference stretched its
"7d" metrics over the --days display window).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..context import SyncInputs
from ..metrics import (
    alerts,
    benchmark,
    capability,
    consistency,
    curves,
    dfa_profile,
    health,
    monotony,
    phase,
    phase_rows,
    race,
    readiness,
    recovery,
    sustainability,
    tid,
    weight,
    zones,
)
from ..metrics.fitness import latest_vo2max, power_model
from ..metrics.season import hemisphere, season_label
from ..model import Activity
from ..units import unit_preferences
from .latest import current_fitness
from .planned import planned_workouts
from .profile import thresholds_sports

EVENTS_FLOOR_DAYS = 14


@dataclass(frozen=True)
class Sections:
    derived: dict[str, Any]
    sections: dict[str, Any]  # alerts, readiness_decision, health_context, race_calendar, weight


def last_days(items: Iterable, today: date, days: int) -> list:
    start = today - timedelta(days=days - 1)
    return [x for x in items if x.date is not None and start <= x.date <= today]


def compute_sections(
    ctx: SyncInputs,
    *,
    routes_with_terrain: Iterable[str] = frozenset(),
    history_activities: Iterable[Activity] = (),
) -> Sections:
    """Every computed section of latest.json (docs/metrics.md#output-layout, docs/metrics.md#load-and-acwr–docs/metrics.md#weight)."""
    today = ctx.today
    prefs = ctx.zone_preference
    units = unit_preferences(ctx.athlete)
    acts7 = last_days(ctx.activities, today, 7)
    acts28 = last_days(ctx.activities, today, 28)
    well7 = last_days(ctx.wellness, today, 7)
    well28 = last_days(ctx.wellness, today, 28)
    sports = thresholds_sports(ctx.athlete)
    cycling = sports.get("cycling") or {}
    power = {**power_model(ctx.today_wellness), **latest_vo2max(ctx.wellness, ctx.today)}
    fitness = current_fitness(ctx)
    terrain_ids = frozenset(routes_with_terrain)

    derived: dict[str, Any] = {}
    derived.update(monotony.load_recovery_metrics(acts7, acts28, well7, well28, today))
    derived.update(zones.zone_distribution_block(acts7, prefs))

    calendar = race.race_calendar(
        ctx.future_events, acts7, today, fitness.get("ctl"), fitness.get("atl"), units, terrain_ids
    )
    plan, _stats = planned_workouts(ctx.near_future_events, today, terrain_ids)
    rows = phase_rows.live_weekly_rows(
        acts28,
        today,
        ctx.week_start,
        derived.get("primary_sport"),
        prefs,
        ctl=fitness.get("ctl"),
        atl=fitness.get("atl"),
        acwr=derived.get("acwr"),
        monotony=derived.get("monotony"),
        history_weekly=ctx.history_weekly,
        wellness=well28,
    )
    derived["hard_days_this_week"] = phase_rows.hard_days_this_week(rows)
    derived["hard_days_note"] = zones.hard_days_note()

    tids = tid.tid_blocks(acts7, acts28, derived.get("primary_sport"), prefs)
    derived.update(tids)
    families = sustainability.sustainability_families(acts28)
    derived["capability"] = {
        "durability": capability.durability(acts7, acts28),
        "efficiency_factor": capability.efficiency_factor(acts7, acts28),
        "hrrc": capability.hrrc(acts7, acts28),
        "tid_comparison": tid.tid_comparison(tids["seiler_tid_7d"], tids["seiler_tid_28d"]),
        "power_curve_delta": curves.power_curve_delta(ctx.power_curves, today),
        "hr_curve_delta": curves.hr_curve_delta(ctx.hr_curves, today),
        "sustainability_profile": sustainability.sustainability_profile(
            ctx.sport_power_curves,
            ctx.sport_hr_curves,
            today,
            well7,
            well28,
            ctx.athlete.weight,
            sports,
            power.get("w_prime"),
            ctx.ftp_history,
            families=list(families),
        ),
        "dfa_a1_profile": dfa_profile.dfa_a1_profile(
            [e for e in ctx.intervals_entries.values() if isinstance(e, Mapping)]
        ),
    }
    derived.update(
        consistency.consistency_block(last_days(ctx.past_events, today, 7), acts7, today)
    )
    detection = phase.phase_detection(
        rows, today, ctx.week_start, prefs, plan, calendar.get("next_race")
    )
    derived.update(phase.phase_keys(detection))
    indoor_tl, outdoor_tl = benchmark.activity_ftp_timelines(history_activities or ctx.activities)
    next_race = calendar.get("next_race") or {}
    season = season_label(
        today.month,
        hemisphere(ctx.athlete.timezone, ctx.athlete.country),
        detection.get("phase"),
        next_race.get("days_until"),
    )
    derived.update(
        benchmark.benchmark_metrics(
            ctx.ftp_history,
            today,
            cycling.get("ftp_indoor"),
            cycling.get("ftp"),
            indoor_tl,
            outdoor_tl,
            season,
        )
    )
    for key in (
        "eftp",
        "w_prime",
        "w_prime_kj",
        "p_max",
        "power_model_source",
        "vo2max",
        "vo2max_date",
    ):
        derived[key] = power.get(key)
    derived["calculation_timestamp"] = ctx.now.isoformat(timespec="seconds")
    points = recovery.recovery_data_points(well7)
    derived["data_quality"] = {
        "hrv_data_points": points["hrv_data_points"],
        "rhr_data_points": points["rhr_data_points"],
        "activities_7d": len(acts7),
        "activities_28d": len(acts28),
        "planned_workouts_7d": consistency.planned_workouts_count(
            last_days(ctx.past_events, today, 7)
        ),
        "ftp_history_days": benchmark.ftp_history_days(ctx.ftp_history),
    }

    alert_list = alerts.build_alerts(derived, well7, race.race_alerts(calendar))
    latest_wellness = well7[-1] if well7 else None
    decision = readiness.readiness_decision(
        derived,
        alert_list,
        latest_wellness,
        detection.get("phase"),
        detection.get("phase_duration_weeks"),
        calendar.get("race_week"),
        fitness.get("tsb"),
    )
    floor = today - timedelta(days=max(ctx.days - 1, EVENTS_FLOOR_DAYS))
    sections = {
        "alerts": alert_list,
        "readiness_decision": decision,
        "health_context": health.health_context(
            ctx.health_events, ctx.events, floor, latest_wellness, today
        ),
        "race_calendar": calendar,
        "weight": weight.weight_signal(
            well28, today, sports, power.get("eftp"), ctx.ftp_history, units
        ),
    }
    return Sections(derived=derived, sections=sections)
