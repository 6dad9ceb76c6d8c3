"""What counts as a change of a data file (weakness 9.4 (docs/architecture.md#reference-weaknesses) "No change detection").

Every output carries a timestamp of its own generation (latest.json
`metadata.last_updated` and `derived_metrics.calculation_timestamp`; the top-level
`generated_at` of history.json, intervals.json and routes.json). The reference
compared raw bytes, so every run looked like a change: about 192 commits and 96
archive snapshots a day. `content_fingerprint` hashes a file without those
generation stamps; the commit step and the archive both decide "changed" with it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Paths (from the document root) of generation timestamps. Only these keys are
# dropped: timestamps that describe the data (fetch_state attempts, activity
# dates, history.last_generated) are content.
VOLATILE_PATHS: tuple[tuple[str, ...], ...] = (
    ("generated_at",),
    ("metadata", "last_updated"),
    ("derived_metrics", "calculation_timestamp"),
)


def _without(document: Any, path: tuple[str, ...]) -> Any:
    """`document` with the key at `path` removed (a shallow copy on the way down);
    `*` stands for every element of a list."""
    if path[0] == "*" and isinstance(document, list):
        return [_without(item, path[1:]) for item in document]
    if not isinstance(document, dict) or path[0] not in document:
        return document
    head, rest = path[0], path[1:]
    copy = dict(document)
    if rest:
        copy[head] = _without(copy[head], rest)
    else:
        del copy[head]
    return copy


def strip_volatile(document: Any) -> Any:
    """The document without its generation timestamps (VOLATILE_PATHS)."""
    for path in VOLATILE_PATHS:
        document = _without(document, path)
    return document


# Retry bookkeeping of a data file, keyed by its name: it changes when a
# per-activity fetch is retried or given up, not when the athlete's data does.
# A commit is made only when something else changed; the bookkeeping then
# travels with it.
BOOKKEEPING_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "intervals.json": (("fetch_state",),),
    # coach mode: each athlete's last sync time moves on every run
    "index.json": (("athletes", "*", "last_successful_sync"),),
}


def data_fingerprint(name: str, data: bytes) -> str:
    """`content_fingerprint` without the retry bookkeeping of file `name`
    (its base name decides): equal fingerprints mean no athlete-data change."""
    extra = BOOKKEEPING_PATHS.get(name.rsplit("/", 1)[-1], ())
    return content_fingerprint(data, extra)


def content_fingerprint(data: bytes, extra_paths: tuple[tuple[str, ...], ...] = ()) -> str:
    """SHA-256 hex of a data file's content, ignoring generation timestamps.

    JSON is parsed, stripped of VOLATILE_PATHS and re-serialized canonically
    (sorted keys, no whitespace), so formatting and key order do not count as
    change either. Bytes that are not UTF-8 JSON are hashed as they are.
    """
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "raw:" + hashlib.sha256(data).hexdigest()
    document = strip_volatile(document)
    for path in extra_paths:
        document = _without(document, path)
    canonical = json.dumps(
        document,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=True,
    )
    return "json:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
