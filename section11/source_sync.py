"""A data sync without Intervals.icu: another source is the whole mirror.

`sync_from_records` is the generic part: given a source's `SourceRecords`
(section11/source_only.py) it builds the SyncInputs, computes every document
with the rebuild's own `build_documents`, adds `source_limits`, validates
against the schemas and writes the five files as one atomic unit. A source
plugs in with a small function that fetches its records and returns them
with a `finish(latest) -> latest` step for its own latest.json blocks
(`sync_trainingpeaks_alone` is the TrainingPeaks one, `sync_peloton_alone`
the Peloton one).

A failed fetch raises a SyncError before any file is touched, so the
previous files stay as they were.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO

from . import __version__, pipeline
from .config import Settings
from .context import SyncInputs
from .errors import ApiFailed, SourceRefused, SyncError
from .ingest.fetch import local_now
from .ingest.peloton import fetch_peloton
from .ingest.store_file import open_store
from .ingest.trainingpeaks import fetch_trainingpeaks
from .localfiles import load_ftp_history, load_json_document
from .outputs.peloton import add_peloton_status
from .outputs.source_only import add_source_limits, relabel
from .outputs.trainingpeaks import add_trainingpeaks
from .outputs.validate import validate_documents
from .peloton_alone import peloton_alone_latest, peloton_records
from .peloton_model import athlete_record, workouts_from_raw
from .pipeline import SyncResult, state_directory
from .privacy import policy_of_settings
from .progress import Progress
from .publish.files import check_writable, resolve_destination
from .rebuild import build_documents, changed_pictures, serialize, write_outputs
from .source_only import SourceRecords, inputs_without_intervals
from .tp_merge import source_records

Finish = Callable[[dict[str, Any], SyncInputs], dict[str, Any]]  # latest.json -> latest.json


def athlete_now(
    records: SourceRecords, now: datetime | None, warn: Callable[[str], None]
) -> datetime:
    """'now' in the athlete's timezone; the computer's own when the source names none."""
    if records.athlete.timezone:
        return local_now(records.athlete.timezone, now, warn)
    warn(f"{records.source} does not say the athlete's timezone; using this computer's")
    return (now or datetime.now(UTC)).astimezone()


def sync_from_records(
    settings: Settings,
    records: SourceRecords,
    warnings: list[str],
    finish: Finish,
    progress: Progress | None = None,
) -> SyncResult:
    """Compute, check and write the documents of a sync from `records` alone."""
    latest_path, directory = resolve_destination(settings.output, settings.output_dir)
    previous = {
        name: load_json_document(directory / name) for name in ("history.json", "routes.json")
    }
    if progress is not None:
        progress.phase("computing")
    ctx = inputs_without_intervals(
        records,
        now=athlete_now(records, settings.now, warnings.append),
        days=settings.days,
        week_start=settings.week_start,
        zone_preference=settings.zone_preference,
        version=__version__,
    )
    ctx = replace(ctx, ftp_history=load_ftp_history(directory, warnings.append))
    documents = build_documents(ctx, previous, warnings, privacy=policy_of_settings(settings))
    documents = relabel(documents, records.label)
    latest = finish(documents["latest.json"], ctx)
    documents["latest.json"] = add_source_limits(latest, records.source, records.limits)
    result = SyncResult(documents=documents, inputs=ctx, warnings=warnings)
    files = serialize(documents, latest_path, directory)
    validate_documents({name: doc for name, doc in documents.items() if files[name] is not None})
    if progress is not None:
        progress.phase("writing")
    pictures = changed_pictures(documents, previous, ctx, directory)
    result.written = write_outputs(files, pictures, latest_path, directory)
    return result


def sync_trainingpeaks_alone(settings: Settings, progress: Progress | None = None) -> SyncResult:
    """The mirror from a TrainingPeaks account alone (no Intervals.icu credentials)."""
    warnings: list[str] = []
    _, directory = resolve_destination(settings.output, settings.output_dir)
    check_writable(directory)
    if progress is not None:
        progress.phase("fetching")
    raw = fetch_trainingpeaks(
        settings.tp_auth_cookie,
        settings.tp_base_url,
        (settings.now or datetime.now(UTC)).astimezone().date(),
        settings.days,
        state_directory(settings, directory),
        warnings,
        alone=True,
    )
    if raw.status == "auth_expired":
        message = raw.message or "the TrainingPeaks cookie was refused"
        raise SourceRefused(message, "trainingpeaks", raw.last_good)
    if raw.status != "ok":
        raise ApiFailed(raw.message or f"TrainingPeaks: {raw.status}")
    records = source_records(raw.user, raw.workouts, raw.health, raw.fitness, raw.events)

    def finish(latest: dict[str, Any], ctx: SyncInputs) -> dict[str, Any]:
        return add_trainingpeaks(latest, raw, ctx.events, ctx.today, alone=True)

    return sync_from_records(settings, records, warnings, finish, progress)


PELOTON_STORE_OWNER = "peloton"  # the store's owner when Peloton is the only source


def _peloton_zone(athlete_tz: str | None, now: datetime | None) -> tzinfo:
    """The zone of the Peloton account's newest workout, else this computer's."""
    if athlete_tz:
        return local_now(athlete_tz, now, lambda _message: None).tzinfo or UTC
    return (now or datetime.now(UTC)).astimezone().tzinfo or UTC


def sync_peloton_alone(settings: Settings, progress: Progress | None = None) -> SyncResult:
    """The mirror from a Peloton account alone (no Intervals.icu credentials).

    Peloton is read at most hourly; in between (and when a read fails) the
    stored rides are the data, and `sources_status.peloton` says how current
    they are. Only a failure with no stored ride at all ends the run."""
    warnings: list[str] = []
    _, directory = resolve_destination(settings.output, settings.output_dir)
    check_writable(directory)
    if progress is not None:
        progress.phase("fetching")
    state = state_directory(settings, directory)
    now = settings.now or datetime.now(UTC)
    with open_store(state, PELOTON_STORE_OWNER, notice=warnings.append) as store:
        raw = fetch_peloton(settings.peloton, store, state, now, now.astimezone().date(), warnings)
    if raw.status != "ok" and not raw.workouts:
        message = raw.message or f"Peloton: {raw.status}"
        if raw.status == "auth_expired":
            raise SourceRefused(message, "peloton", raw.last_good)
        raise ApiFailed(message)
    workouts = workouts_from_raw(raw.workouts)
    tz = _peloton_zone(athlete_record(raw.me, workouts).timezone, settings.now)
    records = peloton_records(raw.me, workouts, tz, now.astimezone(tz).date())

    def finish(latest: dict[str, Any], _ctx: SyncInputs) -> dict[str, Any]:
        return peloton_alone_latest(add_peloton_status(latest, raw, alone=True), raw.status)

    return sync_from_records(settings, records, warnings, finish, progress)


PELOTON_NOT_READ = (
    "notice: Peloton is not read without Intervals.icu when TrainingPeaks is set: "
    "this mirror is built from TrainingPeaks alone"
)


def alone_sync(settings: Settings) -> Callable[..., SyncResult]:
    """The sync of the source configured without Intervals.icu (TrainingPeaks
    first when both TrainingPeaks and Peloton are)."""
    if settings.tp_auth_cookie:
        return sync_trainingpeaks_alone
    if settings.peloton is not None and settings.peloton.configured:
        return sync_peloton_alone
    raise SyncError("no source to sync from")  # cli checks the credentials first


def run(settings: Settings, out: TextIO | None = None, progress: Progress | None = None) -> int:
    """CLI entry for a sync from one source alone. Returns 0 or raises SyncError."""
    sync_alone = alone_sync(settings)
    if sync_alone is sync_trainingpeaks_alone and settings.peloton is not None:
        print(PELOTON_NOT_READ, file=out or sys.stdout)
    return pipeline.run(settings, out, progress, syncer=sync_alone)
