"""One data sync: fetch -> normalize -> compute -> write.

The two ends touch the outside world: `fetch_inputs` talks to Intervals.icu
through the client, `write_outputs` writes files atomically. Everything in
between is pure. A core fetch failure raises a SyncError before any file is
touched, so previous outputs stay byte-identical.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .context import SyncInputs
from .errors import NotAvailable

STATE_DIR = ".section11"


@dataclass
class SyncResult:
    """What a sync produced: documents by file name and a run report."""

    documents: dict[str, Any]
    inputs: SyncInputs
    warnings: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


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


def state_directory(settings, directory: Path) -> Path:
    return Path(settings.state_dir) if settings.state_dir else directory / STATE_DIR


def sync(settings, client=None, publish=None) -> SyncResult:
    """Fetch, compute and write. Raises SyncError; writes nothing on failure.

    `publish(files: dict[str, bytes]) -> list[str]`, when given (GitHub API
    mode), runs after the local write: it receives every document serialized,
    by file name, and returns what it published.
    """
    from .fetch import fetch_inputs
    from .localfiles import load_ftp_history
    from .publish.files import resolve_destination
    from .store import open_store

    client = client or make_client(settings)
    warnings: list[str] = []
    _, directory = resolve_destination(settings.output, settings.output_dir)
    with open_store(state_directory(settings, directory), client.athlete_id,
                    notice=warnings.append) as store:
        ctx = fetch_inputs(client, settings, store, warnings)
        store.commit()
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

