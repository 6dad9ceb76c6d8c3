"""The update notice after a sync: is the upstream section11 newer than the
files of this repository, and one GitHub issue saying so.

Implements docs/architecture.md#updates-and-manifest, fixed per weakness 9.1.8
and weakness 9.6 (docs/architecture.md#reference-weaknesses):

- The update source and the fetching are `upstream`; the comparison with the
  local copies is `manifest.plan_update`; `--update` itself is `update_install`.
- `check_for_updates` (after a data sync with a GitHub token and repo): at
  most once per 24 h (state file in the state directory, never the credentials
  config); opens ONE issue `Section 11 updates — <fingerprint>` labelled
  `update-notification`, deduplicated by listing open issues with that label
  (the reference searched, and a failing search opened a duplicate each sync).
  Every failure is a warning: the sync itself succeeded. One issue is open at
  a time: a new set of differences closes the older issue as superseded, and
  a check that finds nothing to update closes it as resolved. A change of the
  installed manifest (an `--update` was applied) makes the next run check at
  once, whatever the 24 h throttle.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import requests

from .. import __version__
from ..errors import SyncError
from .github_issues import close_issue, create_issue, list_issues
from .manifest import (
    MANIFEST_NAME,
    UpdatePlan,
    content_hash,
    describe,
    plan_update,
    read_local_manifest,
)
from .upstream import fetch_manifest, manifest_url, shown

CHECK_ENV = "SECTION11_UPDATE_CHECK"  # "off" disables the check after a sync
LABEL = "update-notification"
TITLE_PREFIX = "Section 11 updates — "
STATE_NAME = "update_check.json"
CHECK_INTERVAL = timedelta(hours=24)
RETRY_INTERVAL = timedelta(hours=1)  # after a failed check
REMEMBERED_FINGERPRINTS = 20


# ----------------------------------------------------------------- settings


NO_SOURCE_NOTICE = (
    "notice: update check off: no update source configured "
    "(`python sync.py --init` records one; or set SECTION11_MANIFEST_URL)"
)
UPDATE_COMMAND = (
    'python sync.py --update --yes && git add -A && git commit -m "Update section11" && git push'
)


def check_enabled(environ: Mapping[str, str]) -> bool:
    return (environ.get(CHECK_ENV) or "").strip().lower() not in ("0", "off", "false", "no")


def issue_title(plan: UpdatePlan) -> str:
    return f"{TITLE_PREFIX}{plan.fingerprint()}"


def issue_body(plan: UpdatePlan, url: str, superseded: list[int] | None = None) -> str:
    files = plan.upstream["files"]

    def line(path: str) -> str:
        note = files.get(path, {}).get("description")
        return f"- `{path}`" + (f" — {note}" if note else "")

    lines = [
        f"The upstream section11 project has updates ({describe(plan)}) "
        f"compared with the files in this repository.",
        "",
    ]
    for title, paths in (
        ("Changed", plan.changed),
        ("New", plan.new),
        ("Removed upstream (delete them when you update)", plan.removed),
    ):
        if paths:
            lines += [f"### {title}", *[line(p) for p in paths], ""]
    lines += [
        "To update, run in a clone of this repository:",
        "",
        "```sh",
        UPDATE_COMMAND,
        "```",
        "",
        "Every download is checked against the upstream manifest's SHA-256 hashes; "
        "your text in README.md outside the section11 block is kept. The next sync "
        "closes this issue.",
        "",
        f"Manifest: {shown(url)}",
    ]
    if superseded:
        lines += ["", "Supersedes " + ", ".join(f"#{n}" for n in superseded) + "."]
    lines += [
        "",
        f"_Opened by section11 {__version__}. One update issue is open at a time: a "
        "new set of differences replaces this one._",
    ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- state (throttle)


def read_state(path: Path) -> dict:
    """A small JSON state file of the state directory ({} when missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(path: Path, state: Mapping[str, Any], warn: Callable[[str], None]) -> None:
    """Write a state file atomically; a failure is a warning (the sync succeeded)."""
    from .files import dump_json, write_files_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_files_atomic({path: dump_json(dict(state), name=str(path))})
    except (OSError, SyncError) as exc:
        warn(f"could not save {path.name} in {path.parent}: {getattr(exc, 'message', None) or exc}")


def _when(state: Mapping[str, Any], key: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(state.get(key)))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


# ----------------------------------------------------------------- check after a sync


@dataclass
class CheckResult:
    """Outcome of `check_for_updates`: status is one of skipped, failed,
    up-to-date, available, already-open, dismissed, opened."""

    status: str
    message: str = ""
    plan: UpdatePlan | None = None
    issue: dict | None = None


def check_for_updates(
    root: str | os.PathLike,
    state_dir: str | os.PathLike,
    url: str,
    *,
    now: datetime | None = None,
    github=None,
    session: requests.Session | None = None,
    warn: Callable[[str], None] | None = None,
) -> CheckResult:
    """The throttled update check (docs/architecture.md#updates-and-manifest, fixed per weakness 9.6 (docs/architecture.md#reference-weaknesses)); never raises a SyncError.

    With `github` (a GitHubClient) an issue is opened unless one with the same
    title is open (or this state already opened one that was closed since).
    Without it the result says whether updates are available.
    """
    warn = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))
    now = (now or datetime.now(UTC)).astimezone(UTC)
    state_path = Path(state_dir) / STATE_NAME
    state = read_state(state_path)
    installed = _installed_hash(Path(root))
    if state.get("installed") != installed:  # an update was applied: check now
        state = {k: v for k, v in state.items() if k not in ("last_check", "last_attempt")}
    last_check, last_attempt = _when(state, "last_check"), _when(state, "last_attempt")
    if last_check and timedelta(0) <= now - last_check < CHECK_INTERVAL:
        return CheckResult("skipped", "checked less than 24 h ago")
    if last_attempt and timedelta(0) <= now - last_attempt < RETRY_INTERVAL:
        return CheckResult("skipped", "the last check failed less than 1 h ago")

    def failed(message: str) -> CheckResult:
        failed_state = {**state, "last_attempt": now.isoformat(), "installed": installed}
        write_state(state_path, failed_state, warn)
        return CheckResult("failed", f"update check skipped: {message}")

    try:
        upstream, _ = fetch_manifest(url, session)
        plan = plan_update(root, upstream, read_local_manifest(root))
    except SyncError as exc:
        return failed(exc.message)
    except OSError as exc:
        return failed(f"cannot read the local files ({exc.strerror or exc})")
    result = _notify(plan, url, github, state)
    if result.status == "failed":
        return failed(result.message)
    state = {
        **state,
        "last_check": now.isoformat(),
        "last_attempt": now.isoformat(),
        "installed": installed,
    }
    if result.status == "opened":
        seen = [f for f in state.get("notified", []) if isinstance(f, str)]
        state["notified"] = (seen + [plan.fingerprint()])[-REMEMBERED_FINGERPRINTS:]
    write_state(state_path, state, warn)
    return result


def _installed_hash(root: Path) -> str | None:
    """Hash of the installed manifest.json (None when there is none)."""
    try:
        return content_hash((root / MANIFEST_NAME).read_bytes())
    except OSError:
        return None


def _update_issues(open_issues: list[dict]) -> list[dict]:
    return [
        i
        for i in open_issues
        if str(i.get("title", "")).startswith(TITLE_PREFIX) and isinstance(i.get("number"), int)
    ]


def _close_all(github, issues: list[dict], comment: str) -> list[int]:
    for issue in issues:
        close_issue(github, issue["number"], comment)
    return [i["number"] for i in issues]


def _notify(plan: UpdatePlan, url: str, github, state: Mapping[str, Any]) -> CheckResult:
    title = issue_title(plan)
    summary = f"section11 updates available ({describe(plan)})"
    if github is None:
        if not plan.has_updates:
            return CheckResult("up-to-date", "section11 is up to date", plan)
        return CheckResult("available", f"{summary}; run `python sync.py --update`", plan)
    try:
        ours = _update_issues(list_issues(github, LABEL, state="open"))
        if not plan.has_updates:
            closed = _close_all(
                github, ours, "Resolved: this repository now runs the upstream version."
            )
            note = f"; closed issue(s) {', '.join(f'#{n}' for n in closed)}" if closed else ""
            return CheckResult("up-to-date", f"section11 is up to date{note}", plan)
        current = [i for i in ours if i.get("title") == title]
        if current:
            keep = max(i["number"] for i in current)
            others = [i for i in ours if i["number"] != keep]
            _close_all(github, others, f"Superseded by #{keep}.")
            return CheckResult(
                "already-open", f"{summary}; issue #{keep} is already open", plan, current[0]
            )
        if plan.fingerprint() in (state.get("notified") or []):
            return CheckResult("dismissed", f"{summary}; its issue was closed, not reopening", plan)
        superseded = sorted(i["number"] for i in ours)
        issue = create_issue(github, title, issue_body(plan, url, superseded), [LABEL])
        _close_all(github, ours, f"Superseded by #{issue.get('number')}.")
    except SyncError as exc:
        return CheckResult("failed", f"could not update the update issue: {exc.message}", plan)
    number = issue.get("number")
    return CheckResult("opened", f"{summary}; opened issue #{number} in {github.repo}", plan, issue)


def after_sync(
    settings,
    directory: str | os.PathLike,
    environ: Mapping[str, str],
    out: TextIO | None = None,
    err: TextIO | None = None,
    config: Mapping[str, Any] | None = None,
) -> CheckResult | None:
    """CLI glue: the update check after a successful data sync.

    `config`: the settings file's values (for `manifest_url`), read by the CLI.

    Runs only with a GitHub token and repo (the workflow / API mode; a local
    sync without them makes no call to GitHub) and unless SECTION11_UPDATE_CHECK
    is off. State: `<state dir>/update_check.json` (default `<output
    directory>/.section11`). Never raises a SyncError: the sync succeeded.
    """
    from .github_client import API_URL_ENV, GitHubClient
    from .manifest import install_root

    out, err = out or sys.stdout, err or sys.stderr
    if not (settings.github_token and settings.github_repo) or not check_enabled(environ):
        return None

    def warn(message: str) -> None:
        print(f"warning: {message}", file=err)

    root = install_root()
    url = manifest_url(environ, config or {}, read_local_manifest(root))
    if url is None:
        print(NO_SOURCE_NOTICE, file=out)
        return CheckResult("skipped", NO_SOURCE_NOTICE)
    try:
        client = GitHubClient(
            settings.github_token,
            settings.github_repo,
            api_url=(environ.get(API_URL_ENV) or "").strip() or None,
        )
    except SyncError as exc:
        warn(f"update check skipped: {exc.message}")
        return None
    state_dir = Path(settings.state_dir) if settings.state_dir else Path(directory) / ".section11"
    try:
        result = check_for_updates(
            root,
            state_dir,
            url,
            now=settings.now,
            github=client,
            warn=warn,
        )
    except Exception as exc:  # noqa: BLE001 - the sync succeeded; a bug here must not fail it
        warn(f"update check failed unexpectedly ({type(exc).__name__})")
        return None
    if result.status == "failed":
        warn(result.message)
    elif result.status == "opened" or "closed issue" in result.message or settings.debug:
        print(result.message, file=out)
    return result
