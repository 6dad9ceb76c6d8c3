"""One data sync: fetch -> normalize -> compute -> write.

The two ends touch the outside world: `fetch_inputs` talks to Intervals.icu
through the client, `write_outputs` writes files atomically. Everything in
between is pure. A core fetch failure raises a SyncError before any file is
touched, so previous outputs stay byte-identical.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .context import SyncInputs
from .privacy import PrivacyPolicy, policy_from, policy_of_settings

STATE_DIR = ".section11"


@dataclass
class SyncResult:
    """What a sync produced: documents by file name and a run report."""

    documents: dict[str, Any]
    inputs: SyncInputs
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


# ----------------------------------------------------------------- build


def build_documents(
    ctx: SyncInputs,
    previous: Mapping[str, Any] | None = None,
    warnings: list[str] | None = None,
    privacy: PrivacyPolicy | None = None,
) -> dict[str, Any]:
    """Every output document, by file name, in write order (pure).

    `previous`: the documents already on disk (history.json is kept when the new
    one would have lost most of its activities). ftp_history.json is included
    only when today's settings changed it. latest.json comes last so a reader
    never sees it ahead of the files it refers to. `privacy`: the run's policy
    (default: everything redacted when ctx.anonymize, else nothing); it is
    applied to every document at the end, never to the records metrics use.
    """
    from .metrics.benchmark import update_ftp_history
    from .outputs.anonymize import protect_documents
    from .outputs.history import build_history, history_block, shrink_reason, weekly_rows_for_phase
    from .outputs.intervals import intervals_document
    from .outputs.latest import assemble_latest
    from .outputs.profile import thresholds_sports
    from .outputs.routes import routes_document, terrain_event_ids
    from .outputs.sections import compute_sections
    from .units import unit_preferences

    previous = previous or {}
    warnings = warnings if warnings is not None else []
    documents: dict[str, Any] = {}
    sports = thresholds_sports(ctx.athlete)
    cycling = sports.get("cycling") or {}
    ftp_history, changed = update_ftp_history(
        ctx.ftp_history, ctx.today, cycling.get("ftp_indoor"), cycling.get("ftp")
    )
    if changed:
        documents["ftp_history.json"] = ftp_history
    ctx = replace(ctx, ftp_history=ftp_history)

    history = build_history(
        ctx.history_activities,
        ctx.history_wellness,
        today=ctx.today,
        now=ctx.now,
        week_start=ctx.week_start,
        zone_preference=ctx.zone_preference,
        ftp_history=ftp_history,
        thresholds_sports=sports,
        units=unit_preferences(ctx.athlete),
        version=ctx.version,
    )
    reason = shrink_reason(previous.get("history.json"), history)
    if reason:
        warnings.append(f"history.json kept as it was: {reason}")
        history = previous["history.json"]
        ctx = replace(ctx, sync_status={**ctx.sync_status, "history_file": "kept_previous"})
    else:
        documents["history.json"] = history
    ctx = replace(ctx, history_weekly=tuple(weekly_rows_for_phase(history)))

    policy = privacy if privacy is not None else policy_from(ctx.anonymize)
    ctx = replace(ctx, anonymize=False)  # redaction happens once, below, under `policy`
    documents["intervals.json"] = intervals_document(
        ctx.intervals_entries, ctx.intervals_states, ctx.now, ctx.version
    )
    documents["routes.json"] = routes_document(ctx.route_entries, ctx.now, ctx.version)
    with_terrain = terrain_event_ids(ctx.route_entries)
    computed = compute_sections(
        ctx, routes_with_terrain=with_terrain, history_activities=ctx.history_activities
    )
    sections = dict(computed.sections, history=history_block(history, ctx.today))
    documents["latest.json"] = assemble_latest(
        ctx,
        derived=computed.derived,
        sections=sections,
        routes_with_terrain=with_terrain,
        activity_terrain=ctx.activity_terrain,
    )
    return protect_documents(documents, policy)


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


def state_directory(settings, directory: Path) -> Path:
    return Path(settings.state_dir) if settings.state_dir else directory / STATE_DIR


def sync(settings, client=None, publish=None) -> SyncResult:
    """Fetch, compute and write. Raises SyncError; writes nothing on failure.

    `publish(files: dict[str, bytes]) -> list[str]`, when given (GitHub API
    mode), runs after the local write: it receives every document serialized,
    by file name, and returns what it published.
    """
    from .fetch import fetch_inputs
    from .localfiles import load_ftp_history, load_json_document
    from .publish.files import resolve_destination
    from .store import open_store

    client = client or make_client(settings)
    warnings: list[str] = []
    _, directory = resolve_destination(settings.output, settings.output_dir)
    previous = {
        name: load_json_document(directory / name) for name in ("history.json", "routes.json")
    }
    with open_store(
        state_directory(settings, directory), client.athlete_id, notice=warnings.append
    ) as store:
        ctx = fetch_inputs(
            client, settings, store, warnings, previous_routes=previous["routes.json"]
        )
        store.commit()
    ctx = replace(ctx, ftp_history=load_ftp_history(directory, warnings.append))
    documents = build_documents(ctx, previous, warnings, privacy=policy_of_settings(settings))
    result = SyncResult(documents=documents, inputs=ctx, warnings=warnings)
    from .outputs.validate import validate_documents

    validate_documents(documents)  # schemas/: an invalid document is never written
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


def run(settings, out=None) -> int:
    """CLI entry for a data sync. Returns the exit code (0) or raises SyncError."""
    out = out or sys.stdout
    result = sync(settings)
    for line in summary_lines(result):
        print(line, file=out)
    return 0
