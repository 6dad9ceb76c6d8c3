"""The program's own sync.log (cron and launchd append a run's output to it):
a marker line says a log is ours, and only such a log is cut once it grows."""

from __future__ import annotations

import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

LOG_NAME = "sync.log"
LOG_ROTATE_BYTES = 1_000_000
LOG_KEEP_LINES = 200
LOG_MARKER = "## section11 sync log:"  # written by the program into its own log
LOG_SCAN_BYTES = 256 * 1024  # where the marker is looked for: the end of the log
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _streams_writing_to(path: Path) -> list[TextIO]:
    """stdout/stderr when they are the regular file `path` itself (cron's `>> sync.log`)."""
    try:
        st = os.lstat(path)
    except OSError:
        return []
    found = []
    for stream in (sys.stdout, sys.stderr):
        try:
            own = os.fstat(stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue
        if (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino) and stat.S_ISREG(st.st_mode):
            found.append(stream)
    return found[:1]


def mark_log(path: Path) -> bool:
    """Write the marker line into `path` when this run's output goes there:
    that is how a log is known to be the program's own."""
    for stream in _streams_writing_to(path):
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"{LOG_MARKER} run at {stamp}", file=stream, flush=True)
        return True
    return False


def rotate_log(path: Path) -> bool:
    """Keep the last 200 lines of the program's own sync.log once it reaches
    1 MB (docs/architecture.md#local-operations: cron and launchd append to it). Only a regular
    file (opened without following a symlink) whose end holds the marker line
    this program writes is cut; any other file of that name is left alone.
    Best effort, in place: the appending shell keeps its handle."""
    if path.name != LOG_NAME:
        return False
    try:
        fd = os.open(path, os.O_RDWR | _NOFOLLOW)
    except OSError:
        return False  # missing, unwritable, or a symlink (ELOOP)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < LOG_ROTATE_BYTES:
            return False
        end = os.pread(fd, LOG_SCAN_BYTES, st.st_size - LOG_SCAN_BYTES)
        if LOG_MARKER.encode() not in end:
            return False  # not a log this program wrote
        tail = b"".join(end.splitlines(keepends=True)[-LOG_KEEP_LINES:])
        os.ftruncate(fd, 0)
        os.pwrite(fd, tail, 0)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
