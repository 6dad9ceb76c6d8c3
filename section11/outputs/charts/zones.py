"""Zone distribution: Seiler's three zones over the last 7 and 28 days."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .scales import Scale
from .series import section
from .svg import BLUE, LEFT, ORANGE, RIGHT, VERMILLION, WIDTH, Canvas, esc, finite, num, text_width

TITLE = "Intensity distribution (Seiler's three zones)"
HEIGHT = 250
ZONES = (
    ("z1", "zone 1: below LT1 (easy)", BLUE),
    ("z2", "zone 2: LT1-LT2 (grey zone)", ORANGE),
    ("z3", "zone 3: above LT2 (hard)", VERMILLION),
)
WINDOWS = (("7d", "last 7 days"), ("28d", "last 28 days"))
BAR_LEFT, BAR_RIGHT = 130, RIGHT - 120


def shares(block: object) -> dict[str, float] | None:
    """Zone -> percent of a seiler_tid block, None when it has no zone time."""
    pcts = {key: finite(section(block, f"{key}_pct")) for key, _, _ in ZONES}
    if any(v is None for v in pcts.values()) or not sum(v or 0.0 for v in pcts.values()) > 0:
        return None
    return {k: v for k, v in pcts.items() if v is not None}


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    metrics = section(documents.get("latest.json"), "derived_metrics") or {}
    rows = [(key, label, section(metrics, f"seiler_tid_{key}")) for key, label in WINDOWS]
    canvas = Canvas("zones", TITLE, "", height=HEIGHT)
    if not any(shares(block) for _, _, block in rows):
        return canvas.empty("No zone time in the last 28 days")
    canvas.header([(label, colour, "box") for _, label, colour in ZONES])
    x = Scale(0, 100, BAR_LEFT, BAR_RIGHT)
    notes = []
    for i, (key, label, block) in enumerate(rows):
        top = 84 + i * 62
        canvas.text(LEFT - 48, top + 24, label)
        pcts = shares(block)
        if pcts is None:
            canvas.text(BAR_LEFT, top + 24, f"no zone time in the {label}")
            notes.append(f"{label}: no zone time")
            continue
        start = 0.0
        for zone, _, colour in ZONES:
            width = x(start + pcts[zone]) - x(start)
            canvas.rect(
                x(start),
                top,
                width,
                36,
                colour,
                extra=f' class="bar" data-series="{esc(key)}-{zone}"',
            )
            text = f"{num(pcts[zone], 0)}%"
            if width >= text_width(text) + 8:
                canvas.text(
                    x(start) + width / 2,
                    top + 23,
                    text,
                    cls="bar-label",
                    anchor="middle",
                    fill="#FFFFFF",
                )
            start += pcts[zone]
        kind = section(block, "classification")
        canvas.text(BAR_RIGHT + 10, top + 24, str(kind) if kind else "")
        notes.append(
            f"{label}: "
            + ", ".join(f"zone {z[1]} {num(pcts[z], 1)}%" for z in ("z1", "z2", "z3"))
            + f" ({kind})"
        )
    canvas.line(BAR_LEFT, 214, BAR_RIGHT, 214)
    for tick in range(0, 101, 25):
        canvas.line(x(tick), 214, x(tick), 219)
        canvas.text(x(tick), 232, f"{tick}%", anchor="middle")
    canvas.text(WIDTH - 16, 232, "share of zone time", cls="axis-label", anchor="end")
    canvas.desc = "; ".join(notes) + "."
    return canvas.finish()
