"""One data sync: fetch -> normalize -> compute -> write.

The two ends touch the outside world: `fetch_inputs` talks to Intervals.icu
through the client, `write_outputs` writes files atomically. Everything in
between is pure. A core fetch failure raises a SyncError before any file is
touched, so previous outputs stay byte-identical.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import __version__
from .context import EXTENDED_DAYS, SyncInputs
from .errors import ApiFailed, AuthFailed, NotAvailable
from .model import (Athlete, activities_from_raw, curves_from_raw, events_from_raw,
                    wellness_from_raw)
from .sources import errors as api_errors
from .sports import HEALTH_CATEGORIES

EVENTS_BACK_DAYS = 14
EVENTS_AHEAD_DAYS = 90
HEALTH_BACK_DAYS = 365
MESSAGES_DAYS = 7


@dataclass
class SyncResult:
    """What a sync produced: documents by file name and a run report."""

    documents: dict[str, Any]
    inputs: SyncInputs
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


# ----------------------------------------------------------------- time


def athlete_zone(athlete: Athlete, warn: Callable[[str], None]) -> ZoneInfo | timezone:
    """The athlete's IANA timezone; UTC (with a warning) when missing or unknown."""
    if athlete.timezone:
        try:
            return ZoneInfo(athlete.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            warn(f"unknown athlete timezone {athlete.timezone!r}; using UTC for 'today'")
            return timezone.utc
    warn("athlete has no timezone set in Intervals.icu; using UTC for 'today'")
    return timezone.utc


def local_now(athlete: Athlete, now: datetime | None, warn: Callable[[str], None]) -> datetime:
    """Aware 'now' in the athlete's timezone (spec/pipeline.md §9.1 item 1)."""
    instant = now or datetime.now(timezone.utc)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(athlete_zone(athlete, warn))


# ----------------------------------------------------------------- fetch


def _api_call(what: str, fn, *args, **kwargs):
    """Run a core API call, turning client errors into one-line SyncErrors."""
    try:
        return fn(*args, **kwargs)
    except api_errors.AuthError as exc:
        raise AuthFailed(f"{what}: {exc}") from None
    except api_errors.IntervalsError as exc:
        raise ApiFailed(f"{what}: {exc}") from None


def _optional_call(what: str, warnings: list[str], fn, *args, **kwargs):
    """An optional call: on failure record a warning and return None."""
    try:
        return fn(*args, **kwargs)
    except api_errors.IntervalsError as exc:
        warnings.append(f"{what} unavailable: {exc}")
        return None


def fetch_inputs(client, settings, warnings: list[str]) -> SyncInputs:
    """All Intervals.icu calls of a sync (pipeline §1.1, without the waste of §9.4)."""
    athlete_raw = _api_call("athlete profile", client.athlete)
    if not isinstance(athlete_raw, dict):
        raise ApiFailed("athlete profile: the API answered with something that is not an object")
    athlete = Athlete.from_raw(athlete_raw)
    del athlete_raw  # holds secrets (icu_api_key); never kept or serialized
    now = local_now(athlete, settings.now, warnings.append)
    today = now.date()
    span = max(settings.days, EXTENDED_DAYS)
    oldest = today - timedelta(days=span - 1)

    activities_raw = _api_call("activity list", client.activities, oldest, today)
    activities = activities_from_raw(activities_raw)
    stubs = [a for a in activities if a.is_stub]
    activities = [a for a in activities if not a.is_stub]
    # One wellness call covers the display window, the 28-day baseline, today and
    # yesterday (the reference made four calls).
    wellness = wellness_from_raw(_api_call("wellness", client.wellness, oldest, today))
    events_oldest = today - timedelta(days=max(settings.days - 1, EVENTS_BACK_DAYS))
    events = events_from_raw(_api_call(
        "calendar events", client.events, events_oldest,
        today + timedelta(days=EVENTS_AHEAD_DAYS), resolve=True))
    health_raw = _optional_call(
        "health markers (SICK/INJURED)", warnings, client.events,
        today - timedelta(days=HEALTH_BACK_DAYS), today + timedelta(days=EVENTS_AHEAD_DAYS),
        category=sorted(HEALTH_CATEGORIES), resolve=False)
    health = tuple(events_from_raw(health_raw)) if health_raw is not None else None

    chat = fetch_chat_notes(client, activities, today, warnings)
    power_curves, hr_curves, sport_power, sport_hr = fetch_curves(client, activities, today,
                                                                   warnings)
    return SyncInputs(
        today=today, now=now, days=settings.days, athlete=athlete,
        activities=tuple(activities), wellness=tuple(wellness), events=tuple(events),
        health_events=health, hidden_activities=len(stubs),
        week_start=settings.week_start, zone_preference=dict(settings.zone_preference),
        chat_notes=chat, anonymize=settings.anonymize, version=__version__,
        power_curves=power_curves, hr_curves=hr_curves,
        sport_power_curves=sport_power, sport_hr_curves=sport_hr,
    )


def fetch_curves(client, activities, today: date, warnings: list[str]):
    """Power/HR curves for the 28-day deltas (§14) and the 42-day sustainability
    profile (§15). One power call per sport type carries every window it needs
    (the reference made separate calls per window)."""
    from .metrics.curves import delta_curve_ids
    from .metrics.sustainability import sustainability_curve_id, sustainability_families

    delta_ids = delta_curve_ids(today)
    window_42 = sustainability_curve_id(today)
    families = sustainability_families(
        [a for a in activities if a.date and a.date >= today - timedelta(days=27)])
    types = [t for family_types in families.values() for t in family_types]

    power_by_type: dict[str, dict] = {}
    for sport_type in dict.fromkeys(["Ride", *types]):
        ids = [*delta_ids, window_42] if sport_type == "Ride" else [window_42]
        raw = _optional_call(f"{sport_type} power curves", warnings, client.power_curves,
                             ids, sport_type)
        if raw is not None:
            power_by_type[sport_type] = curves_from_raw(raw, ("watts", "values"))
    ride = power_by_type.get("Ride")
    power_delta = {k: v for k, v in ride.items() if k in delta_ids} if ride is not None else None
    hr_raw = _optional_call("HR curves", warnings, client.hr_curves, delta_ids)
    hr_delta = curves_from_raw(hr_raw, ("values",)) if hr_raw is not None else None
    hr_by_type: dict[str, dict] = {}
    for sport_type in types:
        raw = _optional_call(f"{sport_type} HR curves", warnings, client.hr_curves,
                             [window_42], sport_type)
        if raw is not None:
            hr_by_type[sport_type] = curves_from_raw(raw, ("values",))
    sport_power = {t: c for t, c in power_by_type.items() if t in types}
    return power_delta, hr_delta, sport_power, hr_by_type


def fetch_chat_notes(client, activities, today: date, warnings: list[str]) -> dict:
    """Activity messages for the last 8 calendar days (spec §25.6)."""
    recent = [a for a in activities if a.date and a.date >= today - timedelta(days=MESSAGES_DAYS)]
    if not recent:
        return {}
    notes: dict[str, tuple[str, ...]] = {}
    failed = 0
    for activity, result in zip(recent, client.map_bounded(
            lambda a: client.activity_messages(a.id), recent)):
        if isinstance(result, Exception) or not isinstance(result, list):
            failed += 1
            continue
        texts = []
        for message in result:
            if not isinstance(message, dict):
                continue
            body = message.get("content") if isinstance(message.get("content"), str) else message.get("text")
            if isinstance(body, str) and body.strip():
                texts.append(body.strip())
        if texts:
            notes[activity.id] = tuple(texts)
    if failed:
        warnings.append(f"activity messages unavailable for {failed} of {len(recent)} activities")
    return notes


# ----------------------------------------------------------------- build


def build_documents(ctx: SyncInputs, previous_ftp: dict | None = None) -> dict[str, Any]:
    """Every output document, by file name (pure).

    ftp_history.json is included only when today's settings changed it
    (it is never rewritten without a change).
    """
    from .metrics.benchmark import update_ftp_history
    from .outputs.latest import assemble_latest
    from .outputs.profile import thresholds_sports
    from .outputs.sections import compute_sections

    documents: dict[str, Any] = {}
    cycling = thresholds_sports(ctx.athlete).get("cycling") or {}
    ftp_history, changed = update_ftp_history(previous_ftp if previous_ftp is not None
                                              else ctx.ftp_history, ctx.today,
                                              cycling.get("ftp_indoor"), cycling.get("ftp"))
    if changed:
        documents["ftp_history.json"] = ftp_history
    ctx = replace(ctx, ftp_history=ftp_history)
    computed = compute_sections(ctx)
    documents["latest.json"] = assemble_latest(ctx, derived=computed.derived,
                                               sections=computed.sections)
    return documents


# ----------------------------------------------------------------- write


def write_outputs(documents: dict[str, Any], settings) -> list[Path]:
    from .publish.files import dump_json, resolve_destination, write_files_atomic

    latest_path, directory = resolve_destination(settings.output, settings.output_dir)
    files = {}
    for name, document in documents.items():
        path = latest_path if name == "latest.json" else directory / name
        files[path] = dump_json(document)
    write_files_atomic(files)
    return list(files)


# ----------------------------------------------------------------- run


def make_client(settings):
    from .sources.intervals import IntervalsClient, validate_athlete_id

    athlete_id = validate_athlete_id(settings.athlete_id)
    return IntervalsClient(athlete_id, settings.intervals_key, base_url=settings.base_url)


def sync(settings, client=None, publish=None) -> SyncResult:
    """Fetch, compute and write. Raises SyncError; writes nothing on failure.

    `publish(files: dict[str, bytes]) -> list[str]`, when given (GitHub API
    mode), runs after the local write: it receives every document serialized,
    by file name, and returns what it published.
    """
    client = client or make_client(settings)
    warnings: list[str] = []
    from .localfiles import load_ftp_history
    from .publish.files import resolve_destination

    _, directory = resolve_destination(settings.output, settings.output_dir)
    ctx = fetch_inputs(client, settings, warnings)
    ctx = replace(ctx, ftp_history=load_ftp_history(directory, warnings.append))
    documents = build_documents(ctx)
    result = SyncResult(documents=documents, inputs=ctx, warnings=warnings)
    result.written = write_outputs(documents, settings)
    if publish is not None:
        from .publish.files import dump_json

        result.written += publish({name: dump_json(doc, name) for name, doc in documents.items()})
    return result


def summary_lines(result: SyncResult) -> list[str]:
    ctx = result.inputs
    latest = result.documents.get("latest.json", {})
    lines = [
        f"Synced {len(ctx.activities_28d)} activities (28 d), {len(ctx.wellness_28d)} wellness days, "
        f"{len(ctx.future_events)} upcoming calendar entries for {ctx.today.isoformat()} "
        f"({ctx.now.tzinfo}).",
    ]
    fitness = latest.get("current_status", {}).get("fitness", {})
    if fitness:
        lines.append(f"Fitness: CTL {fitness.get('ctl')}, ATL {fitness.get('atl')}, TSB {fitness.get('tsb')}.")
    if ctx.hidden_activities:
        lines.append(f"{ctx.hidden_activities} Strava-sourced activities are hidden by the API "
                     "(connect your device to Intervals.icu directly to include them).")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    for path in result.written:
        lines.append(f"wrote {path}")
    return lines


def run(settings, out=None) -> int:
    """CLI entry for a data sync. Returns the exit code (0) or raises SyncError."""
    out = out or sys.stdout
    if settings.generate_history:
        raise NotAvailable("--generate-history is not available in this version yet "
                           "(history.json arrives with the history work); run without it")
    result = sync(settings)
    for line in summary_lines(result):
        print(line, file=out)
    return 0

