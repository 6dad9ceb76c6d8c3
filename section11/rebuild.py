"""The rebuild of a run whose inputs changed: build, validate and write the documents.

`pipeline.sync` fetches and decides; when something changed since the last run
it hands the normalized inputs here, and only then are the metrics, the
document builders, the validator and the pictures imported: a steady run
(nothing changed) never loads them. `build_documents` computes and shapes every
document, purely; `serialize` drops those whose content is already on disk;
`write_outputs` writes the rest atomically, latest.json last.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .config import Settings
from .context import SyncInputs
from .ingest.peloton import PelotonRaw
from .ingest.trainingpeaks import TpRaw
from .localfiles import load_ftp_history, load_json_document
from .metrics.benchmark import activity_ftp_timelines, backfill_ftp_history, update_ftp_history
from .outputs.anonymize import protect_documents
from .outputs.charts import pictures_to_write, render_pictures
from .outputs.history import build_history, history_block, shrink_reason, weekly_rows_for_phase
from .outputs.intervals import intervals_document
from .outputs.latest import assemble_latest
from .outputs.peloton import add_peloton_status
from .outputs.profile import thresholds_sports
from .outputs.routes import routes_document, terrain_event_ids
from .outputs.sections import compute_sections
from .outputs.terrain import terrain_fields
from .outputs.trainingpeaks import add_trainingpeaks
from .outputs.validate import validate_documents
from .privacy import DEFAULT_POLICY, PrivacyPolicy, policy_of_settings
from .publish.files import dump_json, same_content, write_files_atomic
from .units import unit_preferences


@dataclass
class Rebuilt:
    """What a rebuild produced: the inputs (with the FTP history), the documents
    by file name, the pictures drawn (relative name -> text) and the files written."""

    inputs: SyncInputs
    documents: dict[str, Any]
    pictures: dict[str, str]
    written: list[Path]


def rebuild(
    ctx: SyncInputs,
    settings: Settings,
    sources: tuple[PelotonRaw, TpRaw | None],
    destination: tuple[Path, Path],
    previous_routes: Any,
    only: Collection[str] | None,
    warnings: list[str],
    phase: Callable[[str], None],
) -> Rebuilt:
    """Build every document, validate and write those whose content changed.
    `destination`: (latest.json's path, the output directory); `only`: write just
    these documents, no pictures. Raises OutputFailed before writing anything
    when a changed document is invalid."""
    peloton, tp = sources
    latest_path, directory = destination
    ctx = replace(ctx, ftp_history=load_ftp_history(directory, warnings.append))
    previous = {
        "history.json": load_json_document(directory / "history.json"),
        "routes.json": previous_routes,
    }
    documents = build_documents(ctx, previous, warnings, privacy=policy_of_settings(settings))
    if tp is not None:
        documents["latest.json"] = add_trainingpeaks(
            documents["latest.json"], tp, ctx.events, ctx.today
        )
    documents["latest.json"] = add_peloton_status(documents["latest.json"], peloton)
    files = serialize(documents, latest_path, directory)
    if only is not None:
        files = {name: data for name, data in files.items() if name in only}
    changed = {name: doc for name, doc in documents.items() if files.get(name) is not None}
    validate_documents(changed)  # schemas/: an invalid document is never written
    phase("writing")
    pictures = changed_pictures(documents, previous, ctx, directory) if only is None else {}
    written = write_outputs(files, pictures, latest_path, directory)
    return Rebuilt(ctx, documents, pictures, written)


def build_documents(
    ctx: SyncInputs,
    previous: Mapping[str, Any] | None = None,
    warnings: list[str] | None = None,
    privacy: PrivacyPolicy | None = None,
) -> dict[str, Any]:
    """Every output document, by file name, in write order (pure).

    `previous`: the documents already on disk (history.json is kept when the new
    one would have lost most of its activities). ftp_history.json is included
    only when today's settings changed it or its first-run backfill from the
    activities' FTPs ran. latest.json comes last so a reader
    never sees it ahead of the files it refers to. `privacy`: the run's policy
    (default: everything redacted); it is applied to every document at the end,
    never to the records metrics use.
    """
    previous = previous or {}
    warnings = warnings if warnings is not None else []
    documents: dict[str, Any] = {}
    sports = thresholds_sports(ctx.athlete)
    cycling = sports.get("cycling") or {}
    ftp_history, filled = backfill_ftp_history(
        ctx.ftp_history, *activity_ftp_timelines(ctx.history_activities or ctx.activities)
    )
    ftp_history, changed = update_ftp_history(
        ftp_history, ctx.today, cycling.get("ftp_indoor"), cycling.get("ftp")
    )
    if filled or changed:
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

    policy = privacy if privacy is not None else DEFAULT_POLICY
    units = unit_preferences(ctx.athlete)
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
        activity_terrain={
            aid: shown
            for aid, fields in ctx.activity_terrain.items()
            if (shown := terrain_fields(fields, units)) is not None
        },
    )
    return protect_documents(documents, policy)


# ----------------------------------------------------------------- write


def changed_pictures(
    documents: Mapping[str, Any], previous: Mapping[str, Any], ctx: SyncInputs, directory: Path
) -> dict[str, str]:
    """The charts and dashboard whose drawn data changed (relative name -> text).

    Drawn from the documents as written (privacy applied); history.json and
    ftp_history.json come from disk when this run keeps them unchanged.
    """
    drawn = {
        "history.json": previous.get("history.json"),
        "ftp_history.json": ctx.ftp_history,
        **documents,
    }
    return pictures_to_write(render_pictures(drawn, ctx.today, ctx.chart_curves), directory)


def serialize(
    documents: Mapping[str, Any], latest_path: Path, directory: Path
) -> dict[str, bytes | None]:
    """Each document's bytes, or None when the file on disk already holds the same
    content (generation timestamps aside): it is neither validated nor rewritten.
    latest.json is always written: its timestamps tell a reader how fresh the data is."""
    files: dict[str, bytes | None] = {}
    for name, document in documents.items():
        data = dump_json(document, name)
        path = latest_path if name == "latest.json" else directory / name
        files[name] = data if name == "latest.json" or not same_content(path, data) else None
    return files


def write_outputs(
    files: Mapping[str, bytes | None],
    pictures: Mapping[str, str],
    latest_path: Path,
    directory: Path,
) -> list[Path]:
    """Write the changed documents and pictures as one atomic unit; latest.json last."""
    out: dict[Path, bytes] = {}
    for name, text in pictures.items():
        path = directory / name
        path.parent.mkdir(exist_ok=True)  # charts/
        out[path] = text.encode("utf-8")
    for name, data in files.items():
        if data is not None:
            out[latest_path if name == "latest.json" else directory / name] = data
    write_files_atomic(out)
    return list(out)
