"""Fetch phase of a sync: Intervals.icu -> local store -> SyncInputs.

Core calls (athlete, activity list, wellness, events) must succeed or the run
stops with a one-line SyncError before any file is touched. Everything else is
optional: a failure becomes a warning and, where possible, the stored copy is
used. Requests per run are kept to the floor described in design.md: the
recent lists, the calendar and the athlete; history, curves, health markers
and per-activity resources only when new, changed or expired.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import __version__
from .context import EXTENDED_DAYS, SyncInputs
from .errors import ApiFailed, AuthFailed
from .model import Athlete, activities_from_raw, curves_from_raw, events_from_raw, wellness_from_raw
from .refresh import (
    CURVES_TTL_SECONDS,
    FULL_REFRESH_SECONDS,
    GENERATE_HISTORY_MAX_AGE,
    HEALTH_TTL_SECONDS,
    HISTORY_DAYS,
    cached_call,
    refresh_lists,
)
from .sources import errors as api_errors
from .sports import HEALTH_CATEGORIES
from .store import Store

EVENTS_BACK_DAYS = 14
EVENTS_AHEAD_DAYS = 90
HEALTH_BACK_DAYS = 365
CACHE_KEEP_SECONDS = 3 * 86400  # cached curves/health answers are keyed by date; drop old days


# ----------------------------------------------------------------- time


def athlete_zone(athlete: Athlete, warn: Callable[[str], None]) -> ZoneInfo | timezone:
    """The athlete's IANA timezone; UTC (with a warning) when missing or unknown."""
    if athlete.timezone:
        try:
            return ZoneInfo(athlete.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            warn(f"unknown athlete timezone {athlete.timezone!r}; using UTC for 'today'")
            return UTC
    warn("athlete has no timezone set in Intervals.icu; using UTC for 'today'")
    return UTC


def local_now(athlete: Athlete, now: datetime | None, warn: Callable[[str], None]) -> datetime:
    """Aware 'now' in the athlete's timezone (spec/pipeline.md §9.1 item 1)."""
    instant = now or datetime.now(UTC)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(athlete_zone(athlete, warn))


# ----------------------------------------------------------------- calls


def core_call(what: str, fn, *args, **kwargs):
    """Run a core API call, turning client errors into one-line SyncErrors."""
    try:
        return fn(*args, **kwargs)
    except api_errors.AuthError as exc:
        raise AuthFailed(f"{what}: {exc}") from None
    except api_errors.IntervalsError as exc:
        raise ApiFailed(f"{what}: {exc}") from None


def optional_call(what: str, warnings: list[str], fn, *args, **kwargs):
    """An optional call: on failure record a warning and return None."""
    try:
        return fn(*args, **kwargs)
    except api_errors.IntervalsError as exc:
        warnings.append(f"{what} unavailable: {exc}")
        return None


def source_status(failed: int, total: int, fallback: bool = False) -> str:
    """`metadata.sync_status` value of one source (fixes spec/pipeline.md §9.1
    item 13: failures of optional sources are no longer silent).

    "ok" | "partial: F of N failed" | "stale: refresh failed, stored copy used"
    (every call failed, an older stored answer stands in) | "unavailable".
    """
    if failed <= 0:
        return "ok"
    if failed < total:
        return f"partial: {failed} of {total} failed"
    return "stale: refresh failed, stored copy used" if fallback else "unavailable"


def cached_optional(
    store: Store,
    key: str,
    ttl: float,
    what: str,
    warnings: list[str],
    tally: list[int],
    fn,
    *args,
    now: float,
    **kwargs,
):
    """`cached_call` of an optional call; `tally` [failed, total, fallbacks]
    counts the calls made, those that failed and those a stale copy covered."""
    failed = []

    def fetch():
        value = optional_call(what, warnings, fn, *args, **kwargs)
        failed.append(value is None)
        return value

    value, _ = cached_call(store, key, ttl, fetch, now=now)
    if failed:
        tally[1] += 1
        if failed[0]:
            tally[0] += 1
            tally[2] += value is not None
    return value


def tally_status(tally: list[int]) -> str:
    failed, total, fallbacks = tally
    return source_status(failed, total, fallback=failed > 0 and fallbacks == failed)


# ----------------------------------------------------------------- phases


def fetch_inputs(
    client, settings, store: Store, warnings: list[str], previous_routes: dict | None = None
) -> SyncInputs:
    """All Intervals.icu calls of a sync (pipeline §1.1, without the waste of §9.4)."""
    from .resources import (
        fetch_chat_notes,
        fetch_intervals,
        fetch_routes,
        fetch_terrain,
        store_terrain,
    )
    from .sports import is_outdoor
    from .units import unit_preferences

    athlete_raw = core_call("athlete profile", client.athlete)
    if not isinstance(athlete_raw, dict):
        raise ApiFailed("athlete profile: the API answered with something that is not an object")
    athlete = Athlete.from_raw(athlete_raw)
    del athlete_raw  # holds secrets (icu_api_key); never kept, stored or serialized
    now = local_now(athlete, settings.now, warnings.append)
    today = now.date()
    span = max(settings.days, EXTENDED_DAYS)
    oldest = today - timedelta(days=span - 1)
    history_oldest = today - timedelta(days=HISTORY_DAYS - 1)

    # One wellness call covers the display window, the 28-day baseline, today and
    # yesterday (the reference made four calls); history comes from the store.
    report = core_call(
        "activity list and wellness",
        refresh_lists,
        client,
        store,
        today,
        span,
        now=now.timestamp(),
        max_history_age=(
            GENERATE_HISTORY_MAX_AGE if settings.generate_history else FULL_REFRESH_SECONDS
        ),
    )
    warnings.extend(report.warnings)
    events = events_from_raw(
        core_call(
            "calendar events",
            client.events,
            today - timedelta(days=max(settings.days - 1, EVENTS_BACK_DAYS)),
            today + timedelta(days=EVENTS_AHEAD_DAYS),
            resolve=True,
        )
    )
    status = {
        "athlete": "ok",
        "activities": "ok",
        "history": "ok",
        "wellness": "ok",
        "events": "ok",
        **report.status,
    }
    health_tally = [0, 0, 0]
    health_raw = cached_optional(
        store,
        f"health:{today.isoformat()}",
        HEALTH_TTL_SECONDS,
        "health markers (SICK/INJURED)",
        warnings,
        health_tally,
        client.events,
        today - timedelta(days=HEALTH_BACK_DAYS),
        today + timedelta(days=EVENTS_AHEAD_DAYS),
        category=sorted(HEALTH_CATEGORIES),
        resolve=False,
        now=now.timestamp(),
    )
    status["health_markers"] = tally_status(health_tally)
    health = tuple(events_from_raw(health_raw)) if health_raw is not None else None

    history = activities_from_raw(list(reversed(store.records("activity", history_oldest, today))))
    stubs = [a for a in history if a.is_stub and a.date and a.date >= oldest]
    history = [a for a in history if not a.is_stub]
    history.sort(key=lambda a: a.start_local or "", reverse=True)  # API order: newest first
    recent = [a for a in history if a.date and a.date >= oldest]
    history_wellness = wellness_from_raw(store.records("wellness", history_oldest, today))
    wellness = [w for w in history_wellness if w.date >= oldest]

    units = unit_preferences(athlete)
    window_28 = [a for a in recent if a.date >= today - timedelta(days=EXTENDED_DAYS - 1)]
    chat = fetch_chat_notes(client, store, recent, today, now, warnings, status=status)
    entries, records = fetch_intervals(
        client,
        store,
        window_28,
        events,
        today,
        now,
        warnings,
        on_streams=lambda a, streams: (
            store_terrain(store, a, streams, units, now) if is_outdoor(a.type) else None
        ),
        status=status,
    )
    terrain = fetch_terrain(client, store, recent, units, now, warnings, status=status)
    routes = fetch_routes(client, events, units, previous_routes, __version__)
    status["routes"] = source_status(sum(1 for r in routes if r.get("terrain_retry")), len(routes))
    store.prune_cache(CACHE_KEEP_SECONDS, now=now.timestamp())
    power_curves, hr_curves, sport_power, sport_hr = fetch_curves(
        client, store, recent, today, now, warnings, status=status
    )
    return SyncInputs(
        today=today,
        now=now,
        days=settings.days,
        athlete=athlete,
        activities=tuple(recent),
        wellness=tuple(wellness),
        events=tuple(events),
        health_events=health,
        hidden_activities=len(stubs),
        week_start=settings.week_start,
        zone_preference=dict(settings.zone_preference),
        chat_notes=chat,
        anonymize=settings.anonymize,
        version=__version__,
        power_curves=power_curves,
        hr_curves=hr_curves,
        sport_power_curves=sport_power,
        sport_hr_curves=sport_hr,
        history_activities=tuple(history),
        history_wellness=tuple(history_wellness),
        sync_status=status,
        intervals_entries=entries,
        intervals_states=records,
        activity_terrain=terrain,
        route_entries=tuple(routes),
    )


def fetch_curves(
    client,
    store: Store,
    activities,
    today: date,
    now: datetime,
    warnings: list[str],
    status: dict[str, str] | None = None,
):
    """Power/HR curves for the 28-day deltas (§14) and the 42-day sustainability
    profile (§15). One power call per sport type carries every window it needs;
    answers are cached for a few hours (the windows move with the date, which
    is part of the cache key)."""
    from .metrics.curves import delta_curve_ids
    from .metrics.sustainability import sustainability_curve_id, sustainability_families

    delta_ids = delta_curve_ids(today)
    window_42 = sustainability_curve_id(today)
    families = sustainability_families(
        [a for a in activities if a.date and a.date >= today - timedelta(days=27)]
    )
    types = [t for family_types in families.values() for t in family_types]

    tallies = {"power_curves": [0, 0, 0], "hr_curves": [0, 0, 0]}

    def cached(key: str, what: str, fn, *args):
        tally = tallies["power_curves" if fn == client.power_curves else "hr_curves"]
        return cached_optional(
            store, key, CURVES_TTL_SECONDS, what, warnings, tally, fn, *args, now=now.timestamp()
        )

    power_by_type: dict[str, dict] = {}
    for sport_type in dict.fromkeys(["Ride", *types]):
        ids = [*delta_ids, window_42] if sport_type == "Ride" else [window_42]
        raw = cached(
            f"power:{sport_type}:{','.join(ids)}",
            f"{sport_type} power curves",
            client.power_curves,
            ids,
            sport_type,
        )
        if raw is not None:
            power_by_type[sport_type] = curves_from_raw(raw, ("watts", "values"))
    ride = power_by_type.get("Ride")
    power_delta = {k: v for k, v in ride.items() if k in delta_ids} if ride is not None else None
    hr_raw = cached(f"hr:all:{','.join(delta_ids)}", "HR curves", client.hr_curves, delta_ids)
    hr_delta = curves_from_raw(hr_raw, ("values",)) if hr_raw is not None else None
    hr_by_type: dict[str, dict] = {}
    for sport_type in types:
        raw = cached(
            f"hr:{sport_type}:{window_42}",
            f"{sport_type} HR curves",
            client.hr_curves,
            [window_42],
            sport_type,
        )
        if raw is not None:
            hr_by_type[sport_type] = curves_from_raw(raw, ("values",))
    sport_power = {t: c for t, c in power_by_type.items() if t in types}
    if status is not None:
        status.update({name: tally_status(tally) for name, tally in tallies.items()})
    return power_delta, hr_delta, sport_power, hr_by_type
