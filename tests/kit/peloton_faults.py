"""Fault hooks for the fake Peloton API (section11/demo/peloton_server.py).

Each helper returns a hook `(method, path, query) -> (status, body) | None`
to append to `FakePeloton.hooks`: it answers the matching requests itself, a
given number of times, and lets the others through.
"""

from __future__ import annotations

import re
from typing import Any

from section11.demo.peloton_server import Answer, Hook


def status(code: int, path_regex: str = r".*", times: int = 10**6, **extra: Any) -> Hook:
    """Answer `code` to matching requests (`times` of them)."""
    left = [times]

    def hook(method: str, path: str, query: dict[str, str]) -> Answer | None:
        if left[0] <= 0 or not re.fullmatch(path_regex, path):
            return None
        left[0] -= 1
        return code, {"status": code, "message": f"fault {code}", **extra}

    return hook


def unauthorized(path_regex: str = r"/api/.*") -> Hook:
    return status(401, path_regex)


def forbidden(path_regex: str = r"/oauth/token") -> Hook:
    return status(403, path_regex, error="invalid_grant")


def rate_limited(path_regex: str = r"/api/.*", retry_after: str | None = None) -> Hook:
    """429 on matching paths, with `Retry-After` when given."""
    plain = status(429, path_regex, message="Too Many Requests")
    if retry_after is None:
        return plain

    def hook(method: str, path: str, query: dict[str, str]) -> Answer | None:
        got = plain(method, path, query)
        return None if got is None else (got[0], got[1], {"Retry-After": retry_after})

    return hook


def bad_page(path_regex: str = r"/api/user/[^/]+/workouts") -> Hook:
    """A workout page that is a JSON list instead of the paged object."""

    def hook(_method: str, path: str, _query: dict[str, str]) -> Answer | None:
        return (200, [{"id": None}, "page"]) if re.fullmatch(path_regex, path) else None

    return hook
