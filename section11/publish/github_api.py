"""Publishing to GitHub through the Git Data API: all files in ONE commit.

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

Every call has connect/read timeouts; connection failures and 5xx are retried
briefly. Errors map to section11.errors with one-line messages: 401 ->
AuthFailed; 403/404 on a write -> AuthFailed naming the missing permission;
a protected branch, rate limit, or anything else -> ApiFailed. The token is
sent only in the Authorization header and never appears in a message.
"""

from __future__ import annotations

import base64
import hashlib
import json as _json
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import requests
import urllib3

from .. import __version__
from ..errors import ApiFailed, AuthFailed, InvalidInput, OutputFailed, SyncError, printable
from ..outputs.picture_files import PICTURE_FILES
from ..sources.transport import (
    RUN_CLOCK,
    Watch,
    call_deadline,
    new_session,
    read_body,
    request_deadline,
    secure_url_problem,
)
from .files import read_data_file
from .volatile import data_fingerprint

DEFAULT_API_URL = "https://api.github.com"
API_URL_ENV = "GITHUB_API_URL"
BRANCH_ENV = "SECTION11_GITHUB_BRANCH"
DEFAULT_BRANCH = "main"
API_VERSION = "2022-11-28"
TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
CALL_ATTEMPTS = 3  # per call, for connection failures and 5xx
MAX_ATTEMPTS = 3  # whole publish, when the branch moved under us
FILE_MODE = "100644"
RAW_URL = "https://raw.githubusercontent.com/{repo}/{branch}/{path}"
CONTENTS_PERMISSION = "contents: read and write"
ISSUES_PERMISSION = "issues: read and write"
# API mode publishes these from the output directory; caches before latest.json
DATA_FILES = (
    "ftp_history.json",
    "history.json",
    "intervals.json",
    "routes.json",
    *PICTURE_FILES,
    "latest.json",
)

_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")
_BRANCH = re.compile(r"[A-Za-z0-9._/-]+")
_TOKEN = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces
_RETRY_STATUSES = (500, 502, 503, 504)
MAX_BODY_BYTES = 32 * 1024 * 1024  # decoded; a recursive tree of ~200,000 files


def git_blob_sha(data: bytes) -> str:
    """The id git (and GitHub) gives a blob with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _one_line(text: Any, limit: int = 200) -> str:
    text = printable(str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RefMoved(Exception):
    """The branch moved between our read and our ref update (409 / 422 not a fast forward)."""


@dataclass
class Response:
    status: int
    body: Any
    headers: Mapping[str, str]


# ----------------------------------------------------------------- client


class GitHubClient:
    """A minimal GitHub REST client for one repository.

    `api_url` defaults to env GITHUB_API_URL, else https://api.github.com (pass
    it explicitly; this class reads no environment). `sleep` is injectable so
    tests do not wait between retries.
    """

    def __init__(
        self,
        token: str | None,
        repo: str | None,
        *,
        api_url: str | None = None,
        timeout: tuple[float, float] = TIMEOUT,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.repo = check_repo(repo)
        self._token = check_token(token)
        self.api_url = check_api_url(api_url or DEFAULT_API_URL)
        self.timeout = timeout
        self.deadline = request_deadline()
        self.session = session or new_session(f"section11/{__version__}")
        self.sleep = sleep
        self.calls = 0

    def __repr__(self) -> str:  # never the token
        return f"GitHubClient(repo={self.repo!r}, api_url={self.api_url!r})"

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"section11/{__version__}",
        }

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        write: bool = False,
        permission: str = CONTENTS_PERMISSION,
        ok: tuple[int, ...] = (200, 201),
    ) -> Response:
        """One REST call under /repos/{repo}; raises a SyncError unless its status is in `ok`.

        409 and 422 are returned to the caller when listed in `ok`.
        """
        url = f"{self.api_url}/repos/{self.repo}{path}"
        failure: str | None = None
        answer: tuple[int, Any, Mapping[str, str]] | None = None
        for attempt in range(CALL_ATTEMPTS):
            RUN_CLOCK.check(f"GitHub ({action})")
            self.calls += 1
            failure, answer = self._send(method, url, json, params)
            if failure is None and answer is not None and answer[0] not in _RETRY_STATUSES:
                break
            if failure is not None and ("too slow" in failure or failure == "answered too much"):
                break
            if attempt < CALL_ATTEMPTS - 1:
                self.sleep(0.5 * 2**attempt)
        if failure is not None or answer is None:
            raise ApiFailed(
                f"GitHub {failure} while {action} ({self.api_url}); "
                "nothing was published; the next run retries"
            )
        status, body, headers = answer
        if status in ok:
            if body is None and status != 204:
                raise ApiFailed(f"GitHub answered {status} without JSON while {action}")
            return Response(status, body, headers)
        if 300 <= status < 400:
            raise ApiFailed(
                f"GitHub answered {status} (a redirect) while {action}; it is not followed "
                f"with the token: check GITHUB_REPO and {API_URL_ENV}"
            )
        raise self._error(status, body, headers, action, write, permission)

    def _send(
        self, method: str, url: str, json: Any, params: Mapping[str, Any] | None
    ) -> tuple[str | None, tuple[int, Any, Mapping[str, str]] | None]:
        """One HTTP exchange under the request deadline and the body cap:
        (failure text, None) or (None, (status, parsed JSON or None, headers))."""
        deadline = call_deadline(self.deadline)
        with Watch(deadline) as watch:
            try:
                response = self.session.request(
                    method,
                    url,
                    headers=self._headers(),
                    json=json,
                    params=params,
                    timeout=self.timeout,
                    stream=True,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                if watch.expired:
                    return f"was too slow (over {self.deadline:g} s)", None
                if isinstance(exc, requests.Timeout):
                    return "timed out", None
                if isinstance(exc, requests.ConnectionError):
                    return "could not connect", None
                return f"request failed ({type(exc).__name__})", None
            try:
                read = read_body(response, max_bytes=MAX_BODY_BYTES, deadline=deadline)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
                read = None
            finally:
                response.close()
            if read is None or read.failure == "deadline" or watch.fired:
                slow = watch.expired
                return (f"was too slow (over {self.deadline:g} s)" if slow else "dropped"), None
            if read.failure == "too_large":
                return "answered too much", None
            if read.failure is not None:
                return "sent an undecodable body", None
        try:
            body = _json.loads(read.data) if read.data else None
        except (ValueError, RecursionError):
            body = None
        return None, (response.status_code, body, response.headers)

    def _error(
        self,
        status: int,
        body: Any,
        headers: Mapping[str, str],
        action: str,
        write: bool,
        permission: str,
    ) -> Exception:
        message = body.get("message") if isinstance(body, dict) else None
        said = self._scrub(_one_line(message)) if message else ""
        detail = f": {said}" if said else ""
        if status == 401:
            return AuthFailed(
                "GitHub rejected the token (401 Bad credentials): check GITHUB_TOKEN "
                "or github_token; it may be expired or revoked"
            )
        if status in (403, 429) and (
            headers.get("x-ratelimit-remaining") == "0" or "rate limit" in said.lower()
        ):
            return ApiFailed(f"GitHub rate limit reached while {action}; the next run retries")
        if "protected branch" in said.lower():
            return ApiFailed(
                f"GitHub refused to update a protected branch of {self.repo}{detail}; "
                "allow this token to push to it, or publish to another branch "
                f"({BRANCH_ENV})"
            )
        if write and status in (403, 404):
            return AuthFailed(
                f"token lacks {permission} on {self.repo} (fine-grained PAT, "
                f"single repository) — GitHub answered {status} while {action}"
            )
        if status == 404:
            return ApiFailed(
                f"GitHub: {action}: not found — check GITHUB_REPO ({self.repo}) and "
                f"the branch, and that the token can read this repository"
            )
        if status == 403:
            return AuthFailed(
                f"GitHub refused access to {self.repo} while {action}{detail}; "
                f"the token needs {permission} on it"
            )
        if status == 409 and "empty" in said.lower():
            return ApiFailed(
                f"{self.repo} is an empty repository: create it with a README "
                "(one initial commit) and run again"
            )
        return ApiFailed(f"GitHub answered {status} while {action}{detail}")

    # --------------------------------------------------------- git data

    def get_ref(self, branch: str) -> str:
        path = f"/git/ref/heads/{quote(branch, safe='/')}"
        body = self.request("GET", path, action=f"reading branch {branch}").body
        sha = (body.get("object") or {}).get("sha") if isinstance(body, dict) else None
        if not isinstance(sha, str):
            raise ApiFailed(f"GitHub: branch {branch} of {self.repo} has no commit")
        return sha

    def get_commit(self, sha: str) -> dict:
        body = self.request("GET", f"/git/commits/{sha}", action="reading the branch's commit").body
        if not isinstance(body, dict) or not isinstance((body.get("tree") or {}).get("sha"), str):
            raise ApiFailed("GitHub: the branch's commit has no tree")
        return body

    def get_tree(self, sha: str) -> dict[str, str] | None:
        """{path: blob sha} of every file, or None when GitHub truncated the listing."""
        body = self.request(
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

    def get_blob(self, sha: str, name: str) -> bytes:
        body = self.request("GET", f"/git/blobs/{sha}", action=f"reading the published {name}").body
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, str) or body.get("encoding") != "base64":
            raise ApiFailed(f"GitHub returned no content for the published {name}")
        try:
            return base64.b64decode(content)
        except ValueError:
            raise ApiFailed(
                f"GitHub returned undecodable content for the published {name}"
            ) from None

    def create_blob(self, data: bytes, name: str) -> str:
        body = self.request(
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

    def create_tree(self, base_tree: str, entries: Mapping[str, str]) -> str:
        tree = [
            {"path": path, "mode": FILE_MODE, "type": "blob", "sha": sha}
            for path, sha in sorted(entries.items())
        ]
        body = self.request(
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

    def create_commit(self, message: str, tree: str, parents: list[str]) -> str:
        body = self.request(
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

    def update_ref(self, branch: str, sha: str) -> None:
        """Fast-forward the branch to `sha`; RefMoved when it moved meanwhile."""
        response = self.request(
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
            raise self._error(
                422,
                response.body,
                response.headers,
                f"updating branch {branch}",
                True,
                CONTENTS_PERMISSION,
            )

    # --------------------------------------------------------- issues

    def list_issues(self, label: str, state: str = "open", max_pages: int = 10) -> list[dict]:
        """Issues (not pull requests) carrying `label`, by listing (never the search API)."""
        found: list[dict] = []
        for page in range(1, max_pages + 1):
            body = self.request(
                "GET",
                "/issues",
                action="listing issues",
                params={"state": state, "labels": label, "per_page": 100, "page": page},
                permission=ISSUES_PERMISSION,
            ).body
            if not isinstance(body, list):
                raise ApiFailed("GitHub: the issue list is not a list")
            found += [i for i in body if isinstance(i, dict) and "pull_request" not in i]
            if len(body) < 100:
                break
        return found

    def create_issue(self, title: str, body: str, labels: list[str]) -> dict:
        answer = self.request(
            "POST",
            "/issues",
            write=True,
            action="opening an issue",
            permission=ISSUES_PERMISSION,
            json={"title": title, "body": body, "labels": labels},
        ).body
        return answer if isinstance(answer, dict) else {}

    def close_issue(self, number: int, comment: str) -> None:
        """Comment on issue `number` (why it closes), then close it."""
        self.request(
            "POST",
            f"/issues/{int(number)}/comments",
            write=True,
            action="commenting on an issue",
            permission=ISSUES_PERMISSION,
            json={"body": comment},
        )
        self.request(
            "PATCH",
            f"/issues/{int(number)}",
            write=True,
            action="closing an issue",
            permission=ISSUES_PERMISSION,
            json={"state": "closed", "state_reason": "completed"},
        )


# ----------------------------------------------------------------- validation


def check_api_url(url: str) -> str:
    """GITHUB_API_URL: https, or plain http to a loopback host only (the token
    travels in a header)."""
    problem = secure_url_problem(url.strip())
    if problem:
        raise InvalidInput(f"{API_URL_ENV} {problem} (the GitHub token would travel in clear)")
    return url.strip().rstrip("/")


def check_repo(repo: str | None) -> str:
    if not repo or not _REPO.fullmatch(repo) or repo.split("/")[1] in (".", ".."):
        raise InvalidInput(
            "GitHub repository must look like owner/name (GITHUB_REPO or --github-repo)"
        )
    return repo


def check_token(token: str | None) -> str:
    if not token:
        raise AuthFailed(
            "GitHub token not set: set GITHUB_TOKEN (a fine-grained PAT for "
            "the data repository with contents: read and write)"
        )
    if not _TOKEN.fullmatch(token):
        raise AuthFailed(
            "GitHub token contains spaces, line breaks or non-ASCII characters; copy it again"
        )
    return token


def check_branch(branch: str) -> str:
    if (
        not _BRANCH.fullmatch(branch)
        or ".." in branch
        or branch.startswith("/")
        or branch.endswith("/")
    ):
        raise InvalidInput(f"{BRANCH_ENV} must be a branch name such as main")
    return branch


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
        published = client.get_blob(current[path], path)
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
        head = client.get_ref(branch)
        base_tree = client.get_commit(head)["tree"]["sha"]
        current = client.get_tree(base_tree) or {}
        changed = sorted(p for p, (_, sha) in wanted.items() if current.get(p) != sha)
        if not _content_changed(client, changed, wanted, current):
            return PublishResult(client.repo, branch, None, [], attempt)
        entries = {}
        for path in changed:
            data, sha = wanted[path]
            if sha not in uploaded:
                uploaded[sha] = client.create_blob(data, path)
            entries[path] = uploaded[sha]
        tree = client.create_tree(base_tree, entries)
        commit = client.create_commit(message, tree, [head])
        try:
            client.update_ref(branch, commit)
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
    "GitHubClient",
    "PublishResult",
    "RefMoved",
    "publish_files",
    "publish_data_files",
    "make_publisher",
    "publish_api_mode",
    "commit_message",
    "git_blob_sha",
    "DATA_FILES",
    "check_repo",
    "check_token",
    "check_branch",
    "raw_url",
    "DEFAULT_API_URL",
    "API_URL_ENV",
    "BRANCH_ENV",
    "DEFAULT_BRANCH",
    "MAX_ATTEMPTS",
]
