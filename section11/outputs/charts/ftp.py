"""FTP chart: indoor and outdoor FTP over three years (ftp_history.json)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from .scales import day_offset, x_axis_days, y_axis
from .series import parse_day
from .svg import BLUE, ORANGE, Canvas, finite, num

YEARS = 3
TITLE = "FTP over three years"
KINDS = (("indoor", "indoor FTP", ORANGE), ("outdoor", "outdoor FTP", BLUE))


def ftp_points(history: object, kind: str, first: date, last: date) -> list[tuple[date, float]]:
    """(day, watts) of one kind inside [first, last], oldest first."""
    entries = history.get(kind) if isinstance(history, Mapping) else None
    if not isinstance(entries, Mapping):
        return []
    out = []
    for key, value in entries.items():
        day, watts = parse_day(key), finite(value)
        if day is not None and watts is not None and watts > 0 and first <= day <= last:
            out.append((day, watts))
    return sorted(out)


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    first = drawn_on - timedelta(days=365 * YEARS)
    history = documents.get("ftp_history.json")
    found = [
        (kind, label, colour, ftp_points(history, kind, first, drawn_on))
        for kind, label, colour in KINDS
    ]
    found = [item for item in found if item[3]]
    canvas = Canvas("ftp", TITLE, "")
    if not found:
        return canvas.empty(f"No FTP recorded in the last {YEARS} years")
    canvas.header([(label, colour, "line") for _, label, colour, _ in found])
    y = y_axis(canvas, [w for *_, points in found for _, w in points], "FTP (W)", floor=0)
    x = x_axis_days(canvas, first, drawn_on, "date")
    for kind, _, colour, points in found:
        # the value holds until the next change, and up to today
        steps: list[tuple[float, float]] = []
        for i, (day, watts) in enumerate(points):
            until = points[i + 1][0] if i + 1 < len(points) else drawn_on
            steps += [
                (x(day_offset(first, day)), y(watts)),
                (x(day_offset(first, until)), y(watts)),
            ]
        canvas.path(steps, colour)
        for day, watts in points:
            canvas.dot(kind, x(day_offset(first, day)), y(watts), colour)
    canvas.desc = f"FTP settings from {first.isoformat()} to {drawn_on.isoformat()}. " + "; ".join(
        f"{label}: {len(points)} change(s), latest {num(points[-1][1], 0)} W on {points[-1][0].isoformat()}"
        for _, label, _, points in found
    )
    return canvas.finish()
