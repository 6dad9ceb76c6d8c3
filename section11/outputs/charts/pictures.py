"""render_pictures: the charts and the dashboard from the output documents and curves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ...context import ChartCurves
from ..picture_files import CHART_FILES, DASHBOARD
from . import (
    acwr,
    dashboard,
    fitness,
    ftp,
    hrv_rhr,
    pace_curve,
    power_curve,
    races,
    weekly_load,
    zones,
)
from .best_curves import CURVES
from .freshness import stamp

Draw = Callable[[Mapping[str, Any], date], str]

# in CHART_FILES order
CHARTS: dict[str, Draw] = dict(
    zip(
        CHART_FILES,
        (
            fitness.draw,
            weekly_load.draw,
            acwr.draw,
            hrv_rhr.draw,
            power_curve.draw,
            pace_curve.draw,
            ftp.draw,
            zones.draw,
            races.draw,
        ),
        strict=True,
    )
)


def render_pictures(
    documents: Mapping[str, Any], drawn_on: date, curves: ChartCurves | None = None
) -> dict[str, str]:
    """File name (relative to the output directory) -> text of every picture.

    documents: the output documents as written, keyed by file name
    ("latest.json", "history.json", "ftp_history.json"; others are ignored),
    after the privacy settings were applied. drawn_on: the athlete's today.
    curves: the best-effort curves of the power and pace charts (None: none
    fetched). The same inputs and date always give the same text.
    """
    inputs = {**documents, CURVES: curves or ChartCurves()}
    templates = {name: draw(inputs, drawn_on) for name, draw in CHARTS.items()}
    drawn = drawn_on.isoformat()
    out = {name: stamp(text, "svg", drawn) for name, text in templates.items()}
    out[DASHBOARD] = stamp(dashboard.page(documents, drawn_on, templates), "html", drawn)
    return out
