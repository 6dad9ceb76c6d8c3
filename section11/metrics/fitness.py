"""Fitness block and power model (spec/metrics.md §5, §6.2).

Pure functions over today's and yesterday's wellness records.

Intervals.icu's wellness CTL/ATL for *today* already include the load of
workouts planned for today. Until those are done, the honest picture is
yesterday's values decayed by one day, which is what `fitness_block` reports.

Kept on purpose (quirk 3, docs/deviations.md): the decay uses exp(-1/42) and
exp(-1/7) rather than the PMC update x·(1-1/k), and the ramp rate is decayed
with the CTL constant, so our numbers match the reference's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..model import Wellness
from ..numbers import round_half_even

CTL_DECAY = math.exp(-1 / 42)
ATL_DECAY = math.exp(-1 / 7)

SOURCE_DECAYED = "Decayed from yesterday (today's planned workouts not yet completed)"
SOURCE_API = "From Intervals.icu API (reflects completed workouts)"

POWER_MODEL_SPORT = "Ride"
POWER_MODEL_SOURCE = "wellness.sportInfo"
POWER_MODEL_UNAVAILABLE = "unavailable"


def _decayed(value: float | None, factor: float) -> float | None:
    return round_half_even(value * factor, 2) if value is not None else None


def fitness_block(
    today_w: Wellness | None,
    yesterday_w: Wellness | None,
    todays_planned_training_events: Sequence[Any],
    todays_completed_activities: Sequence[Any],
) -> dict:
    """`current_status.fitness` = {ctl, atl, tsb, ramp_rate, fitness_source} (§5).

    todays_planned_training_events: calendar events dated today whose category
    is a training category (WORKOUT, RACE_*); todays_completed_activities:
    activities dated today. Only their emptiness matters.

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
    tsb = round(ctl - atl, 2) if ctl is not None and atl is not None else None
    return {"ctl": ctl, "atl": atl, "tsb": tsb, "ramp_rate": ramp, "fitness_source": source}


def power_model(today_w: Wellness | None) -> dict:
    """Power model from today's wellness `sportInfo` Ride entry (§6.2).

    Returns {eftp, w_prime, w_prime_kj, p_max, power_model_source, vo2max};
    zero or missing values are null (an eFTP or W' of 0 is no model).
    """
    info = today_w.sport(POWER_MODEL_SPORT) if today_w else None
    vo2max = today_w.vo2max if today_w else None
    if info is None:
        return {
            "eftp": None,
            "w_prime": None,
            "w_prime_kj": None,
            "p_max": None,
            "power_model_source": POWER_MODEL_UNAVAILABLE,
            "vo2max": vo2max,
        }
    return {
        "eftp": round(info.eftp, 1) if info.eftp else None,
        "w_prime": round(info.w_prime) if info.w_prime else None,
        "w_prime_kj": round(info.w_prime / 1000, 1) if info.w_prime else None,
        "p_max": round(info.p_max) if info.p_max else None,
        "power_model_source": POWER_MODEL_SOURCE,
        "vo2max": vo2max,
    }
