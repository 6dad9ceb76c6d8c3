"""One data sync: fetch -> normalize -> compute -> write.

The two ends touch the outside world: `section11.ingest.fetch_raw` talks to
Intervals.icu through the client and keeps the raw answers in the store,
`rebuild.write_outputs` writes files atomically. In between, `fetch_inputs`
turns the raw answers into model records (`SyncInputs`) and
`rebuild.build_documents` computes and shapes every document, purely; the
rebuild module (metrics, documents, validation, pictures) is imported only when
the inputs changed since the last run, so a steady run never loads it. A core
fetch failure raises a SyncError before any file is touched, so previous
outputs stay byte-identical.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__
from .config import Settings
from .context import ChartCurves, SyncInputs
from .curve_model import Curve, best_curves_from_raw, curves_from_raw
from .event_model import Attachment, events_from_raw
from .ingest import Hooks, Ingested, IngestRequest, Store, fetch_raw, open_store, source_status
from .ingest.curves import CurvePlan, RawCurves
from .ingest.fetch import history_records, requests_in_flight
from .ingest.peloton import PelotonRaw, fetch_peloton
from .ingest.raw import ActivityRef
from .ingest.routes import RouteFile
from .localfiles import load_json_document
from .metrics.curves import delta_curve_ids
from .metrics.sustainability import sustainability_curve_id, sustainability_families
from .metrics.terrain import terrain_from_streams
from .model import Athlete, activities_from_raw
from .outputs.curve_windows import chart_curve_ids, pace_type
from .outputs.intervals import entries as intervals_entries
from .outputs.routes import (
    attachments_to_fetch,
    previous_entries,
    route_entries,
)
from .progress import Progress
from .publish.files import (
    check_writable,
    dump_json,
    resolve_destination,
)
from .sources.intervals import DEFAULT_WORKERS, IntervalsClient, validate_athlete_id
from .sources.routefiles import RouteFileError
from .steady import (
    OUTPUTS_KEY,
    inputs_key,
    output_paths,
    outputs_record,
    refresh_latest,
    unchanged_since_last_run,
)
from .units import unit_preferences
from .wellness_model import wellness_from_raw
from .windows import EXTENDED_DAYS

if TYPE_CHECKING:
    from .ingest.trainingpeaks import TpRaw

STATE_DIR = ".section11"
CURVE_STATUS_KEYS = ("power_curves", "hr_curves")  # reported after routes, as before

Publish = Callable[[dict[str, bytes]], list[Any]]  # serialized documents -> what was published


@dataclass
class SyncResult:
    """What a sync produced: documents by file name and a run report."""

    documents: dict[str, Any]
    inputs: SyncInputs
    warnings: list[str] = field(default_factory=list)
    written: list[Any] = field(default_factory=list)


# ----------------------------------------------------------------- fetch + normalize


def curve_plan(today: date, activities_28d: Sequence[ActivityRef]) -> CurvePlan:
    """Curves for the 28-day deltas (docs/metrics.md#curve-deltas) and the 42-day sustainability profile (docs/metrics.md#sustainability)."""
    families = sustainability_families(activities_28d)
    return CurvePlan(
        delta_ids=tuple(delta_curve_ids(today)),
        window_id=sustainability_curve_id(today),
        types=tuple(t for family_types in families.values() for t in family_types),
        chart_ids=tuple(chart_curve_ids(today).values()),
        pace_type=pace_type(a.type for a in activities_28d),
    )


def dfa_block(streams: Any) -> dict | None:
    """The store's DFA block of a streams payload (section11.metrics.dfa), imported on
    the first new activity: a run that fetches no streams never loads it."""
    from .metrics.dfa import dfa_block as block

    return block(streams)


def route_fetcher(files: Mapping[str, RouteFile]) -> Callable[[Attachment], bytes]:
    """`route_entries`' fetch function over the files the fetch stage downloaded."""

    def fetch(attachment: Attachment) -> bytes:
        got = files.get(attachment.id)
        if isinstance(got, bytes):
            return got
        raise got or RouteFileError(
            f"{attachment.filename}: not downloaded; retried next sync", terminal=False
        )

    return fetch


def normalize_curves(
    raw: RawCurves,
) -> tuple[
    dict[str, Curve] | None,
    dict[str, Curve] | None,
    dict[str, dict[str, Curve]],
    dict[str, dict[str, Curve]],
]:
    """(Ride power deltas, HR deltas, power and HR curves by sustainability type);
    None where the call failed."""
    power_by_type = {
        t: curves_from_raw(r, ("watts", "values")) for t, r in raw.power_by_type.items()
    }
    ride = power_by_type.get("Ride")
    delta_ids = set(raw.plan.delta_ids)
    power_delta = {k: v for k, v in ride.items() if k in delta_ids} if ride is not None else None
    hr_delta = curves_from_raw(raw.hr_delta, ("values",)) if raw.hr_delta is not None else None
    hr_by_type = {t: curves_from_raw(r, ("values",)) for t, r in raw.hr_by_type.items()}
    sport_power = {t: c for t, c in power_by_type.items() if t in raw.plan.types}
    return power_delta, hr_delta, sport_power, hr_by_type


def chart_curves(raw: RawCurves) -> ChartCurves:
    """The Ride power and the pace curves the power/pace chart draws."""
    ride = raw.power_by_type.get("Ride")
    return ChartCurves(
        power=None if ride is None else best_curves_from_raw(ride, "secs", ("watts", "values")),
        pace_type=raw.plan.pace_type,
        pace=None if raw.pace is None else best_curves_from_raw(raw.pace, "distance", ("values",)),
    )


def inputs_from(got: Ingested, settings: Settings, route_cache: Mapping[str, Any]) -> SyncInputs:
    """The raw answers of the fetch stage as normalized SyncInputs."""
    athlete = Athlete.from_raw(got.athlete)
    history = activities_from_raw(got.activities)
    stubs = [a for a in history if a.is_stub and a.date and a.date >= got.oldest]
    history = [a for a in history if not a.is_stub]
    history.sort(key=lambda a: a.start_local or "", reverse=True)  # API order: newest first
    recent = [a for a in history if a.date and a.date >= got.oldest]
    history_wellness = wellness_from_raw(got.wellness)
    events = events_from_raw(got.events)
    routes = route_entries(
        events, route_fetcher(got.route_files), unit_preferences(athlete), route_cache
    )
    status = dict(got.status)
    curve_status = {key: status.pop(key) for key in CURVE_STATUS_KEYS if key in status}
    retry = sum(1 for r in routes if r.get("terrain_retry"))
    status["routes"] = source_status(retry, len(routes))
    status.update(curve_status)
    power_curves, hr_curves, sport_power, sport_hr = normalize_curves(got.curves)
    return SyncInputs(
        today=got.today,
        now=got.now,
        days=settings.days,
        athlete=athlete,
        activities=tuple(recent),
        wellness=tuple(w for w in history_wellness if w.date >= got.oldest),
        events=tuple(events),
        health_events=tuple(events_from_raw(got.health)) if got.health is not None else None,
        hidden_activities=len(stubs),
        week_start=settings.week_start,
        zone_preference=dict(settings.zone_preference),
        chat_notes=got.chat_notes,
        version=__version__,
        power_curves=power_curves,
        hr_curves=hr_curves,
        sport_power_curves=sport_power,
        sport_hr_curves=sport_hr,
        chart_curves=chart_curves(got.curves),
        history_activities=tuple(history),
        history_wellness=tuple(history_wellness),
        sync_status=status,
        intervals_entries=intervals_entries(got.intervals, history),
        intervals_states=got.fetch_states,
        activity_terrain=got.terrain,
        route_entries=tuple(routes),
    )


def fetch_ingested(
    client: IntervalsClient,
    settings: Settings,
    store: Store,
    warnings: list[str],
    route_cache: Mapping[str, Any],
) -> Ingested:
    """Fetch through the store: the raw answers, with only the recent window read back."""
    hooks = Hooks(
        dfa_block=dfa_block,
        terrain=terrain_from_streams,
        curve_plan=curve_plan,
        routes_wanted=lambda events: attachments_to_fetch(events_from_raw(events), route_cache),
    )
    request = IngestRequest(
        days=settings.days, now=settings.now, generate_history=settings.generate_history
    )
    return fetch_raw(client, store, request, hooks, warnings)


def with_history(got: Ingested, store: Store) -> Ingested:
    """`got` with the 3-year activities and wellness read from the store."""
    activities, wellness = history_records(store, got.today)
    return replace(got, activities=activities, wellness=wellness)


def fetch_inputs(
    client: IntervalsClient,
    settings: Settings,
    store: Store,
    warnings: list[str],
    previous_routes: Mapping[str, Any] | None = None,
) -> SyncInputs:
    """Fetch (through the store) and normalize everything one sync needs."""
    route_cache = previous_entries(previous_routes, __version__)
    got = fetch_ingested(client, settings, store, warnings, route_cache)
    return inputs_from(with_history(got, store), settings, route_cache)


# ----------------------------------------------------------------- run


def make_client(settings: Settings) -> IntervalsClient:
    athlete_id = validate_athlete_id(settings.athlete_id)
    return IntervalsClient(
        athlete_id,
        settings.intervals_key or "",
        base_url=settings.base_url,
        pool_size=requests_in_flight(DEFAULT_WORKERS),
    )


def state_directory(settings: Settings, directory: Path) -> Path:
    return Path(settings.state_dir) if settings.state_dir else directory / STATE_DIR


def fetch_tp(settings: Settings, today: date, state: Path, warnings: list[str]) -> TpRaw | None:
    """The optional TrainingPeaks source's raw answers; None when it is not set up."""
    if not settings.tp_auth_cookie:
        return None
    from .ingest.trainingpeaks import fetch_trainingpeaks

    return fetch_trainingpeaks(
        settings.tp_auth_cookie, settings.tp_base_url, today, settings.days, state, warnings
    )


def with_trainingpeaks(ctx: SyncInputs, raw: TpRaw | None) -> SyncInputs:
    """The inputs with TrainingPeaks merged in (Intervals.icu the authority)."""
    if raw is None or raw.status != "ok":
        return ctx
    from .tp_merge import merge_trainingpeaks

    return merge_trainingpeaks(ctx, raw.workouts, raw.health, raw.events)


def with_peloton(ctx: SyncInputs, raw: PelotonRaw) -> SyncInputs:
    """The inputs with the stored Peloton workouts merged in (Intervals.icu the authority)."""
    if raw.status == "disabled":
        return ctx
    from .metrics.peloton import merge_peloton
    from .peloton_model import account_ftp, workouts_from_raw

    ftp, source = account_ftp(raw.me)
    merged = merge_peloton(
        ctx.history_activities, workouts_from_raw(raw.workouts), ctx.now.tzinfo or UTC, ftp, source
    )
    oldest = ctx.today - timedelta(days=max(ctx.days, EXTENDED_DAYS) - 1)
    recent = tuple(a for a in merged.activities if a.date and a.date >= oldest)
    return replace(ctx, activities=recent, history_activities=merged.activities)


def sync(
    settings: Settings,
    client: IntervalsClient | None = None,
    publish: Publish | None = None,
    progress: Progress | None = None,
    only: Collection[str] | None = None,
) -> SyncResult:
    """Fetch, compute and write. Raises SyncError; writes nothing on failure.

    When nothing the documents are built from changed since the last run (same
    store content, calendar, athlete, settings and day, and the files on disk as
    that run left them), the documents are not rebuilt: latest.json gets this
    run's timestamps and nothing else is written. Otherwise the 3 years are
    loaded and every document built; only those whose content changed are
    validated and rewritten, latest.json always (its timestamps say how fresh
    the data is).

    `publish(files: dict[str, bytes]) -> list[str]`, when given (GitHub API
    mode), runs after the local write: it receives every document serialized,
    by file name, and returns what it published. `progress` hears each phase.
    `only`: write just these documents (`--generate-history` alone:
    history.json), no pictures.
    """
    client = client or make_client(settings)
    phase = progress.phase if progress is not None else (lambda name: None)
    warnings: list[str] = []
    latest_path, directory = resolve_destination(settings.output, settings.output_dir)
    check_writable(directory)  # before any API call: a read-only folder ends the run here
    state = state_directory(settings, directory)
    previous_routes = load_json_document(directory / "routes.json")
    route_cache = previous_entries(previous_routes, __version__)
    if progress is not None:
        progress.count_requests(lambda: client.request_count, state)
    phase("fetching")
    with open_store(state, client.athlete_id, notice=warnings.append) as store:
        got = fetch_ingested(client, settings, store, warnings, route_cache)
        store.commit()
        peloton = fetch_peloton(settings.peloton, store, state, got.now, got.today, warnings)
        tp = fetch_tp(settings, got.today, state, warnings)
        sources = {"peloton": replace(peloton, fetched=False), "tp": tp}  # fetched: not shown
        key = inputs_key(store, got, settings, latest_path, sources)
        outputs = output_paths(latest_path, directory)
        if publish is None and only is None and unchanged_since_last_run(store, key, outputs):
            ctx = with_trainingpeaks(
                with_peloton(inputs_from(got, settings, route_cache), peloton), tp
            )
            latest = refresh_latest(latest_path, ctx.now)
            store.set_meta(OUTPUTS_KEY, outputs_record(key, outputs))
            return SyncResult({"latest.json": latest}, ctx, warnings, [latest_path])
        phase("computing")
        from .rebuild import rebuild  # the metrics and documents: only when something changed

        ctx = with_peloton(inputs_from(with_history(got, store), settings, route_cache), peloton)
        built = rebuild(
            with_trainingpeaks(ctx, tp),
            settings,
            (peloton, tp),
            (latest_path, directory),
            previous_routes,
            only,
            warnings,
            phase,
        )
        if only is None:  # a partial write leaves the record of the last full run
            store.set_meta(OUTPUTS_KEY, outputs_record(key, outputs))
    result = SyncResult(built.documents, built.inputs, warnings, built.written)
    if publish is not None:
        published = {name: text.encode("utf-8") for name, text in built.pictures.items()}
        published.update({name: dump_json(doc, name) for name, doc in built.documents.items()})
        result.written += publish(published)
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
        lines.append(
            f"Fitness: CTL {fitness.get('ctl')}, ATL {fitness.get('atl')}, TSB {fitness.get('tsb')}."
        )
    if ctx.hidden_activities:
        lines.append(
            f"{ctx.hidden_activities} Strava-sourced activities are hidden by the API "
            "(connect your device to Intervals.icu directly to include them)."
        )
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    for path in result.written:
        lines.append(f"wrote {path}")
    return lines


def run(
    settings: Settings,
    out: TextIO | None = None,
    progress: Progress | None = None,
    only: Collection[str] | None = None,
    syncer: Callable[..., SyncResult] | None = None,
) -> int:
    """CLI entry for a data sync. Returns the exit code (0) or raises SyncError.
    `only`: write just these documents (--generate-history alone); `syncer`: the
    sync to run instead of `sync` (source_sync's, without Intervals.icu)."""
    out = out or sys.stdout
    try:
        if syncer is None:
            result = sync(settings, progress=progress, only=only)
        else:
            result = syncer(settings, progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    if progress is not None:
        metadata = result.documents.get("latest.json", {}).get("metadata", {})
        progress.report(result.written, metadata.get("sync_status") or {})
    for line in summary_lines(result):
        print(line, file=out)
    return 0
