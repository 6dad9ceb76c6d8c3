"""Which athletes a coach run syncs, and each one's settings (README.md#coach-mode).

The selection comes from `--athletes`, `ATHLETES` or the config file's
`athletes`: `all` (everyone the key can read, from `GET /athletes`) or a
comma-separated list of athlete ids. The optional `athletes.json` beside the
data maps athlete ids to folder names and per-athlete settings; secrets are
named (the environment variable / Actions secret that holds them), never
given by value. Every problem is one `InvalidInput` line naming the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidInput
from ..sources.intervals import validate_athlete_id

ROSTER_NAME = "athletes.json"
ALL = "all"
FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
SECRET_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")
RESERVED_FOLDERS = frozenset({"index.json"})
# athletes.json key -> the Settings field its named secret fills
SECRET_KEYS = {
    "intervals_key_secret": "intervals_key",
    "tp_auth_cookie_secret": "tp_auth_cookie",
    "peloton_refresh_token_secret": "peloton_refresh_token",
    "peloton_bearer_token_secret": "peloton_bearer_token",
}
PLAIN_KEYS = ("folder", "share", "zone_preference", "week_start")


@dataclass(frozen=True)
class AthleteEntry:
    """One athlete of the roster: its id, folder and own settings (unset: the run's)."""

    athlete_id: str
    folder: str
    share: Any = None  # as written in athletes.json; parsed by the privacy module
    zone_preference: Any = None
    week_start: Any = None
    secrets: Mapping[str, str] = field(default_factory=dict)  # Settings field -> secret name


def parse_selection(value: str | None) -> tuple[str, ...] | None:
    """`all` -> None (everyone listed); `i101,i102` -> the validated ids, in order."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput("--athletes: give `all` or a comma-separated list of athlete ids")
    if text.lower() == ALL:
        return None
    ids: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            athlete = validate_athlete_id(part)
        except InvalidInput:
            raise InvalidInput(
                "--athletes: each athlete id must be i followed by digits (e.g. i123456)"
            ) from None
        if athlete not in ids:
            ids.append(athlete)
    if not ids:
        raise InvalidInput("--athletes: give `all` or a comma-separated list of athlete ids")
    return tuple(ids)


def _entry(athlete: str, raw: Any, where: str) -> AthleteEntry:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}: athlete {athlete} must map to an object")
    unknown = sorted(set(raw) - set(PLAIN_KEYS) - set(SECRET_KEYS))
    if unknown:
        raise InvalidInput(
            f"{where}: athlete {athlete}: unknown key {unknown[0]!r} "
            f"(known: {', '.join((*PLAIN_KEYS, *SECRET_KEYS))})"
        )
    folder = raw.get("folder", athlete)
    if not isinstance(folder, str) or not FOLDER.fullmatch(folder) or folder in RESERVED_FOLDERS:
        raise InvalidInput(
            f"{where}: athlete {athlete}: folder must be letters, digits, '.', '_' or '-' "
            "(at most 64, not starting with '.' or '-')"
        )
    secrets: dict[str, str] = {}
    for key, setting in SECRET_KEYS.items():
        name = raw.get(key)
        if name is None:
            continue
        if not isinstance(name, str) or not SECRET_NAME.fullmatch(name):
            raise InvalidInput(
                f"{where}: athlete {athlete}: {key} must be the NAME of a secret "
                "(upper-case letters, digits, '_'), never its value"
            )
        secrets[setting] = name
    return AthleteEntry(
        athlete_id=athlete,
        folder=folder,
        share=raw.get("share"),
        zone_preference=raw.get("zone_preference"),
        week_start=raw.get("week_start"),
        secrets=secrets,
    )


def parse_roster(data: Any, where: str = ROSTER_NAME) -> dict[str, AthleteEntry]:
    """athletes.json's `{"athletes": {id: {...}}}` -> entries by athlete id."""
    if not isinstance(data, dict) or set(data) - {"athletes"}:
        raise InvalidInput(f'{where}: must be an object {{"athletes": {{"i123": {{...}}}}}}')
    athletes = data.get("athletes", {})
    if not isinstance(athletes, dict):
        raise InvalidInput(f"{where}: athletes must be an object keyed by athlete id")
    entries: dict[str, AthleteEntry] = {}
    for key, raw in athletes.items():
        try:
            athlete = validate_athlete_id(str(key))
        except InvalidInput:
            raise InvalidInput(
                f"{where}: {str(key)[:20]!r} is not an athlete id (i followed by digits)"
            ) from None
        entries[athlete] = _entry(athlete, raw, where)
    folders = [e.folder for e in entries.values()]
    clash = next((f for f in folders if folders.count(f) > 1), None)
    if clash is not None:
        raise InvalidInput(f"{where}: folder {clash!r} is given to two athletes")
    return entries


def read_roster(directory: Path) -> dict[str, AthleteEntry]:
    """The roster in `directory/athletes.json`; empty when there is none."""
    path = directory / ROSTER_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot be read ({type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"{path}: not valid JSON (line {getattr(exc, 'lineno', '?')})") from None
    return parse_roster(data, str(path))


def entries_for(ids: Iterable[str], roster: Mapping[str, AthleteEntry]) -> list[AthleteEntry]:
    """The roster entry of each athlete id (folder = the id when athletes.json has none)."""
    chosen = [roster.get(a) or AthleteEntry(athlete_id=a, folder=a) for a in ids]
    folders = [e.folder for e in chosen]
    clash = next((f for f in folders if folders.count(f) > 1), None)
    if clash is not None:
        raise InvalidInput(f"{ROSTER_NAME}: folder {clash!r} is given to two athletes")
    return chosen
