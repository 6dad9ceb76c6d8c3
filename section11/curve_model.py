"""Raw Intervals.icu best-effort curves (power, HR, pace) -> `Curve` and
`BestCurve` records keyed by curve id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .model import as_dict, as_list, num, parse_date, text


@dataclass(frozen=True)
class Curve:
    """One best-effort curve (power in watts or HR in bpm) by duration."""

    id: str
    secs: tuple[float | None, ...]  # None where the API gave no usable duration
    values: tuple[float | None, ...]

    def at(self, seconds: float) -> float | None:
        """The value at exactly `seconds`, if positive."""
        try:
            value = self.values[self.secs.index(seconds)]
        except (ValueError, IndexError):
            return None
        return value if value is not None and value > 0 else None


def _curve_items(raw: Any, value_keys: Iterable[str]) -> Iterator[tuple[dict, list]]:
    """(element, its values) of each curve with an id in a *-curves response; the
    values are the first of `value_keys` that holds a list."""
    keys = tuple(value_keys)
    for item in as_list(as_dict(raw).get("list")):
        if isinstance(item, dict) and text(item.get("id")):
            yield item, next((item[k] for k in keys if isinstance(item.get(k), list)), [])


def curves_from_raw(raw: Any, value_keys: Iterable[str] = ("watts", "values")) -> dict[str, Curve]:
    """Curves of a power-curves/hr-curves response keyed by their `id`."""
    return {
        item["id"]: Curve(
            id=item["id"],
            secs=tuple(num(s) for s in as_list(item.get("secs"))),
            values=tuple(num(v) for v in values),
        )
        for item, values in _curve_items(raw, value_keys)
    }


@dataclass(frozen=True)
class BestCurve:
    """A best-effort curve as charted: (x, y) points, x ascending.

    Power: x = duration (s), y = watts. Pace: x = distance (m), y = best time (s).
    """

    id: str
    start: date | None  # first day of the curve's window
    points: tuple[tuple[float, float], ...]


def best_curves_from_raw(raw: Any, x_key: str, y_keys: Iterable[str]) -> dict[str, BestCurve]:
    """Curves of a power-curves/pace-curves response keyed by `id`; points with a
    positive x and y only (the first of `y_keys` holding a list gives y)."""
    out: dict[str, BestCurve] = {}
    for item, ys in _curve_items(raw, y_keys):
        pairs = {
            float(x): float(y)
            for x, y in zip(map(num, as_list(item.get(x_key))), map(num, ys))
            if x is not None and y is not None and x > 0 and y > 0
        }
        out[item["id"]] = BestCurve(
            id=item["id"],
            start=parse_date(item.get("start_date_local")),
            points=tuple(sorted(pairs.items())),
        )
    return out
