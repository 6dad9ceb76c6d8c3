"""Race calendar: the races ahead with their A/B/C priority and days to go."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .scales import Scale, day_label, nice_range
from .series import dated_rows, section
from .svg import GREY, ORANGE, RIGHT, SKY_BLUE, VERMILLION, Canvas, esc, num

TITLE = "Races ahead"
MAX_RACES = 10
ROW = 30
FIRST_ROW = 84
NAME_CHARS = 30
PRIORITIES = {"RACE_A": ("A", VERMILLION), "RACE_B": ("B", ORANGE), "RACE_C": ("C", SKY_BLUE)}
BAR_LEFT = 300


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def draw(documents: Mapping[str, Any], drawn_on: date) -> str:
    races = dated_rows(section(documents.get("latest.json"), "race_calendar", "all_races"))
    races = [(day, race) for day, race in races if day >= drawn_on][:MAX_RACES]
    height = FIRST_ROW + ROW * max(len(races), 1) + 56
    canvas = Canvas("races", TITLE, "", height=height)
    if not races:
        return canvas.empty("No races on the calendar ahead")
    canvas.header([(f"{letter} race", colour, "box") for letter, colour in PRIORITIES.values()])
    _, hi, ticks = nice_range(0, max((day - drawn_on).days for day, _ in races), 5)
    x = Scale(0, hi, BAR_LEFT, RIGHT - 110)
    axis_y = FIRST_ROW + ROW * len(races) + 4
    notes = []
    for i, (day, race) in enumerate(races):
        letter, colour = PRIORITIES.get(str(race.get("category")), ("?", GREY))
        days = (day - drawn_on).days
        y = FIRST_ROW + i * ROW
        name = str(race.get("name") or "Race")
        canvas.text(16, y + 15, f"{letter} · {_short(name)}")
        canvas.rect(
            x(0),
            y + 4,
            x(days) - x(0),
            14,
            colour,
            extra=f' class="bar" data-series="{esc(letter)}"',
        )
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        canvas.text(x(days) + 6, y + 15, f"{when}, {day_label(day)}")
        notes.append(f"{name} ({letter} race) on {day.isoformat()}, {when}")
    canvas.line(BAR_LEFT, axis_y, RIGHT - 110, axis_y)
    for tick in ticks:
        canvas.line(x(tick), axis_y, x(tick), axis_y + 5)
        canvas.text(x(tick), axis_y + 18, num(tick, 0), anchor="middle")
    canvas.text(
        (BAR_LEFT + RIGHT - 110) / 2, axis_y + 38, "days to go", cls="axis-label", anchor="middle"
    )
    canvas.desc = "; ".join(notes) + "."
    return canvas.finish()
