"""Body-weight signal — `current_status.weight` (docs/metrics.md#weight).

From the 28-day wellness list: the latest weigh-in (if at most 14 days old),
W/kg now and across the block (same FTP at both ends, so the delta is the
weight effect alone), the 7-day mean and the 28-day trend in kg per week.
Every field has its own gate; a failed gate leaves its key out (never null),
and the whole block is None when nothing qualifies. W/kg values are unit-free
and carry no display block.

Weights of 0 are no weigh-in (as the reference); negative or non-finite
weights are dropped too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ..model import parse_date
from ..numbers import finite, finite_mean, round_half_even
from ..units import KG_TO_LB, to_display
from ..wellness_model import Wellness

LATEST_MAX_AGE = 14
WINDOW_DAYS = 28
BLOCK_START = (27, 24)  # days ago: start weigh-in in [today-27, today-24], oldest first
BLOCK_END = (3, 0)  # end weigh-in in [today-3, today], newest first
AVG_DAYS = 7
AVG_MIN_WEIGH_INS = 4
SLOPE_MIN_WEIGH_INS = 14


def weigh_ins(wellness: Sequence[Wellness], today: date) -> list[tuple[date, float]]:
    """(date, kg) of positive weights dated today-27..today, newest first."""
    first = today - timedelta(days=WINDOW_DAYS - 1)
    entries = [
        (w.date, w.weight)
        for w in wellness
        if w.weight is not None
        and w.weight > 0
        and math.isfinite(w.weight * KG_TO_LB)
        and first <= w.date <= today
    ]
    return sorted(entries, key=lambda e: e[0], reverse=True)


def _wkg(ftp: float, kg: float) -> float | None:
    return round_half_even(ftp / kg, 2)


def _newest_date(dates: Mapping[str, Any] | None) -> str | None:
    if not isinstance(dates, Mapping):
        return None
    parsed = [d for d in (parse_date(k) for k in dates) if d is not None]
    return max(parsed).isoformat() if parsed else None


def ftp_source(
    thresholds_sports: Mapping[str, Any] | None,
    eftp: float | None,
    ftp_history: Mapping[str, Any] | None,
) -> tuple[float, str, str | None] | None:
    """(ftp, source, ftp_setting_date) for W/kg (docs/metrics.md#weight): the tested outdoor cycling
    FTP ("tested", dated by the newest outdoor ftp_history entry, else the newest
    indoor one), else eFTP ("eftp", undated); None without either."""
    cycling = (
        (thresholds_sports or {}).get("cycling") if isinstance(thresholds_sports, Mapping) else None
    )
    tested = _positive(cycling.get("ftp") if isinstance(cycling, Mapping) else None)
    if tested is not None:
        history = ftp_history if isinstance(ftp_history, Mapping) else {}
        setting = _newest_date(history.get("outdoor")) or _newest_date(history.get("indoor"))
        return tested, "tested", setting
    eftp = _positive(eftp)
    if eftp is not None:
        return eftp, "eftp", None
    return None


def _positive(value: Any) -> float | None:
    """The value if it is a positive finite number, else None."""
    number = finite(value)
    return number if number is not None and number > 0 else None


def _pick(
    entries: list[tuple[date, float]], today: date, span: tuple[int, int], oldest_first: bool
) -> float | None:
    """Weight of the weigh-in in [today-span[0], today-span[1]] closest to the
    span's far end (oldest first) or to today (newest first)."""
    low, high = today - timedelta(days=span[0]), today - timedelta(days=span[1])
    inside = [e for e in entries if low <= e[0] <= high]
    if not inside:
        return None
    return (min if oldest_first else max)(inside, key=lambda e: e[0])[1]


def slope_per_week(entries: list[tuple[date, float]], today: date) -> float | None:
    """OLS slope of kg on day index (x = days since today-27), times 7 (kg/week).
    None when x has no spread or the arithmetic overflows."""
    origin = today - timedelta(days=WINDOW_DAYS - 1)
    xs = [(d - origin).days for d, _ in entries]
    ys = [kg for _, kg in entries]
    x_bar, y_bar = finite_mean(xs), finite_mean(ys)
    if x_bar is None or y_bar is None:
        return None
    sxx = math.fsum((x - x_bar) ** 2 for x in xs)
    if not sxx > 0:
        return None
    try:
        sxy = math.fsum((x - x_bar) * (y - y_bar) for x, y in zip(xs, ys))
    except OverflowError:
        return None
    slope = sxy / sxx * 7
    return slope if math.isfinite(slope) else None


def weight_signal(
    wellness_28d: Sequence[Wellness],
    today: date,
    thresholds_sports: Mapping[str, Any] | None,
    eftp: float | None,
    ftp_history: Mapping[str, Any] | None,
    units: Mapping[str, str] | None,
) -> dict[str, Any] | None:
    """`current_status.weight` (docs/metrics.md#weight), or None when no field qualifies.

    wellness_28d: wellness records of today-27..today. thresholds_sports:
    `current_status.thresholds.sports` ({"cycling": {"ftp": ...}}). eftp: the
    power model's eFTP. ftp_history: {"indoor": {date: ftp}, "outdoor": {...}}.
    """
    entries = weigh_ins(wellness_28d, today)
    if not entries:
        return None
    out: dict[str, Any] = {}
    display: dict[str, Any] = {}
    ftp = ftp_source(thresholds_sports, eftp, ftp_history)

    newest_date, newest_kg = entries[0]
    if 0 <= (today - newest_date).days <= LATEST_MAX_AGE:
        latest = round(newest_kg, 1)
        out["weight_latest_kg"] = latest
        out["weight_latest_date"] = newest_date.isoformat()
        display["weight_latest"] = to_display(newest_kg, "weight", units)
        if ftp is not None and latest > 0:
            wkg = _wkg(ftp[0], latest)
            if wkg is not None:
                out["wkg_current"] = wkg
                out["wkg_ftp_source"] = ftp[1]
                if ftp[2] is not None:
                    out["ftp_setting_date"] = ftp[2]

    if ftp is not None:
        start = _pick(entries, today, BLOCK_START, oldest_first=True)
        end = _pick(entries, today, BLOCK_END, oldest_first=False)
        start_wkg = _wkg(ftp[0], start) if start is not None else None
        end_wkg = _wkg(ftp[0], end) if end is not None else None
        if start_wkg is not None and end_wkg is not None:
            out["wkg_block_start"] = start_wkg
            out["wkg_block_end"] = end_wkg
            out["wkg_block_delta"] = round(end_wkg - start_wkg, 2)

    week = [kg for d, kg in entries if d >= today - timedelta(days=AVG_DAYS - 1)]
    week_mean = finite_mean(week) if len(week) >= AVG_MIN_WEIGH_INS else None
    if week_mean is not None:
        out["weight_7d_avg_kg"] = round(week_mean, 1)
        display["weight_7d_avg"] = to_display(week_mean, "weight", units)

    if len(entries) >= SLOPE_MIN_WEIGH_INS:
        slope = slope_per_week(entries, today)
        if slope is not None:
            out["weight_28d_slope_kg_per_week"] = round(slope, 3) + 0.0  # no -0.0
            pounds = (units or {}).get("weight") == "lb"
            display["weight_28d_slope_per_week"] = {
                "value": round(slope * KG_TO_LB if pounds else slope, 3) + 0.0,
                "unit": "lb/week" if pounds else "kg/week",
            }

    if not out:
        return None
    if display:
        out["display"] = display
    return out
