"""A steady run: when nothing the documents are built from has changed, skip the rebuild.

Every run fetches the recent lists, the calendar and the athlete; most of the
time the store comes out of that unchanged. The key of a run's inputs is a
hash of the store's content (records, per-activity resources, fetch states,
cached answers: `Store.digest`), the calendar, the athlete's profile (its
allow-listed fields, never the raw object), the fetch status, the failed route downloads,
the raw answers of the other sources (Peloton, TrainingPeaks), the day, the
settings that shape the documents and the code itself. When the key equals the
last run's and the output files are byte for byte what that run left, every
document would come out the same but for its generation timestamps: nothing is
rebuilt or validated, and only latest.json is rewritten, with this run's
`metadata.last_updated` and `derived_metrics.calculation_timestamp`, so a
reader still sees when the data was last checked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from . import __version__
from .config import Settings
from .ingest import Ingested, Store
from .model import Athlete
from .outputs.picture_files import PICTURE_FILES
from .privacy import policy_of_settings
from .publish.files import dump_json, read_data_file, write_files_atomic

OUTPUTS_KEY = "last_outputs"  # store meta: the last run's input key and file hashes
DOCUMENT_FILES = ("history.json", "intervals.json", "routes.json", "ftp_history.json")


def inputs_key(
    store: Store,
    got: Ingested,
    settings: Settings,
    latest_path: Path,
    sources: Mapping[str, Any],
) -> str:
    """SHA-256 of everything the documents of this run are built from; `sources`:
    the raw answers of the other sources (Peloton, TrainingPeaks), by name."""
    # a route file downloaded this run ends up in routes.json (checked as a file)
    # and is reused from there next run; only a failed download changes the outcome
    routes = {
        aid: repr(file) for aid, file in got.route_files.items() if not isinstance(file, bytes)
    }
    parts = {
        "store": store.digest(),
        "athlete": Athlete.from_raw(got.athlete),
        "events": got.events,
        "status": got.status,
        "routes": routes,
        "day": got.today.isoformat(),
        "timezone": str(got.now.tzinfo),
        # every setting but the secrets (repr=False): a changed setting never reuses outputs
        "settings": {
            f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.repr
        },
        "privacy": policy_of_settings(settings),
        "sources": sources,
        "version": __version__,
        "code": code_fingerprint(),
        "latest": str(latest_path),
    }
    text = json.dumps(parts, sort_keys=True, default=plain, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def plain(value: Any) -> Any:
    """A JSON-ready form of `value` that is the same in every process: dataclasses
    as dicts, sets sorted (their iteration order changes with the hash seed)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, Enum):
        return value.value
    return repr(value)


def code_fingerprint() -> str:
    """Name, size and modification time of every module of the package: an edited
    installation (an update, a local change) never reuses the last run's outputs."""
    package = Path(__file__).parent
    stats = sorted(
        (str(path.relative_to(package)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in package.rglob("*.py")
    )
    return hashlib.sha256(repr(stats).encode("utf-8", "surrogatepass")).hexdigest()


def output_paths(latest_path: Path, directory: Path) -> dict[str, Path]:
    """The files a run reads back or writes, by name: the documents and the pictures."""
    return {
        **{name: directory / name for name in (*DOCUMENT_FILES, *PICTURE_FILES)},
        "latest.json": latest_path,
    }


def file_hashes(outputs: Mapping[str, Path]) -> dict[str, str | None]:
    """SHA-256 of each file's bytes; None for a missing file."""
    hashes: dict[str, str | None] = {}
    for name, path in outputs.items():
        data = read_data_file(path)
        hashes[name] = hashlib.sha256(data).hexdigest() if data is not None else None
    return hashes


def outputs_record(key: str, outputs: Mapping[str, Path]) -> str:
    """What the store keeps of a finished run: its input key and the files it left."""
    return json.dumps({"key": key, "files": file_hashes(outputs)}, sort_keys=True)


def unchanged_since_last_run(store: Store, key: str, outputs: Mapping[str, Path]) -> bool:
    """True when the last run had the same inputs and its files are untouched."""
    try:
        record = json.loads(store.meta(OUTPUTS_KEY) or "null")
    except ValueError:
        return False
    if not isinstance(record, dict) or record.get("key") != key:
        return False
    return (
        record.get("files") == file_hashes(outputs)
        and record["files"].get("latest.json") is not None
    )


def refresh_latest(latest_path: Path, now: datetime) -> dict[str, Any]:
    """Rewrite latest.json with this run's generation timestamps; return it."""
    data = read_data_file(latest_path)
    latest = json.loads(data or b"{}")
    metadata = latest.get("metadata")
    if isinstance(metadata, dict):
        metadata["last_updated"] = now.isoformat()
    derived = latest.get("derived_metrics")
    if isinstance(derived, dict) and "calculation_timestamp" in derived:
        derived["calculation_timestamp"] = now.isoformat(timespec="seconds")
    write_files_atomic({latest_path: dump_json(latest, "latest.json")})
    return latest
