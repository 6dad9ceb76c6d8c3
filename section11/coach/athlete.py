"""One athlete of a coach run: its settings, its sync, its outcome file.

An athlete's settings are the run's with its own id, folder, state store and
the per-athlete values of athletes.json. Secrets named there are read from the
environment; the run's other-source secrets (TrainingPeaks, Peloton) are never
lent to an athlete: they belong to whoever runs the sync. A failure of one
athlete is caught here and becomes its outcome; it never stops the others.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import pipeline
from ..config import Settings, parse_week_start, parse_zone_preference
from ..errors import EXIT_UNEXPECTED, AuthFailed, MissingCredentials, SyncError
from ..ingest.fetch import requests_in_flight
from ..outputs.index import status_document
from ..outputs.validate import validate_documents
from ..privacy import parse_share
from ..publish.coach_commit import ATHLETES_DIR, STATUS_NAME
from ..publish.files import dump_json, write_files_atomic
from ..sources.intervals import DEFAULT_WORKERS, IntervalsClient
from ..sources.peloton import PelotonAuth
from ..sources.policy import TokenBucket
from .roster import SECRET_KEYS, AthleteEntry

STATE_SUBDIR = "athletes"  # <state root>/athletes/<folder>/: each athlete's own store

SECRET_SETTINGS = tuple(SECRET_KEYS.values())
REFUSED = (
    "Intervals.icu refused access to this athlete: the athlete may have stopped sharing "
    "with the coach, or the athlete's own key (athletes.json) is wrong"
)
Scrub = Callable[[str], str]  # a message made safe to print and store (no secret)


@dataclass(frozen=True)
class Outcome:
    """How one athlete's sync went."""

    entry: AthleteEntry
    ok: bool
    reason: str | None = None
    exit_code: int = 0
    requests: int = 0
    lines: tuple[str, ...] = ()


def folder_of(directory: Path, entry: AthleteEntry) -> Path:
    return directory / ATHLETES_DIR / entry.folder


def stand_in(setting: str) -> str:
    """The variable a one-athlete run (the workflow's matrix job) also reads a named secret from."""
    return f"ATHLETE_{setting.upper()}"


def _secret(entry: AthleteEntry, setting: str, environ: Mapping[str, str]) -> str | None:
    name = entry.secrets.get(setting)
    if name is None:
        return None
    value = (environ.get(name) or environ.get(stand_in(setting)) or "").strip()
    if not value:
        raise MissingCredentials(f"the secret {name} named in athletes.json is not set")
    return value


def _peloton(entry: AthleteEntry, environ: Mapping[str, str]) -> PelotonAuth | None:
    auth = PelotonAuth(
        refresh_token=_secret(entry, "peloton_refresh_token", environ),
        bearer_token=_secret(entry, "peloton_bearer_token", environ),
        base_url=(environ.get("PELOTON_BASE_URL") or "").strip() or None,
        auth_url=(environ.get("PELOTON_AUTH_URL") or "").strip() or None,
    )
    return auth if auth.configured else None


def athlete_settings(
    settings: Settings, entry: AthleteEntry, directory: Path, environ: Mapping[str, str]
) -> Settings:
    """The run's settings turned to one athlete (InvalidInput/MissingCredentials: its own fault)."""
    state_root = Path(settings.state_dir) if settings.state_dir else directory / pipeline.STATE_DIR
    where = f"athletes.json ({entry.athlete_id})"
    local = dataclasses.replace(
        settings,
        athlete_id=entry.athlete_id,
        intervals_key=_secret(entry, "intervals_key", environ) or settings.intervals_key,
        output=None,
        output_dir=str(folder_of(directory, entry)),
        state_dir=str(state_root / STATE_SUBDIR / entry.folder),
        athletes=None,
        tp_auth_cookie=_secret(entry, "tp_auth_cookie", environ),
        peloton=_peloton(entry, environ),
        github_token=None,
        github_repo=None,
    )
    if entry.share is not None:
        local = dataclasses.replace(local, anonymize=True, share=parse_share(entry.share, where))
    if entry.week_start is not None:
        local = dataclasses.replace(local, week_start=parse_week_start(entry.week_start, where))
    if entry.zone_preference is not None:
        zones = parse_zone_preference(entry.zone_preference, where)
        local = dataclasses.replace(local, zone_preference=zones)
    return local


def athlete_secrets(entry: AthleteEntry, environ: Mapping[str, str]) -> list[str]:
    """The values of the secrets an athlete's entry names (to scrub from messages)."""
    values = (
        environ.get(name) or environ.get(stand_in(setting))
        for setting, name in entry.secrets.items()
    )
    return [value for value in values if value]


def write_status(folder: Path, ok: bool, reason: str | None, now: datetime) -> None:
    """athletes/<folder>/sync_status.json (validated, atomic)."""
    document = status_document(ok, reason, now.astimezone(UTC).isoformat(timespec="seconds"))
    validate_documents({STATUS_NAME: document})
    folder.mkdir(parents=True, exist_ok=True)
    write_files_atomic({folder / STATUS_NAME: dump_json(document, STATUS_NAME)})


def sync_athlete(
    settings: Settings,
    entry: AthleteEntry,
    directory: Path,
    environ: Mapping[str, str],
    pacer: TokenBucket,
    scrub: Scrub,
) -> Outcome:
    """Sync one athlete into its folder through the shared `pacer`; never raises a SyncError."""
    client = None
    try:
        local = athlete_settings(settings, entry, directory, environ)
        Path(local.output_dir or ".").mkdir(parents=True, exist_ok=True)
        client = IntervalsClient(
            entry.athlete_id,
            local.intervals_key or "",
            base_url=local.base_url,
            pacer=pacer,
            pool_size=requests_in_flight(DEFAULT_WORKERS),
        )
        result = pipeline.sync(local, client=client)
        outcome = Outcome(
            entry,
            ok=True,
            requests=client.request_count,
            lines=tuple(scrub(f"warning: {w}") for w in result.warnings),
        )
    except AuthFailed as exc:
        outcome = _failed(entry, REFUSED, exc.exit_code, client)
    except SyncError as exc:
        outcome = _failed(entry, scrub(exc.message), exc.exit_code, client)
    except Exception as exc:  # noqa: BLE001 - bad data of one athlete never stops the others
        outcome = _failed(
            entry, scrub(f"unexpected {type(exc).__name__}: {exc}"), EXIT_UNEXPECTED, client
        )
    finally:
        if client is not None:
            client.close()
    write_status(folder_of(directory, entry), outcome.ok, outcome.reason, _now(settings))
    return outcome


def _failed(
    entry: AthleteEntry, reason: str, exit_code: int, client: IntervalsClient | None
) -> Outcome:
    requests = client.request_count if client is not None else 0
    return Outcome(entry, ok=False, reason=reason, exit_code=exit_code, requests=requests)


def _now(settings: Settings) -> datetime:
    return settings.now or datetime.now(UTC)
