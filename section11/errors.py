"""Errors that end a run, each with its exit code and a one-line message.

The CLI prints `error: <message>` (never a traceback unless --debug) and exits
with `exit_code`. Messages name the problem and the fix, and never contain a
secret.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INVALID_INPUT = 2  # also argparse's own usage errors
EXIT_MISSING_CREDENTIALS = 3
EXIT_AUTH_FAILED = 4
EXIT_API_FAILED = 5
EXIT_LOCK_HELD = 6
EXIT_OUTPUT_FAILED = 7
EXIT_NOT_AVAILABLE = 8  # a mode this version does not implement yet
EXIT_TERMINATED = 143  # SIGTERM (128 + 15)


class SyncError(Exception):
    exit_code = EXIT_UNEXPECTED

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(SyncError):
    exit_code = EXIT_INVALID_INPUT


class MissingCredentials(SyncError):
    exit_code = EXIT_MISSING_CREDENTIALS


class AuthFailed(SyncError):
    exit_code = EXIT_AUTH_FAILED


class SourceRefused(AuthFailed):
    """The one source of a sync without Intervals.icu refused its secret: the
    run ends (exit 4) and, in a data repository, the source's sign-in issue
    still opens. `source` is its key in sources_status."""

    def __init__(self, message: str, source: str, last_good: str | None = None):
        super().__init__(message)
        self.source = source
        self.last_good = last_good


class ApiFailed(SyncError):
    exit_code = EXIT_API_FAILED


class LockHeld(SyncError):
    exit_code = EXIT_LOCK_HELD


class OutputFailed(SyncError):
    exit_code = EXIT_OUTPUT_FAILED


class NotAvailable(SyncError):
    exit_code = EXIT_NOT_AVAILABLE


class RunDeadlineExceeded(BaseException):
    """The run's total deadline passed (exit 5). A BaseException, like
    KeyboardInterrupt: the run is over, so no `except Exception` that tolerates
    one failed optional call may swallow it; the CLI prints its one line."""

    exit_code = EXIT_API_FAILED

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Terminated(BaseException):
    """SIGTERM arrived (exit 143, 128 + 15): the run stops where it is, like
    Ctrl-C; files already replaced are whole, the rest untouched."""

    exit_code = EXIT_TERMINATED


def printable(text: str) -> str:
    """`text` on one line without control characters (ESC, BEL, C1 codes...):
    text quoted from a server must not drive the terminal or split a log line."""
    cleaned = "".join(
        " " if (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029") else ch
        for ch in text
    )
    return " ".join(cleaned.split())
