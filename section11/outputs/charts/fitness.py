"""Fitness chart: CTL, ATL and TSB over 90 days, projected to the next race."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .scales import day_label, day_offset, x_axis_days, y_axis
from .series import dated_rows, parse_day, planned_tss_by_day, project_load, section, values, window
from .svg import BLUE, BOTTOM, GREEN, TOP, VERMILLION, Canvas, num, show

DAYS = 90
TITLE = "Fitness, fatigue and form"


def _projection(latest: Mapping[str, Any], last_day: date, ctl: float | None, atl: float | None):
    """The planned-load projection to the next race, or [] when the plan does not reach it."""
    race = section(latest, "race_calendar", "next_race")
    race_day = parse_day(section(race, "date"))
    planned = planned_tss_by_day(latest.get("planned_workouts"))
    if ctl is None or atl is None or race_day is None or race_day <= last_day or not planned:
        return [], None
    end = min(race_day, max(planned))
    if end <= last_day:
        return [], None
    return project_load(ctl, atl, last_day, end, planned), (race_day, race)


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    latest = documents.get("latest.json") or {}
    rows = window(dated_rows(section(documents.get("history.json"), "daily_90d")), drawn_on, DAYS)
    canvas = Canvas("fitness", TITLE, "")
    ctl, atl, tsb = values(rows, "ctl"), values(rows, "atl"), values(rows, "tsb")
    if not any(v is not None for _, v in ctl + atl + tsb):
        return canvas.empty(f"No fitness (CTL/ATL) data in the last {DAYS} days")
    last_day, last = rows[-1][0], rows[-1][1]
    projection, race = _projection(latest, last_day, ctl[-1][1], atl[-1][1])
    end = projection[-1][0] if projection else last_day
    legend = [
        ("CTL fitness", BLUE, "line"),
        ("ATL fatigue", VERMILLION, "line"),
        ("TSB form", GREEN, "line"),
    ]
    if projection:
        legend.append(("projected from planned workouts", BLUE, "dash"))
    canvas.header(legend)
    drawn = [v for _, v in ctl + atl + tsb if v is not None]
    drawn += [v for _, c, a in projection for v in (c, a, c - a)]
    y = y_axis(canvas, drawn, "load (TSS/day)", floor=0)
    x = x_axis_days(canvas, rows[0][0], end, "date")
    first = rows[0][0]
    canvas.line(x(0), y(0), x(day_offset(first, end)), y(0), cls="axis")
    for key, series, colour in (("ctl", ctl, BLUE), ("atl", atl, VERMILLION), ("tsb", tsb, GREEN)):
        canvas.series(
            key, [(x(day_offset(first, d)), None if v is None else y(v)) for d, v in series], colour
        )
    if projection:
        for key, pick, colour in (
            ("ctl_projected", lambda c, a: c, BLUE),
            ("atl_projected", lambda c, a: a, VERMILLION),
            ("tsb_projected", lambda c, a: c - a, GREEN),
        ):
            points = [(x(day_offset(first, d)), y(pick(c, a))) for d, c, a in projection]
            canvas.series(key, points, colour, dash="6 4")
    if race and race[0] == end:
        rx = x(day_offset(first, end))
        canvas.line(rx, TOP, rx, BOTTOM, cls="grid", extra=' stroke-dasharray="2 3"')
        canvas.text(rx - 4, TOP + 14, f"next race {day_label(end)}", anchor="end")
    canvas.desc = (
        f"Daily CTL, ATL and TSB from {first.isoformat()} to {last_day.isoformat()}"
        f"; on {last_day.isoformat()} CTL {show(last.get('ctl'))}, "
        f"ATL {show(last.get('atl'))}, TSB {show(last.get('tsb'))}."
        + (
            f" Dashed: projected to {end.isoformat()} from the planned workouts' TSS"
            f"; on {end.isoformat()} CTL {num(projection[-1][1])}, ATL {num(projection[-1][2])}, "
            f"TSB {num(projection[-1][1] - projection[-1][2])}."
            if projection
            else " No projection: no planned workouts up to a race ahead."
        )
    )
    return canvas.finish()
