"""Scales and axes: value -> pixel maps, tick choice and the axis drawing."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from .svg import BOTTOM, LEFT, RIGHT, TOP, Canvas, esc, num, text_width

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Scale:
    """Linear map of [lo, hi] onto [start, end] pixels (end < start for y)."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo
        fraction = (value - self.lo) / span if span else 0.5
        return self.start + fraction * (self.end - self.start)


@dataclass(frozen=True)
class LogScale:
    """Logarithmic map of [lo, hi] (both > 0) onto [start, end] pixels."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return Scale(math.log(self.lo), math.log(self.hi), self.start, self.end)(math.log(value))


def nice_step(span: float, count: int) -> float:
    """A 1, 2, 2.5 or 5 x 10^n step giving about `count` intervals over `span`."""
    raw = span / max(count, 1) if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def nice_range(lo: float, hi: float, count: int = 5) -> tuple[float, float, list[float]]:
    """Round bounds around [lo, hi] and the ticks between them."""
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    step = nice_step(hi - lo, count)
    start = math.floor(lo / step) * step
    stop = math.ceil(hi / step) * step
    ticks = [start + i * step for i in range(round((stop - start) / step) + 1)]
    return start, stop, ticks


def y_axis(
    canvas: Canvas,
    values: Sequence[float],
    label: str,
    floor: float | None = None,
    band: tuple[float, float] = (TOP, BOTTOM),
    ticks_wanted: int = 5,
    tick_text: Callable[[float], str] | None = None,
    downward: bool = False,
) -> Scale:
    """A y scale over `values` (plus `floor` if given) with grid, ticks and unit label.

    band is the (top, bottom) pixel range of the panel; tick_text writes a tick
    (default: the number); downward puts the lowest value at the top.
    """
    top, bottom = band
    lo = min([*values, floor] if floor is not None else values)
    lo, hi, ticks = nice_range(lo, max(values), ticks_wanted)
    scale = Scale(lo, hi, top, bottom) if downward else Scale(lo, hi, bottom, top)
    digits = 0 if all(float(t).is_integer() for t in ticks) else 2
    for tick in ticks:
        y = scale(tick)
        canvas.line(LEFT, y, RIGHT, y, cls="grid")
        canvas.text(
            LEFT - 8, y + 4, tick_text(tick) if tick_text else num(tick, digits), anchor="end"
        )
    middle = num((top + bottom) / 2)
    canvas.add(
        f'<text class="axis-label" x="18" y="{middle}" '
        f'text-anchor="middle" transform="rotate(-90 18 {middle})">'
        f"{esc(label)}</text>"
    )
    return scale


def x_axis_log(
    canvas: Canvas, xs: Sequence[float], tick_text: Callable[[float], str], label: str
) -> LogScale:
    """A log scale over `xs` (all > 0) with a tick at each, labelled where it fits."""
    lo, hi = min(xs), max(xs)
    scale = LogScale(lo, hi if hi > lo else lo * 2, LEFT + 16, RIGHT - 16)
    canvas.line(LEFT, BOTTOM, RIGHT, BOTTOM)
    free_from = 0.0  # below the y labels: a first label may reach into the margin
    for x in sorted(set(xs)):
        canvas.line(scale(x), BOTTOM, scale(x), BOTTOM + 5)
        half = text_width(tick_text(x)) / 2
        if scale(x) - half >= free_from:  # a label that would touch the previous one is left out
            canvas.text(scale(x), BOTTOM + 18, tick_text(x), anchor="middle")
            free_from = scale(x) + half + 6
    canvas.text((LEFT + RIGHT) / 2, BOTTOM + 40, label, cls="axis-label", anchor="middle")
    return scale


def day_label(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year % 100:02d}"


def x_axis_days(canvas: Canvas, first: date, last: date, label: str) -> Scale:
    """A day scale from `first` to `last` with ticks that do not overlap."""
    days = max((last - first).days, 1)
    scale = Scale(0, days, LEFT + 6, RIGHT - 6)
    yearly = days > 400
    sample = "Mar 26" if yearly else "30 Sep"
    room = (RIGHT - LEFT) / (text_width(sample) + 24)
    step = max(1, math.ceil(days / room))
    if not yearly:
        step = 7 * math.ceil(step / 7)
    canvas.line(LEFT, BOTTOM, RIGHT, BOTTOM)
    for offset in range(0, days + 1, step):
        day = date.fromordinal(first.toordinal() + offset)
        x = scale(offset)
        canvas.line(x, BOTTOM, x, BOTTOM + 5)
        canvas.text(x, BOTTOM + 18, month_label(day) if yearly else day_label(day), anchor="middle")
    canvas.text((LEFT + RIGHT) / 2, BOTTOM + 40, label, cls="axis-label", anchor="middle")
    return scale


def day_offset(first: date, day: date) -> int:
    return (day - first).days
