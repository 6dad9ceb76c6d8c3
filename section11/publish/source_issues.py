"""One GitHub issue per optional source whose secret stopped working.

After a data sync with a GitHub token and repository (the workflow, API
mode), latest.json's `sources_status` is read. When a source says
`auth_expired` (the TrainingPeaks cookie expired; Peloton refused its
refresh token), ONE issue titled for that source and labelled `source-auth`
is opened with the one-line fix (which secret to replace, and how) and the
date of the last good data; never a second while one is open. When the source
works again (`ok`), or is no longer configured, the issue is closed with a
comment. Other statuses (an outage, a 429, a stale read) are not the
athlete's to fix and open nothing.

The same rules as the update issue (publish/updates.py): the token comes from
the environment, issues are found by listing the label (never the search
API), and every failure is a warning: the sync itself succeeded. A small
state file in the state directory remembers each source's open issue, so a
run whose sources are fine and known to have no issue makes no GitHub call.
No secret is ever in an issue: the text is built from the status words, the
date and fixed sentences.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .. import __version__
from ..errors import SourceRefused, SyncError
from .files import read_data_file
from .github_issues import close_issue, create_issue, list_issues
from .updates import read_state, write_state

LABEL = "source-auth"
STATE_NAME = "source_issues.json"
EXPIRED = "auth_expired"
WORKING = "ok"
GONE = ("disabled", None)  # the source is not configured (any more)


@dataclass(frozen=True)
class SourceAuth:
    """How one source's secret is replaced."""

    key: str  # its entry in sources_status
    name: str
    title: str
    secret: str
    fix: str  # one line


SOURCES = (
    SourceAuth(
        "trainingpeaks",
        "TrainingPeaks",
        "Section 11: the TrainingPeaks cookie expired",
        "TP_AUTH_COOKIE",
        "sign in at app.trainingpeaks.com, copy the value of the `Production_tpAuth` cookie "
        "(browser developer tools, Application, Cookies) and paste it into the repository "
        "secret `TP_AUTH_COOKIE` (Settings, Secrets and variables, Actions); for a local run, "
        "`python sync.py tp auth <cookie>`.",
    ),
    SourceAuth(
        "peloton",
        "Peloton",
        "Section 11: Peloton needs a new refresh token",
        "PELOTON_REFRESH_TOKEN",
        "sign in at members.onepeloton.com, copy the `refresh_token` of the request to "
        "`auth.onepeloton.com/oauth/token` (browser developer tools, Network; see the "
        "section11 README, Peloton) and paste it into the repository secret "
        "`PELOTON_REFRESH_TOKEN` (Settings, Secrets and variables, Actions).",
    ),
)


def issue_body(source: SourceAuth, entry: Mapping[str, Any]) -> str:
    last = entry.get("last_good_data")
    lines = [
        f"{source.name} no longer accepts this repository's `{source.secret}` "
        f"(`sources_status.{source.key}` in latest.json says `{EXPIRED}`).",
        "",
        f"Last good {source.name} data: {last if isinstance(last, str) else 'none yet'}. "
        f"The sync still completes and publishes everything else; {source.name} data "
        "stays as it was until the secret is replaced.",
        "",
        f"Fix: {source.fix}",
    ]
    message = entry.get("message")
    if isinstance(message, str) and message:
        lines += ["", f"The sync said: {message}"]
    lines += [
        "",
        f"The next sync that reads {source.name} again closes this issue.",
        "",
        f"_Opened by section11 {__version__}. One issue per source is open at a time._",
    ]
    return "\n".join(lines) + "\n"


class _Issues:
    """The open `source-auth` issues, listed once per run, on first need."""

    def __init__(self, github):
        self.github = github
        self._open: list[dict] | None = None

    def of(self, source: SourceAuth) -> list[dict]:
        if self._open is None:
            self._open = list_issues(self.github, LABEL, state="open")
        return [
            i
            for i in self._open
            if i.get("title") == source.title and isinstance(i.get("number"), int)
        ]


def _reconcile(
    source: SourceAuth, entry: Mapping[str, Any], issues: _Issues, known: Mapping[str, Any] | None
) -> tuple[dict[str, Any] | None, str | None]:
    """(the source's new state or None for unchanged, a line to print or None)."""
    status = entry.get("status")
    number = known.get("open") if known else None
    if status == EXPIRED:
        if number is not None:
            return None, None  # ours is open: never a second
        found = issues.of(source)
        if found:
            return {"open": found[0]["number"]}, None
        issue = create_issue(issues.github, source.title, issue_body(source, entry), [LABEL])
        opened = issue.get("number")
        return {"open": opened}, f"{source.name}: opened issue #{opened} asking for a new secret"
    if status == WORKING or (status in GONE and number is not None):
        if known is not None and number is None:
            return None, None  # known to have no open issue: no call
        comment = (
            f"{source.name} works again: the last sync read it. Closing."
            if status == WORKING
            else f"{source.name} is no longer configured for this repository. Closing."
        )
        closed = issues.of(source)
        for issue in closed:
            close_issue(issues.github, issue["number"], comment)
        note = f"{source.name}: closed issue(s) " + ", ".join(f"#{i['number']}" for i in closed)
        return {"open": None}, note if closed else None
    return None, None  # an outage, a 429, a stale read: not for the athlete to fix


def reconcile_issues(
    statuses: Mapping[str, Any],
    github,
    state: Mapping[str, Any],
    warn: Callable[[str], None],
) -> tuple[dict[str, Any], list[str]]:
    """(the new state, lines to print) after opening and closing the sources' issues.

    A failing GitHub call leaves that source's state as it was (tried again
    next run) and becomes a warning."""
    issues = _Issues(github)
    new_state = dict(state)
    lines = []
    for source in SOURCES:
        entry = statuses.get(source.key)
        entry = entry if isinstance(entry, Mapping) else {}
        known = state.get(source.key)
        try:
            changed, line = _reconcile(
                source, entry, issues, known if isinstance(known, Mapping) else None
            )
        except SyncError as exc:
            warn(f"could not update the {source.name} sign-in issue: {exc.message}")
            continue
        if changed is not None:
            new_state[source.key] = changed
        if line:
            lines.append(line)
    return new_state, lines


def _statuses(latest_path: Path) -> Mapping[str, Any]:
    try:
        data = read_data_file(latest_path)
        latest = json.loads(data or b"{}")
    except (SyncError, ValueError):
        return {}
    block = latest.get("sources_status") if isinstance(latest, dict) else None
    return block if isinstance(block, dict) else {}


def after_sync(
    settings,
    latest_path: str | os.PathLike,
    environ: Mapping[str, str],
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> list[str] | None:
    """CLI glue after a successful data sync; only with a GitHub token and repo.
    Never raises: the sync succeeded."""
    return _publish(settings, Path(latest_path), _statuses(Path(latest_path)), environ, out, err)


def after_refusal(
    settings,
    latest_path: str | os.PathLike,
    refused: SourceRefused,
    environ: Mapping[str, str],
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> list[str] | None:
    """CLI glue when the one source of a sync without Intervals.icu refused
    its secret: no file was written, yet the source's sign-in issue opens (the
    other sources keep the statuses of the last latest.json). Never raises."""
    statuses = dict(_statuses(Path(latest_path)))
    statuses[refused.source] = {
        "status": EXPIRED,
        "message": refused.message,
        "last_good_data": refused.last_good,
    }
    return _publish(settings, Path(latest_path), statuses, environ, out, err)


def _publish(
    settings,
    latest_path: Path,
    statuses: Mapping[str, Any],
    environ: Mapping[str, str],
    out: TextIO | None,
    err: TextIO | None,
) -> list[str] | None:
    from .github_client import API_URL_ENV, GitHubClient

    out, err = out or sys.stdout, err or sys.stderr
    if not (settings.github_token and settings.github_repo):
        return None

    def warn(message: str) -> None:
        print(f"warning: {message}", file=err)

    state_dir = (
        Path(settings.state_dir) if settings.state_dir else latest_path.parent / ".section11"
    )
    state_path = state_dir / STATE_NAME
    state = read_state(state_path)
    if not any(s.key in statuses or s.key in state for s in SOURCES):
        return None  # no optional source, no issue: no call
    try:
        github = GitHubClient(
            settings.github_token,
            settings.github_repo,
            api_url=(environ.get(API_URL_ENV) or "").strip() or None,
        )
        new_state, lines = reconcile_issues(statuses, github, state, warn)
    except SyncError as exc:
        warn(f"sign-in issues skipped: {exc.message}")
        return None
    except Exception as exc:  # noqa: BLE001 - the sync succeeded; a bug here must not fail it
        warn(f"sign-in issues failed unexpectedly ({type(exc).__name__})")
        return None
    if new_state != state:
        write_state(state_path, new_state, warn)
    for line in lines:
        print(line, file=out)
    return lines
