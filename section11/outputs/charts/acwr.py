"""ACWR chart: daily acute:chronic workload ratio with the 0.8-1.3 band and the 1.5 line."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .scales import day_offset, x_axis_days, y_axis
from .series import daily_acwr, dated_rows, section, window
from .svg import BLUE, GREEN, LEFT, RIGHT, VERMILLION, Canvas, num

DAYS = 90
BAND = (0.8, 1.3)
DANGER = 1.5
TITLE = "Acute:chronic workload ratio (ACWR)"


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    daily = window(dated_rows(section(documents.get("history.json"), "daily_90d")), drawn_on, DAYS)
    series = daily_acwr(daily)
    canvas = Canvas("acwr", TITLE, "")
    present = [v for _, v in series if v is not None]
    if not present:
        return canvas.empty(f"Not enough training load in the last {DAYS} days for an ACWR")
    canvas.header(
        [
            ("ACWR (7-day / 28-day TSS)", BLUE, "line"),
            ("0.8-1.3 sweet spot", GREEN, "box"),
            ("1.5 danger line", VERMILLION, "dash"),
        ]
    )
    y = y_axis(canvas, [*present, DANGER + 0.1], "ratio (no unit)", floor=0)
    first, last = series[0][0], series[-1][0]
    x = x_axis_days(canvas, first, last, "date")
    canvas.rect(
        LEFT, y(BAND[1]), RIGHT - LEFT, y(BAND[0]) - y(BAND[1]), GREEN, extra=' fill-opacity="0.15"'
    )
    canvas.line(
        LEFT,
        y(DANGER),
        RIGHT,
        y(DANGER),
        cls="danger",
        extra=f' stroke="{VERMILLION}" stroke-width="2" stroke-dasharray="6 4"',
    )
    canvas.series(
        "acwr", [(x(day_offset(first, d)), None if v is None else y(v)) for d, v in series], BLUE
    )
    latest = series[-1][1]
    canvas.desc = (
        f"Daily ACWR from {first.isoformat()} to {last.isoformat()} (days with 28 days of history); "
        f"latest {num(latest, 2) if latest is not None else 'n/a'}, "
        f"highest {num(max(present), 2)}; the sweet spot is 0.8-1.3, above 1.5 is a danger sign."
    )
    return canvas.finish()
