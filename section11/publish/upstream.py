"""The update source: where the upstream manifest.json is (env
SECTION11_MANIFEST_URL > config key `manifest_url` > the `source` recorded in
the installed manifest by `--init`; no default), and fetching it and the raw
files beside it: https only (plain http to a loopback host), timeouts, a
request deadline, a size cap, and redirects only to the same origin (this is
code the user will run). Every failure is an `UpdateError` with a one-line
reason; URLs are shown without query or credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests
import urllib3

from .. import __version__
from ..errors import ApiFailed
from ..sources.transport import (
    RUN_CLOCK,
    Watch,
    call_deadline,
    new_session,
    read_body,
    request_deadline,
    same_origin_redirect,
    secure_url_problem,
)
from .manifest import SOURCE_KEY, ManifestError, parse_manifest

MANIFEST_URL_ENV = "SECTION11_MANIFEST_URL"
MANIFEST_URL_KEY = "manifest_url"
TIMEOUT = (5.0, 30.0)
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_REDIRECTS = 3


class UpdateError(ApiFailed):
    """The upstream manifest or a file could not be fetched, parsed or verified."""


def manifest_url(
    environ: Mapping[str, str],
    config: Mapping[str, Any] | None = None,
    installed: Mapping[str, Any] | None = None,
) -> str | None:
    """env SECTION11_MANIFEST_URL > config `manifest_url` > the installed
    manifest's `source`; None when none is configured (never a guess)."""
    value = (environ.get(MANIFEST_URL_ENV) or "").strip()
    if not value and config and isinstance(config.get(MANIFEST_URL_KEY), str):
        value = config[MANIFEST_URL_KEY].strip()
    if not value and installed and isinstance(installed.get(SOURCE_KEY), str):
        value = installed[SOURCE_KEY].strip()
    return value or None


def shown(url: str) -> str:
    """host/path of a URL, without query or credentials (they may hold tokens)."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.hostname or ''}{port}{parts.path}"


def file_url(manifest_url_: str, path: str) -> str:
    """The raw URL of `path`: the manifest's directory + path."""
    parts = urlsplit(manifest_url_)
    base = parts.path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{quote(path)}", "", ""))


def fetch(
    url: str,
    *,
    what: str,
    max_bytes: int = MAX_FILE_BYTES,
    session: requests.Session | None = None,
    timeout=TIMEOUT,
) -> bytes:
    """GET `url` (no auth) under the request deadline, with `max_bytes` decoded
    bytes at most; UpdateError with a one-line reason on any failure.

    The URL must be https (plain http only to a loopback host). Redirects are
    followed only on the same scheme, host and port: this is code the user
    will run, so neither a downgrade nor another host is accepted."""
    problem = secure_url_problem(url)
    if problem:
        raise UpdateError(f"{what}: the URL {problem}")
    getter = session or new_session(f"section11/{__version__}", cookies=False)
    deadline = call_deadline(request_deadline())
    failure, body = None, b""
    with Watch(deadline) as watch:
        for _hop in range(MAX_REDIRECTS + 1):
            RUN_CLOCK.check(f"{shown(url)} ({what})")
            failure, body, location = _get_once(getter, url, timeout, max_bytes, deadline, watch)
            if location is None:
                break
            target = same_origin_redirect(url, location)
            if target is None:
                failure = "redirected to another host or scheme (not followed)"
                break
            url, failure = target, "too many redirects"
    if failure is not None:
        raise UpdateError(f"{what} unavailable from {shown(url)}: {failure}")
    return body


def _get_once(
    getter, url: str, timeout, max_bytes: int, deadline: float, watch: Watch
) -> tuple[str | None, bytes, str | None]:
    """(failure, body, redirect location)."""
    try:
        response = getter.get(url, timeout=timeout, stream=True, allow_redirects=False)
    except requests.RequestException as exc:
        if watch.expired:
            return "too slow (request deadline)", b"", None
        if isinstance(exc, requests.Timeout):
            return "timed out", b"", None
        if isinstance(exc, requests.ConnectionError):
            return "could not connect", b"", None
        return f"request failed ({type(exc).__name__})", b"", None
    try:
        location = response.headers.get("location")
        if response.status_code in (301, 302, 303, 307, 308) and location:
            return None, b"", location
        if response.status_code != 200:
            return f"HTTP {response.status_code}", b"", None
        try:
            read = read_body(response, max_bytes=max_bytes, deadline=deadline)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            return (
                ("too slow (request deadline)" if watch.expired else "connection lost"),
                b"",
                None,
            )
    finally:
        response.close()
    if read.failure == "too_large":
        return f"larger than {max_bytes // 1024} KiB", b"", None
    if read.failure == "deadline" or watch.fired:
        return "too slow (request deadline)", b"", None
    if read.failure is not None:
        return "undecodable compressed body", b"", None
    return None, read.data, None


def fetch_manifest(url: str, session: requests.Session | None = None) -> tuple[dict, bytes]:
    """(validated manifest, raw bytes) of the upstream manifest."""
    data = fetch(url, what="upstream manifest", max_bytes=MAX_MANIFEST_BYTES, session=session)
    try:
        return parse_manifest(data, f"upstream manifest ({shown(url)})"), data
    except ManifestError as exc:
        raise UpdateError(str(exc)) from None
