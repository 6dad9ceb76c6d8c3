"""Errors raised by the TrainingPeaks client.

Each class carries `status_key`, the word the mirror writes into its source
status (`auth_expired`, `outage`, `rate_limited`, `error`), and a one-line
message that names the fix. Messages are built from plain values only and
never hold the cookie or the bearer token.
"""

from __future__ import annotations

PASTE_HINT = (
    "paste a new Production_tpAuth cookie with `python sync.py tp auth <cookie>` "
    "or set TP_AUTH_COOKIE"
)


class TrainingPeaksError(Exception):
    """Base class: a call to TrainingPeaks failed."""

    status_key = "error"

    def __init__(self, message: str, *, status: int | None = None, endpoint: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.endpoint = endpoint

    def __str__(self) -> str:
        return self.message


class AuthExpired(TrainingPeaksError):
    """The cookie was refused (401 from the token endpoint): a human has to
    paste a new one; no program can refresh it."""

    status_key = "auth_expired"


class Outage(TrainingPeaksError):
    """TrainingPeaks answered with a server error (the token endpoint's 500
    is an outage on their side, not an expired cookie)."""

    status_key = "outage"


class RateLimited(TrainingPeaksError):
    """429 after the retries."""

    status_key = "rate_limited"


class RangeTooLong(TrainingPeaksError):
    """A workout list over more days than TrainingPeaks serves in one request."""


class BadCookie(TrainingPeaksError):
    """The pasted text is not a usable Production_tpAuth cookie."""
