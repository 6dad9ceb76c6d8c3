"""Daily wellness rows (docs/architecture.md#api-client) and the fitness model behind them.

CTL/ATL follow the daily PMC recurrence ctl += (load - ctl)/42, atl += (load - atl)/7
over the day's total training load (hidden Strava activities included, as
Intervals counts them). Device fields depend on (seed, date) and on yesterday's
form; they are sparse, sometimes absent, sometimes nonsense (HRV 255 or 5).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from . import plan, profile, story
from .activities import stamp

CTL_DAYS, ATL_DAYS = 42, 7

NULL_FIELDS = (
    "hrvSDNN",
    "menstrualPhase",
    "menstrualPhasePredicted",
    "kcalConsumed",
    "systolic",
    "diastolic",
    "hydrationVolume",
    "baevskySI",
    "bloodGlucose",
    "lactate",
    "abdomen",
    "comments",
    "carbohydrates",
    "protein",
    "fatTotal",
    "locked",
)
DEVICE_FIELDS = (
    "weight",
    "restingHR",
    "hrv",
    "hrvSDNN",
    "sleepSecs",
    "sleepScore",
    "sleepQuality",
    "avgSleepingHR",
    "soreness",
    "fatigue",
    "stress",
    "mood",
    "motivation",
    "injury",
    "hydration",
    "spO2",
    "readiness",
    "bodyFat",
    "vo2max",
    "steps",
    "respiration",
)


def pmc(loads: dict[date, float], first: date, last: date) -> dict[date, tuple[float, float]]:
    """(ctl, atl) at the end of each day from `first` (starting at 0) to `last`."""
    out = {}
    ctl = atl = 0.0
    day = first
    while day <= last:
        load = loads.get(day, 0.0)
        ctl += (load - ctl) / CTL_DAYS
        atl += (load - atl) / ATL_DAYS
        out[day] = (ctl, atl)
        day += timedelta(days=1)
    return out


def missing_row(day: date) -> bool:
    """The middle of the autumn break: the watch stayed in a drawer, no row at all."""
    return (10, 29) <= (day.month, day.day) <= (11, 5)


def _sport_info(seed: int, day: date) -> list[dict[str, Any]] | None:
    n = day.toordinal()
    if n % 19 == 2:
        return None  # present-but-null (row written by a third-party app)
    if n % 41 == 17:
        return []
    return [
        {
            "type": "Ride",
            "eftp": profile.eftp(seed, day),
            "wPrime": profile.w_prime(seed, day),
            "pMax": profile.p_max(seed, day),
        }
    ]


def row(
    seed: int,
    day: date,
    ctl: float,
    atl: float,
    ramp: float,
    load: float,
    form: float,
    healthy: bool,
) -> dict[str, Any]:
    """One wellness record; `form` is yesterday's CTL - ATL (what the morning feels)."""
    rng = random.Random(f"{seed}:{day.isoformat()}:wellness")
    n = day.toordinal()
    ill = None if healthy else plan.illness(day)
    hurt = not healthy and plan.injured(day)
    out: dict[str, Any] = {
        "id": day.isoformat(),
        "ctl": round(ctl, 4),
        "atl": round(atl, 4),
        "rampRate": round(ramp, 4),
        "ctlLoad": float(load),
        "atlLoad": float(load),
        "sportInfo": _sport_info(seed, day),
        "updated": None,
    }
    for key in DEVICE_FIELDS + NULL_FIELDS:
        out[key] = None
    out["tempWeight"] = False
    out["tempRestingHR"] = False
    a_race = plan.calendar_race(day + timedelta(days=2))
    episode = None if healthy else story.morning(day, a_race is not None and a_race[0] == "RACE_A")
    fitness_only = (
        (plan.season(day) == "break" and not healthy) or rng.random() < 0.05
    ) and episode is None
    sync = datetime.combine(day, time(5, 40), tzinfo=UTC) + timedelta(
        seconds=rng.randint(0, 5400), milliseconds=rng.randint(0, 999)
    )
    if fitness_only:
        out["updated"] = stamp(sync + timedelta(hours=17))
        return out
    out["updated"] = stamp(sync)
    sick = {"sick": 1.0, "recovering": 0.45}.get(ill or "", 0.0)
    strain = max(0.0, -form - 5)
    wave = math.sin(n / 23.0)

    if rng.random() > 0.08 or sick:
        hrv = 61 + 3 * wave - 0.22 * strain - 17 * sick + rng.gauss(0, 4.5)
        out["hrv"] = float(max(18, int(round(hrv))))
    if n % 47 == 5:
        out["hrv"] = 255.0  # sensor nonsense
    elif n % 53 == 9:
        out["hrv"] = 5.0
    if out["hrv"] is not None and rng.random() < 0.25 and out["hrv"] < 200:
        out["hrvSDNN"] = round(out["hrv"] * 1.22 + rng.gauss(0, 3), 1)
    rhr = 46 + 0.07 * strain + 7 * sick - 1.2 * wave + rng.gauss(0, 1.3)
    out["restingHR"] = int(round(rhr))
    sleep = rng.gauss(7.4, 0.55) + 1.0 * sick
    if episode is not None:  # a story beat (story.EPISODES): the measured morning
        erng = random.Random(f"{seed}:{day.isoformat()}:episode")
        usual = 61 + 3 * wave - 0.22 * strain
        out["hrv"] = float(round(usual * episode.hrv_factor + erng.gauss(0, 0.8)))
        if out["hrvSDNN"] is not None:
            out["hrvSDNN"] = round(out["hrv"] * 1.22 + erng.gauss(0, 3), 1)
        usual_rhr = 46 + 0.07 * strain - 1.2 * wave
        out["restingHR"] = int(round(usual_rhr + episode.rhr_add + erng.gauss(0, 0.4)))
        sleep = episode.sleep_h + erng.gauss(0, 0.1)
    out["sleepSecs"] = int(sleep * 3600) // 60 * 60
    score = min(98.0, max(35.0, 78 + (sleep - 7.4) * 9 - 9 * sick + rng.gauss(0, 6)))
    out["sleepScore"] = float(int(score))
    out["sleepQuality"] = 1 if score >= 86 else 2 if score >= 72 else 3 if score >= 58 else 4
    out["avgSleepingHR"] = round(out["restingHR"] + rng.uniform(2.5, 6.0), 1)
    out["steps"] = rng.randint(4200, 15800)
    out["respiration"] = round(rng.uniform(13.1, 15.4) + 1.2 * sick, 1)
    if rng.random() < 0.45:
        out["spO2"] = round(rng.uniform(94.6, 98.4), 1)
    readiness = (
        70
        + 0.4 * (out["hrv"] - 61 if out["hrv"] and out["hrv"] < 200 else 0)
        + (score - 78) * 0.5
        - 0.5 * strain
        - 25 * sick
        + rng.gauss(0, 5)
    )
    out["readiness"] = float(int(min(99, max(5, readiness))))

    if rng.random() < 0.42 or sick or hurt:
        fatigue = 1 + (strain > 4) + (strain > 14) + (sick > 0.5)
        out["fatigue"] = int(min(4, max(1, fatigue + rng.choice([-1, 0, 0, 0, 1]))))
        out["soreness"] = int(min(4, max(1, 1 + (strain > 10) + rng.choice([0, 0, 1]) + hurt)))
        out["stress"] = rng.choice([1, 1, 2, 2, 2, 3])
        out["mood"] = int(min(4, 1 + rng.choice([0, 1, 1, 2]) + (sick > 0.5)))
        out["motivation"] = int(min(4, 1 + rng.choice([0, 1, 1, 2]) + (sick > 0.5) + (strain > 18)))
        out["injury"] = 3 if hurt and (day.day - 18) < 3 else 2 if hurt else 1
        if rng.random() < 0.3:
            out["hydration"] = rng.choice([1, 2, 2, 3])

    if rng.random() < 0.55:
        out["weight"] = round(profile.weight_trend(seed, day) + rng.gauss(0, 0.35), 1)
        if rng.random() < 0.7:
            out["bodyFat"] = round(
                12.9 + 0.8 * math.cos(2 * math.pi * (day.month - 1) / 12) + rng.gauss(0, 0.3), 1
            )
    if day.weekday() == 0 or rng.random() < 0.08:
        out["vo2max"] = float(int(round(54 + 1.5 * math.sin(n / 60.0) + ctl / 60)))
    out.update(body_battery(seed, day, out["sleepScore"], strain))
    return out


def body_battery(seed: int, day: date, sleep_score: float, strain: float) -> dict[str, int]:
    """Garmin's Body Battery range, a custom wellness field of Garmin users (own random
    stream, so the other fields of the row do not move)."""
    rng = random.Random(f"{seed}:{day.isoformat()}:body-battery")
    high = int(min(100, max(20, sleep_score + 10 - 0.4 * strain + rng.gauss(0, 5))))
    return {"BodyBatteryMax": high, "BodyBatteryMin": int(max(5, high - rng.uniform(45, 70)))}
