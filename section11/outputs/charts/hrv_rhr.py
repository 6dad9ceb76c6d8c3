"""HRV and resting HR over 60 days against their 7- and 28-day baselines (two panels)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ...metrics.common import valid_hrv
from ...metrics.recovery import valid_rhr
from .scales import Scale, day_offset, x_axis_days, y_axis
from .series import dated_rows, rolling_mean, section, values, window
from .svg import BLUE, BOTTOM, GREY, LEFT, ORANGE, RIGHT, SKY_BLUE, TOP, VERMILLION, Canvas, num

DAYS = 60
BASELINE_ROWS = 90  # rows read so the 28-day baseline is complete on the first day drawn
TITLE = "HRV and resting heart rate"
PANELS = (
    ("hrv", "HRV", "HRV (ms)", valid_hrv, SKY_BLUE, BLUE, (TOP, 168.0)),
    ("rhr", "resting HR", "resting HR (bpm)", valid_rhr, ORANGE, VERMILLION, (196.0, BOTTOM)),
)


def _panel(canvas: Canvas, spec: tuple, series, first: date, x: Scale) -> str:
    key, name, axis_label, _, dot_colour, line_colour, band = spec
    drawn = [(d, v) for d, v in series if first <= d]
    present = [v for _, v in drawn if v is not None]
    if not present:
        message = f"No {name} data in the last {DAYS} days"
        canvas.text(
            (LEFT + RIGHT) / 2, (band[0] + band[1]) / 2, message, cls="empty", anchor="middle"
        )
        return message
    base7 = [(d, v) for d, v in rolling_mean(series, 7) if first <= d]
    base28 = [(d, v) for d, v in rolling_mean(series, 28) if first <= d]
    baseline_values = [v for _, v in base7 + base28 if v is not None]
    y = y_axis(canvas, present + baseline_values, axis_label, band=band, ticks_wanted=3)
    for suffix, line, dash in (("7d", base7, ""), ("28d", base28, "6 4")):
        canvas.series(
            f"{key}_{suffix}",
            [(x(day_offset(first, d)), _y(y, v)) for d, v in line],
            line_colour,
            dash,
        )
    for d, v in drawn:
        if v is not None:
            canvas.dot(key, x(day_offset(first, d)), y(v), dot_colour, r=3)
    last7 = base7[-1][1]
    return (
        f"{name}: {len(present)} daily values, latest {num(present[-1])}, "
        f"7-day baseline {num(last7) if last7 is not None else 'n/a'}"
    )


def _y(scale: Scale, value: float | None) -> float | None:
    return None if value is None else scale(value)


def _series(rows: Sequence, key: str, check) -> list[tuple[date, float | None]]:
    return [(d, check(v) if v is not None else None) for d, v in values(rows, key)]


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    rows = window(
        dated_rows(section(documents.get("history.json"), "daily_90d")), drawn_on, BASELINE_ROWS
    )
    first = date.fromordinal(drawn_on.toordinal() - DAYS + 1)
    canvas = Canvas("hrv_rhr", TITLE, "")
    series = {spec[0]: _series(rows, spec[0], spec[3]) for spec in PANELS}
    if not any(v is not None for s in series.values() for d, v in s if d >= first):
        return canvas.empty(f"No HRV or resting HR data in the last {DAYS} days")
    canvas.header(
        [
            ("daily HRV", SKY_BLUE, "box"),
            ("daily resting HR", ORANGE, "box"),
            ("7-day baseline", GREY, "line"),
            ("28-day baseline", GREY, "dash"),
        ]
    )
    x = x_axis_days(canvas, first, drawn_on, "date")
    notes = [_panel(canvas, spec, series[spec[0]], first, x) for spec in PANELS]
    canvas.desc = f"Last {DAYS} days to {drawn_on.isoformat()}. " + "; ".join(notes) + "."
    return canvas.finish()
