"""`--setup`: the interactive questions that write the 0600 config file."""

from __future__ import annotations

import getpass
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from .config import (
    LEGACY_CONFIG_NAME,
    default_config_path,
    parse_week_start,
    parse_zone_preference,
    read_config_file,
)
from .errors import EXIT_AUTH_FAILED, EXIT_INVALID_INPUT, InvalidInput
from .sports import WEEKDAYS

EXIT_SETUP_CANCELLED = EXIT_INVALID_INPUT
SETUP_MAX_TRIES = 5
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")


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


def github_repo(answer: str) -> str:
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
        ("github_repo", "GitHub data repository owner/name", dict(check=github_repo)),
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
