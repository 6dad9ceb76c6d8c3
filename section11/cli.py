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
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import __version__, synclog
from .config import (
    Settings,
    config_location,
    load_settings,
    read_config_file,
)
from .errors import (
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
        from .setup_wizard import run_setup

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
        from .publish.commit_mode import run_commit_mode

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


def run_sync(settings: Settings, environ: Mapping[str, str] | None = None) -> int:
    """A data sync, under the lock when --lockfile is given. In API mode the
    files are written to the current directory, then published as one commit.
    With a GitHub token and repo, the sources' sign-in issues and the
    throttled update check follow."""
    import dataclasses

    from .lock import LOCK_NAME, acquire
    from .publish.files import resolve_destination

    environ = os.environ if environ is None else environ
    log = Path(synclog.LOG_NAME)
    synclog.mark_log(log)
    synclog.rotate_log(log)
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
    from .setup_wizard import github_repo

    try:
        return github_repo(repo.strip())
    except ValueError as exc:
        raise InvalidInput(f"--github-repo: {exc}") from None


def run_update_mode(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """--update: see section11.publish.update_install.run_update."""
    from .publish.manifest import install_root, read_local_manifest
    from .publish.update_install import run_update
    from .publish.upstream import manifest_url

    path, _ = config_location(args.config, environ)
    config = read_config_file(path) if path is not None else {}
    root = install_root()
    url = args.update_source or manifest_url(environ, config, read_local_manifest(root))
    return run_update(root, url, yes=args.yes)


def run_generate_manifest() -> int:
    """--generate-manifest: manifest.json of this installation's distributable files."""
    from .publish.manifest import install_root, write_manifest

    path, count = write_manifest(install_root())
    print(f"wrote {path} ({count} files)")
    return 0
