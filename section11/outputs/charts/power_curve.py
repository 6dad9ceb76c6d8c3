"""Power curve: best Ride power by duration, last 28 and 90 days against the season.

The 28-day curve is the one latest.json's `power_curve_delta` anchors come from
(the same curve id of the same answer), so at those durations the chart and the
JSON agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .best_curves import chart_curves, plot, windows
from .svg import Canvas, num

TITLE = "Power curve: best power by duration (rides)"


def duration_label(secs: float) -> str:
    if secs < 60:
        return f"{num(secs, 0)} s"
    if secs < 3600:
        return f"{num(secs / 60, 1)} min"
    return f"{num(secs / 3600, 1)} h"


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    power = chart_curves(documents).power
    canvas = Canvas("power_curve", TITLE, "")
    if power is None:
        return canvas.empty("No power data: the power curves could not be fetched in this sync")
    found = windows(power, drawn_on)
    if not found:
        return canvas.empty("No power data: no ride with a power meter this season")
    plot(
        canvas,
        found,
        (("duration (log scale)", duration_label), ("power (W)", lambda w: num(w, 0))),
        lambda _, watts: watts,
    )
    canvas.desc = "Best power in watts at fixed durations. " + "; ".join(
        f"{label}: " + ", ".join(f"{duration_label(s)} {num(w, 0)} W" for s, w in curve.points)
        for _, label, curve in found
    )
    return canvas.finish()
