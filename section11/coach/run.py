"""A coach run: many athletes in one process, one shared rate budget (README.md#coach-mode).

`sync_all` lists the selected athletes (`GET /athletes` for `all`), syncs
them a few at a time, every client drawing from ONE token bucket (the API
limit is per address, so 20 athletes never make 20 times the burst), then
writes `athletes/index.json`. `plan` is the coach workflow's first job: the
athletes as a GitHub Actions matrix. `commit` is its last: the index rebuilt
from the downloaded folders and everything published in one commit.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ..config import Settings
from ..errors import InvalidInput, MissingCredentials
from ..install_check import check_installation
from ..localfiles import load_json_document
from ..outputs.index import AthleteFiles, index_document
from ..outputs.validate import validate_documents
from ..publish.coach_commit import ATHLETES_DIR, INDEX_NAME, STATUS_NAME, CoachCommitStep
from ..publish.commit_mode import append_actions_file
from ..publish.commit_mode import step_summary as commit_summary
from ..publish.files import dump_json, write_files_atomic
from ..sources.http import DEFAULT_RATE
from ..sources.intervals import IntervalsClient, validate_athlete_id
from ..sources.policy import DEFAULT_BURST, TokenBucket
from .athlete import SECRET_SETTINGS, Outcome, Scrub, athlete_secrets, stand_in, sync_athlete
from .roster import AthleteEntry, entries_for, parse_selection, read_roster

COACH_WORKERS = 3  # athletes synced at once in one process
PARALLEL_JOBS_ENV = "SECTION11_PARALLEL_JOBS"  # coach jobs sharing this address's budget
MAX_PARALLEL_JOBS = 4  # the coach workflow's max-parallel: each job gets 1/4 of the rate
COACH_KEY_ID = "0"  # athlete-scoped calls of the key's own athlete; /athletes needs none


# ----------------------------------------------------------------- selection


def coach_directory(settings: Settings) -> Path:
    if settings.output or not settings.output_dir:
        raise InvalidInput("--athletes needs --output-dir DIR (the coach repository's folder)")
    return Path(settings.output_dir)


def parallel_jobs(environ: Mapping[str, str]) -> int:
    """How many coach jobs share the address's rate budget (the workflow says; default 1)."""
    text = (environ.get(PARALLEL_JOBS_ENV) or "").strip()
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 256:
        raise InvalidInput(f"{PARALLEL_JOBS_ENV} must be a whole number from 1 to 256")
    return int(text)


def shared_pacer(environ: Mapping[str, str]) -> TokenBucket:
    """The one token bucket of this process: the API budget divided among parallel jobs."""
    jobs = parallel_jobs(environ)
    return TokenBucket(DEFAULT_RATE / jobs, max(1, DEFAULT_BURST // jobs))


def listed_athletes(settings: Settings, pacer: TokenBucket) -> list[str]:
    """`GET /athletes` with the coach's key: every athlete id it may read, in its order."""
    if not settings.intervals_key:
        raise MissingCredentials(
            "--athletes all needs the coach's API key: set INTERVALS_KEY (or run --setup)"
        )
    with IntervalsClient(
        COACH_KEY_ID, settings.intervals_key, base_url=settings.base_url, pacer=pacer
    ) as client:
        rows = client.athletes()
    ids: list[str] = []
    for row in rows:
        try:
            athlete = validate_athlete_id(str(row.get("id"))) if isinstance(row, dict) else None
        except InvalidInput:
            continue  # an id we could not address: skipped
        if athlete and athlete not in ids:
            ids.append(athlete)
    return ids


def select(settings: Settings, directory: Path, pacer: TokenBucket) -> list[AthleteEntry]:
    roster = read_roster(directory)
    ids = parse_selection(settings.athletes)
    return entries_for(ids if ids is not None else listed_athletes(settings, pacer), roster)


def _present_folders(directory: Path) -> list[AthleteEntry]:
    """`all` without the API (the publish job): the athlete folders holding a sync_status.json."""
    roster = {e.folder: e for e in read_roster(directory).values()}
    base = directory / ATHLETES_DIR
    folders = (
        sorted(p.name for p in base.iterdir() if (p / STATUS_NAME).is_file())
        if base.is_dir()
        else []
    )
    return [roster.get(f) or AthleteEntry(athlete_id=f, folder=f) for f in folders]


# ----------------------------------------------------------------- index


def write_index(directory: Path, entries: Sequence[AthleteEntry], now: datetime) -> Path:
    """athletes/index.json from the athletes' folders as they are now (validated, atomic)."""
    base = directory / ATHLETES_DIR
    files = [
        AthleteFiles(
            folder=e.folder,
            status=load_json_document(base / e.folder / STATUS_NAME),
            latest=load_json_document(base / e.folder / "latest.json"),
        )
        for e in entries
    ]
    document = index_document(files, now.astimezone(UTC).isoformat(timespec="seconds"))
    validate_documents({INDEX_NAME: document})
    base.mkdir(parents=True, exist_ok=True)
    path = base / INDEX_NAME
    write_files_atomic({path: dump_json(document, INDEX_NAME)})
    return path


def failure_summary(outcomes: Sequence[Outcome]) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: who was synced, who failed and why."""
    lines = ["### Coach sync", "", "| athlete | result |", "| --- | --- |"]
    for o in outcomes:
        result = "ok" if o.ok else f"failed: {o.reason}"
        lines.append(f"| `{o.entry.folder}` | {result.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- the run


def _athlete_environ(
    environ: Mapping[str, str], entries: Sequence[AthleteEntry]
) -> Mapping[str, str]:
    """The stand-in variables count only when one athlete is synced (the matrix job)."""
    if len(entries) <= 1:
        return environ
    stand_ins = {stand_in(setting) for setting in SECRET_SETTINGS}
    return {k: v for k, v in environ.items() if k not in stand_ins}


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """0 when every athlete was synced, else the exit code of the first failure."""
    failed = [o for o in outcomes if not o.ok]
    return failed[0].exit_code if failed else 0


def sync_all(
    settings: Settings,
    environ: Mapping[str, str],
    secrets: list[str],
    scrub: Callable[[list[str]], Scrub],
    *,
    pacer: TokenBucket | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> list[Outcome]:
    """Sync every selected athlete into its folder, then write the index and report."""
    out, err = out or sys.stdout, err or sys.stderr
    directory = coach_directory(settings)
    check_installation()
    pacer = pacer or shared_pacer(environ)
    directory.mkdir(parents=True, exist_ok=True)
    entries = select(settings, directory, pacer)
    if not entries:
        raise InvalidInput("--athletes: no athlete to sync (the key can read none)")
    environ = _athlete_environ(environ, entries)
    for entry in entries:
        secrets.extend(athlete_secrets(entry, environ))
    clean = scrub(secrets)

    def one(entry: AthleteEntry) -> Outcome:
        return sync_athlete(settings, entry, directory, environ, pacer, clean)

    with ThreadPoolExecutor(max_workers=min(COACH_WORKERS, len(entries))) as pool:
        outcomes = list(pool.map(one, entries))
    index = write_index(directory, entries, settings.now or datetime.now(UTC))
    for outcome in outcomes:
        target = out if outcome.ok else err
        state = f"ok ({outcome.requests} requests)" if outcome.ok else f"failed: {outcome.reason}"
        print(f"{outcome.entry.folder}: {state}", file=target)
        for line in outcome.lines:
            print(f"{outcome.entry.folder}: {line}", file=err)
    failed = [o for o in outcomes if not o.ok]
    print(
        f"wrote {index}: {len(outcomes) - len(failed)} of {len(outcomes)} athletes synced", file=out
    )
    append_actions_file(environ.get("GITHUB_STEP_SUMMARY"), failure_summary(outcomes))
    return outcomes


def plan(settings: Settings, environ: Mapping[str, str], out: TextIO | None = None) -> int:
    """The coach workflow's plan: the athletes as a matrix, on stdout and in $GITHUB_OUTPUT."""
    out = out or sys.stdout
    directory = coach_directory(settings)
    entries = select(settings, directory, shared_pacer(environ))
    matrix = {"include": [matrix_row(e) for e in entries]}
    text = json.dumps(matrix, separators=(",", ":"))
    print(text, file=out)
    outputs = {
        "matrix": text,
        "athletes": ",".join(e.athlete_id for e in entries),
        "count": str(len(entries)),
        "max_parallel": str(max(1, min(MAX_PARALLEL_JOBS, len(entries)))),
    }
    append_actions_file(
        environ.get("GITHUB_OUTPUT"),
        "".join(f"{k}={v}\n" for k, v in outputs.items()) + sparse_output(entries),
    )
    return 0


def sparse_output(entries: Sequence[AthleteEntry]) -> str:
    """The `sparse` output: the publish job's checkout (cone mode): the runtime
    folders and every athlete's files without its archive (`athletes/<f>/charts`
    brings the files directly in `athletes/<f>/` and its charts, nothing else)."""
    folders = [".github", "section11", "schemas"]
    folders += [f"{ATHLETES_DIR}/{e.folder}/charts" for e in entries]
    delimiter = f"section11-{uuid.uuid4().hex}"
    return f"sparse<<{delimiter}\n" + "".join(f"{f}\n" for f in folders) + f"{delimiter}\n"


def matrix_row(entry: AthleteEntry) -> dict[str, Any]:
    """One matrix job: the athlete, its folder and the NAMES of its own secrets ("" when none)."""
    row: dict[str, Any] = {"athlete": entry.athlete_id, "folder": entry.folder}
    for setting in SECRET_SETTINGS:
        row[f"{setting}_secret"] = entry.secrets.get(setting, "")
    return row


def commit(
    settings: Settings,
    retention_days: int | None,
    environ: Mapping[str, str],
    out: TextIO | None = None,
) -> int:
    """`--commit` of a coach repository: the index rebuilt, then one commit for everyone."""
    out = out or sys.stdout
    directory = coach_directory(settings)
    ids = parse_selection(settings.athletes)
    roster = read_roster(directory)
    entries = entries_for(ids, roster) if ids is not None else _present_folders(directory)
    now = settings.now or datetime.now(UTC)
    write_index(directory, entries, now)
    step = CoachCommitStep(
        directory,
        [e.folder for e in entries],
        retention_days=retention_days,
        token=settings.github_token,
        now=now,
        environ=environ,
    )
    result = step.run()
    for line in result.lines():
        print(line, file=sys.stderr if line.startswith("warning:") else out)
    append_actions_file(
        environ.get("GITHUB_OUTPUT"), f"committed={str(result.commit is not None).lower()}\n"
    )
    append_actions_file(environ.get("GITHUB_STEP_SUMMARY"), commit_summary(result))
    return 0


__all__ = ["commit", "exit_code", "plan", "shared_pacer", "sync_all", "write_index"]
