"""The fetch stage of one sync: Intervals.icu -> local store -> raw payloads.

Core calls (athlete, activity list, wellness, events) must succeed or the run
stops with a one-line SyncError before any file is touched. Everything else is
optional: a failure becomes a warning and, where possible, the stored copy is
used. Requests per run are kept to the floor described in docs/architecture.md#caching: the
recent lists, the calendar and the athlete; history, curves, health markers
and per-activity resources only when new, changed or expired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ApiFailed
from ..sources.intervals import IntervalsClient
from ..sports import HEALTH_CATEGORIES
from ..windows import EXTENDED_DAYS, HISTORY_DAYS
from .calls import cached_optional, core_call, in_parallel
from .curves import CurvePlan, RawCurves, fetch_curves
from .lists import (
    CHUNK_DAYS,
    FULL_REFRESH_SECONDS,
    GENERATE_HISTORY_MAX_AGE,
    RefreshReport,
    refresh_history,
    refresh_lists,
)
from .raw import ActivityRef, activity_refs, event_refs, text
from .resources import Reducer, fetch_chat_notes, fetch_intervals, fetch_terrain
from .routes import AttachmentLike, RouteFile, download_routes
from .status import OK, Tally
from .store import Store

EVENTS_BACK_DAYS = 14
EVENTS_AHEAD_DAYS = 90
HEALTH_BACK_DAYS = 365
HEALTH_TTL_SECONDS = 6 * 3600
CACHE_KEEP_SECONDS = 3 * 86400  # cached curves/health answers are keyed by date; drop old days


@dataclass(frozen=True)
class IngestRequest:
    """What the run asks for: the display window, the clock, the history refresh."""

    days: int  # display window N (--days)
    now: datetime | None = None  # None = the real clock
    generate_history: bool = False  # refresh the 3-year history if older than a day


@dataclass(frozen=True)
class Hooks:
    """Decisions that need normalized data or a metric, passed in by the pipeline.

    dfa_block / terrain reduce a streams payload to what the store keeps (the
    DFA block; the terrain keys in metric units). curve_plan picks the curves
    from today and the 28-day activities. routes_wanted picks, from the raw
    calendar events, the route attachments that need a download.
    """

    dfa_block: Reducer
    terrain: Reducer
    curve_plan: Callable[[date, Sequence[ActivityRef]], CurvePlan]
    routes_wanted: Callable[[list[Any]], Iterable[AttachmentLike]]


@dataclass
class Ingested:
    """Everything the fetch stage got, raw, for the pipeline to normalize.

    `athlete` is the raw profile and holds secrets (icu_api_key): convert it and
    let it go; it is never stored or serialized.
    """

    athlete: dict[str, Any]
    now: datetime  # aware, in the athlete's timezone
    oldest: date  # first day of the max(N, 28)-day window
    activities: list[Any]  # raw activities since `oldest`, newest day first
    wellness: list[Any]  # raw wellness since `oldest`, ascending (history_records: 3 years)
    events: list[Any]  # calendar, today-max(N-1,14) .. today+90
    health: list[Any] | None  # SICK/INJURED markers, 365 d back; None = unavailable
    chat_notes: dict[str, tuple[str, ...]]
    intervals: dict[str, dict[str, Any]]  # {"intervals": raw list, "dfa": block} by id
    fetch_states: dict[str, dict]  # per-activity retry records
    terrain: dict[str, dict[str, Any]]  # terrain keys (metric units) by activity id
    route_files: dict[str, RouteFile]  # attachment id -> bytes or the error
    curves: RawCurves
    status: dict[str, str] = field(default_factory=dict)  # metadata.sync_status

    @property
    def today(self) -> date:
        return self.now.date()


# ----------------------------------------------------------------- time


def athlete_zone(tz_name: str | None, warn: Callable[[str], None]) -> ZoneInfo | timezone:
    """The athlete's IANA timezone; UTC (with a warning) when missing or unknown."""
    if tz_name:
        try:
            return ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            warn(f"unknown athlete timezone {tz_name!r}; using UTC for 'today'")
            return UTC
    warn("athlete has no timezone set in Intervals.icu; using UTC for 'today'")
    return UTC


def local_now(tz_name: str | None, now: datetime | None, warn: Callable[[str], None]) -> datetime:
    """Aware 'now' in the athlete's timezone (weakness 9.1.1 (docs/architecture.md#reference-weaknesses))."""
    instant = now or datetime.now(UTC)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(athlete_zone(tz_name, warn))


# ----------------------------------------------------------------- the stage


class Stage:
    """One optional stage's warnings and status, merged in a fixed order afterwards
    so that concurrent stages report exactly as sequential ones did."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.status: dict[str, str] = {}

    def merge_into(self, warnings: list[str], status: dict[str, str]) -> None:
        warnings.extend(self.warnings)
        status.update(self.status)


def requests_in_flight(workers: int) -> int:
    """The most requests `fetch_raw` has in flight at once through a client with
    `workers` (its connection pool's size: a smaller pool drops connections). The
    widest step runs at once the health markers, the intervals batches and the
    curves (one request at a time each), the messages and the DFA streams
    (`workers` at a time each) and the older 3-year history chunks (activities
    and wellness for each). Route files go through the client's download session."""
    older_chunks = -(-HISTORY_DAYS // CHUNK_DAYS) - 1
    return 3 + 2 * workers + 2 * older_chunks


def fetch_raw(
    client: IntervalsClient,
    store: Store,
    request: IngestRequest,
    hooks: Hooks,
    warnings: list[str],
) -> Ingested:
    """All Intervals.icu calls of a sync (docs/architecture.md#one-sync, without the waste of weakness 9.4 (docs/architecture.md#reference-weaknesses)).

    The athlete (its timezone fixes "today"), the recent lists and the calendar
    first (`athlete_and_recent`); then, all at once, the health markers, the
    per-activity resources, the route files, the curves and the 3-year history
    chunks when due (the shared token bucket paces them). Only the recent
    window is read back from the store: `history_records` loads the 3 years
    when the pipeline has to rebuild them.
    """
    athlete, now, (report, events) = athlete_and_recent(client, store, request, warnings)
    today = now.date()
    span = max(request.days, EXTENDED_DAYS)
    oldest = today - timedelta(days=span - 1)

    warnings.extend(report.warnings)
    status = {"athlete": OK, "activities": OK, "history": OK, "wellness": OK, "events": OK}
    status.update(report.status)

    activities = list(reversed(store.records("activity", oldest, today)))
    recent = [a for a in activity_refs(activities) if not a.is_stub and a.date and a.date >= oldest]
    recent.sort(key=lambda a: a.start_local or "", reverse=True)  # API order: newest first
    window_28 = [
        a for a in recent if a.date and a.date >= today - timedelta(days=EXTENDED_DAYS - 1)
    ]
    health_stage, chat_stage, intervals_stage, curves_stage = Stage(), Stage(), Stage(), Stage()

    def per_activity() -> tuple[Any, Any, Any]:
        payloads, records = fetch_intervals(
            client,
            store,
            window_28,
            event_refs(events),
            today,
            now,
            intervals_stage.warnings,
            (hooks.dfa_block, hooks.terrain),
            intervals_stage.status,
        )
        terrain = fetch_terrain(
            client,
            store,
            recent,
            now,
            intervals_stage.warnings,
            hooks.terrain,
            intervals_stage.status,
        )
        return payloads, records, terrain

    health, chat, (payloads, records, terrain), route_files, curves, history = in_parallel(
        lambda: fetch_health(client, store, today, now, health_stage.warnings, health_stage.status),
        lambda: fetch_chat_notes(
            client, store, recent, today, now, chat_stage.warnings, chat_stage.status
        ),
        per_activity,
        lambda: download_routes(client, hooks.routes_wanted(events)),
        lambda: fetch_curves(
            client,
            store,
            hooks.curve_plan(today, window_28),
            now,
            curves_stage.warnings,
            curves_stage.status,
        ),
        lambda: core_call(
            "activity list and wellness",
            refresh_history,
            client,
            store,
            RefreshReport(history_due=report.history_due, history_chunks=report.history_chunks),
            today,
            now.timestamp(),
        ),
    )
    for stage in (health_stage, chat_stage, intervals_stage, curves_stage):
        stage.merge_into(warnings, status)
    warnings.extend(history.warnings)
    status.update(history.status)
    store.prune_cache(CACHE_KEEP_SECONDS, now=now.timestamp())
    note_dropped_numbers(client.dropped_numbers(), warnings, status)
    return Ingested(
        athlete=athlete,
        now=now,
        oldest=oldest,
        activities=activities,
        wellness=store.records("wellness", oldest, today),
        events=events if isinstance(events, list) else [],
        health=health,
        chat_notes=chat,
        intervals=payloads,
        fetch_states=records,
        terrain=terrain,
        route_files=route_files,
        curves=curves,
        status=status,
    )


ZONE_KEY = "athlete_timezone"  # store meta: the zone "today" was taken in last run


def athlete_and_recent(
    client: IntervalsClient, store: Store, request: IngestRequest, warnings: list[str]
) -> tuple[dict[str, Any], datetime, tuple[RefreshReport, Any]]:
    """(athlete, now in the athlete's zone, (recent lists report, calendar)).

    The athlete's timezone fixes "today", which the recent lists and the calendar
    are asked for. With the zone of the last run at hand, all of them go at once,
    on the day it gives (one round trip instead of two); should the answer name a
    zone with another day, the lists and the calendar are asked again. A first run
    asks for the athlete first."""
    hint = store.meta(ZONE_KEY)
    guess = local_now(hint, request.now, lambda _: None) if hint else None
    calls: list[Callable[[], Any]] = [lambda: core_call("athlete profile", client.athlete)]
    if guess is not None:
        calls.append(lambda: settled(lambda: recent_lists(client, store, request, guess)))
    athlete, *early = in_parallel(*calls)
    if not isinstance(athlete, dict):
        raise ApiFailed("athlete profile: the API answered with something that is not an object")
    now = local_now(text(athlete.get("timezone")), request.now, warnings.append)
    if hint != str(now.tzinfo):
        store.set_meta(ZONE_KEY, str(now.tzinfo))
    if guess is None or guess.date() != now.date():
        return athlete, now, recent_lists(client, store, request, now)
    if isinstance(early[0], Exception):
        raise early[0]
    return athlete, now, early[0]


def settled(call: Callable[[], Any]) -> Any:
    """The call's result, or the exception it raised (to raise later, or drop)."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - handed back to the caller
        return exc


def recent_lists(
    client: IntervalsClient, store: Store, request: IngestRequest, now: datetime
) -> tuple[RefreshReport, Any]:
    """The recent activity and wellness lists into the store, and the calendar, at
    once. One wellness call covers the display window, the 28-day baseline, today
    and yesterday (the reference made four calls); history comes from the store."""
    today = now.date()
    report, events = in_parallel(
        lambda: core_call(
            "activity list and wellness",
            refresh_lists,
            client,
            store,
            today,
            max(request.days, EXTENDED_DAYS),
            now=now.timestamp(),
            max_history_age=(
                GENERATE_HISTORY_MAX_AGE if request.generate_history else FULL_REFRESH_SECONDS
            ),
        ),
        lambda: core_call(
            "calendar events",
            client.events,
            today - timedelta(days=max(request.days - 1, EVENTS_BACK_DAYS)),
            today + timedelta(days=EVENTS_AHEAD_DAYS),
            resolve=True,
        ),
    )
    return report, events


def note_dropped_numbers(
    dropped: Mapping[str, int], warnings: list[str], status: dict[str, str]
) -> None:
    """`sync_status.numbers` (and a warning) when answers held numbers that
    cannot be real (NaN, Infinity, 1e400, thousands of digits): they were read
    as absent values."""
    if not dropped:
        return
    total = sum(dropped.values())
    where = ", ".join(sorted(dropped))
    status["numbers"] = f"dropped: {total} unreadable numbers read as absent ({where})"
    warnings.append(
        f"{total} numbers that are not finite or absurdly long were read as absent ({where})"
    )


def history_records(store: Store, today: date) -> tuple[list[Any], list[Any]]:
    """The 3-year raw activities (newest day first) and wellness (ascending)."""
    history_oldest = today - timedelta(days=HISTORY_DAYS - 1)
    activities = list(reversed(store.records("activity", history_oldest, today)))
    return activities, store.records("wellness", history_oldest, today)


def fetch_health(
    client: IntervalsClient,
    store: Store,
    today: date,
    now: datetime,
    warnings: list[str],
    status: dict[str, str],
) -> list[Any] | None:
    """The year of SICK/INJURED markers (cached a few hours); None when unavailable."""
    tally = Tally()
    raw = cached_optional(
        store,
        f"health:{today.isoformat()}",
        HEALTH_TTL_SECONDS,
        "health markers (SICK/INJURED)",
        warnings,
        tally,
        client.events,
        today - timedelta(days=HEALTH_BACK_DAYS),
        today + timedelta(days=EVENTS_AHEAD_DAYS),
        category=sorted(HEALTH_CATEGORIES),
        resolve=False,
        now=now.timestamp(),
    )
    status["health_markers"] = tally.status
    return raw if isinstance(raw, list) or raw is None else []
