"""The demo athlete as TrainingPeaks would show it.

`build_tp_view(data)` turns a `DemoData` into the records the fake
TrainingPeaks API serves (tp_server.py), shaped like the real internal API:
completed workouts (the same sessions Intervals.icu holds, with TrainingPeaks'
own TSS, feeling, RPE and comments), planned workouts (the coach's plan: the
Intervals.icu calendar's workouts plus a few that exist only in
TrainingPeaks), A/B/C events (the Intervals.icu races plus one C race only
TrainingPeaks holds), calendar notes, health metrics  and Annual Training Plan weeks around today.
Fitness and personal records are computed on request from the completed
workouts.

`keep_recent_health_in_tp(data)` (the both-sources demo) removes HRV and
resting HR of the last few days from the Intervals.icu wellness, as when a
watch syncs them to TrainingPeaks only, so the fill can be seen working.

`add_tp2intervals_footers(data, view)` marks a few Intervals.icu calendar
workouts as copies made by tp2intervals (the both-sources demo), so the
de-duplication by source id can be seen working.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .curves import power_profile
from .dataset import DemoData

TP_ATHLETE_ID = 4_711_011
TSS_FACTOR = 1.04  # TrainingPeaks' TSS runs a little above Intervals.icu's load here
TP_ONLY_EVERY = 9  # every ninth planned day gets an extra TrainingPeaks-only session
FOOTER_EVERY = 3  # every third copied workout carries a tp2intervals footer
FOOTER_RULE = "/" * 10

# Intervals.icu activity type -> TrainingPeaks workoutTypeValueId
TYPE_IDS = {
    "Swim": 1,
    "Ride": 2,
    "VirtualRide": 2,
    "GravelRide": 2,
    "Run": 3,
    "TrailRun": 3,
    "MountainBikeRide": 8,
    "WeightTraining": 9,
    "NordicSki": 11,
    "VirtualRow": 12,
    "Rowing": 12,
    "Walk": 13,
    "Hike": 13,
}
OTHER_TYPE = 100
PRIORITY = {"RACE_A": "A", "RACE_B": "B", "RACE_C": "C"}
HEALTH_TYPES = (  # (type id, label, units, wellness field, scale)
    (60, "HRV", "ms", "hrv", 1.0),
    (5, "Pulse", "bpm", "restingHR", 1.0),
    (6, "Sleep Hours", "h", "sleepSecs", 1 / 3600),
    (9, "Weight", "kg", "weight", 1.0),
)
STEPS_TYPE = 58
POWER_SECONDS = {
    "power5sec": 5,
    "power1min": 60,
    "power5min": 300,
    "power10min": 600,
    "power20min": 1200,
    "power60min": 3600,
    "power90min": 5400,
}
HR_SECONDS = {
    "hR5sec": 5,
    "hR1min": 60,
    "hR5min": 300,
    "hR10min": 600,
    "hR20min": 1200,
    "hR60min": 3600,
    "hR90min": 5400,
}
RUN_METERS = {
    "speed400Meter": 400,
    "speed800Meter": 800,
    "speed1K": 1000,
    "speed1Mi": 1609,
    "speed5K": 5000,
    "speed5Mi": 8047,
    "speed10K": 10000,
    "speed10Mi": 16093,
    "speedHalfMarathon": 21097,
    "speedMarathon": 42195,
    "speed50K": 50000,
}
PEAK_ROWS = 10
TP_ONLY_RACE_DAYS = 24  # the C race only TrainingPeaks holds, days after today
HEALTH_ONLY_DAYS = 3  # the last days before today: HRV and resting HR reached TrainingPeaks only
HEALTH_ONLY_FIELDS = ("hrv", "restingHR")
ATP_PERIODS = ("Base 3", "Build 1", "Build 1", "Build 2", "Build 2", "Peak", "Race", "Transition")
ATP_WEEKS_BACK = 4


@dataclass
class TpView:
    """What the demo athlete's TrainingPeaks account holds."""

    cookie: str
    user: dict[str, Any]
    workouts: list[dict[str, Any]]  # planned and completed, ascending by day
    events: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    health: list[dict[str, Any]]
    today: date
    by_icu_event: dict[int, int] = field(default_factory=dict)  # ICU event id -> TP workout id
    atp: list[dict[str, Any]] = field(default_factory=list)  # Annual Training Plan weeks
    # workout id -> best watts by duration (s), the demo athlete's own mean-maximal power
    power_bests: dict[int, dict[int, int]] = field(default_factory=dict)

    def workout(self, workout_id: int) -> dict[str, Any] | None:
        return next((w for w in self.workouts if w["workoutId"] == workout_id), None)


def _digest(*parts: Any) -> int:
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:6], "big")


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if isinstance(text, str) and len(text) >= 10 else None


def _structure(minutes: float, intensity: float) -> str:
    """A small TP structure (warm-up, main block, cool-down) as a JSON string."""
    total = max(20, int(minutes))
    warm, cool = 10 * 60, 5 * 60
    main = total * 60 - warm - cool

    def step(name: str, seconds: int, pct: float, klass: str) -> dict[str, Any]:
        return {
            "name": name,
            "length": {"value": seconds, "unit": "second"},
            "targets": [{"minValue": round(pct - 5), "maxValue": round(pct + 5)}],
            "intensityClass": klass,
            "openDuration": False,
        }

    blocks = []
    begin = 0
    for name, seconds, pct, klass in (
        ("Warm up", warm, 60.0, "warmUp"),
        ("Main", main, intensity, "active"),
        ("Cool down", cool, 50.0, "coolDown"),
    ):
        blocks.append(
            {
                "type": "step",
                "length": {"value": 1, "unit": "repetition"},
                "steps": [step(name, seconds, pct, klass)],
                "begin": begin,
                "end": begin + seconds,
            }
        )
        begin += seconds
    return json.dumps(
        {
            "structure": blocks,
            "primaryLengthMetric": "duration",
            "primaryIntensityMetric": "percentOfFtp",
            "primaryIntensityTargetOrRange": "range",
        }
    )


def _first(raw: dict[str, Any], *keys: str) -> Any:
    return next((raw[k] for k in keys if raw.get(k) is not None), None)


def _completed(activity: dict[str, Any], seed: int) -> dict[str, Any]:
    """A TrainingPeaks completed workout for one Intervals.icu activity."""
    day = _day(activity["start_date_local"])
    assert day is not None
    key = _digest(seed, "tp-done", activity["id"])
    load = activity.get("icu_training_load")
    intensity = activity.get("icu_intensity")
    comments = (
        "Legs felt good today." if key % 5 == 0 else ("Windy, held back." if key % 7 == 0 else None)
    )
    return {
        "workoutId": 900_000_000 + key % 90_000_000,
        "athleteId": TP_ATHLETE_ID,
        "workoutDay": f"{day.isoformat()}T00:00:00",
        "startTime": activity["start_date_local"],
        "title": activity.get("name"),
        "workoutTypeValueId": TYPE_IDS.get(activity.get("type") or "", OTHER_TYPE),
        "completed": True,
        "totalTime": round((activity.get("moving_time") or 0) / 3600, 4),
        "totalTimePlanned": None,
        "tssActual": round(load * TSS_FACTOR, 1) if isinstance(load, (int, float)) else None,
        "tssPlanned": None,
        "if": round(intensity / 100, 3) if isinstance(intensity, (int, float)) else None,
        "distance": activity.get("distance"),
        "powerAverage": _first(activity, "icu_average_watts", "average_watts"),
        "normalizedPowerActual": _first(
            activity, "icu_weighted_avg_watts", "weighted_average_watts"
        ),
        "heartRateAverage": activity.get("average_heartrate"),
        "heartRateMaximum": activity.get("max_heartrate"),
        "elevationGain": activity.get("total_elevation_gain"),
        "calories": activity.get("calories"),
        "velocityAverage": activity.get("average_speed"),
        "feeling": 1 + key % 10,
        "rpe": activity.get("icu_rpe"),
        "athleteComments": comments,
        "coachComments": "Nice pacing." if key % 11 == 0 else None,
        "description": None,
        "structure": None,
        "tssSource": "Power" if _first(activity, "icu_average_watts") else "HeartRate",
    }


def _planned(event: dict[str, Any], seed: int, *, extra: bool = False) -> dict[str, Any]:
    """A TrainingPeaks planned workout for one calendar workout."""
    day = _day(event["start_date_local"])
    assert day is not None
    key = _digest(seed, "tp-plan", event["id"], extra)
    seconds = event.get("moving_time") or 3600
    load = event.get("icu_training_load")
    hours = seconds / 3600
    planned_if = math.sqrt(load / (100 * hours)) if load and hours else 0.65
    return {
        "workoutId": 800_000_000 + key % 90_000_000,
        "athleteId": TP_ATHLETE_ID,
        "workoutDay": f"{day.isoformat()}T00:00:00",
        "startTimePlanned": None,
        "title": event.get("name"),
        "workoutTypeValueId": TYPE_IDS.get(event.get("type") or "", OTHER_TYPE),
        "completed": False,
        "totalTime": None,
        "totalTimePlanned": round(hours, 4),
        "tssPlanned": load,
        "ifPlanned": round(planned_if, 3),
        "distancePlanned": event.get("distance"),
        "description": event.get("description"),
        "coachComments": "Keep the recoveries honest." if key % 4 == 0 else None,
        "athleteComments": None,
        "feeling": None,
        "rpe": None,
        "structure": _structure(seconds / 60, round(planned_if * 100)),
    }


def _tp_only(day: date, seed: int) -> dict[str, Any]:
    """A short core session the coach planned only in TrainingPeaks."""
    key = _digest(seed, "tp-only", day)
    return {
        "workoutId": 700_000_000 + key % 90_000_000,
        "athleteId": TP_ATHLETE_ID,
        "workoutDay": f"{day.isoformat()}T00:00:00",
        "startTimePlanned": None,
        "title": "Core stability",
        "workoutTypeValueId": 9,
        "completed": False,
        "totalTime": None,
        "totalTimePlanned": 0.5,
        "tssPlanned": 15,
        "ifPlanned": 0.55,
        "distancePlanned": None,
        "description": "Plank series, side planks, glute bridges.",
        "coachComments": "Do this after the easy ride.",
        "athleteComments": None,
        "feeling": None,
        "rpe": None,
        "structure": _structure(30, 55),
    }


def _event(event: dict[str, Any], seed: int) -> dict[str, Any]:
    day = _day(event["start_date_local"])
    assert day is not None
    return {
        "id": 600_000 + _digest(seed, "tp-event", event["id"]) % 400_000,
        "eventDate": f"{day.isoformat()}T00:00:00",
        "name": event.get("name"),
        "eventType": "RoadRace" if event.get("type") != "Run" else "Running",
        "atpPriority": PRIORITY[event["category"]],
        "ctlTarget": {"A": 85, "B": 75, "C": None}[PRIORITY[event["category"]]],
        "description": event.get("description"),
        "isHidden": False,
    }


def _note(event: dict[str, Any]) -> dict[str, Any]:
    day = _day(event["start_date_local"])
    assert day is not None
    return {
        "id": event["id"],
        "noteDate": f"{day.isoformat()}T00:00:00",
        "title": event.get("name"),
        "description": event.get("description"),
    }


def _health(row: dict[str, Any], seed: int) -> dict[str, Any]:
    day = date.fromisoformat(row["id"])
    details = [
        {"type": tid, "label": label, "value": round(row[name] * scale, 2), "units": units}
        for tid, label, units, name, scale in HEALTH_TYPES
        if isinstance(row.get(name), (int, float))
    ]
    details.append(
        {
            "type": STEPS_TYPE,
            "label": "Steps",
            "value": 6000 + _digest(seed, "steps", day) % 6000,
            "units": "steps",
        }
    )
    return {"timeStamp": f"{day.isoformat()}T07:00:00", "details": details}


def _tp_only_race(today: date, seed: int) -> dict[str, Any]:
    day = today + timedelta(days=TP_ONLY_RACE_DAYS)
    return {
        "id": 600_000 + _digest(seed, "tp-only-race") % 400_000,
        "eventDate": f"{day.isoformat()}T00:00:00",
        "name": "Club time trial",
        "eventType": "TimeTrial",
        "atpPriority": "C",
        "ctlTarget": None,
        "description": "10 mile club TT, entered in TrainingPeaks only.",
        "isHidden": False,
    }


def _atp_weeks(today: date, races: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A plan of ATP_PERIODS weeks starting ATP_WEEKS_BACK Mondays ago."""
    monday = today - timedelta(days=today.weekday() + 7 * ATP_WEEKS_BACK)
    a_races = sorted(
        (day, r["name"])
        for r in races
        if r.get("atpPriority") == "A" and (day := _day(r["eventDate"])) is not None
    )
    weeks = []
    for index, period in enumerate(ATP_PERIODS):
        week = monday + timedelta(days=7 * index)
        ahead = next(((day, name) for day, name in a_races if day >= week), None)
        weeks.append(
            {
                "week": f"{week.isoformat()}T00:00:00",
                "volume": 420 + 30 * (index % 4) - (120 if period in ("Race", "Transition") else 0),
                "period": period,
                "raceName": ahead[1] if ahead else None,
                "racePriority": "A" if ahead else None,
                "weeksToNextPriorityEvent": (ahead[0] - week).days // 7 if ahead else None,
            }
        )
    return weeks


def build_tp_view(data: DemoData) -> TpView:
    """The demo athlete's TrainingPeaks account (deterministic in the seed)."""
    today = data.today or max(_day(a["start_date_local"]) or date.min for a in data.activities)
    seed = data.seed
    done = [_completed(a, seed) for a in data.activities if a.get("type")]
    planned: list[dict[str, Any]] = []
    by_icu: dict[int, int] = {}
    for event in data.events:
        day = _day(event.get("start_date_local"))
        if event.get("category") != "WORKOUT" or day is None or day < today:
            continue
        row = _planned(event, seed)
        planned.append(row)
        by_icu[event["id"]] = row["workoutId"]
    planned_days = sorted({date.fromisoformat(w["workoutDay"][:10]) for w in planned})
    planned += [_tp_only(d, seed) for i, d in enumerate(planned_days) if i % TP_ONLY_EVERY == 1]
    workouts = sorted(done + planned, key=lambda w: (w["workoutDay"], w["workoutId"]))
    events = [_event(e, seed) for e in data.events if e.get("category") in PRIORITY]
    events.append(_tp_only_race(today, seed))
    notes = [_note(e) for e in data.events if e.get("category") == "NOTE"]
    health = [_health(r, seed) for r in data.wellness]
    ftp = next((s.get("ftp") for s in data.athlete.get("sportSettings", []) if s.get("ftp")), None)
    user = {
        "user": {
            "userId": TP_ATHLETE_ID,
            "firstName": "Demo",
            "lastName": "Athlete",
            "username": "demo.athlete@example.com",
            "accountType": "Premium",
            "timeZone": data.athlete.get("timezone"),
            "athletes": [
                {
                    "athleteId": TP_ATHLETE_ID,
                    "cyclingFtp": ftp,
                    "runningFtp": None,
                    "swimFtp": None,
                    "weight": data.athlete.get("icu_weight"),
                    "sex": "m",
                }
            ],
        },
        "accountStatus": {"isAthlete": True, "isPremium": True},
    }
    cookie = "V001" + hashlib.sha256(f"tp-cookie-{seed}".encode()).hexdigest() * 4
    atp = _atp_weeks(today, events)
    bests = {
        w["workoutId"]: power_profile(data.details[str(a["id"])], seed)
        for w, a in zip(done, (a for a in data.activities if a.get("type")), strict=True)
        if str(a["id"]) in data.details
    }
    return TpView(cookie, user, workouts, events, notes, health, today, by_icu, atp, bests)


def fitness_series(view: TpView, start: date, end: date) -> list[dict[str, Any]]:
    """TrainingPeaks' performance data: CTL and ATL seeded at 0 on `start`."""
    daily: dict[date, float] = {}
    for w in view.workouts:
        day = _day(w["workoutDay"])
        if w.get("completed") and day and isinstance(w.get("tssActual"), (int, float)):
            daily[day] = daily.get(day, 0.0) + w["tssActual"]
    ctl = atl = 0.0
    rows = []
    day = start
    while day <= end:
        tss = daily.get(day, 0.0)
        tsb = ctl - atl
        ctl += (tss - ctl) / 42
        atl += (tss - atl) / 7
        rows.append(
            {
                "workoutDay": f"{day.isoformat()}T00:00:00",
                "tssActual": round(tss, 1),
                "ctl": round(ctl, 2),
                "atl": round(atl, 2),
                "tsb": round(tsb, 2),
            }
        )
        day += timedelta(days=1)
    return rows


def _peak_value(view: TpView, w: dict[str, Any], pr_type: str) -> float | None:
    seconds = (w.get("totalTime") or 0) * 3600
    if pr_type in POWER_SECONDS:
        return view.power_bests.get(w["workoutId"], {}).get(POWER_SECONDS[pr_type])
    if pr_type in HR_SECONDS:
        top = w.get("heartRateMaximum")
        if not isinstance(top, (int, float)) or seconds < HR_SECONDS[pr_type]:
            return None
        return round(top - 8 * math.log10(HR_SECONDS[pr_type]))
    meters = RUN_METERS.get(pr_type)
    speed = w.get("velocityAverage")
    if meters is None or not isinstance(speed, (int, float)) or (w.get("distance") or 0) < meters:
        return None
    return round(speed * (1 + 0.05 * math.exp(-meters / 5000)), 3)


def personal_records(
    view: TpView, sport: str, pr_type: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Ranked records of one kind among the completed workouts in [start, end]."""
    families = {"Bike": (2, 8), "Run": (3,)}[sport]
    found = []
    for w in view.workouts:
        day = _day(w["workoutDay"])
        if not w.get("completed") or w["workoutTypeValueId"] not in families or day is None:
            continue
        if not start.date() <= day <= end.date():
            continue
        value = _peak_value(view, w, pr_type)
        if value is not None:
            found.append((value, w))
    found.sort(key=lambda pair: (-pair[0], pair[1]["workoutDay"]))
    return [
        {
            "rank": rank,
            "value": value,
            "workoutId": w["workoutId"],
            "workoutTitle": w["title"],
            "workoutDate": w["workoutDay"],
        }
        for rank, (value, w) in enumerate(found[:PEAK_ROWS], start=1)
    ]


def footer(tp_workout_id: int) -> str:
    """The footer tp2intervals appends to the workouts it copies."""
    return f"\n\n{FOOTER_RULE}\ntrainingPeaksId={tp_workout_id}"


def add_tp2intervals_footers(data: DemoData, view: TpView) -> int:
    """Mark every FOOTER_EVERY-th upcoming Intervals.icu workout as a
    tp2intervals copy of its TrainingPeaks twin; returns how many."""
    marked = 0
    for index, event in enumerate(e for e in data.events if e["id"] in view.by_icu_event):
        if index % FOOTER_EVERY:
            continue
        event["description"] = (event.get("description") or "") + footer(
            view.by_icu_event[event["id"]]
        )
        marked += 1
    return marked


def keep_recent_health_in_tp(data: DemoData, today: date) -> int:
    """Drop HEALTH_ONLY_FIELDS of the HEALTH_ONLY_DAYS days before today from the
    Intervals.icu wellness (build the TrainingPeaks view first); returns how
    many values were dropped."""
    first = today - timedelta(days=HEALTH_ONLY_DAYS)
    dropped = 0
    for row in data.wellness:
        if first <= date.fromisoformat(row["id"]) < today:
            for name in HEALTH_ONLY_FIELDS:
                dropped += row.pop(name, None) is not None
    return dropped
