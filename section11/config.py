"""Settings of one run: command line > environment > config file.

Implements docs/architecture.md#settings with the fixes of weakness 9.3 (docs/architecture.md#reference-weaknesses): the reference let the
config file beat the environment (a stale file overrode CI secrets); here the
command line wins, then the environment, then the file. A config file that
holds a secret must not be readable by group or others (weakness 9.3.2 (docs/architecture.md#reference-weaknesses)), and invalid
values are refused instead of silently replaced (docs/architecture.md#settings: an unknown week start
used to become Monday).

Config file location (first match):
  1. `--config PATH`
  2. env `SECTION11_CONFIG`
  3. `./.sync_config.json` if it exists (the reference's file)
  4. `$XDG_CONFIG_HOME/section11/config.json` (default `~/.config/...`) if it exists
`--setup` writes to the same location, defaulting to 4 when nothing exists so
the secrets stay out of a synced data folder.

Athlete id validation lives in `section11.sources.intervals.validate_athlete_id`
and is applied by the pipeline, not here.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import InvalidInput
from .privacy import parse_share
from .sources.peloton import PelotonAuth
from .sports import WEEKDAYS

DEFAULT_DAYS = 7
MIN_DAYS = 1
MAX_DAYS = 3650
ZONE_BASES = ("power", "hr")
LEGACY_CONFIG_NAME = ".sync_config.json"
CONFIG_ENV = "SECTION11_CONFIG"
NOW_ENV = "SECTION11_NOW"
SECRET_KEYS = (
    "intervals_key",
    "github_token",
    "tp_auth_cookie",
    "peloton_refresh_token",
    "peloton_bearer_token",
)

# setting name -> (config file key, environment variable)
SOURCES = {
    "athlete_id": ("athlete_id", "ATHLETE_ID"),
    "intervals_key": ("intervals_key", "INTERVALS_KEY"),
    "github_token": ("github_token", "GITHUB_TOKEN"),
    "github_repo": ("github_repo", "GITHUB_REPO"),
    "week_start": ("week_start", "WEEK_START"),
    "zone_preference": ("zone_preference", "ZONE_PREFERENCE"),
    "share": ("share", "SECTION11_SHARE"),  # privacy categories to share (section11.privacy)
    "tp_auth_cookie": ("tp_auth_cookie", "TP_AUTH_COOKIE"),  # TrainingPeaks Production_tpAuth
    "peloton_refresh_token": ("peloton_refresh_token", "PELOTON_REFRESH_TOKEN"),
    "peloton_bearer_token": ("peloton_bearer_token", "PELOTON_BEARER_TOKEN"),
    "peloton_client_id": ("peloton_client_id", "PELOTON_CLIENT_ID"),
    "athletes": ("athletes", "ATHLETES"),  # coach mode: "all" or "i101,i102"
}

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    """Everything a run was told. Secrets are excluded from repr()."""

    athlete_id: str | None = None
    intervals_key: str | None = field(default=None, repr=False)
    github_token: str | None = field(default=None, repr=False)
    github_repo: str | None = None
    days: int = DEFAULT_DAYS
    output: str | None = None  # path of latest.json
    output_dir: str | None = None
    state_dir: str | None = None  # local store; default <output directory>/.section11
    week_start: int = 0  # Mon=0 .. Sun=6
    zone_preference: Mapping[str, str] = field(default_factory=dict)
    debug: bool = False
    lockfile: bool = False
    generate_history: bool = False
    demo: bool = False
    anonymize: bool = True
    share: frozenset[str] = frozenset()  # privacy categories shared (section11.privacy)
    base_url: str | None = None  # INTERVALS_BASE_URL; None = the client's default
    config_path: Path | None = None  # the config file that was read, if any
    now: datetime | None = None  # SECTION11_NOW override (aware), tests only
    tp_auth_cookie: str | None = field(default=None, repr=False)  # TrainingPeaks cookie
    tp_base_url: str | None = None  # TRAININGPEAKS_BASE_URL; None = the real API
    peloton: PelotonAuth | None = field(default=None, repr=False)  # None: no Peloton token
    athletes: str | None = None  # coach mode selection ("all" or ids); None: one athlete

    @property
    def has_intervals(self) -> bool:
        """Whether the run has Intervals.icu credentials (else another source stands alone)."""
        return bool(self.athlete_id or self.intervals_key)

    @property
    def has_github(self) -> bool:
        """Whether a GitHub token and repo are set (sign-in issues, the update check)."""
        return bool(self.github_token and self.github_repo)


def _stderr_warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


# ----------------------------------------------------------------- values


def parse_week_start(value: Any, source: str) -> int:
    """mon..sun (case-insensitive) -> 0..6; anything else is InvalidInput."""
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in WEEKDAYS:
        raise InvalidInput(
            f"{source}: week start must be one of {', '.join(WEEKDAYS)} (got {value!r})"
        )
    return WEEKDAYS.index(text)


def parse_zone_preference(value: Any, source: str, warn: Warn | None = None) -> dict[str, str]:
    """Parse "cycling:power,run:hr" (docs/metrics.md#sport-families).

    Sport keys are lower-cased (not checked against the family list, as the
    reference); the basis must be power or hr. Invalid pairs are skipped with
    a one-line warning each. A dict {sport: basis} is accepted too.
    """
    warn = warn or _stderr_warn
    if isinstance(value, Mapping):
        pairs = [(str(k), v if isinstance(v, str) else "") for k, v in value.items()]
        raw_pairs = [f"{k}:{v}" for k, v in pairs]
    elif isinstance(value, str):
        raw_pairs = [p for p in (part.strip() for part in value.split(",")) if p]
    else:
        raise InvalidInput(
            f"{source}: zone_preference must be a string like 'cycling:power,run:hr'"
        )
    result: dict[str, str] = {}
    for pair in raw_pairs:
        sport, sep, basis = pair.partition(":")
        sport, basis = sport.strip().lower(), basis.strip().lower()
        if not sep or not sport or basis not in ZONE_BASES:
            warn(f"{source}: ignoring zone preference {pair!r} (expected sport:power or sport:hr)")
            continue
        result[sport] = basis
    return result


def parse_days(value: Any) -> int:
    """--days: whole number 1..3650 (the reference accepted 0 and negatives)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"--days must be a whole number of days (got {value!r})")
    if not MIN_DAYS <= value <= MAX_DAYS:
        raise InvalidInput(f"--days must be between {MIN_DAYS} and {MAX_DAYS} (got {value})")
    return value


def parse_now(value: str) -> datetime:
    """SECTION11_NOW: ISO 8601 date-time with a UTC offset (tests and demos)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidInput(
            f"{NOW_ENV} must be an ISO 8601 date-time with a UTC offset, "
            "e.g. 2024-05-01T07:30:00+02:00"
        )
    return parsed


# ----------------------------------------------------------------- config file


def default_config_path(environ: Mapping[str, str]) -> Path:
    """$XDG_CONFIG_HOME/section11/config.json, default ~/.config/section11/config.json."""
    xdg = environ.get("XDG_CONFIG_HOME", "")
    if xdg and Path(xdg).is_absolute():
        base = Path(xdg)
    else:
        home = environ.get("HOME")
        base = (Path(home) if home else Path.home()) / ".config"
    return base / "section11" / "config.json"


def config_location(
    cli_path: str | None,
    environ: Mapping[str, str],
    cwd: Path | None = None,
    *,
    for_writing: bool = False,
) -> tuple[Path | None, bool]:
    """(path, explicit) per the location rule in the module docstring.

    For reading, path is None when no config exists. For writing (`--setup`)
    the XDG path is returned when nothing exists.
    """
    if cli_path:
        return Path(cli_path).expanduser(), True
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]).expanduser(), True
    legacy = (cwd or Path.cwd()) / LEGACY_CONFIG_NAME
    if legacy.is_file():
        return legacy, False
    xdg = default_config_path(environ)
    if xdg.is_file() or for_writing:
        return xdg, False
    return None, False


def read_config_file(path: Path) -> dict[str, Any]:
    """The JSON object in `path`; one-line InvalidInput naming the file otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InvalidInput(f"config file {path} cannot be read: {reason}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise InvalidInput(
            f"config file {path} is not valid JSON{where}; fix it or run `python sync.py --setup`"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(f"config file {path} must hold a JSON object")
    return data


def holds_secret(data: Mapping[str, Any]) -> bool:
    return any(isinstance(value, str) and value.strip() for value in map(data.get, SECRET_KEYS))


def check_permissions(path: Path) -> None:
    """Refuse a secret-holding config that group or others can read (weakness 9.3.2 (docs/architecture.md#reference-weaknesses))
    or write (someone else could point the sync elsewhere with your key)."""
    if os.name == "nt":  # POSIX mode bits mean nothing there
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # read_config_file reports it
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        raise InvalidInput(
            f"config file {path} holds secrets and is readable by others; run `chmod 600 {path}`"
        )
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise InvalidInput(
            f"config file {path} holds secrets and is writable by others; run `chmod 600 {path}`"
        )


def load_config(path: Path) -> dict[str, Any]:
    data = read_config_file(path)
    if holds_secret(data):
        check_permissions(path)
    return data


# ----------------------------------------------------------------- settings


def _clean(value: Any) -> Any:
    """Empty strings count as absent ("first non-empty wins")."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _pick(
    name: str,
    args: Any,
    environ: Mapping[str, str],
    config: Mapping[str, Any],
    config_path: Path | None,
) -> tuple[Any, str]:
    """(value, source description) of the first non-empty source."""
    key, env = SOURCES[name]
    cli = _clean(getattr(args, name, None))
    if cli is not None:
        return cli, f"--{name.replace('_', '-')}"
    from_env = _clean(environ.get(env))
    if from_env is not None:
        return from_env, env
    return _clean(config.get(key)), f"config file {config_path} ({key})"


def _text(value: Any, source: str, *, allow_int: bool = False) -> str | None:
    if value is None:
        return None
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InvalidInput(f"{source} must be a string")
    return value


def load_settings(
    args: Any,
    environ: Mapping[str, str] | None = None,
    *,
    cwd: Path | None = None,
    warn: Warn | None = None,
) -> Settings:
    """Resolve a run's settings: CLI > environment > config file (docs/architecture.md#settings, weakness 9.3.4 (docs/architecture.md#reference-weaknesses)).

    `args` is the argparse namespace (missing attributes count as not given).
    Raises InvalidInput for unreadable/invalid/too-open config files and
    invalid values.
    """
    environ = os.environ if environ is None else environ
    warn = warn or _stderr_warn
    path, _explicit = config_location(getattr(args, "config", None), environ, cwd)
    config: dict[str, Any] = {}
    if path is not None:
        config = load_config(path)

    def pick(name: str) -> tuple[Any, str]:
        return _pick(name, args, environ, config, path)

    athlete_id = _text(*pick("athlete_id"), allow_int=True)
    intervals_key = _text(*pick("intervals_key"))
    github_token = _text(*pick("github_token"))
    github_repo = _text(*pick("github_repo"))

    week_value, week_source = pick("week_start")
    week_start = 0 if week_value is None else parse_week_start(week_value, week_source)

    # No CLI flag for zone preference (as the reference): env > file.
    zone_value, zone_source = pick("zone_preference")
    zones = {} if zone_value is None else parse_zone_preference(zone_value, zone_source, warn)

    share = parse_share(*pick("share"))

    days = getattr(args, "days", None)
    days = DEFAULT_DAYS if days is None else parse_days(days)

    now_text = _clean(environ.get(NOW_ENV))
    now = parse_now(now_text) if now_text else None

    return Settings(
        athlete_id=athlete_id,
        intervals_key=intervals_key,
        github_token=github_token,
        github_repo=github_repo,
        days=days,
        output=_clean(getattr(args, "output", None)),
        output_dir=_clean(getattr(args, "output_dir", None)),
        state_dir=_clean(getattr(args, "state_dir", None))
        or _clean(environ.get("SECTION11_STATE_DIR")),
        week_start=week_start,
        zone_preference=zones,
        debug=bool(getattr(args, "debug", False)),
        lockfile=bool(getattr(args, "lockfile", False)),
        generate_history=bool(getattr(args, "generate_history", False)),
        demo=bool(getattr(args, "demo", False)),
        anonymize=not getattr(args, "no_anonymize", False),
        share=share,
        base_url=_clean(environ.get("INTERVALS_BASE_URL")),
        config_path=path,
        now=now,
        tp_auth_cookie=_text(*pick("tp_auth_cookie")),
        tp_base_url=_clean(environ.get("TRAININGPEAKS_BASE_URL")),
        peloton=peloton_auth(pick, environ),
        athletes=_athletes(*pick("athletes")),
    )


def _athletes(value: Any, source: str) -> str | None:
    """Coach selection: a string, or in the config file also a list of ids."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value) or None
    return _text(value, source)


def peloton_auth(
    pick: Callable[[str], tuple[Any, str]], environ: Mapping[str, str]
) -> PelotonAuth | None:
    """The Peloton settings, or None when no Peloton token is given."""
    auth = PelotonAuth(
        refresh_token=_text(*pick("peloton_refresh_token")),
        bearer_token=_text(*pick("peloton_bearer_token")),
        client_id=_text(*pick("peloton_client_id")),
        base_url=_clean(environ.get("PELOTON_BASE_URL")),
        auth_url=_clean(environ.get("PELOTON_AUTH_URL")),
    )
    return auth if auth.configured else None
