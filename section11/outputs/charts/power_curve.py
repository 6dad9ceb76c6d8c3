"""Power curve: best power at fixed durations, recent window against earlier ones.

latest.json carries the curve as anchors: the last 28 days and the 28 days
before (`power_curve_delta`) and the best of 42 days per sport family
(`sustainability_profile`). Those are the curves drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .scales import LogScale, y_axis
from .series import section
from .svg import (
    BLUE,
    BOTTOM,
    GREEN,
    LEFT,
    ORANGE,
    PURPLE,
    RIGHT,
    VERMILLION,
    Canvas,
    finite,
    num,
    text_width,
)

TITLE = "Power curve: best power by duration"
FAMILY_COLOURS = (GREEN, PURPLE, VERMILLION)


def duration_label(secs: float) -> str:
    if secs < 60:
        return f"{num(secs, 0)} s"
    if secs < 3600:
        return f"{num(secs / 60, 1)} min"
    return f"{num(secs / 3600, 1)} h"


def _seconds(key: object) -> float | None:
    text = str(key)
    try:
        value = float(text[:-1] if text.endswith("s") else text)
    except ValueError:
        return None
    return value if value > 0 else None


def _curve(anchors: object, field: str) -> list[tuple[float, float]]:
    """(seconds, watts) of the anchors holding a positive `field`, shortest first."""
    if not isinstance(anchors, Mapping):
        return []
    out = []
    for key, anchor in anchors.items():
        secs, watts = _seconds(key), finite(section(anchor, field))
        if secs is not None and watts is not None and watts > 0:
            out.append((secs, watts))
    return sorted(out)


def curves(latest: Mapping[str, Any]) -> list[tuple[str, str, list[tuple[float, float]]]]:
    """(series key, legend label, points) of every curve latest.json holds."""
    capability = section(latest, "derived_metrics", "capability") or {}
    delta = section(capability, "power_curve_delta") or {}
    days = finite(delta.get("window_days"))
    span = f"{num(days, 0)} days" if days else "window"
    out = [
        ("current", f"last {span}", _curve(delta.get("anchors"), "current_watts")),
        ("previous", f"{span} before", _curve(delta.get("anchors"), "previous_watts")),
    ]
    profile = section(capability, "sustainability_profile") or {}
    profile_days = finite(section(profile, "window", "days"))
    for family, block in sorted(profile.items()):
        if isinstance(block, Mapping) and "anchors" in block:
            label = f"best of {num(profile_days or 0, 0)} days, {family}"
            out.append((f"profile_{family}", label, _curve(block.get("anchors"), "actual_watts")))
    return [c for c in out if c[2]]


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    found = curves(documents.get("latest.json") or {})
    canvas = Canvas("power_curve", TITLE, "")
    if not found:
        return canvas.empty("No power data: no power-meter efforts in the recent windows")
    colours = [BLUE, ORANGE, *FAMILY_COLOURS]
    dashes = ["", "6 4", "2 3", "2 3", "2 3"]
    canvas.header(
        [
            (label, colours[i], "dash" if dashes[i] else "line")
            for i, (_, label, _) in enumerate(found)
        ]
    )
    secs = [s for _, _, points in found for s, _ in points]
    watts = [w for _, _, points in found for _, w in points]
    y = y_axis(canvas, watts, "power (W)", floor=0)
    lo, hi = min(secs), max(secs)
    x = LogScale(lo, hi if hi > lo else lo * 2, LEFT + 16, RIGHT - 16)
    canvas.line(LEFT, BOTTOM, RIGHT, BOTTOM)
    free_from = float(LEFT)
    for s in sorted(set(secs)):
        canvas.line(x(s), BOTTOM, x(s), BOTTOM + 5)
        half = text_width(duration_label(s)) / 2
        if x(s) - half >= free_from:  # a label that would touch the previous one is left out
            canvas.text(x(s), BOTTOM + 18, duration_label(s), anchor="middle")
            free_from = x(s) + half + 6
    canvas.text(
        (LEFT + RIGHT) / 2, BOTTOM + 40, "duration (log scale)", cls="axis-label", anchor="middle"
    )
    for i, (key, _, points) in enumerate(found):
        canvas.path([(x(s), y(w)) for s, w in points], colours[i], dashes[i])
        for s, w in points:
            canvas.dot(key, x(s), y(w), colours[i], r=3)
    canvas.desc = "Best power in watts at fixed durations. " + "; ".join(
        f"{label}: " + ", ".join(f"{duration_label(s)} {num(w, 0)} W" for s, w in points)
        for _, label, points in found
    )
    return canvas.finish()
