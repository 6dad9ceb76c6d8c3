"""Faults for the fake TrainingPeaks API (section11/demo/tp_server.py).

Each builder returns a hook for `FakeTrainingPeaks.hooks`: it answers the
matching requests itself for `times` requests (None: for ever) and lets the
rest through. The expired cookie is a state of the fake itself
(`expire_cookie()`), as it is a state of the real account.
"""

from __future__ import annotations

import re
import threading

from section11.demo.tp_server import Hook, Reply

TOKEN_PATH = r"/users/v3/token"
OUTAGE_BODY = {"message": "An error has occurred."}


def answering(path_regex: str, reply: Reply, times: int | None = None) -> Hook:
    """A hook that answers `reply` to requests whose path matches `path_regex`."""
    pattern = re.compile(path_regex)
    left = [times]
    lock = threading.Lock()

    def hook(_method: str, path: str) -> Reply | None:
        if not pattern.search(path):
            return None
        with lock:
            if left[0] is not None:
                if left[0] <= 0:
                    return None
                left[0] -= 1
        return reply

    return hook


def token_outage(times: int | None = None) -> Hook:
    """The token endpoint answers 500, as during a TrainingPeaks outage."""
    return answering(TOKEN_PATH, (500, {}, OUTAGE_BODY), times)


def rate_limited(path_regex: str = r".", times: int | None = None, retry_after: str = "0") -> Hook:
    """429 with Retry-After on matching paths."""
    reply: Reply = (429, {"Retry-After": retry_after}, {"message": "Too many requests"})
    return answering(path_regex, reply, times)


def stale_token_once(fake) -> Hook:  # noqa: ANN001 - FakeTrainingPeaks
    """The first API call finds its token revoked (an hour has passed)."""
    fired = [False]

    def hook(_method: str, path: str) -> Reply | None:
        if path != TOKEN_PATH and not fired[0]:
            fired[0] = True
            fake.revoke_tokens()
        return None

    return hook
