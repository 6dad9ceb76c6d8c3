"""The demo athlete's training calendar: seasons, 4-week blocks, each day's sessions.

A day's sessions depend only on (seed, date): seasons come from the month and
day, the 3:1 block rhythm from the date ordinal, the variation from a per-day
random.Random(f"{seed}:{day}:plan"). Story beats are calendar-fixed too: a
two-week break from 27 Oct, an illness in mid-February, an Achilles niggle in
mid-June, a gran fondo (RACE_A, after a taper week) on the third Sunday of June, a gravel race
(RACE_B) on the second Sunday of May and club races (RACE_C) every third Sunday
in summer; story.py adds the episodes that make every alert fire (a polarized
block, a training camp, a heat wave, ...). `healthy=True` plans the ordinary
week even inside a break/illness/episode (build_demo uses it for the last days
before "today").
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from . import story
from .workouts import CYCLING, OUTDOOR_RIDES, RUNS, S, Session, free_ride, run_workout, workout
from .workouts import pick_minutes as _minutes
from .workouts import start_at as _at

# ----------------------------------------------------------------- calendar


def season(day: date) -> str:
    md = (day.month, day.day)
    if (10, 27) <= md <= (11, 9):
        return "break"
    if md >= (11, 10):
        return "off"
    if day.month <= 2:
        return "base"
    if day.month <= 4:
        return "build"
    if day.month <= 8:
        return "race"
    return "late"


def week_index(day: date) -> int:
    return (day.toordinal() - 1) // 7  # ordinal 1 is a Monday


def recovery_week(day: date) -> bool:
    return week_index(day) % 4 == 3


def illness(day: date) -> str | None:
    md = (day.month, day.day)
    if (2, 10) <= md <= (2, 13):
        return "sick"
    if (2, 14) <= md <= (2, 16):
        return "recovering"
    return None


SICK_START, SICK_DAYS = (2, 10), 4
INJURY_START, INJURY_DAYS = (6, 18), 4


def injured(day: date) -> bool:
    return (6, 18) <= (day.month, day.day) <= (6, 26)


def calendar_race(day: date) -> tuple[str, str, str, int, float, int] | None:
    """(category, name, sport, moving secs, mean intensity, start secs) of a race day."""
    if day.weekday() != 6:
        return None
    if day.month == 6 and 15 <= day.day <= 21:
        return ("RACE_A", "Limburg Gran Fondo", "Ride", 5 * 3600 + 1500, 0.69, 7 * 3600 + 1800)
    if day.month == 5 and 8 <= day.day <= 14:
        return ("RACE_B", "Ardennes Gravel Classic", "GravelRide", 3 * 3600 + 600, 0.74, 9 * 3600)
    md = (day.month, day.day)
    if (5, 1) <= md <= (9, 20) and week_index(day) % 3 == 1:
        if day.month == 9:
            return (
                "RACE_C",
                "Heuvelland gravel race",
                "GravelRide",
                2 * 3600 + 300,
                0.84,
                10 * 3600,
            )
        return ("RACE_C", "Club criterium", "Ride", 3600 + 900, 0.90, 14 * 3600)
    return None


# ----------------------------------------------------------------- the week


class _Day:
    """Collects a day's sessions before they get their ids and flags."""

    def __init__(self, day: date, rng: random.Random, scale: float = 1.0):
        self.day, self.rng = day, rng
        self.items: list[Session] = []
        self.scale = scale  # < 1 in a taper week

    def add(
        self,
        sport,
        kind,
        start,
        name,
        items,
        indoor=False,
        structured=False,
        target=None,
        planned=None,
        race=None,
        key=False,
    ):
        self.items.append(
            Session(
                self.day,
                0,
                sport,
                kind,
                start,
                indoor,
                name,
                tuple(items),
                structured,
                target,
                planned,
                False,
                race,
                key,
            )
        )

    def ride(self, kind, start, indoor, key=False, minutes=60):
        rng = self.rng
        name, items = workout(kind, rng, minutes)
        planned = "doc" if rng.random() < 0.9 else "text"
        sport = "VirtualRide" if indoor else "Ride"
        label = f"Zwift - {name}" if indoor else name
        self.add(
            sport, kind, start, label, items, indoor, kind != "recovery", "POWER", planned, key=key
        )

    def free(self, sport, kind, start, minutes, mean, spread, name, surges=0.0, planned=None):
        items = free_ride(self.rng, int(minutes * self.scale) * 60, mean, spread, surges)
        self.add(
            sport, kind, start, name, items, sport in ("VirtualRide", "VirtualRow"), planned=planned
        )


def tapering(day: date) -> bool:
    """The six days before the calendar A race: volume down, intensity kept."""
    return any(
        (race := calendar_race(day + timedelta(days=i))) is not None and race[0] == "RACE_A"
        for i in range(1, 7)
    )


def _key_session(day: date, ph: str, rng: random.Random) -> str:
    if recovery_week(day):
        return "opener"
    return rng.choice(
        {
            "off": ["zwift_race", "vo2", "flat_alt"],
            "base": ["sweetspot", "sweetspot", "tempo", "thirty_fifteen"],
            "build": ["vo2", "threshold", "thirty_fifteen", "flat_alt"],
            "race": ["vo2", "thirty_fifteen", "flat_alt", "threshold"],
            "late": ["vo2", "flat_alt", "zwift_race"],
            "break": ["vo2", "flat_alt"],
        }[ph]
    )


def _template(d: _Day, ph: str) -> None:
    day, rng = d.day, d.rng
    wd = day.weekday()
    rec = recovery_week(day)
    winter = day.month in (12, 1, 2)
    race = calendar_race(day)
    if race:
        category, name, sport, secs, mean, start = race
        d.add(
            sport,
            "race",
            start,
            name,
            free_ride(rng, secs, mean, 0.10, surges=0.18 if category == "RACE_C" else 0.06),
            race=category,
        )
        return
    if wd == 0:  # Monday: rest, yoga or a walk
        r = rng.random()
        if r < (0.45 if ph == "off" else 0.3):
            d.free(
                "Yoga", "yoga", _at(rng, 19.5), _minutes(rng, 30, 50), 0.35, 0.02, "Evening yoga"
            )
        elif r < 0.5:
            d.free("Walk", "walk", _at(rng, 12.5), _minutes(rng, 40, 75), 0.40, 0.03, "Lunch walk")
    elif wd == 1:  # Tuesday: the week's key session (always done)
        kind = _key_session(day, ph, rng)
        if kind == "zwift_race":
            d.add(
                "VirtualRide",
                "zwift_race",
                _at(rng, 18.5, 5),
                "Zwift - Crit City race",
                free_ride(rng, _minutes(rng, 45, 65) * 60, 0.90, 0.10, surges=0.25),
                indoor=True,
                planned="text",
                key=True,
            )
        else:
            outdoor = ph == "race" and not rec and rng.random() < 0.35
            d.ride(kind, _at(rng, 17.5 if outdoor else 18.5), not outdoor, key=True)
    elif wd == 2:  # Wednesday: run + strength
        if ph in ("build", "race") and not rec and rng.random() < 0.35:
            name, items = run_workout(rng)
            d.add(
                "Run",
                "tempo_run",
                _at(rng, 6.75),
                name,
                items,
                structured=True,
                target="HR",
                planned="doc",
            )
        else:
            mins = _minutes(rng, 30 if rec else 40, 40 if rec else 55)
            d.free(
                "Run",
                "easy_run",
                _at(rng, 6.75),
                mins,
                0.78,
                0.025,
                "Morning run",
                planned="text" if rng.random() < 0.4 else None,
            )
        if rng.random() < (0.5 if ph == "race" else 0.85):
            d.free(
                "WeightTraining",
                "strength",
                _at(rng, 18.0),
                _minutes(rng, 40, 60),
                0.55,
                0.05,
                "Strength & core",
                planned="text" if rng.random() < 0.6 else None,
            )
    elif wd == 3:  # Thursday: second quality (or steady) ride
        if rec:
            d.ride("steady", _at(rng, 18.5), True, minutes=60)
        else:
            kind = rng.choice(
                {
                    "off": ["steady"],
                    "base": ["steady", "sweetspot", "steady"],
                    "build": ["threshold", "sweetspot", "tempo"],
                    "race": ["threshold", "tempo", "opener", "steady"],
                    "late": ["steady", "tempo"],
                    "break": ["steady"],
                }[ph]
            )
            d.ride(kind, _at(rng, 18.5), True, minutes=_minutes(rng, 60, 100))
    elif wd == 4:  # Friday: swim, spin, row or rest
        r = rng.random()
        if r < (0.6 if ph == "off" else 0.45):
            d.free(
                "Swim",
                "swim",
                _at(rng, 7.0),
                _minutes(rng, 40, 60),
                0.88,
                0.04,
                "Pool swim",
                planned="text" if rng.random() < 0.5 else None,
            )
        elif r < 0.62:
            d.ride("recovery", _at(rng, 18.0), True, minutes=_minutes(rng, 35, 50))
        elif r < 0.72:
            d.free(
                "VirtualRow", "row", _at(rng, 18.0), _minutes(rng, 25, 40), 0.75, 0.04, "Rowing erg"
            )
    elif wd == 5:  # Saturday: long ride (or ski / indoor in winter)
        if calendar_race(day + timedelta(days=1)):
            d.ride("opener", _at(rng, 10.0), False)
            return
        r = rng.random()
        if rec:
            d.free(
                "Ride",
                "endurance",
                _at(rng, 9.5),
                _minutes(rng, 100, 130),
                0.62,
                0.05,
                "Easy Saturday ride",
            )
        elif winter and r < 0.2:
            d.free(
                "NordicSki",
                "ski",
                _at(rng, 10.0),
                _minutes(rng, 90, 150),
                0.72,
                0.06,
                "Cross-country ski",
            )
        elif winter and r < 0.55:
            d.ride("steady", _at(rng, 9.0), True, minutes=_minutes(rng, 90, 150))
        elif ph == "off":
            sport = "GravelRide" if r < 0.8 else "MountainBikeRide"
            d.free(
                sport,
                "gravel" if sport == "GravelRide" else "mtb",
                _at(rng, 10.0),
                _minutes(rng, 90, 140),
                0.66,
                0.08,
                "Gravel loop" if sport == "GravelRide" else "MTB trails",
            )
        elif ph == "late" and r < 0.4:
            d.free(
                "GravelRide",
                "gravel",
                _at(rng, 9.5),
                _minutes(rng, 150, 210),
                0.68,
                0.08,
                "Long gravel ride",
            )
        else:
            d.free(
                "Ride",
                "long",
                _at(rng, 9.0),
                _minutes(rng, 180, 270),
                0.69,
                0.07,
                "Saturday long ride",
                surges=0.04,
                planned="text" if rng.random() < 0.5 else None,
            )
    else:  # Sunday
        r = rng.random()
        if rec:
            if r < 0.6:
                d.free(
                    "Run", "easy_run", _at(rng, 9.5), _minutes(rng, 35, 50), 0.77, 0.02, "Easy run"
                )
            else:
                d.free(
                    "Walk",
                    "walk",
                    _at(rng, 14.0),
                    _minutes(rng, 60, 100),
                    0.40,
                    0.03,
                    "Family walk",
                )
        elif ph == "base":
            if r < 0.35:
                d.free(
                    "Run",
                    "long_run",
                    _at(rng, 9.5),
                    _minutes(rng, 70, 95),
                    0.79,
                    0.02,
                    "Long run",
                    planned="text",
                )
            else:
                d.free(
                    "Ride",
                    "endurance",
                    _at(rng, 10.0),
                    _minutes(rng, 100, 140),
                    0.66,
                    0.05,
                    "Sunday endurance",
                )
                if rng.random() < 0.3:
                    d.free(
                        "Walk",
                        "walk",
                        _at(rng, 15.5),
                        _minutes(rng, 45, 80),
                        0.40,
                        0.03,
                        "Afternoon walk",
                    )
        elif ph == "off":
            if r < 0.4:
                d.free(
                    "Run",
                    "long_run",
                    _at(rng, 9.5),
                    _minutes(rng, 60, 85),
                    0.78,
                    0.02,
                    "Long run",
                    planned="text",
                )
            elif r < 0.65:
                d.free(
                    "Hike",
                    "hike",
                    _at(rng, 10.5),
                    _minutes(rng, 120, 200),
                    0.52,
                    0.05,
                    "Hike in the Voerstreek",
                )
            elif r < 0.85:
                d.free(
                    "MountainBikeRide",
                    "mtb",
                    _at(rng, 10.0),
                    _minutes(rng, 80, 120),
                    0.70,
                    0.09,
                    "MTB trails",
                )
            else:
                d.free(
                    "Walk", "walk", _at(rng, 14.0), _minutes(rng, 60, 110), 0.40, 0.03, "Long walk"
                )
        elif ph == "late":
            if r < 0.3:
                d.free(
                    "TrailRun",
                    "trail_run",
                    _at(rng, 9.5),
                    _minutes(rng, 60, 85),
                    0.76,
                    0.04,
                    "Trail run",
                )
            elif r < 0.6:
                d.free(
                    "GravelRide",
                    "gravel",
                    _at(rng, 9.5),
                    _minutes(rng, 130, 180),
                    0.69,
                    0.08,
                    "Gravel adventure",
                )
            elif r < 0.8:
                d.free(
                    "MountainBikeRide",
                    "mtb",
                    _at(rng, 10.0),
                    _minutes(rng, 90, 130),
                    0.71,
                    0.09,
                    "MTB trails",
                )
            else:
                d.free(
                    "Hike",
                    "hike",
                    _at(rng, 10.5),
                    _minutes(rng, 120, 200),
                    0.52,
                    0.05,
                    "Hike in the Ardennes",
                )
        else:  # build / race
            if ph == "race" and r < 0.3:
                d.free(
                    "GravelRide",
                    "gravel",
                    _at(rng, 9.0),
                    _minutes(rng, 140, 190),
                    0.71,
                    0.08,
                    "Gravel group ride",
                    surges=0.06,
                )
            else:
                d.free(
                    "Ride",
                    "group",
                    _at(rng, 9.0),
                    _minutes(rng, 130, 180),
                    0.72 if ph == "race" else 0.70,
                    0.08,
                    "Sunday group ride",
                    surges=0.06,
                )
            if ph == "build" and rng.random() < 0.35:
                last = d.items[-1]
                d.free(
                    "Run",
                    "brick_run",
                    last.start + last.secs + 600,
                    _minutes(rng, 20, 30),
                    0.82,
                    0.02,
                    "Brick run",
                )


# ----------------------------------------------------------------- one day


def _modified(
    sessions: list[Session], day: date, ill: str | None, inj: bool, rng: random.Random
) -> list[Session]:
    """Illness recovery days ride easy; injured weeks swap runs for swims."""
    if ill == "recovering":
        if not sessions:
            return []
        first = sessions[0]
        return [
            Session(
                day,
                0,
                "VirtualRide",
                "recovery",
                first.start,
                True,
                "Easy spin (after cold)",
                (S(_minutes(rng, 30, 45) * 60, 0.50),),
            )
        ]
    if inj:
        out = []
        for s in sessions:
            if s.sport in RUNS:
                out.append(
                    Session(
                        day,
                        0,
                        "Swim",
                        "swim",
                        s.start,
                        False,
                        "Pool swim (no running)",
                        free_ride(rng, 2700, 0.86, 0.04),
                    )
                )
            else:
                out.append(s)
        return out
    return sessions


def _flags(sessions: list[Session], day: date, rng: random.Random) -> list[Session]:
    """Deterministic real-world mess, spaced by the date ordinal."""
    n = day.toordinal()
    flags: list[set[str]] = [set() for _ in sessions]

    def first(pred, flag):
        for i, s in enumerate(sessions):
            if pred(s):
                flags[i].add(flag)
                return

    if n % 17 == 3:
        first(lambda s: not s.key and s.sport not in ("Yoga",), "no_hr")
    if n % 13 == 6:
        first(lambda s: s.sport in OUTDOOR_RIDES and not s.structured and not s.race, "no_power")
    if n % 23 == 11:
        first(lambda s: s.sport in CYCLING and not s.key, "null_zones")
    if n % 29 == 13:
        first(lambda s: True, "null_hr_zones")
    if n % 31 == 7:
        first(lambda s: s.sport == "WeightTraining", "zero_time")
    if n % 11 == 2:
        first(lambda s: s.structured, "edited")
    if n % 37 == 0:
        first(lambda s: s.sport in CYCLING or s.sport in RUNS, "decoupling_zero")
    for i, s in enumerate(sessions):
        if s.sport == "Swim" and rng.random() < 0.5:
            flags[i].add("no_hr")
        if s.sport in CYCLING and n % 4 == 1:  # AlphaHRV not running that day
            flags[i].add("no_dfa")
        if s.planned and not s.key and not s.race and rng.random() < 0.06:
            flags[i].add("skipped")
    return [replace(s, flags=frozenset(f), skipped="skipped" in f) for s, f in zip(sessions, flags)]


def plan_day(seed: int, day: date, healthy: bool = False) -> list[Session]:
    """Every session of one calendar day (including skipped and hidden Strava ones)."""
    rng = random.Random(f"{seed}:{day.isoformat()}:plan")
    ph = season(day)
    ill = None if healthy else illness(day)
    if not healthy and ph == "break" or ill == "sick":
        return []
    d = _Day(day, rng, 0.6 if tapering(day) else 1.0)
    beat = None if healthy else story.beat(day)
    race_near = calendar_race(day) is not None or calendar_race(day + timedelta(days=1)) is not None
    if (
        not healthy
        and beat is None
        and any(
            (race := calendar_race(day + timedelta(days=n))) is not None and race[0] == "RACE_B"
            for n in (2, 3)
        )
    ):
        beat = "through"  # no taper for the B race
    if not (beat and story.plan_beat(d, beat, race_near)):
        _template(d, "build" if ph == "break" else ph)
    if beat == "streak":
        story.streak_ride(d)
    sessions = _modified(d.items, day, ill, inj=not healthy and injured(day), rng=rng)
    sessions.sort(key=lambda s: s.start)
    sessions = [replace(s, k=i) for i, s in enumerate(sessions)]
    sessions = _flags(sessions, day, rng)
    if beat == "heatwave":
        sessions = [replace(s, flags=s.flags | {"heat"}) for s in sessions]
    if day.toordinal() % 9 == 4:  # a commute recorded by the phone app: a Strava stub
        commute = free_ride(rng, _minutes(rng, 25, 40) * 60, 0.60, 0.05)
        sessions.append(
            Session(
                day,
                7,
                "Ride",
                "commute",
                _at(rng, 7.6, 5),
                False,
                "Commute",
                commute,
                flags=frozenset({"stub"}),
            )
        )
    return sessions


def recent_extras(seed: int, day: date, have_run: bool, have_ride: bool) -> list[Session]:
    """Sessions added to "yesterday" so the last two days hold a run and an outdoor ride."""
    rng = random.Random(f"{seed}:{day.isoformat()}:extra")
    out = []
    if not have_run:
        out.append(
            Session(
                day,
                8,
                "Run",
                "easy_run",
                _at(rng, 6.5, 10),
                False,
                "Shakeout run",
                free_ride(rng, _minutes(rng, 25, 35) * 60, 0.76, 0.02),
            )
        )
    if not have_ride:
        out.append(
            Session(
                day,
                9,
                "Ride",
                "endurance",
                _at(rng, 12.25, 10),
                False,
                "Lunch ride",
                free_ride(rng, _minutes(rng, 70, 90) * 60, 0.70, 0.08, surges=0.05),
            )
        )
    return out
