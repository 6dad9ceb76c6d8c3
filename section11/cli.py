"""Command line of `sync.py` (docs/architecture.md#one-sync and README.md#options, fixed per weakness 9 (docs/architecture.md#reference-weaknesses)).

The flags are the reference's (README.md#options) plus --demo, --output-dir, --no-anonymize,
--share (privacy categories, section11.privacy) and --config. Modes, first
match wins: --setup, --init, --update, --generate-manifest, coach mode
(--athletes or ATHLETES: section11.coach, with --plan, --commit or --demo),
--commit, --demo, otherwise a data sync.

Exit codes (section11.errors; the reference exited 0 for every handled
problem, weakness 9.1.11):

    code  meaning
    0     success
    1     unexpected error (rerun with --debug for the traceback)
    2     invalid input: flags, config file, values; argparse usage errors
    3     missing credentials (athlete id or API key)
    4     Intervals.icu rejected the credentials
    5     Intervals.icu API failure
    6     another sync holds the lock (--lockfile)
    7     output files could not be written
    130   interrupted (Ctrl-C)
    143   terminated (SIGTERM)

A failure prints exactly one line `error: <message>` on stderr. No secret,
and no part of one, is ever printed: the --debug banner says only "set" or
"not set", and every error line is scrubbed of known secret values.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import signal
import stat
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .config import (
    LEGACY_CONFIG_NAME,
    Settings,
    config_location,
    default_config_path,
    load_settings,
    parse_week_start,
    parse_zone_preference,
    read_config_file,
)
from .errors import (
    EXIT_AUTH_FAILED,
    EXIT_INVALID_INPUT,
    EXIT_UNEXPECTED,
    InvalidInput,
    MissingCredentials,
    RunDeadlineExceeded,
    SourceRefused,
    SyncError,
    Terminated,
    printable,
)
from .install_check import check_installation
from .privacy import CATEGORIES as PRIVACY_CATEGORIES
from .sports import WEEKDAYS

EXIT_INTERRUPTED = 130
EXIT_SETUP_CANCELLED = EXIT_INVALID_INPUT
SETUP_MAX_TRIES = 5
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")
_SECRET_FLAGS = ("--intervals-key", "--github-token")
_SECRET_ENV = (
    "INTERVALS_KEY",
    "GITHUB_TOKEN",
    "TP_AUTH_COOKIE",
    "PELOTON_REFRESH_TOKEN",
    "PELOTON_BEARER_TOKEN",
)


# ----------------------------------------------------------------- argparse


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting."""

    def error(self, message: str):
        raise _UsageError(_sanitize_usage(message))


def _sanitize_usage(message: str) -> str:
    """Keep option names, drop values from "unrecognized arguments" (they may be secrets)."""
    prefix = "unrecognized arguments:"
    if not message.startswith(prefix):
        return message
    tokens = message[len(prefix) :].split()
    options = [t.split("=", 1)[0] for t in tokens if t.startswith("-")]
    dropped = len(tokens) - len(options) + sum("=" in t for t in tokens if t.startswith("-"))
    text = f"unrecognized arguments: {' '.join(options)}" if options else "unexpected arguments"
    if dropped:
        text += f" (plus {dropped} value{'s' if dropped > 1 else ''} not shown)"
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sync.py",
        description="Mirror your Intervals.icu training data into AI-readable JSON files.",
    )
    modes = parser.add_argument_group("modes")
    modes.add_argument(
        "--setup", action="store_true", help="interactive set-up (config file, 0600)"
    )
    modes.add_argument(
        "--init",
        nargs="?",
        const=".",
        default=None,
        metavar="DIR",
        help="build a ready data repository in DIR (default: the current folder)",
    )
    modes.add_argument(
        "--update",
        action="store_true",
        help="install upstream updates, each file verified against the upstream "
        "manifest's SHA-256 (env SECTION11_MANIFEST_URL)",
    )
    modes.add_argument(
        "--update-source",
        metavar="URL",
        help="--init/--update: the upstream manifest.json URL (recorded by --init)",
    )
    modes.add_argument(
        "--yes", "-y", action="store_true", help="--update: install and delete without asking"
    )
    modes.add_argument(
        "--generate-manifest",
        action="store_true",
        help="maintainers: write manifest.json of the distributable files",
    )
    modes.add_argument(
        "--demo", action="store_true", help="run against a bundled demo athlete on a local fake API"
    )
    modes.add_argument(
        "--demo-sources",
        choices=("intervals", "both", "tp", "peloton"),
        default="intervals",
        help="with --demo: serve Intervals.icu only (default), Intervals.icu and TrainingPeaks "
        "(both), TrainingPeaks alone (tp) or Peloton alone (peloton)",
    )
    modes.add_argument(
        "--demo-peloton",
        action="store_true",
        help="with --demo: the demo athlete also rides on Peloton (a local fake Peloton API)",
    )
    modes.add_argument(
        "--generate-history", action="store_true", help="regenerate history.json (3 years)"
    )
    modes.add_argument(
        "--commit",
        action="store_true",
        help="commit and push the data files in --output-dir (default .) to "
        "their git repository, one commit only when the data changed",
    )
    out_commit = parser.add_argument_group("--commit")
    out_commit.add_argument(
        "--archive-retention-days",
        type=int,
        default=None,
        metavar="N",
        help="prune archive snapshots older than N days (default: keep all)",
    )

    coach = parser.add_argument_group("coach mode (README: Coach mode)")
    coach.add_argument(
        "--athletes",
        metavar="all|ID[,ID]",
        help="sync many athletes into --output-dir DIR/athletes/: all (everyone the key "
        "can read) or a list of athlete ids (env ATHLETES)",
    )
    coach.add_argument(
        "--plan",
        action="store_true",
        help="with --athletes: print the athletes as a GitHub Actions matrix (the coach workflow)",
    )
    coach.add_argument(
        "--coach",
        action="store_true",
        help="with --init: set up a coach repository (many athletes, athletes.json)",
    )

    creds = parser.add_argument_group("credentials (prefer the environment or --setup)")
    creds.add_argument(
        "--athlete-id", help="Intervals.icu athlete id, e.g. i123456 (env ATHLETE_ID)"
    )
    creds.add_argument("--intervals-key", help="Intervals.icu API key (env INTERVALS_KEY)")
    creds.add_argument("--github-token", help="GitHub token (env GITHUB_TOKEN)")
    creds.add_argument("--github-repo", help="GitHub repository owner/name (env GITHUB_REPO)")
    creds.add_argument("--config", help="config file (default: see README)")

    out = parser.add_argument_group("output")
    where = out.add_mutually_exclusive_group()
    where.add_argument("--output", help="path of latest.json; the other files go beside it")
    where.add_argument("--output-dir", help="directory for all files (created if missing)")
    out.add_argument(
        "--state-dir",
        help="local store of fetched records (default: .section11 "
        "beside the outputs; env SECTION11_STATE_DIR)",
    )
    out.add_argument("--days", type=int, default=None, help="display window in days (default 7)")
    out.add_argument(
        "--week-start", type=str.lower, choices=WEEKDAYS, help="training-week start (default mon)"
    )
    out.add_argument(
        "--no-anonymize",
        action="store_true",
        help="share every privacy category (turns anonymization off)",
    )
    out.add_argument(
        "--share",
        action="append",
        metavar="CATEGORY[,CATEGORY]",
        help="privacy categories to keep in the output (repeatable; env "
        "SECTION11_SHARE): "
        + ", ".join(PRIVACY_CATEGORIES)
        + ", or all / none; everything else stays redacted",
    )
    out.add_argument(
        "--lockfile", action="store_true", help="refuse to run while another sync holds .sync.lock"
    )
    out.add_argument(
        "--debug", action="store_true", help="tracebacks and diagnostics (never secrets)"
    )
    parser.add_argument("--version", action="version", version=f"section11 {__version__}")
    return parser


# ----------------------------------------------------------------- secrets in output


def _argv_secrets(argv: list[str]) -> list[str]:
    found = []
    for index, token in enumerate(argv):
        for flag in _SECRET_FLAGS:
            if token == flag and index + 1 < len(argv):
                found.append(argv[index + 1])
            elif token.startswith(flag + "="):
                found.append(token[len(flag) + 1 :])
    return found


def _redact(text: str, secrets: list[str]) -> str:
    for secret in sorted({s for s in secrets if s and len(s.strip()) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
        if secret.strip() != secret:
            text = text.replace(secret.strip(), "***")
    return text


def _one_line(text: str) -> str:
    return printable(text)


def banner(settings: Settings) -> str:
    """Configuration summary for --debug: presence only, never a value (weakness 9.3.1 (docs/architecture.md#reference-weaknesses))."""

    def state(value: Any) -> str:
        return "set" if value else "not set"

    base = "custom" if settings.base_url else "default"
    config = str(settings.config_path) if settings.config_path else "none"
    return (
        f"section11 {__version__}: athlete id {state(settings.athlete_id)}, "
        f"API key {state(settings.intervals_key)}, GitHub token {state(settings.github_token)}, "
        f"GitHub repo {state(settings.github_repo)}, config file {config}, "
        f"API base URL {base}, days {settings.days}"
    )


# ----------------------------------------------------------------- main


def main(argv: list[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    """Entry point of `python sync.py`. Returns the process exit code."""
    environ = os.environ if environ is None else environ
    argv = sys.argv[1:] if argv is None else list(argv)
    secrets = _argv_secrets(argv) + [environ.get(name, "") for name in _SECRET_ENV]
    debug = "--debug" in argv
    err = sys.stderr
    from .sources.transport import (
        DEFAULT_RUN_DEADLINE,
        RUN_CLOCK,
        RUN_DEADLINE_ENV,
        seconds_from_env,
    )

    RUN_CLOCK.start(seconds_from_env(RUN_DEADLINE_ENV, DEFAULT_RUN_DEADLINE, environ))
    previous_term = _on_sigterm()
    try:
        if argv[:1] == ["tp"]:
            from .tp_cli import run_tp

            return run_tp(argv[1:], environ, secrets)
        try:
            args = build_parser().parse_args(argv)
        except _UsageError as exc:
            raise InvalidInput(f"{exc}; see --help") from None
        except SystemExit as exc:  # --help / --version
            return exc.code if isinstance(exc.code, int) else 0
        return _dispatch(args, environ, secrets)
    except KeyboardInterrupt:
        print("error: interrupted", file=err)
        return EXIT_INTERRUPTED
    except Terminated:
        print("error: terminated (SIGTERM)", file=err)
        return Terminated.exit_code
    except (SyncError, RunDeadlineExceeded) as exc:
        print(f"error: {_redact(_one_line(exc.message), secrets)}", file=err)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if debug:
            print(_redact(traceback.format_exc(), secrets), file=err, end="")
        message = _redact(_one_line(f"unexpected {type(exc).__name__}: {exc}"), secrets)
        print(f"error: {message}; rerun with --debug for details", file=err)
        return EXIT_UNEXPECTED
    finally:
        RUN_CLOCK.stop()
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)


def _terminate(_signum: int, _frame: Any) -> None:
    raise Terminated()


def _on_sigterm() -> Any:
    """SIGTERM ends the run like Ctrl-C (the lock is released, temp files
    removed, exit 143); returns the handler to restore, None when this is not
    the main thread (handlers can only be set there)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminate)


def _dispatch(args: argparse.Namespace, environ: Mapping[str, str], secrets: list[str]) -> int:
    if args.setup:
        path, _ = config_location(args.config, environ, for_writing=True)
        if path is None:
            raise InvalidInput("--setup: no place for the config file; pass --config PATH")
        return run_setup(path, verify=_api_check(environ))
    if args.init is not None:
        from .publish.init import run_init
        from .publish.manifest import install_root

        return run_init(
            args.init,
            install_root(),
            repo=_checked_repo(args.github_repo),
            source=args.update_source,
            coach=args.coach,
        )
    if args.coach:
        raise InvalidInput("--coach goes with --init DIR (it sets up a coach repository)")
    if args.update:
        return run_update_mode(args, environ)
    if args.generate_manifest:
        return run_generate_manifest()
    settings = load_settings(args, environ)
    secrets.extend(
        s for s in (settings.intervals_key, settings.github_token, settings.tp_auth_cookie) if s
    )
    secrets.extend(settings.peloton.secrets() if settings.peloton else ())
    if settings.debug:
        print(banner(settings), file=sys.stderr)
    if settings.athletes or args.plan:
        return _run_coach(args, settings, environ, secrets)
    if getattr(args, "commit", False):
        from .publish.git import run_commit_mode

        return run_commit_mode(settings, args.archive_retention_days, environ)
    if settings.demo:
        from .demo.runner import run_demo

        peloton = bool(getattr(args, "demo_peloton", False))
        if args.demo_sources == "intervals" and not peloton:
            return _code(run_demo(settings))
        return _code(run_demo(settings, sources=args.demo_sources, peloton=peloton))
    return run_sync(settings, environ)


def _run_coach(
    args: argparse.Namespace, settings: Settings, environ: Mapping[str, str], secrets: list[str]
) -> int:
    """Coach mode (section11.coach): --plan, --commit, --demo or a sync of many athletes."""
    from .coach import run as coach

    if not settings.athletes:
        raise InvalidInput("--plan needs --athletes all|ID[,ID] (or ATHLETES)")
    if args.plan:
        return coach.plan(settings, environ)
    if args.commit:
        return coach.commit(settings, args.archive_retention_days, environ)
    if settings.demo:
        from .demo.coach_runner import run_coach_demo

        return run_coach_demo(settings, _scrubber)
    return coach.exit_code(coach.sync_all(settings, environ, secrets, _scrubber))


def _scrubber(secrets: list[str]) -> Callable[[str], str]:
    """One printable line without any of `secrets` (for messages a coach run stores)."""
    return lambda text: _redact(_one_line(text), secrets)


def _code(result: Any) -> int:
    return 0 if result is None else int(result)


def check_sync_settings(settings: Settings) -> None:
    """Credentials and destination of a data sync (docs/architecture.md#one-sync steps 5 and 7, with exit codes)."""
    missing = [
        name
        for name, value in (
            ("athlete id", settings.athlete_id),
            ("API key", settings.intervals_key),
        )
        if not value
    ]
    peloton = settings.peloton is not None and settings.peloton.configured
    if len(missing) == 2 and (settings.tp_auth_cookie or peloton):
        missing = []  # TrainingPeaks or Peloton alone
    if missing:
        raise MissingCredentials(
            f"{' and '.join(missing)} not set: run `python sync.py --setup`, or set the "
            "ATHLETE_ID and INTERVALS_KEY environment variables (or only TP_AUTH_COOKIE "
            "or PELOTON_REFRESH_TOKEN, to mirror that source alone)"
        )
    if not (
        settings.output or settings.output_dir or is_api_mode(settings) or settings.generate_history
    ):
        raise InvalidInput(
            "no destination: use --output latest.json or --output-dir DIR, "
            "or set GITHUB_TOKEN and GITHUB_REPO to publish to GitHub"
        )


def is_api_mode(settings: Settings) -> bool:
    """GitHub API mode (docs/architecture.md#publishing): no --output/--output-dir, but a token and a repo."""
    return not (settings.output or settings.output_dir) and bool(
        settings.github_token and settings.github_repo
    )


LOG_NAME = "sync.log"
LOG_ROTATE_BYTES = 1_000_000
LOG_KEEP_LINES = 200
LOG_MARKER = "## section11 sync log:"  # written by the program into its own log
LOG_SCAN_BYTES = 256 * 1024  # where the marker is looked for: the end of the log
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _streams_writing_to(path: Path) -> list[TextIO]:
    """stdout/stderr when they are the regular file `path` itself (cron's `>> sync.log`)."""
    try:
        st = os.lstat(path)
    except OSError:
        return []
    found = []
    for stream in (sys.stdout, sys.stderr):
        try:
            own = os.fstat(stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue
        if (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino) and stat.S_ISREG(st.st_mode):
            found.append(stream)
    return found[:1]


def mark_log(path: Path) -> bool:
    """Write the marker line into `path` when this run's output goes there:
    that is how a log is known to be the program's own."""
    for stream in _streams_writing_to(path):
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"{LOG_MARKER} run at {stamp}", file=stream, flush=True)
        return True
    return False


def rotate_log(path: Path) -> bool:
    """Keep the last 200 lines of the program's own sync.log once it reaches
    1 MB (docs/architecture.md#local-operations: cron and launchd append to it). Only a regular
    file (opened without following a symlink) whose end holds the marker line
    this program writes is cut; any other file of that name is left alone.
    Best effort, in place: the appending shell keeps its handle."""
    if path.name != LOG_NAME:
        return False
    try:
        fd = os.open(path, os.O_RDWR | _NOFOLLOW)
    except OSError:
        return False  # missing, unwritable, or a symlink (ELOOP)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < LOG_ROTATE_BYTES:
            return False
        end = os.pread(fd, LOG_SCAN_BYTES, st.st_size - LOG_SCAN_BYTES)
        if LOG_MARKER.encode() not in end:
            return False  # not a log this program wrote
        tail = b"".join(end.splitlines(keepends=True)[-LOG_KEEP_LINES:])
        os.ftruncate(fd, 0)
        os.pwrite(fd, tail, 0)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def run_sync(settings: Settings, environ: Mapping[str, str] | None = None) -> int:
    """A data sync, under the lock when --lockfile is given. In API mode the
    files are written to the current directory, then published as one commit.
    With a GitHub token and repo, the sources' sign-in issues and the
    throttled update check follow."""
    import dataclasses

    from .lock import LOCK_NAME, acquire
    from .publish.files import resolve_destination

    environ = os.environ if environ is None else environ
    log = Path(LOG_NAME)
    mark_log(log)
    rotate_log(log)
    check_sync_settings(settings)
    check_installation()  # schemas/ readable, before any request
    api_mode = is_api_mode(settings)
    # --generate-history alone writes ./history.json, as the reference did
    history_only = settings.generate_history and not (
        api_mode or settings.output or settings.output_dir
    )
    if api_mode or history_only:
        settings = dataclasses.replace(settings, output_dir=".")
    latest_path, directory = resolve_destination(settings.output, settings.output_dir)
    from .progress import Progress

    runner = _sync_runner(settings, history_only)

    def work() -> int:
        progress = Progress.for_environment(environ)
        if history_only:
            code = _code(runner(settings, progress=progress, only=("history.json",)))
        else:
            code = _code(runner(settings, progress=progress))
        if code == 0 and api_mode:
            from .publish import github_api

            github_api.publish_api_mode(settings, directory, environ)
        return code

    try:
        if settings.lockfile:
            with acquire(directory / LOCK_NAME):
                code = work()
        else:
            code = work()
    except SourceRefused as refused:
        if settings.has_github:
            from .publish import source_issues

            source_issues.after_refusal(settings, latest_path, refused, environ)
        raise
    if code == 0 and settings.has_github:
        from .publish import source_issues, updates

        source_issues.after_sync(settings, latest_path, environ)
        updates.after_sync(settings, directory, environ, config=_config_values(settings))
    return code


def _sync_runner(settings: Settings, history_only: bool) -> Callable[..., int]:
    """The run entry of this sync, imported alone (a steady run loads little):
    the pipeline's, or source_sync's for a sync without Intervals.icu."""
    if settings.has_intervals or history_only:
        from .pipeline import run

        return run
    from .source_sync import run as run_alone

    return run_alone


def _config_values(settings: Any) -> Mapping[str, Any]:
    """The config file's values, or nothing when there is none or it cannot be read."""
    if settings.config_path is None:
        return {}
    try:
        return read_config_file(Path(settings.config_path))
    except SyncError:
        return {}


def _api_check(environ: Mapping[str, str]) -> Callable[[str, str], Any]:
    """--setup's credential test against INTERVALS_BASE_URL (default Intervals.icu)."""
    from .credentials_check import check_credentials

    base_url = (environ.get("INTERVALS_BASE_URL") or "").strip() or None
    return lambda athlete_id, key: check_credentials(athlete_id, key, base_url)


def _checked_repo(repo: str | None) -> str | None:
    if repo is None:
        return None
    try:
        return _github_repo(repo.strip())
    except ValueError as exc:
        raise InvalidInput(f"--github-repo: {exc}") from None


def run_update_mode(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """--update: see section11.publish.updates.run_update."""
    from .publish import updates
    from .publish.manifest import install_root, read_local_manifest

    path, _ = config_location(args.config, environ)
    config = read_config_file(path) if path is not None else {}
    root = install_root()
    url = args.update_source or updates.manifest_url(environ, config, read_local_manifest(root))
    return updates.run_update(root, url, yes=args.yes)


def run_generate_manifest() -> int:
    """--generate-manifest: manifest.json of this installation's distributable files."""
    from .publish.manifest import install_root, write_manifest

    path, count = write_manifest(install_root())
    print(f"wrote {path} ({count} files)")
    return 0


# ----------------------------------------------------------------- --setup


class _Cancelled(Exception):
    pass


_REMOVE = object()  # answer "-": drop an optional setting


def _athlete_id(answer: str) -> str:
    from .sources.intervals import validate_athlete_id

    try:
        return validate_athlete_id(answer)
    except InvalidInput:
        raise ValueError(
            "expected i followed by digits (e.g. i123456), bare digits, or 0"
        ) from None


def _github_repo(answer: str) -> str:
    if not _REPO.fullmatch(answer) or answer.split("/")[1] in (".", ".."):
        raise ValueError("expected owner/name, e.g. alice/training-data")
    return answer


def _week_start(answer: str) -> str:
    try:
        return WEEKDAYS[parse_week_start(answer, "week start")]
    except InvalidInput:
        raise ValueError(f"expected one of {', '.join(WEEKDAYS)}") from None


def _zone_preference(answer: str) -> str:
    problems: list[str] = []
    parsed = parse_zone_preference(answer, "zone preference", problems.append)
    if problems or not parsed:
        raise ValueError(
            "expected sport:basis pairs with basis power or hr, e.g. cycling:power,run:hr"
        )
    return ",".join(f"{sport}:{basis}" for sport, basis in parsed.items())


def _ask(
    question: str,
    out: TextIO,
    ask: Callable[[str], str],
    *,
    current: Any = None,
    secret: bool = False,
    required: bool = False,
    default: str | None = None,
    check: Callable[[str], str] | None = None,
) -> Any:
    """One prompt: Enter keeps the current value (or the default); "-" drops an optional one."""
    if current:
        hint = " [set; Enter keeps it]" if secret else f" [{current}]"
    elif default:
        hint = f" [{default}]"
    else:
        hint = "" if required else " (Enter skips)"
    for _ in range(SETUP_MAX_TRIES):
        try:
            answer = ask(f"{question}{hint}: ").strip()
        except EOFError:
            raise _Cancelled() from None
        if not answer:
            if current:
                return current
            if default:
                return default
            if not required:
                return None
            print("  a value is required", file=out)
            continue
        if answer == "-" and not required:
            return _REMOVE
        if check is None:
            return answer
        try:
            return check(answer)
        except ValueError as exc:
            print(f"  {exc}", file=out)
    raise InvalidInput(f"setup: too many invalid answers to {question!r}; nothing was written")


def run_setup(
    path: Path | str,
    input_fn: Callable[[str], str] = input,
    getpass_fn: Callable[[str], str] = getpass.getpass,
    out: TextIO | None = None,
    verify: Callable[[str, str], Any] | None = None,
) -> int:
    """Interactive set-up (docs/architecture.md#local-operations, fixed per weakness 9.3.2 (docs/architecture.md#reference-weaknesses)).

    Secrets are read with getpass (not echoed). Answers are merged into an
    existing config (unknown keys kept) and written atomically with mode 0600
    from the first byte. EOF cancels with EXIT_SETUP_CANCELLED and no change.
    `verify(athlete_id, key)` (the CLI passes one API call,
    credentials_check) tests them first: refused credentials are not saved
    (exit 4); when the test cannot be made they are saved untested.
    """
    from .publish.files import dump_json, write_files_atomic

    out = out or sys.stdout
    path = Path(path)
    existing = read_config_file(path) if path.exists() else {}
    print(f"Section 11 set-up. Answers are saved to {path} (readable only by you).", file=out)
    print(
        "Enter keeps the value in [brackets]; '-' removes an optional one; Ctrl-D cancels.",
        file=out,
    )
    questions: list[tuple[str, str, dict[str, Any]]] = [
        (
            "athlete_id",
            "Intervals.icu athlete id (Settings > Developer Settings, e.g. i123456)",
            dict(required=True, check=_athlete_id),
        ),
        (
            "intervals_key",
            "Intervals.icu API key (not shown while typing)",
            dict(required=True, secret=True),
        ),
        ("github_token", "GitHub token for publishing (not shown while typing)", dict(secret=True)),
        ("github_repo", "GitHub data repository owner/name", dict(check=_github_repo)),
        (
            "week_start",
            "Training week starts on (mon..sun)",
            dict(default="mon", check=_week_start),
        ),
        (
            "zone_preference",
            "Zone basis per sport, e.g. cycling:power,run:hr",
            dict(check=_zone_preference),
        ),
    ]
    answers: dict[str, Any] = {}
    try:
        for key, question, options in questions:
            current = existing.get(key)
            current = str(current) if isinstance(current, (str, int)) and current != "" else None
            ask = getpass_fn if options.get("secret") else input_fn
            answers[key] = _ask(question, out, ask, current=current, **options)
    except _Cancelled:
        print("\nset-up cancelled; nothing was written", file=out)
        return EXIT_SETUP_CANCELLED

    merged = dict(existing)
    for key, value in answers.items():
        if value is None or value is _REMOVE:
            merged.pop(key, None)
        else:
            merged[key] = value
    if verify is not None:
        outcome = verify(merged["athlete_id"], merged["intervals_key"])
        print(outcome.line, file=out)
        if outcome.rejected:
            print("Nothing was saved; run `python sync.py --setup` again.", file=out)
            return EXIT_AUTH_FAILED
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise InvalidInput(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    write_files_atomic({path: dump_json(merged, name=str(path))}, mode=0o600)
    print(f"Saved {path} (mode 600).", file=out)
    if path.name == LEGACY_CONFIG_NAME:
        print(
            f"Note: this file holds your API key. If this folder is synced to a cloud drive, "
            f"move it to {default_config_path(os.environ)}.",
            file=out,
        )
    print("Next: python sync.py --output-dir mydata", file=out)
    return 0
