"""Series read from the output documents (pure: documents in, plain values out).

The charts draw only what the already privacy-protected documents hold; the
few values drawn that the documents do not carry row by row (daily ACWR,
rolling baselines, the planned-load projection) are computed here from those
documents with the metric formulas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ...metrics.common import mean
from ...metrics.fitness import ATL_DECAY, CTL_DECAY
from ...metrics.load import acwr_value
from .svg import finite


def parse_day(value: object) -> date | None:
    """The date of an ISO date or date-time string, else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def section(document: object, *keys: str) -> Any:
    """document[k1][k2]... or None when any level is missing or not a dict."""
    value = document
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def records(value: object) -> list[Mapping[str, Any]]:
    """The dict items of a list (anything else is skipped)."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def dated_rows(rows: object, key: str = "date") -> list[tuple[date, Mapping[str, Any]]]:
    """(day, row) of rows with a valid date, oldest first, one row per day."""
    by_day = {}
    for row in records(rows):
        day = parse_day(row.get(key))
        if day is not None:
            by_day[day] = row
    return sorted(by_day.items(), key=lambda item: item[0])


def window(rows: Sequence[tuple[date, Any]], drawn_on: date, days: int) -> list[tuple[date, Any]]:
    """The rows of the `days` days ending on `drawn_on`."""
    first = drawn_on - timedelta(days=days - 1)
    return [(day, row) for day, row in rows if first <= day <= drawn_on]


def values(
    rows: Sequence[tuple[date, Mapping[str, Any]]], key: str
) -> list[tuple[date, float | None]]:
    return [(day, finite(row.get(key))) for day, row in rows]


def rolling_mean(
    series: Sequence[tuple[date, float | None]], days: int
) -> list[tuple[date, float | None]]:
    """Mean of the values present in the `days` days ending on each day."""
    out = []
    for day, _ in series:
        first = day - timedelta(days=days - 1)
        present = [v for d, v in series if first <= d <= day and v is not None]
        out.append((day, mean(present)))
    return out


def daily_acwr(daily: Sequence[tuple[date, Mapping[str, Any]]]) -> list[tuple[date, float | None]]:
    """ACWR (7-day / 28-day TSS) of each day that has 28 days of rows behind it."""
    tss = {day: finite(row.get("total_tss")) or 0.0 for day, row in daily}
    out = []
    for day, _ in daily:
        span = [day - timedelta(days=back) for back in range(28)]
        if not all(d in tss for d in span):
            continue
        out.append((day, acwr_value(sum(tss[d] for d in span[:7]), sum(tss[d] for d in span))))
    return out


def planned_tss_by_day(planned: object) -> dict[date, float]:
    """Planned TSS added up per day."""
    out: dict[date, float] = {}
    for item in records(planned):
        day = parse_day(item.get("date"))
        load = finite(item.get("planned_tss"))
        if day is not None and load is not None:
            out[day] = out.get(day, 0.0) + load
    return out


def project_load(
    ctl: float, atl: float, start: date, end: date, planned: Mapping[date, float]
) -> list[tuple[date, float, float]]:
    """(day, CTL, ATL) from `start` (the last known day, included) to `end`.

    Each following day decays CTL and ATL and adds that day's planned TSS,
    the same exponential model Intervals.icu uses (42- and 7-day constants).
    """
    out = [(start, ctl, atl)]
    day = start
    while day < end:
        day += timedelta(days=1)
        load = planned.get(day, 0.0)
        ctl = ctl * CTL_DECAY + load * (1 - CTL_DECAY)
        atl = atl * ATL_DECAY + load * (1 - ATL_DECAY)
        out.append((day, ctl, atl))
    return out
