"""Where a data repository's code came from: git remotes and the update source.

`--init` records the upstream manifest URL in the data repository's installed
manifest (`source`), derived from the project's git remote (a GitHub remote
gives its raw manifest URL on the checked-out branch) or given with
`--update-source URL`. There is no default: without a recorded source the
update check is off. The same helpers read the data repository's own remote
to fill OWNER/REPO into its README.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

GIT_TIMEOUT = 20  # seconds
DEFAULT_REMOTE = "origin"
RAW_MANIFEST = "https://raw.githubusercontent.com/{repo}/{branch}/manifest.json"
_GITHUB = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<repo>[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


def _git(directory: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = proc.stdout.decode("utf-8", "replace").strip()
    return text if proc.returncode == 0 and text else None


def remote_url(directory: Path, remote: str = DEFAULT_REMOTE) -> str | None:
    """The URL of `remote` of the git work tree holding `directory`, or None."""
    return _git(directory, "remote", "get-url", remote)


def github_repo(url: str | None) -> str | None:
    """owner/name of a GitHub remote URL (https, ssh or scp form), else None."""
    match = _GITHUB.match(url or "")
    return match.group("repo") if match else None


def current_branch(directory: Path) -> str | None:
    return _git(directory, "symbolic-ref", "-q", "--short", "HEAD")


def is_work_tree(directory: Path) -> bool:
    return _git(directory, "rev-parse", "--is-inside-work-tree") == "true"


def upstream_manifest_url(project: Path) -> str | None:
    """The raw manifest URL of the project checkout `project` (its GitHub
    remote and branch), or None when it is not a GitHub checkout."""
    repo = github_repo(remote_url(project))
    if repo is None:
        return None
    return RAW_MANIFEST.format(repo=repo, branch=current_branch(project) or "main")


__all__ = [
    "remote_url",
    "github_repo",
    "current_branch",
    "is_work_tree",
    "upstream_manifest_url",
    "RAW_MANIFEST",
]
