"""Archive snapshots of latest.json (docs/architecture.md#writing-files and docs/architecture.md#publishing step 5, fixed per weakness 9.4 (docs/architecture.md#reference-weaknesses)).

The reference's workflow copied latest.json to `archive/YYYY-MM/YYYYMMDD_HHMMSS.json`
(UTC) on every run: 96 full copies a day, growing forever. Here a snapshot is
written only when latest.json's content (ignoring its generation timestamps,
see volatile.py) differs from the newest snapshot's, and an optional retention
in days prunes older snapshots. The newest snapshot is never pruned: it is the
reference the next change is measured against.

The functions here are pure: they take a listing of snapshot paths and a way to
read one, and return what to add and remove. The commit step (git.py) applies
the plan to the commit it builds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..errors import InvalidInput
from .volatile import content_fingerprint

ARCHIVE_DIR = "archive"
# archive/YYYY-MM/YYYYMMDD_HHMMSS.json, and the flat archive/YYYYMMDD_HHMMSS.json
# the reference wrote before it moved snapshots into month folders.
_SNAPSHOT = re.compile(r"(?:^|/)archive/(?:(\d{4})-(\d{2})/)?(\d{8}_\d{6})\.json$")
_STAMP = "%Y%m%d_%H%M%S"


@dataclass(frozen=True)
class ArchivePlan:
    """What the archive needs: one snapshot to add (path, bytes) and paths to remove."""

    add: tuple[str, bytes] | None = None
    remove: tuple[str, ...] = field(default_factory=tuple)


def snapshot_path(now: datetime, prefix: str = "") -> str:
    """`<prefix>archive/YYYY-MM/YYYYMMDD_HHMMSS.json` for `now` in UTC (docs/architecture.md#writing-files)."""
    if now.tzinfo is None:
        raise ValueError("snapshot time must be timezone-aware")
    utc = now.astimezone(UTC)
    return f"{prefix}{ARCHIVE_DIR}/{utc:%Y-%m}/{utc.strftime(_STAMP)}.json"


def snapshot_time(path: str) -> datetime | None:
    """UTC time encoded in a snapshot path, or None when `path` is not a snapshot."""
    match = _SNAPSHOT.search(path)
    if not match:
        return None
    try:
        stamp = datetime.strptime(match.group(3), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    if match.group(1) and (int(match.group(1)), int(match.group(2))) != (stamp.year, stamp.month):
        return None  # a file in the wrong month folder is not ours
    return stamp


def snapshots(paths: Iterable[str]) -> list[tuple[datetime, str]]:
    """The snapshot paths among `paths`, oldest first, with their times."""
    found = [(t, p) for p in paths if (t := snapshot_time(p)) is not None]
    return sorted(found)


def parse_retention_days(value: object) -> int | None:
    """--archive-retention-days: None keeps every snapshot; else a whole number >= 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(
            f"--archive-retention-days must be a whole number of days >= 1 "
            f"(got {value!r}); leave it out to keep every snapshot"
        )
    return value


def plan_archive(
    existing: Iterable[str],
    read: Callable[[str], bytes | None],
    latest: bytes,
    now: datetime,
    *,
    prefix: str = "",
    retention_days: int | None = None,
) -> ArchivePlan:
    """Snapshot and retention decision for one run (docs/architecture.md#writing-files, weakness 9.4 (docs/architecture.md#reference-weaknesses)).

    existing: every path under the archive directory (others are ignored);
    read(path): the bytes of one of them (None when unreadable);
    latest: this run's latest.json; now: aware time of the run;
    retention_days: prune snapshots older than now minus this many days
    (None keeps all). The newest remaining snapshot is always kept.
    """
    retention_days = parse_retention_days(retention_days)
    known = snapshots(existing)
    add = None
    newest_bytes = read(known[-1][1]) if known else None
    if newest_bytes is None or content_fingerprint(newest_bytes) != content_fingerprint(latest):
        path = snapshot_path(now, prefix)
        if not any(p == path for _, p in known):
            add = (path, latest)
    remove: list[str] = []
    if retention_days is not None:
        cutoff = now.astimezone(UTC) - timedelta(days=retention_days)
        keep_newest = None if add else (known[-1][1] if known else None)
        remove = [p for t, p in known if t < cutoff and p != keep_newest]
    return ArchivePlan(add=add, remove=tuple(remove))
