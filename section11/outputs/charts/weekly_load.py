"""Weekly load chart: TSS per week for 26 weeks, stacked by sport, with the week's TID class."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ...metrics.tid import classify_tid, polarization_index
from .scales import Scale, day_label, y_axis
from .series import dated_rows, section
from .svg import BOTTOM, GREY, LEFT, RIGHT, SERIES_COLOURS, Canvas, esc, finite, num

WEEKS = 26
MAX_SPORTS = len(SERIES_COLOURS) - 1  # the rest are added up as "other"
TITLE = "Weekly training load by sport"
CLASS_CODES = {
    "Polarized": "P",
    "Pyramidal": "Py",
    "Threshold": "T",
    "High Intensity": "HI",
    "Base": "B",
}
X_LABEL = (
    "week starting · letters: P polarized, Py pyramidal, T threshold, HI high intensity, B base"
)


def week_class(row: Mapping[str, Any]) -> str | None:
    """Seiler class of a week from its easy / grey-zone / hard percentages."""
    shares = [finite(row.get(key)) for key in ("z1_z2_pct", "z3_pct", "z4_plus_pct")]
    if any(share is None for share in shares) or not sum(shares) > 0:  # type: ignore[arg-type]
        return None
    f1, f2, f3 = (share / 100 for share in shares)  # type: ignore[operator]
    return classify_tid(f1, f2, f3, polarization_index(f1, f2, f3))


def sport_loads(row: Mapping[str, Any]) -> dict[str, float]:
    breakdown = row.get("sport_tss_breakdown")
    if not isinstance(breakdown, Mapping):
        return {}
    loads = {str(k): finite(v) for k, v in breakdown.items()}
    return {k: v for k, v in loads.items() if v is not None and v > 0}


def _sports(weeks: list[dict[str, float]]) -> list[str]:
    """Sports by total TSS (ties by name); past MAX_SPORTS they become "other"."""
    totals: dict[str, float] = {}
    for loads in weeks:
        for sport, load in loads.items():
            totals[sport] = totals.get(sport, 0.0) + load
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    return ranked if len(ranked) <= MAX_SPORTS + 1 else [*ranked[:MAX_SPORTS], "other"]


def _grouped(loads: dict[str, float], sports: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for sport, load in loads.items():
        key = sport if sport in sports else "other"
        out[key] = out.get(key, 0.0) + load
    return out


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    rows = [
        (d, r)
        for d, r in dated_rows(section(documents.get("history.json"), "weekly_180d"), "week_start")
    ]
    rows = [(d, r) for d, r in rows if d <= drawn_on][-WEEKS:]
    canvas = Canvas("weekly_load", TITLE, "")
    weeks = [sport_loads(row) for _, row in rows]
    if not any(weeks):
        return canvas.empty(f"No training load in the last {WEEKS} weeks")
    sports = _sports(weeks)
    colours = {s: (GREY if s == "other" else SERIES_COLOURS[i]) for i, s in enumerate(sports)}
    canvas.header([(s, colours[s], "box") for s in sports])
    totals = [sum(loads.values()) for loads in weeks]
    y = y_axis(canvas, totals, "TSS per week", floor=0)
    slot = (RIGHT - LEFT) / len(rows)
    x = Scale(0, len(rows), LEFT, RIGHT)
    canvas.line(LEFT, BOTTOM, RIGHT, BOTTOM)
    label_every = 4 if len(rows) > 8 else 1
    for i, ((week, row), loads) in enumerate(zip(rows, weeks, strict=True)):
        left, base = x(i) + slot * 0.15, 0.0
        grouped = _grouped(loads, sports)
        for sport in sports:
            load = grouped.get(sport)
            if not load:
                continue
            top = y(base + load)
            canvas.rect(
                left,
                top,
                slot * 0.7,
                y(base) - top,
                colours[sport],
                extra=f' class="bar" data-series="{esc(sport)}" data-week="{week.isoformat()}"',
            )
            base += load
        code = CLASS_CODES.get(week_class(row) or "")
        if code:
            canvas.text(x(i) + slot / 2, y(base) - 4, code, cls="class-code", anchor="middle")
        if (len(rows) - 1 - i) % label_every == 0:
            canvas.text(x(i) + slot / 2, BOTTOM + 18, day_label(week), anchor="middle")
    canvas.text((LEFT + RIGHT) / 2, BOTTOM + 40, X_LABEL, cls="axis-label", anchor="middle")
    last_week, last_row = rows[-1]
    canvas.desc = (
        f"Stacked TSS per sport for {len(rows)} weeks from {rows[0][0].isoformat()} to "
        f"{last_week.isoformat()}; the latest week has {num(totals[-1], 0)} TSS"
        f" ({week_class(last_row) or 'no intensity class'})."
    )
    return canvas.finish()
