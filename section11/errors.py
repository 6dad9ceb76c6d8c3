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


class ApiFailed(SyncError):
    exit_code = EXIT_API_FAILED


class LockHeld(SyncError):
    exit_code = EXIT_LOCK_HELD


class OutputFailed(SyncError):
    exit_code = EXIT_OUTPUT_FAILED


class NotAvailable(SyncError):
    exit_code = EXIT_NOT_AVAILABLE
