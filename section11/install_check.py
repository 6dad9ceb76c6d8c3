"""Before a sync asks anything of the API: is this copy of section11 complete?

A run needs its JSON Schemas (`schemas/`, beside `section11/`) to validate
what it writes. Without them it used to fetch everything and then fail with
"cannot read its schema"; now it stops before the first request and names the
command that restores the files.
"""

from __future__ import annotations

import json

from .errors import OutputFailed
from .outputs.validate import ALL_SCHEMA_FILES, SCHEMA_DIR

FIX = (
    "restore the section11 files: run `python sync.py --init DIR` from a complete "
    "copy of section11 (a fresh git clone), DIR being this folder; it adds only what is "
    "missing"
)


def check_installation() -> None:
    """OutputFailed (exit 7) naming the first unreadable schema and the fix."""
    for schema in ALL_SCHEMA_FILES.values():
        path = SCHEMA_DIR / schema
        try:
            json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise OutputFailed(
                f"this copy of section11 cannot read schemas/{schema} ({reason}); "
                f"nothing was fetched; {FIX}"
            ) from None


__all__ = ["check_installation", "FIX"]
