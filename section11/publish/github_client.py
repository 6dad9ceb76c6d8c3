"""A minimal GitHub REST client for one repository: the token sent only in the
Authorization header, connect/read timeouts, a request deadline and a body cap
on every call, brief retries of connection failures and 5xx, and every refusal
mapped to a one-line section11 error (401 -> AuthFailed; 403/404 on a write ->
AuthFailed naming the missing permission; a protected branch, the rate limit
or anything else -> ApiFailed). The token never appears in a message.

What is done with it lives beside it: `github_api` publishes the data files
(the Git Data API, contents), `github_issues` lists, opens and closes issues.
"""

from __future__ import annotations

import json as _json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import urllib3

from .. import __version__
from ..errors import ApiFailed, AuthFailed, InvalidInput, printable
from ..sources.transport import (
    RUN_CLOCK,
    Watch,
    call_deadline,
    new_session,
    read_body,
    request_deadline,
    secure_url_problem,
)

DEFAULT_API_URL = "https://api.github.com"
API_URL_ENV = "GITHUB_API_URL"
BRANCH_ENV = "SECTION11_GITHUB_BRANCH"
API_VERSION = "2022-11-28"
TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
CALL_ATTEMPTS = 3  # per call, for connection failures and 5xx
CONTENTS_PERMISSION = "contents: read and write"
MAX_BODY_BYTES = 32 * 1024 * 1024  # decoded; a recursive tree of ~200,000 files

_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")
_BRANCH = re.compile(r"[A-Za-z0-9._/-]+")
_TOKEN = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces
_RETRY_STATUSES = (500, 502, 503, 504)


def _one_line(text: Any, limit: int = 200) -> str:
    text = printable(str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Response:
    status: int
    body: Any
    headers: Mapping[str, str]


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
        raise self.error_for(status, body, headers, action, write, permission)

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

    def error_for(
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
