"""Best-effort curve charts (power, pace): the last 28 and 90 days against the season.

The curves are not in the documents (latest.json holds the 28-day anchors of
the same Ride answer); the pipeline passes them as `ChartCurves` under the
CURVES key of the inputs. They hold no name or id, so no privacy category
touches them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ...context import ChartCurves
from ...curve_model import BestCurve
from ..curve_windows import LAST_28, LAST_90, SEASON, chart_curve_ids
from .scales import MONTHS, x_axis_log, y_axis
from .svg import BLUE, GREEN, ORANGE, Canvas

CURVES = "curves"  # the inputs key of the ChartCurves (not a file)
STYLES = {LAST_28: (BLUE, ""), LAST_90: (ORANGE, "6 4"), SEASON: (GREEN, "2 3")}

Found = list[tuple[str, str, BestCurve]]


def chart_curves(inputs: Mapping[str, Any]) -> ChartCurves:
    found = inputs.get(CURVES)
    return found if isinstance(found, ChartCurves) else ChartCurves()


def window_label(key: str, curve: BestCurve) -> str:
    if key == SEASON:
        start = curve.start
        return (
            f"season best (since {start.day} {MONTHS[start.month - 1]})" if start else "season best"
        )
    return f"last {key.removeprefix('last_').removesuffix('d')} days"


def windows(by_id: Mapping[str, BestCurve] | None, drawn_on: date) -> Found:
    """(window key, legend label, curve) of each chart window with points, shortest first."""
    out = []
    for key, curve_id in chart_curve_ids(drawn_on).items():
        curve = (by_id or {}).get(curve_id)
        if curve is not None and curve.points:
            out.append((key, window_label(key, curve), curve))
    return out


def plot(
    canvas: Canvas,
    found: Found,
    axes: tuple[tuple[str, Callable[[float], str]], tuple[str, Callable[[float], str]]],
    y_of: Callable[[float, float], float],
    downward: bool = False,
) -> None:
    """Legend, a log x axis, a y axis of y_of(x, y) and one dotted line per curve.

    axes: ((x label, x tick text), (y label, y tick text)).
    """
    (x_label, x_text), (y_label, y_text) = axes
    canvas.header(
        [(label, STYLES[key][0], "dash" if STYLES[key][1] else "line") for key, label, _ in found]
    )
    xs = [x for _, _, curve in found for x, _ in curve.points]
    ys = [y_of(x, y) for _, _, curve in found for x, y in curve.points]
    y = y_axis(
        canvas, ys, y_label, floor=None if downward else 0, tick_text=y_text, downward=downward
    )
    x = x_axis_log(canvas, xs, x_text, x_label)
    for key, _, curve in found:
        colour, dash = STYLES[key]
        marks = [(x(px), y(y_of(px, py))) for px, py in curve.points]
        canvas.path(marks, colour, dash)
        for mx, my in marks:
            canvas.dot(key, mx, my, colour, r=3)
