"""Reading the mirror's own previous files (I/O edge), never losing them.

An unreadable file is never overwritten: it is moved aside as
`<name>.corrupt-<timestamp>` and the run says so (weakness 9.1.6 (docs/architecture.md#reference-weaknesses)).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import OutputFailed
from .publish.files import read_data_file

FTP_HISTORY = "ftp_history.json"


def quarantine(path: Path, reason: str, warn: Callable[[str], None]) -> Path:
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
    os.replace(path, aside)
    warn(f"{path.name} is unreadable ({reason}); kept it as {aside.name} and started a new one")
    return aside


def read_json(path: Path) -> Any:
    """The JSON value of a data file, read without following a symlink.

    FileNotFoundError when missing; OutputFailed when it is a symlink or not a
    regular file.
    """
    data = read_data_file(path)
    if data is None:
        raise FileNotFoundError(path)
    return json.loads(data.decode("utf-8"))


def load_ftp_history(directory: Path, warn: Callable[[str], None]) -> dict:
    """{"indoor": {...}, "outdoor": {...}} from ftp_history.json (legacy flat form too)."""
    path = directory / FTP_HISTORY
    if not path.exists() and not path.is_symlink():
        return {"indoor": {}, "outdoor": {}}
    from .metrics.benchmark import normalize_ftp_history  # a rebuild only

    try:
        return normalize_ftp_history(read_json(path))
    except (OSError, OutputFailed, UnicodeDecodeError, ValueError) as exc:
        quarantine(path, str(exc).splitlines()[0][:120], warn)
        return {"indoor": {}, "outdoor": {}}


def load_json_document(path: Path) -> dict | None:
    """A previous output document, or None when missing or unreadable (left in place)."""
    try:
        value = read_json(path)
    except (OSError, OutputFailed, UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
