"""latest.json assembly (docs/metrics.md#output-layout, docs/architecture.md#writing-files, README.md#privacy).

`assemble_latest` builds the core sections from a `SyncInputs` and slots in
the sections other modules compute (derived metrics, alerts, readiness,
health context, history, race calendar, body-weight signal). A section that
is not passed is left out; the pipeline passes them all, as the schema
requires. Blocks with null values get their `null_reasons` last. Pure: "now" and "today" come from the context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..context import EXTENDED_DAYS, SyncInputs
from ..metrics.dfa import dfa_summary as default_dfa_summary
from ..metrics.fitness import fitness_block, fitness_fallback_row, latest_vo2max, power_model
from ..model import Activity
from ..sports import TRAINING_CATEGORIES
from ..units import unit_preferences
from .activities import recent_activities
from .ai_text import read_this_first
from .null_reasons import annotate_nulls
from .planned import planned_workouts
from .profile import athlete_profile, thresholds_block
from .summary import quick_stats, summary, weekly_summary
from .wellness import current_metrics, wellness_data

# Sections produced elsewhere, accepted through `sections` (weight goes into current_status).
EXTERNAL_SECTIONS = (
    "alerts",
    "readiness_decision",
    "health_context",
    "history",
    "race_calendar",
    "weight",
)
# Version of schemas/latest.schema.json, emitted as metadata.schema_version;
# bumped on a breaking change of the file (CHANGELOG.md).
LATEST_SCHEMA_VERSION = 2

HIDDEN_NOTE = (
    "{n} Strava-sourced activities in this period are hidden by the "
    "Intervals.icu API and are not included. Connect the device to "
    "Intervals.icu directly (not through Strava) to include them."
)


def recent_window_activities(ctx: SyncInputs) -> list[Activity]:
    """Activities of the extended window: 28 days, or N when --days is larger (docs/metrics.md#recent-activities)."""
    start = ctx.days_ago(max(ctx.days, EXTENDED_DAYS) - 1)
    return [
        a
        for a in ctx.activities
        if not a.is_stub and (a.date is None or start <= a.date <= ctx.today)
    ]


def _timezone_name(ctx: SyncInputs) -> str | None:
    if ctx.athlete.timezone:
        return ctx.athlete.timezone
    tz = ctx.now.tzinfo
    return getattr(tz, "key", None) or (str(tz) if tz else None)


def metadata(ctx: SyncInputs) -> dict[str, Any]:
    """`metadata` block. athlete_id is redacted later by the anonymizer when enabled."""
    out: dict[str, Any] = {
        "athlete_id": ctx.athlete.id,
        "last_updated": ctx.now.isoformat(),
        "data_range_days": ctx.days,
        "extended_range_days": EXTENDED_DAYS,
        "version": ctx.version,
        "schema_version": LATEST_SCHEMA_VERSION,
        "timezone": _timezone_name(ctx),
        "hidden_activities": ctx.hidden_activities,
    }
    if ctx.hidden_activities > 0:
        out["hidden_activities_note"] = HIDDEN_NOTE.format(n=ctx.hidden_activities)
    if ctx.sync_status:
        # per source: ok | partial: F of N failed | stale: refresh failed, stored copy
        # used | unavailable | kept_previous (a suspicious answer, e.g. an empty
        # activity list after a full one, was ignored in favour of stored data)
        out["sync_status"] = dict(ctx.sync_status)
    return out


def current_fitness(ctx: SyncInputs) -> dict[str, Any]:
    """docs/metrics.md#fitness fitness with today's planned training events and today's completed activities,
    falling back to the latest recent wellness row with CTL/ATL."""
    planned = [e for e in ctx.events if e.date == ctx.today and e.category in TRAINING_CATEGORIES]
    completed = [a for a in ctx.activities_7d if a.date == ctx.today]
    fallback = fitness_fallback_row(ctx.wellness, ctx.today)
    return fitness_block(ctx.today_wellness, ctx.yesterday_wellness, planned, completed, fallback)


def assemble_latest(
    ctx: SyncInputs,
    *,
    derived: Mapping | None = None,
    sections: Mapping[str, Any] | None = None,
    routes_with_terrain: Iterable[str] = frozenset(),
    activity_terrain: Mapping[str, Mapping[str, Any]] | None = None,
    dfa_summary: Callable | None = default_dfa_summary,
) -> dict:
    """The latest.json document, top-level keys in the reference's order (docs/metrics.md#output-layout).

    derived: the derived_metrics dict. sections: any of alerts,
    readiness_decision, health_context, history, race_calendar and weight
    (current_status.weight, omitted when None). routes_with_terrain: event ids
    with a route terrain summary (planned has_terrain). activity_terrain:
    terrain keys of outdoor activities by id. dfa_summary: compact DFA summary
    function (defaults to the DFA module's).
    """
    sections = dict(sections or {})
    unknown = set(sections) - set(EXTERNAL_SECTIONS)
    if unknown:
        raise ValueError(f"unknown latest.json sections: {sorted(unknown)}")

    athlete = ctx.athlete
    units = unit_preferences(athlete)
    display_activities = list(ctx.activities_7d)
    display_wellness = list(ctx.wellness_7d)
    power = {**power_model(ctx.today_wellness), **latest_vo2max(ctx.wellness, ctx.today)}
    planned, planned_stats = planned_workouts(
        ctx.near_future_events, ctx.today, routes_with_terrain
    )

    current_status: dict[str, Any] = {
        "fitness": current_fitness(ctx),
        "thresholds": thresholds_block(athlete, power),
        "current_metrics": current_metrics(display_wellness, athlete, units),
    }
    if sections.get("weight") is not None:
        current_status["weight"] = sections["weight"]

    doc: dict[str, Any] = {
        "READ_THIS_FIRST": read_this_first(
            ctx.days, ctx.zone_preference, quick_stats(display_activities), EXTENDED_DAYS
        ),
        "metadata": metadata(ctx),
        "athlete_profile": athlete_profile(athlete, ctx.today, units),
        "athlete_notes": athlete.notes,
    }
    for key in ("alerts", "readiness_decision", "health_context", "history"):
        if key in sections:
            doc[key] = sections[key]
    doc["summary"] = summary(display_activities, ctx.days, units)
    doc["current_status"] = current_status
    if derived is not None:
        doc["derived_metrics"] = dict(derived)
    doc["recent_activities"] = recent_activities(
        recent_window_activities(ctx),
        athlete=athlete,
        units=units,
        intervals_entries=ctx.intervals_entries,
        chat_notes=ctx.chat_notes,
        activity_terrain=activity_terrain,
        dfa_summary=dfa_summary,
    )
    doc["wellness_data"] = wellness_data(display_wellness, units)
    doc["planned_workouts"] = planned
    doc["workout_summary_stats"] = planned_stats
    doc["weekly_summary"] = weekly_summary(display_activities, display_wellness)
    if "race_calendar" in sections:
        doc["race_calendar"] = sections["race_calendar"]
    return annotate_nulls(doc)
