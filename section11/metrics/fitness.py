"""Fitness block, power model and VO2max (docs/metrics.md#fitness).

Pure functions over today's and yesterday's wellness records, and over the
recent wellness list for the values a device reports only on some days.

Intervals.icu's wellness CTL/ATL for *today* already include the load of
workouts planned for today. Until those are done, the honest picture is
yesterday's values decayed by one day, which is what `fitness_block` reports.

Kept on purpose (quirk 3, docs/deviations.md): the decay uses exp(-1/42) and
exp(-1/7) rather than the PMC update x·(1-1/k), and the ramp rate is decayed
with the CTL constant, so our numbers match the reference's.

Deviations (docs/deviations.md): when neither today's nor yesterday's row
carries CTL/ATL, the block falls back to the latest row within
FITNESS_FALLBACK_DAYS and says so (`fitness_date`, `fitness_source`); VO2max is
the latest reading within VO2MAX_MAX_AGE_DAYS with its date (a Garmin sends it
on about every other day), not today's value only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from ..numbers import round_half_even
from ..wellness_model import Wellness

CTL_DECAY = math.exp(-1 / 42)
ATL_DECAY = math.exp(-1 / 7)

SOURCE_DECAYED = "Decayed from yesterday (today's planned workouts not yet completed)"
SOURCE_API = "From Intervals.icu API (reflects completed workouts)"
SOURCE_FALLBACK = (
    "From the latest wellness row ({day}): today's and yesterday's rows carry no CTL/ATL"
)

FITNESS_FALLBACK_DAYS = 7  # CTL/ATL of a row at most this many days old stand in for today's
VO2MAX_MAX_AGE_DAYS = 14  # the latest VO2max reading at most this many days old (as weight)

POWER_MODEL_SPORT = "Ride"
POWER_MODEL_SOURCE = "wellness.sportInfo"
POWER_MODEL_UNAVAILABLE = "unavailable"


def _decayed(value: float | None, factor: float) -> float | None:
    return round_half_even(value * factor, 2) if value is not None else None


def load_fitness(daily_tss: Sequence[float]) -> list[tuple[float, float]]:
    """(CTL, ATL) at the end of each day of `daily_tss` (oldest first), both 0
    the day before the first: x = x·d + TSS·(1 − d), d = exp(-1/42) for CTL and
    exp(-1/7) for ATL. For a source that has loads but no fitness series of its
    own (Peloton alone); unrounded."""
    ctl = atl = 0.0
    out = []
    for tss in daily_tss:
        ctl = ctl * CTL_DECAY + tss * (1 - CTL_DECAY)
        atl = atl * ATL_DECAY + tss * (1 - ATL_DECAY)
        out.append((ctl, atl))
    return out


def latest_with(
    wellness: Sequence[Wellness], today: date, max_age_days: int, has: Callable[[Wellness], bool]
) -> Wellness | None:
    """The newest record dated today-max_age_days ... today for which ``has`` holds."""
    oldest = today - timedelta(days=max_age_days)
    rows = [w for w in wellness if oldest <= w.date <= today and has(w)]
    return max(rows, key=lambda w: w.date) if rows else None


def fitness_fallback_row(wellness: Sequence[Wellness], today: date) -> Wellness | None:
    """The latest row with CTL or ATL dated today-FITNESS_FALLBACK_DAYS ... today-2
    (today's and yesterday's rows are the normal sources)."""
    row = latest_with(
        wellness, today, FITNESS_FALLBACK_DAYS, lambda w: w.ctl is not None or w.atl is not None
    )
    return row if row is not None and row.date <= today - timedelta(days=2) else None


def latest_vo2max(wellness: Sequence[Wellness], today: date) -> dict:
    """{vo2max, vo2max_date}: the newest VO2max reading at most VO2MAX_MAX_AGE_DAYS
    old (0 is no reading), else both None."""
    row = latest_with(wellness, today, VO2MAX_MAX_AGE_DAYS, lambda w: bool(w.vo2max))
    if row is None:
        return {"vo2max": None, "vo2max_date": None}
    return {"vo2max": row.vo2max, "vo2max_date": row.date.isoformat()}


def _fitness_date(today_w: Wellness | None, yesterday_w: Wellness | None) -> str | None:
    if today_w is not None:
        return today_w.date.isoformat()
    if yesterday_w is not None:
        return (yesterday_w.date + timedelta(days=1)).isoformat()
    return None


def fitness_block(
    today_w: Wellness | None,
    yesterday_w: Wellness | None,
    todays_planned_training_events: Sequence[Any],
    todays_completed_activities: Sequence[Any],
    fallback: Wellness | None = None,
) -> dict:
    """`current_status.fitness` = {ctl, atl, tsb, ramp_rate, fitness_source,
    fitness_date} (docs/metrics.md#fitness).

    todays_planned_training_events: calendar events dated today whose category
    is a training category (WORKOUT, RACE_*); todays_completed_activities:
    activities dated today. Only their emptiness matters. fallback: the row
    of `fitness_fallback_row`, used as it is when today's and yesterday's rows
    give neither CTL nor ATL. fitness_date: the day the values describe (today,
    also when decayed from yesterday; the fallback row's date), None without
    values.

    Deviation: a value of 0 is a value (a new athlete's CTL 0 gives TSB 0),
    where the reference's truthiness tests turned it into null.
    """
    api_ctl = today_w.ctl if today_w else None
    api_atl = today_w.atl if today_w else None
    api_ramp = today_w.ramp_rate if today_w else None
    decayed_ctl = _decayed(yesterday_w.ctl if yesterday_w else None, CTL_DECAY)
    decayed_atl = _decayed(yesterday_w.atl if yesterday_w else None, ATL_DECAY)
    decayed_ramp = _decayed(yesterday_w.ramp_rate if yesterday_w else None, CTL_DECAY)

    if todays_planned_training_events and not todays_completed_activities:
        ctl, atl = decayed_ctl, decayed_atl
        ramp = decayed_ramp if decayed_ramp is not None else round_half_even(api_ramp, 2)
        source = SOURCE_DECAYED
    else:
        ctl = round_half_even(api_ctl, 2) if api_ctl is not None else decayed_ctl
        atl = round_half_even(api_atl, 2) if api_atl is not None else decayed_atl
        ramp = round_half_even(api_ramp, 2) if api_ramp is not None else decayed_ramp
        source = SOURCE_API
    day = _fitness_date(today_w, yesterday_w)
    if ctl is None and atl is None and fallback is not None:
        ctl, atl = round_half_even(fallback.ctl, 2), round_half_even(fallback.atl, 2)
        ramp = round_half_even(fallback.ramp_rate, 2)
        source = SOURCE_FALLBACK.format(day=fallback.date.isoformat())
        day = fallback.date.isoformat()
    tsb = round(ctl - atl, 2) if ctl is not None and atl is not None else None
    return {
        "ctl": ctl,
        "atl": atl,
        "tsb": tsb,
        "ramp_rate": ramp,
        "fitness_source": source,
        "fitness_date": day if ctl is not None or atl is not None else None,
    }


def power_model(today_w: Wellness | None) -> dict:
    """Power model from today's wellness `sportInfo` Ride entry (docs/metrics.md#fitness).

    Returns {eftp, w_prime, w_prime_kj, p_max, power_model_source};
    zero or missing values are null (an eFTP or W' of 0 is no model).
    VO2max comes from `latest_vo2max`.
    """
    info = today_w.sport(POWER_MODEL_SPORT) if today_w else None
    if info is None:
        return {
            "eftp": None,
            "w_prime": None,
            "w_prime_kj": None,
            "p_max": None,
            "power_model_source": POWER_MODEL_UNAVAILABLE,
        }
    return {
        "eftp": round(info.eftp, 1) if info.eftp else None,
        "w_prime": round(info.w_prime) if info.w_prime else None,
        "w_prime_kj": round(info.w_prime / 1000, 1) if info.w_prime else None,
        "p_max": round(info.p_max) if info.p_max else None,
        "power_model_source": POWER_MODEL_SOURCE,
    }
