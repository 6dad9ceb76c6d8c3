"""Pace curve for runners: best pace by distance, last 28 and 90 days against the season.

Drawn when a run is among the last 28 days' activities (the pace curves are
asked for only then); otherwise the chart says so in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .best_curves import chart_curves, plot, windows
from .svg import Canvas, num

TITLE = "Pace curve: best pace by distance (runs)"
NAMED = {1609: "1 mi", 21097: "half", 42195: "marathon"}


def distance_label(metres: float) -> str:
    named = NAMED.get(round(metres))
    if named:
        return named
    return f"{num(metres, 0)} m" if metres < 1000 else f"{num(metres / 1000, 1)} km"


def pace_label(secs_per_km: float) -> str:
    whole = round(secs_per_km)
    return f"{whole // 60}:{whole % 60:02d}"


def _per_km(metres: float, secs: float) -> float:
    return secs / metres * 1000


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    curves = chart_curves(documents)
    canvas = Canvas("pace_curve", TITLE, "")
    if curves.pace_type is None:
        return canvas.empty("No pace curve: no run in the last 28 days")
    if curves.pace is None:
        return canvas.empty("No pace curve: the pace curves could not be fetched in this sync")
    found = windows(curves.pace, drawn_on)
    if not found:
        return canvas.empty("No pace curve: no run with a distance this season")
    plot(
        canvas,
        found,
        (("distance (log scale)", distance_label), ("pace (min/km, faster up)", pace_label)),
        _per_km,
        downward=True,
    )
    canvas.desc = "Best pace in minutes per km over fixed distances. " + "; ".join(
        f"{label}: "
        + ", ".join(f"{distance_label(m)} {pace_label(_per_km(m, s))}/km" for m, s in curve.points)
        for _, label, curve in found
    )
    return canvas.finish()
