"""Running git for the commit step (docs/architecture.md#publishing, weakness 9.3 (docs/architecture.md#reference-weaknesses)): argument lists,
a clean environment, captured output, one-line messages without secrets.

A token reaches git only through the environment (GIT_CONFIG_COUNT/KEY/VALUE
setting an `http.<origin>.extraheader`), never through a command line, a
remote URL or .git/config, and every line of git output that is shown is
scrubbed of URL credentials and of the token.
"""

from __future__ import annotations

import base64
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InvalidInput, OutputFailed
from ..sources.transport import secure_url_problem

_UNSET_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_PREFIX",
)
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.I)
_RETRYABLE = (
    "non-fast-forward",
    "fetch first",
    "stale info",
    "cannot lock ref",
    "incorrect old value",
)
_AUTH = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "terminal prompts disabled",
    "invalid username or password",
    "error: 401",
    "http 401",
    "bad credentials",
    "permission denied (publickey",
)
_NO_PERMISSION = (
    "permission to",
    "denied to",
    "error: 403",
    "http 403",
    "write access to repository not granted",
    "permission denied",
)
_NOT_FOUND = (
    "repository not found",
    "does not appear to be a git repository",
    "error: 404",
    "http 404",
)


class PublishFailed(OutputFailed):
    """The data could not be committed or pushed (exit code of OutputFailed)."""


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """One line of git output fit to print: no credentials in URLs, no secrets."""
    text = _USERINFO.sub(r"\1***@", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return " ".join(text.split())


def classify_output(output: str) -> str:
    """The kind of a git failure. A push race ("cannot lock ref", "incorrect old
    value", "fetch first", "non-fast-forward") comes back as `[remote rejected]`
    too, so the race patterns are matched first: a race is retried, a refusal
    (branch protection, a hook) is not."""
    low = output.lower()
    if ("rejected]" in low or "failed to push" in low) and any(p in low for p in _RETRYABLE):
        return "moved"
    if "[remote rejected]" in low or "protected branch" in low or "gh006" in low:
        return "refused"
    if any(p in low for p in _AUTH):
        return "auth"
    if any(p in low for p in _NO_PERMISSION):
        return "permission"
    if any(p in low for p in _NOT_FOUND):
        return "not-found"
    return "other"


def last_line(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip() and not ln.startswith("hint:")]
    return lines[-1] if lines else "no output"


# ----------------------------------------------------------------- git runner


class GitRunner:
    """`git` with an argument list, a clean environment and captured output."""

    def __init__(self, cwd: Path, environ: Mapping[str, str], token: str | None, timeout: float):
        env = {k: v for k, v in environ.items() if k not in _UNSET_ENV}
        env.update(GIT_TERMINAL_PROMPT="0", GCM_INTERACTIVE="never", LC_ALL="C", LANGUAGE="C")
        self.env = env
        self.cwd = cwd
        self.timeout = timeout
        self.token = token
        self.auth_env: dict[str, str] = {}

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        network: bool = False,
        check: bool = True,
    ) -> subprocess.CompletedProcess:
        full_env = dict(self.env)
        full_env.update(env or {})
        if network:
            full_env.update(self.auth_env)
        try:
            proc = subprocess.run(
                ["git", *args],
                cwd=self.cwd,
                input=stdin,
                env=full_env,
                capture_output=True,
                timeout=self.timeout if network else None,
                check=False,
            )
        except FileNotFoundError:
            raise InvalidInput(
                "--commit needs git, which is not installed or not on PATH"
            ) from None
        except subprocess.TimeoutExpired:
            raise PublishFailed(
                f"git {args[0]} timed out after {self.timeout:.0f} s; "
                "nothing was published, the next run retries"
            ) from None
        if check and proc.returncode != 0:
            raise PublishFailed(f"git {args[0]} failed: {self.message(proc)}")
        return proc

    def out(self, *args: str, **kwargs) -> str:
        return self.run(*args, **kwargs).stdout.decode("utf-8", "replace").strip()

    def message(self, proc: subprocess.CompletedProcess) -> str:
        text = (
            (proc.stdout or b"").decode("utf-8", "replace")
            + "\n"
            + (proc.stderr or b"").decode("utf-8", "replace")
        )
        return scrub(last_line(text), (self.token or "",))

    def output(self, proc: subprocess.CompletedProcess) -> str:
        return ((proc.stdout or b"") + b"\n" + (proc.stderr or b"")).decode("utf-8", "replace")

    def use_token(self, remote_url: str, has_own_header: bool) -> None:
        """Network settings for an http(s) remote, through env-only git config:
        redirects are never followed (git would re-send the credentials to the
        other host), and the token, when there is one and the checkout has no
        header of its own, is scoped to the remote's scheme, host and port.
        A token is never sent over plain http to a non-loopback host."""
        parts = urlsplit(remote_url)
        if parts.scheme not in ("http", "https"):
            return
        settings = [("http.followRedirects", "false")]
        if self.token and not has_own_header:
            problem = secure_url_problem(remote_url)
            if problem:
                raise InvalidInput(
                    f"--commit: the remote URL {problem} (the token would travel in clear)"
                )
            host = parts.hostname or ""
            if parts.port:
                host = f"{host}:{parts.port}"
            basic = base64.b64encode(f"x-access-token:{self.token}".encode()).decode()
            key = f"http.{parts.scheme}://{host}/.extraheader"
            settings.append((key, f"AUTHORIZATION: basic {basic}"))
        count = int(self.env.get("GIT_CONFIG_COUNT", "0") or 0)
        self.auth_env = {"GIT_CONFIG_COUNT": str(count + len(settings))}
        for index, (key, value) in enumerate(settings, start=count):
            self.auth_env[f"GIT_CONFIG_KEY_{index}"] = key
            self.auth_env[f"GIT_CONFIG_VALUE_{index}"] = value
