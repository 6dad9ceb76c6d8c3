"""`sync.py --init [DIR]`: a ready data repository from this copy of section11.

DIR (default: the current folder) receives exactly what a data repository
runs: the manifest's runtime files (sync.py, section11/, schemas/,
requirements.txt, the workflow), README.md from the data README template with
owner/repo filled in when known (`--github-repo`, else DIR's GitHub remote),
a `.gitignore` that keeps the local state, lock, log and virtualenvs out, and
the installed manifest.json (the runtime entries as copied, plus `source`: the
update source, from `--update-source URL`, else where this copy came from).
Where DIR is not inside a git work tree it is initialised with a first commit.

A file that exists is never overwritten: identical ones are "unchanged",
different ones are left as they are and listed, so a second run changes
nothing. The run ends with the remaining steps, for the GitHub CLI and for the
web UI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ..errors import InvalidInput, OutputFailed
from .manifest import (
    MANIFEST_NAME,
    README_TEMPLATE,
    SOURCE_KEY,
    content_hash,
    installed_manifest,
    read_local_manifest,
    runtime_files,
)
from .readme import fill
from .source import github_repo, is_work_tree, remote_url, upstream_manifest_url

README_NAME = "README.md"
GITIGNORE_NAME = ".gitignore"
GITIGNORE = """\
# section11: local state, lock and log (never published: the state store keeps
# what the data files redact, e.g. GPS tracks and the athlete id)
.section11/
.sync.lock
.sync.lock.break
sync.log
*.corrupt-*
# a local config file holding the API key
.sync_config.json
# Python
__pycache__/
*.py[cod]
.venv/
venv/
env/
"""
ROSTER_NAME = "athletes.json"
ROSTER_STARTER = b'{\n  "athletes": {}\n}\n'  # coach mode: every athlete in its own id folder
FIRST_COMMIT = "Set up the section11 data repository"
FALLBACK_NAME = "section11 init"
FALLBACK_EMAIL = "section11-init@localhost"
GIT_TIMEOUT = 60  # seconds


@dataclass
class InitResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # existing files that differ: not touched
    repo: str | None = None
    source: str | None = None
    committed: bool = False
    git_created: bool = False
    coach: bool = False


def planned_files(project: Path, repo: str | None, source: str | None) -> dict[str, bytes]:
    """Relative path -> bytes of everything --init writes (see the module doc)."""
    upstream = read_local_manifest(project)
    if upstream is None:
        raise InvalidInput(
            f"--init: {project / MANIFEST_NAME} is missing or invalid; "
            "get a complete copy of section11 (git clone) and rerun"
        )
    files: dict[str, bytes] = {}
    for rel in sorted(runtime_files(upstream)):
        try:
            data = (project / rel).read_bytes()
        except OSError as exc:
            raise InvalidInput(
                f"--init: cannot read {rel} of this copy of section11 ({exc.strerror or exc}); "
                "get a complete copy (git clone) and rerun"
            ) from None
        if rel == README_TEMPLATE:
            files[README_NAME] = fill(data.decode("utf-8"), repo, source).encode("utf-8")
        else:
            files[rel] = data
    hashes = {rel: content_hash(data) for rel, data in files.items() if rel != README_NAME}
    if README_TEMPLATE in upstream["files"]:
        hashes[README_TEMPLATE] = content_hash((project / README_TEMPLATE).read_bytes())
    files[GITIGNORE_NAME] = GITIGNORE.encode("utf-8")
    files[MANIFEST_NAME] = installed_manifest(upstream, source, hashes)
    return files


def _write_new(target: Path, rel: str, data: bytes, mode_from: Path | None) -> None:
    path = target / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:  # never replaces a file that appeared meanwhile
        handle.write(data)
    if mode_from is not None and mode_from.is_file() and os.access(mode_from, os.X_OK):
        shutil.copymode(mode_from, path)


def _git(target: Path, *args: str, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(
        ["git", "-C", str(target), *args],
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})},
    )
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OutputFailed(
            f"--init: git {args[0]} failed in {target}: {detail[-1] if detail else 'no output'}"
        )


def _identity(target: Path) -> dict[str, str]:
    """A committer for the first commit when git has none configured."""
    proc = subprocess.run(
        ["git", "-C", str(target), "config", "user.email"],
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    if proc.returncode == 0 and proc.stdout.strip():
        return {}
    return {
        "GIT_AUTHOR_NAME": FALLBACK_NAME,
        "GIT_AUTHOR_EMAIL": FALLBACK_EMAIL,
        "GIT_COMMITTER_NAME": FALLBACK_NAME,
        "GIT_COMMITTER_EMAIL": FALLBACK_EMAIL,
    }


def _initial_commit(target: Path) -> None:
    _git(target, "init", "-q", "-b", "main")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", FIRST_COMMIT, env=_identity(target))


def init_repository(
    target: Path,
    project: Path,
    *,
    repo: str | None = None,
    source: str | None = None,
    coach: bool = False,
) -> InitResult:
    """Build the data repository in `target` (see the module doc); `coach`: a
    coach repository (adds a starter athletes.json)."""
    target.mkdir(parents=True, exist_ok=True)
    fresh_git = not is_work_tree(target)
    if repo is None and not fresh_git:
        repo = github_repo(remote_url(target))
    previous = read_local_manifest(project) or {}
    source = source or previous.get(SOURCE_KEY) or upstream_manifest_url(project)
    result = InitResult(repo=repo, source=source, git_created=fresh_git, coach=coach)
    planned = planned_files(project, repo, source)
    if coach:
        planned[ROSTER_NAME] = ROSTER_STARTER
    for rel, data in planned.items():
        path = target / rel
        if path.is_symlink() or path.exists():
            same = path.is_file() and not path.is_symlink() and path.read_bytes() == data
            (result.unchanged if same else result.left).append(rel)
            continue
        origin = project / (README_TEMPLATE if rel == README_NAME else rel)
        _write_new(target, rel, data, origin)
        result.created.append(rel)
    if fresh_git:
        _initial_commit(target)
        result.committed = True
    return result


_ATHLETE_CLI = (
    "gh secret set ATHLETE_ID",
    "gh secret set INTERVALS_KEY",
    "gh workflow run auto-sync.yml",
)
_ATHLETE_WEB = (
    "3. Settings > Secrets and variables > Actions > New repository secret: "
    "ATHLETE_ID (e.g. i123456), then INTERVALS_KEY (Intervals.icu > Settings > "
    "Developer Settings).",
    "4. Actions > Auto-Sync Intervals.icu Data > Run workflow.",
)
_COACH_CLI = (
    "gh secret set INTERVALS_KEY   # the coach's own API key",
    "gh variable set SECTION11_COACH --body true",
    "gh workflow run coach-sync.yml",
)
_COACH_WEB = (
    "3. Settings > Secrets and variables > Actions > New repository secret: INTERVALS_KEY "
    "(the coach's key: Intervals.icu > Settings > Developer Settings); Variables > New "
    "repository variable: SECTION11_COACH = true (optional: ATHLETES = i101,i102).",
    "4. Actions > Coach Sync Intervals.icu Data > Run workflow. Keep this repository private.",
)


def next_steps(target: Path, result: InitResult) -> list[str]:
    """The remaining steps, as commands and as web UI clicks."""
    name = result.repo.split("/")[1] if result.repo else target.resolve().name
    where = f"cd {target}" if target != Path(".") else None
    commit = [] if result.committed else ['git add -A && git commit -m "Set up section11"']
    cli = [
        *([where] if where else []),
        *commit,
        f"gh repo create {name} --private --source . --push",
        *(_COACH_CLI if result.coach else _ATHLETE_CLI),
    ]
    web = [
        f"1. github.com > New repository: {name}, Private, without README or .gitignore.",
        f"2. git remote add origin https://github.com/YOU/{name}.git && git push -u origin main",
        *(_COACH_WEB if result.coach else _ATHLETE_WEB),
    ]
    lines = ["", "Remaining steps with the GitHub CLI (gh):"]
    lines += [f"  {c}" for c in cli]
    lines += ["", "Or on github.com:"] + [f"  {w}" for w in web]
    return lines


def report(target: Path, result: InitResult) -> list[str]:
    lines = [f"section11 data repository in {target.resolve()}:"]
    if result.created:
        lines.append(f"  created {len(result.created)} file(s)")
    if result.unchanged:
        lines.append(f"  {len(result.unchanged)} file(s) already in place, unchanged")
    for rel in result.left:
        lines.append(f"  left {rel} as it is (it differs from this version; not overwritten)")
    if result.committed:
        lines.append("  initialised a git repository (branch main) with a first commit")
    if not result.repo and README_NAME in result.created:
        lines.append(
            "  README.md keeps OWNER/REPO placeholders (pass --github-repo OWNER/NAME to fill them)"
        )
    if result.source:
        lines.append(f"  update source: {result.source}")
    else:
        lines.append(
            "  no update source recorded: the update check is off "
            "(rerun with --update-source URL of the upstream manifest.json)"
        )
    return lines + next_steps(target, result)


def run_init(
    target: str | os.PathLike,
    project: Path,
    *,
    repo: str | None = None,
    source: str | None = None,
    out: TextIO | None = None,
    coach: bool = False,
) -> int:
    """CLI glue of --init; returns 0, raises SyncError on failure."""
    out = out or sys.stdout
    target = Path(target)
    result = init_repository(target, project, repo=repo, source=source, coach=coach)
    for line in report(target, result):
        print(line, file=out)
    return 0


__all__ = ["InitResult", "init_repository", "planned_files", "run_init", "GITIGNORE"]
