"""Story beats: the calendar-fixed episodes of the demo athlete's year.

Ordinary weeks come from plan._template; these episodes bend a few weeks a year
so that every alert and readiness path of docs/metrics.md#alerts-docs/metrics.md#race-calendar happens
somewhere in the history, each for a reason a real athlete would recognise
(tests/test_demo_alert_coverage.py replays the history and checks it):

| beat       | when           | what happens                  | shows up as              |
|------------|----------------|-------------------------------|--------------------------|
| polarized  | 5 Jan - 1 Feb  | indoor block: Z2 + intervals  | 28-day polarization >= 2 |
| outdoor    | 2 - 9 Feb      | busy week, first outdoor ride | 7-day TID depolarizes    |
| (rundown)  | 4 - 9 Feb      | work deadline: short nights   | sleep amber/red, HRV dip |
| (illness)  | 10 - 16 Feb    | fever (plan.illness)          | HRV/RHR/RI alarms        |
| camp       | 14 - 21 Mar    | a long ride every day         | ACWR, monotony, strain   |
| flush      | 22 - 30 Mar    | the same easy spin every day  | monotony, deload (info)  |
| through    | D-3/D-2, May B | no taper before the B race    | race_week_tsb            |
| (nerves)   | D-2, June A    | a sleepless night             | tightened race-week skip |
| durability | 1 - 17 Jul     | steady long rides             | qualifying decoupling    |
| heatwave   | 18 - 27 Jul    | 30-35 °C, holiday week        | decoupling > 5 %         |
| (cold)     | 14 - 15 Oct    | a two-day cold                | RI warning, P1 skip      |
| streak     | 1 - 23 Dec     | advent: ride every day        | monotony warning         |

Bracketed rows are wellness only (EPISODES, PRE_RACE_NIGHT); the camp has its
mornings there too.

Like plan.illness, beats apply to history only: build_demo plans the last
RECENT_DAYS with `healthy=True`, which skips them, so today's output shows an
ordinary week. Everything depends on (seed, date) only.
"""

from __future__ import annotations

import math
import random
from datetime import date
from typing import NamedTuple

from .workouts import pick_minutes, start_at

BEATS = (  # (name, first (month, day), last (month, day)), inclusive, non-overlapping
    ("polarized", (1, 5), (2, 1)),
    ("outdoor", (2, 2), (2, 9)),
    ("camp", (3, 14), (3, 21)),
    ("flush", (3, 22), (3, 30)),
    ("durability", (7, 1), (7, 17)),
    ("heatwave", (7, 18), (7, 27)),
    ("streak", (12, 1), (12, 23)),
)


def beat(day: date) -> str | None:
    """The story beat running on `day`, if any."""
    md = (day.month, day.day)
    return next((name for name, first, last in BEATS if first <= md <= last), None)


def beat_day(day: date) -> int:
    """0-based index of `day` within its beat (0 outside beats)."""
    name = beat(day)
    if name is None:
        return 0
    first = next(f for n, f, _ in BEATS if n == name)
    return (day - date(day.year, *first)).days


# ----------------------------------------------------------------- sessions


def plan_beat(d, name: str, race_near: bool) -> bool:
    """Fill plan._Day `d` for a beat day; False leaves the day to the ordinary template
    (race days and their eve always keep their template)."""
    if race_near:
        return False
    return {
        "polarized": _polarized,
        "outdoor": _outdoor,
        "camp": _camp,
        "flush": _flush,
        "through": _through,
        "durability": _steady_summer,
        "heatwave": _steady_summer,
        "streak": lambda d: False,
    }[name](d)


def _polarized(d) -> bool:
    """Indoor base block: every ride either easy Z2 or hard intervals, no tempo, no pool."""
    wd, rng = d.day.weekday(), d.rng
    if wd == 1:
        d.ride("vo2", start_at(rng, 18.5), True, key=True)
    elif wd == 3:
        d.ride("thirty_fifteen", start_at(rng, 18.5), True, key=True)
    elif wd == 4:
        d.ride("recovery", start_at(rng, 18.0), True, minutes=pick_minutes(rng, 35, 45))
    elif wd == 5:
        d.ride("steady", start_at(rng, 9.0), True, minutes=pick_minutes(rng, 120, 150))
    elif wd == 6:
        d.ride("steady", start_at(rng, 10.0), True, minutes=pick_minutes(rng, 90, 120))
    else:
        return False  # Monday yoga/walk, Wednesday easy run and strength
    return True


def _outdoor(d) -> bool:
    """A busy week at work: only the two interval sessions, then on Sunday the first
    outdoor ride of the year (endurance pace, but the road adds tempo minutes)."""
    wd, rng = d.day.weekday(), d.rng
    if wd == 1:
        d.ride("vo2", start_at(rng, 18.5), True, key=True)
    elif wd == 3:
        d.ride("thirty_fifteen", start_at(rng, 18.5), True, key=True)
    elif wd == 6:
        d.free(
            "Ride",
            "long",
            start_at(rng, 10.0),
            pick_minutes(rng, 140, 160),
            0.68,
            0.06,
            "First outdoor ride of the year",
            surges=0.05,
        )
    elif wd in (4, 5):
        pass  # no time, too tired: rest
    else:
        return False
    return True


CAMP_RIDES = (  # (minutes, mean intensity, name) per camp day
    (120, 0.60, "Camp day 1: arrival spin"),
    (225, 0.66, "Camp day 2: first hills"),
    (180, 0.62, "Camp day 3: easy coast road"),
    (300, 0.68, "Camp day 4: the big climb"),
    (300, 0.69, "Camp day 5: queen stage"),
    (210, 0.62, "Camp day 6: coffee ride"),
    (300, 0.68, "Camp day 7: long loop"),
    (210, 0.62, "Camp day 8: last ride before the flight"),
)


def _camp(d) -> bool:
    """Training camp: a long outdoor ride every day, no other sport."""
    rng = d.rng
    minutes, mean, name = CAMP_RIDES[beat_day(d.day)]
    jitter = rng.randrange(-10, 11, 5)
    d.free("Ride", "camp", start_at(rng, 9.5), minutes + jitter, mean, 0.06, name, surges=0.04)
    return True


def _flush(d) -> bool:
    """After the camp: the same short easy spin every day."""
    d.free(
        "VirtualRide",
        "recovery",
        start_at(d.rng, 18.0),
        pick_minutes(d.rng, 40, 45),
        0.52,
        0.02,
        "Zwift - Recovery spin",
    )
    return True


def _through(d) -> bool:
    """The B race gets no taper: threshold work three days out, one more long ride two
    days out (it is only a B race)."""
    rng = d.rng
    if d.day.weekday() == 3:
        d.ride("threshold", start_at(rng, 18.5), True, key=True)
    else:
        d.free(
            "Ride",
            "long",
            start_at(rng, 9.0),
            pick_minutes(rng, 230, 250),
            0.71,
            0.06,
            "Long ride (training through the B race)",
            surges=0.04,
        )
    return True


def _steady_summer(d) -> bool:
    """Durability block: long steady rides on the road (even pacing, little coasting);
    the heat wave is a holiday week at home, so the midweek rides start later."""
    wd, rng = d.day.weekday(), d.rng
    heat = beat(d.day) == "heatwave"
    if wd in (2, 3) or (heat and wd == 1):
        d.free(
            "Ride",
            "steady_long",
            start_at(rng, 10.5 if heat else 7.0),
            pick_minutes(rng, 100, 120),
            0.66,
            0.03,
            "Steady ride in the heat" if heat else "Steady ride before work",
        )
    elif wd == 5:
        d.free(
            "Ride",
            "steady_long",
            start_at(rng, 9.5),
            pick_minutes(rng, 210, 250),
            0.66,
            0.03,
            "Steady long ride",
        )
    elif wd == 6:
        d.free(
            "Ride",
            "steady_long",
            start_at(rng, 9.5),
            pick_minutes(rng, 150, 180),
            0.65,
            0.03,
            "Steady Sunday ride",
        )
    else:
        return False
    return True


def streak_ride(d) -> None:
    """Advent streak: a short indoor ride on every day that has none."""
    if any(s.sport in ("Ride", "VirtualRide", "GravelRide", "MountainBikeRide") for s in d.items):
        return
    rng = d.rng
    kind = rng.choice(["recovery", "steady", "steady"])
    d.ride(kind, start_at(rng, 19.0), True, minutes=pick_minutes(rng, 30, 60))


# ----------------------------------------------------------------- body


class Morning(NamedTuple):
    """Wellness of an episode day: HRV as a fraction of the usual, resting HR offset
    (bpm), hours slept."""

    hrv_factor: float
    rhr_add: float
    sleep_h: float


EPISODES = {  # (month, day) -> Morning
    # a work deadline: short nights, one awful one that drops the HRV
    (2, 4): Morning(0.97, 0, 6.3),
    (2, 5): Morning(0.66, 1, 4.6),
    (2, 6): Morning(0.95, 0, 5.9),
    (2, 7): Morning(0.93, 1, 6.1),
    (2, 8): Morning(0.94, 1, 5.6),
    (2, 9): Morning(0.92, 1, 5.8),
    # the fever (plan.illness): HRV halves, resting HR up 14 bpm, long nights
    (2, 10): Morning(0.50, 14, 8.6),
    (2, 11): Morning(0.50, 14, 9.1),
    (2, 12): Morning(0.56, 14, 8.8),
    (2, 13): Morning(0.62, 8, 8.4),
    (2, 14): Morning(0.80, 4, 8.0),
    (2, 15): Morning(0.90, 2, 7.7),
    (2, 16): Morning(0.95, 1, 7.5),
    # the camp: a short night before the early flight, then fatigue piling up
    (3, 14): Morning(1.00, 0, 5.0),
    (3, 15): Morning(0.80, 3, 7.2),
    (3, 16): Morning(0.84, 3, 7.4),
    (3, 17): Morning(0.82, 3, 7.0),
    (3, 18): Morning(0.86, 2, 7.8),
    (3, 19): Morning(0.82, 3, 7.2),
    (3, 20): Morning(0.80, 4, 7.0),
    (3, 21): Morning(0.84, 3, 6.0),
    # a calm week, then a two-day cold from the kids: low HRV two mornings running
    (10, 9): Morning(1.00, 0, 7.4),
    (10, 10): Morning(1.00, 0, 7.6),
    (10, 11): Morning(1.00, 0, 7.3),
    (10, 12): Morning(1.00, 0, 7.8),
    (10, 13): Morning(1.00, 0, 7.2),
    (10, 14): Morning(0.66, 5, 7.9),
    (10, 15): Morning(0.62, 5, 8.3),
}


PRE_RACE_NIGHT = Morning(0.80, 1, 4.6)  # nerves: two nights before the A race, little sleep


def morning(day: date, a_race_in_two_days: bool = False) -> Morning | None:
    """The episode wellness of `day`, None on an ordinary day."""
    found = EPISODES.get((day.month, day.day))
    return found or (PRE_RACE_NIGHT if a_race_in_two_days else None)


# ----------------------------------------------------------------- weather


def heat_anomaly(seed: int, day: date) -> float:
    """Extra °C of the July heat wave (0 outside it): builds up, peaks, breaks."""
    if beat(day) != "heatwave":
        return 0.0
    k = beat_day(day)
    rng = random.Random(f"{seed}:{day.isoformat()}:heat")
    return 1.0 + 12.0 * math.sin(math.pi * (k + 1) / 11) + rng.uniform(-1.0, 1.0)
