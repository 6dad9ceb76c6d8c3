"""Publishing the data files to GitHub through the Git Data API: all files in ONE commit.

Implements API mode (docs/architecture.md#publishing), fixed per weakness 9.2 (docs/architecture.md#reference-weaknesses) and weakness 9.6 (docs/architecture.md#reference-weaknesses). The
reference PUT every file through the contents API: three commits per sync, no
timeout, `main` hard-coded for the write, and a 409/422 from a concurrent
writer was fatal. Here `publish_files` does

    GET ref -> GET commit -> GET tree (recursive)
    -> compare git blob ids computed locally; for a differing file, compare the
       published blob's content without generation timestamps (volatile.py,
       as the git commit mode): nothing changed -> no commit
    -> POST blobs (base64, changed files only) -> POST tree (base_tree)
    -> POST commit (parent = the ref's commit) -> PATCH ref (force false)

and when the PATCH is refused because the branch moved (409, or 422 "not a
fast forward") it re-reads the ref and rebuilds the tree on the new base, up
to MAX_ATTEMPTS times. Until the PATCH succeeds the branch is untouched: a
failed publish leaves the repository as it was, and the next run publishes
the whole local set again.

The calls go through `github_client.GitHubClient` (timeouts, retries, the
one-line errors, the token kept out of every message).
"""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from ..errors import ApiFailed, OutputFailed, SyncError
from ..outputs.picture_files import PICTURE_FILES
from .files import read_data_file
from .github_client import (
    API_URL_ENV,
    BRANCH_ENV,
    CONTENTS_PERMISSION,
    GitHubClient,
    check_branch,
)
from .volatile import data_fingerprint

DEFAULT_BRANCH = "main"
MAX_ATTEMPTS = 3  # whole publish, when the branch moved under us
FILE_MODE = "100644"
RAW_URL = "https://raw.githubusercontent.com/{repo}/{branch}/{path}"
# API mode publishes these from the output directory; caches before latest.json
DATA_FILES = (
    "ftp_history.json",
    "history.json",
    "intervals.json",
    "routes.json",
    *PICTURE_FILES,
    "latest.json",
)


def git_blob_sha(data: bytes) -> str:
    """The id git (and GitHub) gives a blob with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class RefMoved(Exception):
    """The branch moved between our read and our ref update (409 / 422 not a fast forward)."""


# ----------------------------------------------------------------- git data


def get_ref(client: GitHubClient, branch: str) -> str:
    path = f"/git/ref/heads/{quote(branch, safe='/')}"
    body = client.request("GET", path, action=f"reading branch {branch}").body
    sha = (body.get("object") or {}).get("sha") if isinstance(body, dict) else None
    if not isinstance(sha, str):
        raise ApiFailed(f"GitHub: branch {branch} of {client.repo} has no commit")
    return sha


def get_commit(client: GitHubClient, sha: str) -> dict:
    body = client.request("GET", f"/git/commits/{sha}", action="reading the branch's commit").body
    if not isinstance(body, dict) or not isinstance((body.get("tree") or {}).get("sha"), str):
        raise ApiFailed("GitHub: the branch's commit has no tree")
    return body


def get_tree(client: GitHubClient, sha: str) -> dict[str, str] | None:
    """{path: blob sha} of every file, or None when GitHub truncated the listing."""
    body = client.request(
        "GET",
        f"/git/trees/{sha}",
        params={"recursive": "1"},
        action="reading the branch's files",
    ).body
    if not isinstance(body, dict) or body.get("truncated"):
        return None
    return {
        e["path"]: e["sha"]
        for e in body.get("tree") or []
        if isinstance(e, dict)
        and e.get("type") == "blob"
        and isinstance(e.get("path"), str)
        and isinstance(e.get("sha"), str)
    }


def get_blob(client: GitHubClient, sha: str, name: str) -> bytes:
    body = client.request("GET", f"/git/blobs/{sha}", action=f"reading the published {name}").body
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, str) or body.get("encoding") != "base64":
        raise ApiFailed(f"GitHub returned no content for the published {name}")
    try:
        return base64.b64decode(content)
    except ValueError:
        raise ApiFailed(f"GitHub returned undecodable content for the published {name}") from None


def create_blob(client: GitHubClient, data: bytes, name: str) -> str:
    body = client.request(
        "POST",
        "/git/blobs",
        write=True,
        action=f"uploading {name}",
        json={"content": base64.b64encode(data).decode("ascii"), "encoding": "base64"},
    ).body
    sha = body.get("sha") if isinstance(body, dict) else None
    if not isinstance(sha, str):
        raise ApiFailed(f"GitHub returned no blob id for {name}")
    return sha


def create_tree(client: GitHubClient, base_tree: str, entries: Mapping[str, str]) -> str:
    tree = [
        {"path": path, "mode": FILE_MODE, "type": "blob", "sha": sha}
        for path, sha in sorted(entries.items())
    ]
    body = client.request(
        "POST",
        "/git/trees",
        write=True,
        action="creating the tree",
        json={"base_tree": base_tree, "tree": tree},
    ).body
    sha = body.get("sha") if isinstance(body, dict) else None
    if not isinstance(sha, str):
        raise ApiFailed("GitHub returned no tree id")
    return sha


def create_commit(client: GitHubClient, message: str, tree: str, parents: list[str]) -> str:
    body = client.request(
        "POST",
        "/git/commits",
        write=True,
        action="creating the commit",
        json={"message": message, "tree": tree, "parents": parents},
    ).body
    sha = body.get("sha") if isinstance(body, dict) else None
    if not isinstance(sha, str):
        raise ApiFailed("GitHub returned no commit id")
    return sha


def update_ref(client: GitHubClient, branch: str, sha: str) -> None:
    """Fast-forward the branch to `sha`; RefMoved when it moved meanwhile."""
    response = client.request(
        "PATCH",
        f"/git/refs/heads/{quote(branch, safe='/')}",
        write=True,
        action=f"updating branch {branch}",
        json={"sha": sha, "force": False},
        ok=(200, 201, 409, 422),
    )
    if response.status == 409:
        raise RefMoved()
    if response.status == 422:
        message = response.body.get("message") if isinstance(response.body, dict) else ""
        text = str(message or "").lower()
        if "fast forward" in text or "fast-forward" in text:
            raise RefMoved()
        raise client.error_for(
            422,
            response.body,
            response.headers,
            f"updating branch {branch}",
            True,
            CONTENTS_PERMISSION,
        )


# ----------------------------------------------------------------- publish


@dataclass
class PublishResult:
    """What `publish_files` did: `commit` is None when nothing had changed."""

    repo: str
    branch: str
    commit: str | None
    changed: list[str] = field(default_factory=list)
    attempts: int = 1

    def summary(self) -> str:
        if self.commit is None:
            return f"GitHub {self.repo}@{self.branch} is up to date; no commit needed"
        return (
            f"published {len(self.changed)} file{'s' if len(self.changed) != 1 else ''} to "
            f"{self.repo}@{self.branch} in one commit {self.commit[:7]}"
        )


def _content_changed(
    client: GitHubClient,
    changed: list[str],
    wanted: Mapping[str, tuple[bytes, str]],
    current: Mapping[str, str],
) -> bool:
    """Does any changed file differ in more than its generation timestamps?

    Same rule as the git commit mode (volatile.data_fingerprint): a run that
    only refreshed `last_updated` or retry bookkeeping makes no commit.
    """
    for path in changed:
        if path not in current:
            return True
        published = get_blob(client, current[path], path)
        if data_fingerprint(path, published) != data_fingerprint(path, wanted[path][0]):
            return True
    return False


def publish_files(
    client: GitHubClient, files: Mapping[str, bytes], *, branch: str = DEFAULT_BRANCH, message: str
) -> PublishResult:
    """Publish `files` ({repo path: bytes}) as one commit on `branch` (see module doc).

    Raises a SyncError when nothing was published; the branch is then unchanged.
    """
    check_branch(branch)
    wanted = {path: (bytes(data), git_blob_sha(bytes(data))) for path, data in files.items()}
    uploaded: dict[str, str] = {}  # local blob id -> GitHub's id, reused across attempts
    for attempt in range(1, MAX_ATTEMPTS + 1):
        head = get_ref(client, branch)
        base_tree = get_commit(client, head)["tree"]["sha"]
        current = get_tree(client, base_tree) or {}
        changed = sorted(p for p, (_, sha) in wanted.items() if current.get(p) != sha)
        if not _content_changed(client, changed, wanted, current):
            return PublishResult(client.repo, branch, None, [], attempt)
        entries = {}
        for path in changed:
            data, sha = wanted[path]
            if sha not in uploaded:
                uploaded[sha] = create_blob(client, data, path)
            entries[path] = uploaded[sha]
        tree = create_tree(client, base_tree, entries)
        commit = create_commit(client, message, tree, [head])
        try:
            update_ref(client, branch, commit)
        except RefMoved:
            continue  # another writer got in first: rebuild on its commit
        return PublishResult(client.repo, branch, commit, changed, attempt)
    raise ApiFailed(
        f"branch {branch} of {client.repo} moved during each of {MAX_ATTEMPTS} "
        "attempts (another writer); nothing was published; the next run retries"
    )


def publish_api_mode(
    settings, directory: str | os.PathLike, environ: Mapping[str, str], out: TextIO | None = None
) -> PublishResult:
    """CLI glue for API mode: publish `directory`'s data files with the settings'
    token and repo (GITHUB_API_URL, SECTION11_GITHUB_BRANCH from `environ`).

    A failure keeps its error class (exit code); the message adds that the local
    copies were written and the next run publishes again.
    """
    out = out or sys.stdout
    branch = check_branch((environ.get(BRANCH_ENV) or "").strip() or DEFAULT_BRANCH)
    client = GitHubClient(
        settings.github_token,
        settings.github_repo,
        api_url=(environ.get(API_URL_ENV) or "").strip() or None,
    )
    try:
        result = publish_data_files(client, directory, branch=branch, now=settings.now)
    except SyncError as exc:
        raise type(exc)(
            f"{exc.message} (the local copies in {directory} are written; "
            "the next run publishes them)"
        ) from None
    print(result.summary(), file=out)
    return result


def raw_url(repo: str, branch: str, path: str) -> str:
    return RAW_URL.format(repo=repo, branch=branch, path=quote(path))


def commit_message(now: datetime | None = None) -> str:
    """`Update training data - <UTC time>` (the reference's wording, docs/architecture.md#publishing)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return f"Update training data - {now:%Y-%m-%d %H:%M:%S} UTC"


def make_publisher(
    client: GitHubClient,
    *,
    branch: str = DEFAULT_BRANCH,
    message: str | None = None,
    report: Callable[[str], None] | None = None,
) -> Callable[[Mapping[str, bytes]], list[str]]:
    """The `publish(files) -> list[str]` hook of `pipeline.sync`: one commit, raw URLs back."""

    def publish(files: Mapping[str, bytes]) -> list[str]:
        result = publish_files(client, files, branch=branch, message=message or commit_message())
        if report is not None:
            report(result.summary())
        return [raw_url(result.repo, result.branch, path) for path in result.changed]

    return publish


def publish_data_files(
    client: GitHubClient,
    directory: str | os.PathLike,
    *,
    branch: str = DEFAULT_BRANCH,
    now: datetime | None = None,
) -> PublishResult:
    """API mode: publish every data file present in `directory` as one commit.

    The whole local set is published every run (unchanged files cost nothing:
    their blob ids match), so a run whose publish failed is repaired by the
    next one, ftp_history.json included (the reference never published it).
    """
    directory = Path(directory)
    files = {}
    for name in DATA_FILES:
        data = read_data_file(directory / name)  # never through a symbolic link
        if data is not None:
            files[name] = data
    if "latest.json" not in files:
        raise OutputFailed(f"{directory / 'latest.json'} is missing; nothing was published")
    return publish_files(client, files, branch=branch, message=commit_message(now))


__all__ = [
    "PublishResult",
    "RefMoved",
    "publish_files",
    "publish_data_files",
    "make_publisher",
    "publish_api_mode",
    "commit_message",
    "git_blob_sha",
    "DATA_FILES",
    "raw_url",
    "DEFAULT_BRANCH",
    "MAX_ATTEMPTS",
]
