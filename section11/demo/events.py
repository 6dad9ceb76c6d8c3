"""Calendar events (docs/architecture.md#api-client): planned workouts with resolved
`workout_doc` steps, races with course files, health markers and notes.

Planned workouts come from the same per-day plan as the activities, so a past
WORKOUT pairs both ways with the activity that did it. The goal races (A about
six weeks out with a GPX course, B one to two weeks out with a TCX course, C three
weeks out) are placed relative to the week of "today"; calendar races, SICK and
INJURED markers and block notes are fixed by date.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from . import plan, profile, workouts
from .activities import activity_id, event_id, stamp
from .gpx import gpx_bytes, gravel_route, race_route, tcx_bytes
from .workouts import Repeat, Session, Step

SLOT_SICK, SLOT_INJURED, SLOT_NOTE = 14, 15, 13
SLOT_RACE = {"RACE_A": 16, "RACE_B": 17, "RACE_C": 18}

TEXT_ONLY = {
    "long": "NOTE: fuel 70 g/h from the start\nNOTE: stay under 230 W on the climbs\n\n"
    "3-4h endurance. Add 2x20' tempo if the legs are good.",
    "easy_run": "NOTE: conversational pace only\n\n45' easy run + 6x20'' strides",
    "long_run": "NOTE: last 20' steady, not hard\n\n75-90' long run on soft ground",
    "strength": "NOTE: focus on single-leg work\n\nSquats 4x6, RDL 3x8, step-ups 3x10, core circuit",
    "swim": "Warm-up 400 easy\n8x100 threshold, 15'' rest\n400 pull\n200 easy",
    "zwift_race": "Zwift race (Crit City). Race it: this is the week's VO2 day.",
}
NOTES = [
    "Block focus: aerobic durability, long Saturday rides.",
    "Block focus: threshold and sweet spot, keep Sundays social.",
    "Block focus: VO2max and race-specific efforts.",
    "Block focus: consolidate, one quality day a week.",
]


def _uid(seed: int, eid: int) -> str:
    return str(uuid.UUID(int=random.Random(f"{seed}:uid:{eid}").getrandbits(128), version=4))


def _pct(value: float) -> float:
    return round(value * 100, 1)


def _dur(secs: int) -> str:
    if secs % 60:
        return f"{secs}s" if secs < 60 else f"{secs // 60}m{secs % 60}s"
    return f"{secs // 60}m"


def step_doc(step: Step, ftp: int | None, target: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if step.text:
        out["text"] = step.text
    out["duration"] = step.secs
    if step.role == "warmup":
        out["warmup"] = True
    elif step.role == "cooldown":
        out["cooldown"] = True
    if target == "HR" and step.hr_pct is not None:
        bpm = round(profile.RUN_LTHR * step.hr_pct / 100, 1)
        out["hr"] = {"value": float(step.hr_pct), "units": "%lthr"}
        out["_hr"] = {"value": bpm, "start": bpm, "end": bpm}
        return out
    if step.lo != step.hi:
        out["ramp"] = True
        out["power"] = {"start": _pct(step.lo), "end": _pct(step.hi), "units": "%ftp"}
        if ftp:
            out["_power"] = {
                "value": round(step.mean * ftp, 1),
                "start": round(step.lo * ftp, 1),
                "end": round(step.hi * ftp, 1),
            }
        return out
    out["power"] = {"value": _pct(step.lo), "units": "%ftp"}
    if step.role == "work" and step.secs >= 120:
        out["cadence"] = {"value": 90.0, "units": "rpm"}
    if ftp:
        watts = round(step.lo * ftp, 1)
        out["_power"] = {"value": watts, "start": watts, "end": watts}
    return out


def _zone_times(steps: list[Step]) -> list[dict[str, Any]]:
    totals = [0] * 7
    ss = 0
    for s in steps:
        pct = s.mean * 100
        zone = next((i for i, b in enumerate(profile.POWER_ZONES) if pct <= b), 6)
        totals[zone] += s.secs
        if profile.SWEET_SPOT[0] <= pct <= profile.SWEET_SPOT[1]:
            ss += s.secs
    return [{"id": f"Z{i + 1}", "secs": v} for i, v in enumerate(totals)] + [
        {"id": "SS", "secs": ss}
    ]


def workout_doc(session: Session, ftp: int | None) -> dict[str, Any]:
    steps = []
    for item in session.items:
        if isinstance(item, Repeat):
            block: dict[str, Any] = {"reps": item.reps}
            if item.text:
                block["text"] = item.text
            block["steps"] = [step_doc(s, ftp, session.target) for s in item.steps]
            steps.append(block)
        else:
            steps.append(step_doc(item, ftp, session.target))
    doc: dict[str, Any] = {
        "description": session.name.replace("Zwift - ", ""),
        "duration": session.secs,
        "target": session.target,
        "steps": steps,
    }
    if session.target == "HR":
        doc.update(
            lthr=profile.RUN_LTHR, threshold_pace=profile.RUN_THRESHOLD_PACE, pace_units="MINS_KM"
        )
    else:
        doc.update(ftp=ftp, zoneTimes=_zone_times(session.steps))
    return doc


def describe(session: Session) -> str:
    """Plain-text workout description in Intervals' builder syntax."""

    def line(s: Step) -> str:
        if session.target == "HR" and s.hr_pct is not None:
            return f"- {_dur(s.secs)} {s.hr_pct}% LTHR"
        if s.lo != s.hi:
            return f"- {_dur(s.secs)} ramp {int(s.lo * 100)}-{int(s.hi * 100)}%"
        return f"- {_dur(s.secs)} {int(round(s.lo * 100))}%"

    parts = []
    for item in session.items:
        if isinstance(item, Repeat):
            parts.append(
                f"\n{item.text or 'Main set'} {item.reps}x\n"
                + "\n".join(line(s) for s in item.steps)
                + "\n"
            )
        else:
            parts.append((f"{item.text}\n" if item.text else "") + line(item))
    return "\n".join(parts).strip()


def _base(
    seed: int, eid: int, category: str, day: date, start: str, end: str | None
) -> dict[str, Any]:
    return {
        "id": eid,
        "uid": _uid(seed, eid),
        "athlete_id": profile.ATHLETE_ID,
        "category": category,
        "type": None,
        "name": None,
        "description": None,
        "start_date_local": start,
        "end_date_local": end,
        "indoor": False,
        "color": None,
        "moving_time": None,
        "distance": None,
        "icu_training_load": None,
        "icu_intensity": None,
        "icu_ftp": None,
        "w_prime": None,
        "p_max": None,
        "joules": None,
        "joules_above_ftp": None,
        "icu_ctl": None,
        "icu_atl": None,
        "target": None,
        "carbs_per_hour": None,
        "tags": [],
        "attachments": [],
        "external_id": None,
        "paired_activity_id": None,
        "not_on_fitness_chart": False,
        "show_as_note": False,
        "show_on_ctl_line": False,
        "for_week": False,
        "entered": False,
        "updated": None,
        "workout_doc": None,
    }


def _updated(day: date, seed: int, eid: int) -> str:
    """Planned entries were last edited on the Sunday evening before their week."""
    rng = random.Random(f"{seed}:upd:{eid}")
    sunday = day - timedelta(days=day.weekday() + 1)
    moment = datetime.combine(
        sunday,
        time(
            18,
            rng.randint(0, 59),
            rng.randint(0, 59),
            rng.randint(0, 999) * 1000,
            tzinfo=UTC,
        ),
    )
    return stamp(moment)


def session_event(seed: int, session: Session, done: bool) -> dict[str, Any]:
    """The calendar entry that planned a session (WORKOUT, or RACE_* for races)."""
    day = session.day
    eid = event_id(day, session.k)
    end = f"{(day + timedelta(days=1)).isoformat()}T00:00:00"  # the API's all-day end
    if session.race:
        start = f"{day.isoformat()}T{session.start // 3600:02d}:{session.start % 3600 // 60:02d}:00"
        ev = _base(seed, eid, session.race, day, start, end)
    else:
        ev = _base(seed, eid, "WORKOUT", day, f"{day.isoformat()}T00:00:00", end)
    sport = "Ride" if session.sport == "VirtualRide" else session.sport
    indoor = session.sport in ("VirtualRide", "VirtualRow") or session.kind in ("strength",)
    ftp = None
    if session.sport in workouts.CYCLING:
        ftp = (
            profile.ftp_indoor(seed, day)
            if session.sport == "VirtualRide"
            else profile.ftp_outdoor(seed, day)
        )
    factor = workouts.intensity_factor(session, session.steps)
    secs = session.secs
    load = int(round(secs / 3600 * factor * factor * 100))
    rng = random.Random(f"{seed}:{day.isoformat()}:{session.k}:event")
    ev.update(
        type=sport,
        name=session.name.replace("Zwift - ", ""),
        indoor=indoor,
        moving_time=secs,
        icu_training_load=load,
        updated=_updated(day, seed, eid),
    )
    if done:
        ev["paired_activity_id"] = activity_id(day, session.k)
    if session.race:
        km = {"RACE_A": 162.0, "RACE_B": 95.0}.get(session.race, 48.0)
        ev.update(
            distance=km * 1000,
            description=f"A race. Goal: {rng.choice(['top 20%', 'finish strong', 'sub-target time'])}.",
            tags=["race"],
            carbs_per_hour=80 if secs > 7200 else None,
        )
        return ev
    if ftp:
        ev.update(
            icu_intensity=round(factor * 100, 1),
            icu_ftp=ftp,
            w_prime=int(profile.w_prime(seed, day)),
            p_max=int(profile.p_max(seed, day)),
            joules=int(workouts.mean_intensity(session, session.steps) * ftp * secs),
            joules_above_ftp=int(sum(max(0.0, s.mean - 1) * ftp * s.secs for s in session.steps)),
        )
    if session.planned == "doc" and session.target:
        ev["target"] = session.target
        ev["workout_doc"] = workout_doc(session, ftp)
        body = describe(session)
        if rng.random() < 0.25:
            body = (
                rng.choice(
                    [
                        "NOTE: keep cadence above 90 on the reps",
                        "NOTE: cut the last rep if power fades by 5 %\nNOTE: fuel 40 g",
                    ]
                )
                + "\n\n"
                + body
            )
        ev["description"] = body
        if secs > 5400:
            ev["carbs_per_hour"] = 60
    else:
        text = TEXT_ONLY.get(session.kind)
        if text is None:
            text = f"Imported from TrainerRoad: {ev['name']}. No structure available."
        ev["description"] = text
    return ev


# ----------------------------------------------------------------- other entries


def _marker(
    seed: int, category: str, start: date, days: int, name: str, text: str
) -> dict[str, Any]:
    eid = event_id(start, SLOT_SICK if category == "SICK" else SLOT_INJURED)
    ev = _base(
        seed,
        eid,
        category,
        start,
        f"{start.isoformat()}T00:00:00",
        f"{(start + timedelta(days=days)).isoformat()}T00:00:00",
    )
    ev.update(
        name=name,
        description=text,
        updated=stamp(
            datetime.combine(start + timedelta(days=days - 1), time(20, 14, 9), tzinfo=UTC)
        ),
    )
    return ev


def _attachment(seed: int, kind: str, filename: str, mimetype: str) -> dict[str, Any]:
    att_id = hashlib.sha1(f"{seed}:{kind}".encode()).hexdigest()[:8]
    return {
        "id": att_id,
        "filename": filename,
        "mimetype": mimetype,
        "url": f"/files/{att_id}/{filename}",
    }


def goal_races(today: date) -> dict[str, date]:
    """Race dates relative to the week of today: B in 7-13 days, C in 21-27, A in 42-48."""
    b = today + timedelta(days=7)
    b += timedelta(days=(5 - b.weekday()) % 7)
    c = today + timedelta(days=21)
    c += timedelta(days=(6 - c.weekday()) % 7)
    a = today + timedelta(days=42)
    a += timedelta(days=(6 - a.weekday()) % 7)
    return {"RACE_A": a, "RACE_B": b, "RACE_C": c}


def goal_race_events(
    seed: int, today: date
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, bytes]]]:
    dates = goal_races(today)
    files: dict[str, tuple[str, bytes]] = {}
    out = []
    spec = {
        "RACE_A": (
            "Maas & Heuvelland Gran Fondo",
            "Ride",
            104000.0,
            3 * 3600 + 2700,
            215,
            "07:45:00",
        ),
        "RACE_B": ("Eifel Gravel Classic", "GravelRide", 62000.0, 2 * 3600 + 2400, 160, "09:30:00"),
        "RACE_C": ("Club criterium", "Ride", 48000.0, 4500, 95, "14:00:00"),
    }
    for category, day in dates.items():
        name, sport, dist, secs, load, clock = spec[category]
        eid = event_id(day, SLOT_RACE[category])
        end = f"{(day + timedelta(days=1)).isoformat()}T00:00:00"
        ev = _base(seed, eid, category, day, f"{day.isoformat()}T{clock}", end)
        ev.update(
            type=sport,
            name=name,
            moving_time=secs,
            distance=dist,
            icu_training_load=load,
            description=f"{category.replace('_', ' ')} race. Goal: {'podium in age group' if category == 'RACE_A' else 'race smart'}.",
            tags=["goal"] if category == "RACE_A" else ["race"],
            carbs_per_hour=80 if secs > 7200 else None,
            updated=_updated(today - timedelta(days=30), seed, eid),
        )
        if category == "RACE_A":
            att = _attachment(
                seed, "race-a-gpx", "maas-heuvelland-gran-fondo.gpx", "application/gpx+xml"
            )
            files[att["url"]] = (att["mimetype"], gpx_bytes(race_route(seed), name))
            ev["attachments"] = [att]
        elif category == "RACE_B":
            att = _attachment(
                seed, "race-b-tcx", "eifel-gravel-classic.tcx", "application/vnd.garmin.tcx+xml"
            )
            files[att["url"]] = (att["mimetype"], tcx_bytes(gravel_route(seed), name))
            ev["attachments"] = [att]
        out.append(ev)
    return out, files


def markers_and_notes(seed: int, first: date, last: date) -> list[dict[str, Any]]:
    out = []
    for year in range(first.year - 1, last.year + 1):
        sick = date(year, *plan.SICK_START)
        if first - timedelta(days=plan.SICK_DAYS) <= sick <= last:
            out.append(
                _marker(
                    seed,
                    "SICK",
                    sick,
                    plan.SICK_DAYS,
                    "Cold",
                    "Head cold with a temperature, no training.",
                )
            )
        hurt = date(year, *plan.INJURY_START)
        if first - timedelta(days=plan.INJURY_DAYS) <= hurt <= last:
            out.append(
                _marker(
                    seed,
                    "INJURED",
                    hurt,
                    plan.INJURY_DAYS,
                    "Achilles niggle",
                    "Left Achilles sore after the long run; no running this week.",
                )
            )
    day = first
    while day <= last:
        if day.weekday() == 0 and plan.week_index(day) % 4 == 0 and plan.season(day) != "break":
            eid = event_id(day, SLOT_NOTE)
            ev = _base(
                seed,
                eid,
                "NOTE",
                day,
                f"{day.isoformat()}T00:00:00",
                f"{(day + timedelta(days=1)).isoformat()}T00:00:00",
            )
            ev.update(
                name="Block start",
                description=NOTES[plan.week_index(day) // 4 % 4],
                show_as_note=True,
                updated=_updated(day, seed, eid),
            )
            out.append(ev)
        day += timedelta(days=1)
    return out
