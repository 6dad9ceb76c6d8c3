"""Where a planned workout came from, read from the text other tools leave.

tp2intervals copies TrainingPeaks and TrainerRoad workouts into the
Intervals.icu calendar and appends a footer to each description: a line of
ten slashes, then `key=value` lines (`trainingPeaksId=`, `trainerRoadId=`,
`intervalsId=`). It also writes a signature line between dashed separators.
`split_origin` returns the description without the footer and the
signature (the AI coach reads the rest) and the origin the footer names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FOOTER_RULE = re.compile(r"^\s*/{10,}\s*$")
SIGNATURE = re.compile(r"^\s*Imported with tp2intervals\b.*$", re.IGNORECASE)
SEPARATOR = re.compile(r"^\s*-( -){3,}\s*$")
ORIGIN_KEYS = (  # footer key -> origin label, in order of preference
    ("trainingPeaksId", "trainingpeaks"),
    ("trainerRoadId", "trainerroad"),
)


@dataclass(frozen=True)
class Origin:
    text: str | None  # the description without the footer and signature
    origin: str | None = None  # "trainingpeaks" / "trainerroad"
    origin_id: str | None = None  # the workout's id there


def _footer_start(lines: list[str]) -> int | None:
    """Index of the last slash rule that only key=value lines follow."""
    for index in range(len(lines) - 1, -1, -1):
        if FOOTER_RULE.match(lines[index]):
            tail = [line.strip() for line in lines[index + 1 :] if line.strip()]
            if tail and all("=" in line for line in tail):
                return index
            return None
    return None


def _without_signature(lines: list[str]) -> list[str]:
    """The lines without tp2intervals' signature and the separators around it."""
    marks = [i for i, line in enumerate(lines) if SIGNATURE.match(line)]
    if not marks:
        return lines
    drop = set(marks)
    for i in marks:
        for j in (i - 1, i + 1):
            if 0 <= j < len(lines) and SEPARATOR.match(lines[j]):
                drop.add(j)
    return [line for i, line in enumerate(lines) if i not in drop]


def split_origin(description: str | None) -> Origin:
    """The description's text and origin (no footer: the text unchanged, no origin)."""
    if not description:
        return Origin(description)
    lines = description.split("\n")
    start = _footer_start(lines)
    if start is None:
        return Origin(description)
    pairs = {}
    for line in lines[start + 1 :]:
        key, _, value = line.strip().partition("=")
        if key and value.strip():
            pairs[key.strip()] = value.strip()
    text = "\n".join(_without_signature(lines[:start])).rstrip()
    for key, label in ORIGIN_KEYS:
        if key in pairs:
            return Origin(text, label, pairs[key])
    return Origin(text)
