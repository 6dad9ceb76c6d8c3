"""render_pictures: the charts and the dashboard from the output documents and curves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ...context import ChartCurves
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

CHARTS: dict[str, Draw] = {
    "charts/fitness.svg": fitness.draw,
    "charts/weekly_load.svg": weekly_load.draw,
    "charts/acwr.svg": acwr.draw,
    "charts/hrv_rhr.svg": hrv_rhr.draw,
    "charts/power_curve.svg": power_curve.draw,
    "charts/pace_curve.svg": pace_curve.draw,
    "charts/ftp.svg": ftp.draw,
    "charts/zones.svg": zones.draw,
    "charts/races.svg": races.draw,
}
DASHBOARD = "dashboard.html"


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
