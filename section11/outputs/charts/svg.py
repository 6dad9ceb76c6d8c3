"""A small SVG writer: escaping, stable numbers and one chart canvas.

Every chart is 800 px wide (a GitHub README column), has a transparent
background and text colours that switch with `prefers-color-scheme`, so it is
readable on GitHub's light and dark themes. The drawn date is written as the
placeholder DRAWN and filled in by the caller, so the rest of the text depends
only on the data drawn (see freshness.py).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

WIDTH = 800
HEIGHT = 340
EMPTY_HEIGHT = 120
# The plot area: room on the left for the y labels, on the right for a
# second axis, above for the title and legend, below for the x labels.
LEFT, RIGHT, TOP, BOTTOM = 64, 736, 72, 290

# A token that escaped data can never contain ("<" is always escaped).
DRAWN = "<?drawn?>"

# Okabe and Ito's palette, safe for the common colour-vision deficiencies.
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#8C959F"
SERIES_COLOURS = (BLUE, ORANGE, GREEN, VERMILLION, SKY_BLUE, PURPLE, YELLOW, GREY)

FONT_PX = 12
CHAR_PX = 7.0  # a generous average glyph width at 12 px, for layout

STYLE = (
    "<style>"
    'text{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;'
    "font-size:12px;fill:#57606A}"
    ".title{font-size:16px;font-weight:600;fill:#1F2328}"
    ".empty{font-size:14px}"
    ".axis{stroke:#8C959F;stroke-width:1}"
    ".grid{stroke:#8C959F;stroke-opacity:.3;stroke-width:1}"
    ".line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}"
    "@media (prefers-color-scheme:dark){text{fill:#9198A1}.title{fill:#F0F6FC}}"
    "</style>"
)


def esc(value: object) -> str:
    """Text from data, safe inside an element or a quoted attribute."""
    return html.escape(str(value), quote=True)


def num(value: float, digits: int = 1) -> str:
    """Stable short number text: at most `digits` decimals, no trailing zeros, no -0."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def show(value: object, digits: int = 1) -> str:
    """A number from data as text, "n/a" when it is missing."""
    number = finite(value)
    return "n/a" if number is None else num(number, digits)


def text_width(text: str, font_px: float = FONT_PX) -> float:
    """Estimated width of `text` in px (layout only: generous on purpose)."""
    return len(text) * CHAR_PX * font_px / FONT_PX


def finite(value: object) -> float | None:
    """A finite number from JSON (bool is not a number), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


class Canvas:
    """One SVG document built element by element."""

    def __init__(self, name: str, title: str, desc: str, height: int = HEIGHT) -> None:
        self.name = name
        self.title = title
        self.desc = desc
        self.height = height
        self.parts: list[str] = []

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(
        self,
        x: float,
        y: float,
        content: str,
        cls: str = "label",
        anchor: str = "start",
        fill: str | None = None,
    ) -> None:
        colour = f' style="fill:{fill}"' if fill else ""
        self.add(
            f'<text class="{cls}" x="{num(x)}" y="{num(y)}" text-anchor="{anchor}"{colour}>'
            f"{esc(content)}</text>"
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, cls: str = "axis", extra: str = ""
    ) -> None:
        self.add(
            f'<line class="{cls}" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"{extra}/>'
        )

    def rect(self, x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> None:
        self.add(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0.0))}" height="{num(max(h, 0.0))}" '
            f'fill="{fill}"{extra}/>'
        )

    def series(
        self, key: str, points: Sequence[tuple[float, float | None]], colour: str, dash: str = ""
    ) -> None:
        """A line broken at missing values; a lone value is drawn as a dot.

        Every drawn value is one vertex of a `.line` or one `.dot`, both with
        data-series=`key`, so a test can count what was plotted.
        """
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(points):
            if len(run) == 1:
                self.dot(key, run[0][0], run[0][1], colour)
                continue
            coords = " ".join(f"{num(x)},{num(y)}" for x, y in run)
            self.add(
                f'<polyline class="line" data-series="{esc(key)}" stroke="{colour}"{dash_attr} '
                f'points="{coords}"/>'
            )

    def path(self, points: Sequence[tuple[float, float]], colour: str, dash: str = "") -> None:
        """A connecting line between marks (not itself a plotted value)."""
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        self.add(f'<polyline class="line link" stroke="{colour}"{dash_attr} points="{coords}"/>')

    def dot(self, key: str, x: float, y: float, colour: str, r: float = 3.5) -> None:
        self.add(
            f'<circle class="dot" data-series="{esc(key)}" cx="{num(x)}" cy="{num(y)}" '
            f'r="{num(r)}" fill="{colour}"/>'
        )

    def header(self, legend: Iterable[tuple[str, str, str]] = ()) -> None:
        """Title, drawn date and a legend row of (label, colour, kind) items.

        kind is "line", "dash" or "box".
        """
        self.text(16, 26, self.title, cls="title")
        self.add(
            f'<text class="drawn" x="{WIDTH - 16}" y="26" text-anchor="end">drawn {DRAWN}</text>'
        )
        x = 16.0
        for label, colour, kind in legend:
            if kind == "box":
                self.rect(x, 42, 12, 12, colour)
            else:
                dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
                self.add(
                    f'<line x1="{num(x)}" y1="48" x2="{num(x + 14)}" y2="48" stroke="{colour}" '
                    f'stroke-width="3"{dash}/>'
                )
            self.text(x + 20, 52, label, cls="legend")
            x += 20 + text_width(label) + 16

    def empty(self, message: str) -> str:
        """The whole chart when its data is missing: title, date and the reason."""
        self.height = EMPTY_HEIGHT
        self.desc = message
        self.parts = []
        self.text(16, 26, self.title, cls="title")
        self.add(
            f'<text class="drawn" x="{WIDTH - 16}" y="26" text-anchor="end">drawn {DRAWN}</text>'
        )
        self.text(WIDTH / 2, 76, message, cls="empty", anchor="middle")
        return self.finish(empty=True)

    def finish(self, empty: bool = False) -> str:
        label = f"{self.title}. {self.desc}"
        state = ' data-empty="true"' if empty else ""
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{self.height}" '
            f'viewBox="0 0 {WIDTH} {self.height}" role="img" aria-label="{esc(label)}" '
            f'data-chart="{esc(self.name)}"{state}>'
        )
        body = "".join(self.parts)
        return f"{head}<title>{esc(self.title)}</title><desc>{esc(self.desc)}</desc>{STYLE}{body}</svg>\n"


def _runs(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Consecutive points with a value, split where a value is missing."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for x, y in points:
        if y is None:
            if current:
                runs.append(current)
            current = []
            continue
        current.append((x, y))
    if current:
        runs.append(current)
    return runs
