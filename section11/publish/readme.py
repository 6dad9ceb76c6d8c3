"""The data repository's README.md: the user's text and one block section11 manages.

The README belongs to the user (title, notes, the "Last successful sync" line
the commit step keeps). What the project ships for it (DATA_REPO_README.md)
arrives between two markers; `--update` replaces only what is between them,
so the user's text outside the block is kept. OWNER/REPO in the template is
filled in with the data repository's owner/name when it is known.
`set_last_sync_line` sets that "Last successful sync" line for the commit step.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

BEGIN = "<!-- section11:begin -->"
END = "<!-- section11:end -->"
PLACEHOLDER = "OWNER/REPO"
SYNC_LABEL = "Last successful sync:"
FIELDS_PLACEHOLDER = "FIELDS_URL"
FIELDS_DOC = "docs/fields.md"
_RAW = re.compile(r"^https://raw\.githubusercontent\.com/([^/]+/[^/]+)/([^/]+)/manifest\.json$")


def fields_url(source: str | None) -> str:
    """Where the field dictionary of the update source lives: the GitHub page
    for a GitHub raw manifest, the file beside any other manifest URL, and
    the project-relative path when there is no source."""
    if not source:
        return FIELDS_DOC
    match = _RAW.match(source)
    if match:
        return f"https://github.com/{match.group(1)}/blob/{match.group(2)}/{FIELDS_DOC}"
    return source.rsplit("/", 1)[0] + "/" + FIELDS_DOC


def fill(template: str, repo: str | None, source: str | None = None) -> str:
    """The template with OWNER/REPO replaced by `repo` (left as it is when
    unknown) and FIELDS_URL by the field dictionary's address."""
    text = template.replace(FIELDS_PLACEHOLDER, fields_url(source))
    return text.replace(PLACEHOLDER, repo) if repo else text


def _span(text: str) -> tuple[int, int] | None:
    """(start of BEGIN, end of END) of the managed block, or None."""
    start = text.find(BEGIN)
    if start < 0:
        return None
    stop = text.find(END, start + len(BEGIN))
    return None if stop < 0 else (start, stop + len(END))


def managed_block(text: str) -> str | None:
    """The managed block of `text`, markers included, or None when it has none."""
    span = _span(text)
    return None if span is None else text[span[0] : span[1]]


def merge(readme: str, template: str, repo: str | None, source: str | None = None) -> str:
    """`readme` with its managed block replaced by the template's (filled in).

    A README without markers gets the block appended: the user's text stays
    as it is either way. A template without markers leaves `readme` unchanged.
    """
    block = managed_block(fill(template, repo, source))
    if block is None:
        return readme
    span = _span(readme)
    if span is None:
        return readme.rstrip("\n") + "\n\n" + block + "\n"
    return readme[: span[0]] + block + readme[span[1] :]


def set_last_sync_line(text: str, when: datetime) -> str:
    """README with its "Last successful sync" line set to `when` (UTC) (docs/architecture.md#publishing step 6).

    The line holding the label is replaced; without one, the line is inserted
    after the sync badge (a line containing `badge.svg)`), else after the
    first `# ` heading, else at the top.
    """
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    line = f"**{SYNC_LABEL}** {stamp}"
    lines = text.splitlines(keepends=True)
    for index, old in enumerate(lines):
        if SYNC_LABEL in old:
            ending = old[len(old.rstrip("\r\n")) :] or "\n"
            lines[index] = line + ending
            return "".join(lines)
    anchor = next((i for i, ln in enumerate(lines) if "badge.svg)" in ln), None)
    if anchor is None:
        anchor = next((i for i, ln in enumerate(lines) if ln.startswith("# ")), None)
    if anchor is None:
        return f"{line}\n\n{text}"
    if not lines[anchor].endswith("\n"):
        lines[anchor] += "\n"
    lines.insert(anchor + 1, f"\n{line}\n")
    return "".join(lines)


__all__ = [
    "BEGIN",
    "END",
    "PLACEHOLDER",
    "SYNC_LABEL",
    "fill",
    "fields_url",
    "managed_block",
    "merge",
    "set_last_sync_line",
]
