"""Whether a picture must be rewritten: only when the data it draws changed.

Each picture carries `data-content-hash`, a hash of its text with the drawn
date left out. A steady sync renders the same text, so the hash matches the
file on disk and the file is left alone (its drawn date stays the day the
data last changed).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from .svg import DRAWN

HASH_ATTRIBUTE = "data-content-hash"
_HASH = re.compile(rf'{HASH_ATTRIBUTE}="([0-9a-f]+)"')


def content_hash(template: str) -> str:
    """Hash of a picture's text before the drawn date is filled in."""
    return hashlib.sha256(template.encode("utf-8")).hexdigest()[:20]


def stamp(template: str, root_tag: str, drawn: str) -> str:
    """The final text: the hash on the root element and the drawn date filled in."""
    tagged = template.replace(
        f"<{root_tag} ", f'<{root_tag} {HASH_ATTRIBUTE}="{content_hash(template)}" ', 1
    )
    return tagged.replace(DRAWN, drawn)


def stored_hash(text: str | None) -> str | None:
    found = _HASH.search(text or "")
    return found.group(1) if found else None


def needs_rewrite(new_text: str, old_text: str | None) -> bool:
    """True when there is no old file or the data drawn differs."""
    new_hash = stored_hash(new_text)
    return new_hash is None or new_hash != stored_hash(old_text)


def pictures_to_write(pictures: Mapping[str, str], output_dir: Path) -> dict[str, str]:
    """The pictures (relative name -> text) whose file is missing or draws other data."""
    out = {}
    for name, text in pictures.items():
        path = output_dir / name
        try:
            old = path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            old = None
        if needs_rewrite(text, old):
            out[name] = text
    return out
