"""Race calendar, taper alert, race-week protocol and race alerts (docs/metrics.md#race-calendar).

docs/metrics.md#race-calendar race list and next race, docs/metrics.md#race-calendar taper alert, docs/metrics.md#race-calendar race-week selection,
docs/metrics.md#race-calendar the race-week block (day protocol table and modifiers, TSS budget,
projected race-day TSB, carb loading, opener, go/no-go), docs/metrics.md#race-calendar race alerts,
which the alerts module appends after its sorted list (quirk 10, kept).

Inputs are calendar events dated today or later, the display-window
activities, today (athlete-local), CTL/ATL of the fitness block and the unit
preferences. An event whose date cannot be parsed has no days_until and is
skipped, never a crash.

Kept on purpose: the race-day projection decays CTL and ATL with
exp(-1/42) / exp(-1/7) per day and zero load, like the fitness block (quirk 3).
Deviation: when CTL or ATL is unknown the projection is null and
go_no_go.tsb_status is "unknown" (the reference has no such case); no
race_week_tsb warning is raised from a missing number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ..event_model import Event
from ..model import Activity
from ..numbers import finite, round_float, round_int
from ..sports import RACE_CATEGORIES
from ..units import to_display
from .fitness import ATL_DECAY, CTL_DECAY

UNNAMED = "Unnamed Race"
RACE_WEEK_DAYS = 7
TAPER_DAYS = (8, 14)
SHORT_MAX_S = 5400  # < 90 min: short_intense
MEDIUM_MAX_S = 10800  # <= 3 h: medium
CARB_LOAD_DAYS = 4
OPENER_DAYS = 2

BUDGET_FRACTIONS = {"RACE_A": (0.40, 0.55), "RACE_B": (0.50, 0.65)}
TSB_TARGETS = {"short_intense": (5, 15), "medium": (10, 20), "long_endurance": (10, 25)}
OPENER_INTENSITY = {"long_endurance": "lighter", "short_intense": "more_intense"}

TAPER_MESSAGE = (
    "Your A race is {days} days away: the taper starts now. Cut training volume by "
    "roughly 41-60% over the next two weeks but keep some intensity in; fitness (CTL) "
    "should be peaking about now."
)
CARB_NOTE = (
    "Carb loading from D-4: about 10-12 g of carbohydrate per kg body weight per day "
    "over the last days, with no depletion phase beforehand."
)

# D -> (label, min x CTL, max x CTL, zones, purpose)
DAY_PROTOCOL: dict[int, tuple[str, float, float, str, str]] = {
    7: (
        "Last key session",
        0.75,
        1.00,
        "3-5 efforts of 1-3 min in Z4-Z5, rest Z1-Z2",
        (
            "Last real stimulus of the build: enough intensity to hold fitness, "
            "not enough to leave fatigue."
        ),
    ),
    6: (
        "Recovery",
        0.0,
        0.30,
        "Z1-Z2 only",
        "Absorb the last key session: short and easy, or a day off.",
    ),
    5: (
        "Moderate endurance",
        0.40,
        0.60,
        "Z1-Z2 with 2-3 short race-pace touches",
        "Keep the legs turning over and rehearse race pace briefly.",
    ),
    4: ("Easy / rest", 0.0, 0.40, "Z1-Z2", "Protect freshness: rest or a short easy session."),
    3: ("Easy / rest", 0.0, 0.40, "Z1-Z2", "Protect freshness: rest or a short easy session."),
    2: (
        "Opener",
        0.30,
        0.50,
        "3-5 efforts of 20-60 s in Z4-Z6, full recovery between",
        "Wake the legs up for race day without adding fatigue.",
    ),
    1: (
        "Rest / minimal",
        0.0,
        0.20,
        "Z1 only",
        "Rest, or 20-30 min very easy; check kit, fuel and travel.",
    ),
    0: (
        "Race day",
        0.0,
        0.0,
        "Race effort",
        "Warm up to suit the event, then follow the pacing and fuelling plan.",
    ),
}
OPENER_LONG = (
    "3-4 efforts in Z4 only, full recovery between",
    "A lighter opener: a long race needs fresh legs more than a sharp top end.",
)
OPENER_SHORT = (
    "5-6 efforts of 10-30 s in Z4-Z6, full recovery between",
    "A sharper opener: a short intense race starts hard, so prime the top end.",
)
LONG_EASY_MIN = 0.20
LONG_EASY_EXTRA = (
    " Carb loading is under way: a little easy movement helps store glycogen, "
    "so do not skip the session entirely."
)
PRE_RACE_WEEK = (
    "Pre-race-week",
    None,
    None,
    "Normal training",
    "The race-week protocol starts at D-7.",
)


# ----------------------------------------------------------------- helpers


def _start_time(start_local: str | None) -> str | None:
    """ "HH:MM" of a local start datetime, None for midnight (a date-only entry)."""
    if not start_local or len(start_local) < 16 or start_local[10] not in "T ":
        return None
    hhmm = start_local[11:16]
    if not (hhmm[:2].isdigit() and hhmm[2] == ":" and hhmm[3:].isdigit()):
        return None
    return None if hhmm == "00:00" else hhmm


def days_until(event: Event, today: date) -> int | None:
    return (event.date - today).days if event.date is not None else None


# ----------------------------------------------------------------- docs/metrics.md#race-calendar


def race_entry(
    event: Event,
    today: date,
    units: Mapping[str, str] | None,
    terrain_ids: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    """One `race_calendar.all_races[]` entry (docs/metrics.md#race-calendar); terrain_ids: event ids
    (str) with a route terrain summary."""
    distance = event.distance
    entry: dict[str, Any] = {
        "name": event.name or UNNAMED,
        "date": event.date.isoformat() if event.date else None,
        "category": event.category,
        "type": event.type,
        "days_until": days_until(event, today),
        "moving_time_seconds": event.moving_time,
        "distance_meters": distance,
        "display": {
            "distance": to_display(distance / 1000, "distance", units)
            if distance is not None and distance > 0
            else None
        },
        "has_terrain": event.id is not None and event.id in terrain_ids,
    }
    start = _start_time(event.start_local)
    if start:
        entry["start_time"] = start
    if event.indoor is True:
        entry["indoor"] = True
    return entry


def race_events(future_events: Iterable[Event], today: date) -> list[Event]:
    """RACE_A/B/C events dated today or later, nearest first (stable on ties)."""
    dated = [
        (days, e)
        for e in future_events
        if e.category in RACE_CATEGORIES
        and (days := days_until(e, today)) is not None
        and days >= 0
    ]
    return [e for _, e in sorted(dated, key=lambda pair: pair[0])]


# ----------------------------------------------------------------- docs/metrics.md#race-calendar


def taper_alert(races: Sequence[Event], today: date) -> dict[str, Any]:
    """First RACE_A 8-14 days out -> {active:true, event_name, event_date, days_until,
    message}; else {active:false} (docs/metrics.md#race-calendar)."""
    for event in races:
        if event.category != "RACE_A" or event.date is None:
            continue
        d = (event.date - today).days
        if TAPER_DAYS[0] <= d <= TAPER_DAYS[1]:
            return {
                "active": True,
                "event_name": event.name or UNNAMED,
                "event_date": event.date.isoformat(),
                "days_until": d,
                "message": TAPER_MESSAGE.format(days=d),
            }
    return {"active": False}


def select_race_week(races: Sequence[Event], today: date) -> Event | None:
    """RACE_A or RACE_B within 7 days: the first RACE_A, else the first candidate (docs/metrics.md#race-calendar)."""
    candidates = [
        e
        for e in races
        if e.category in BUDGET_FRACTIONS
        and (d := days_until(e, today)) is not None
        and d <= RACE_WEEK_DAYS
    ]
    return next(
        (e for e in candidates if e.category == "RACE_A"), candidates[0] if candidates else None
    )


# ----------------------------------------------------------------- docs/metrics.md#race-calendar


def duration_class(moving_time: float | None, category: str | None) -> str:
    """short_intense (< 90 min), medium (<= 3 h), long_endurance; an unknown
    duration counts as long for RACE_A, medium otherwise (docs/metrics.md#race-calendar)."""
    if moving_time is None or moving_time <= 0:
        return "long_endurance" if category == "RACE_A" else "medium"
    if moving_time < SHORT_MAX_S:
        return "short_intense"
    return "medium" if moving_time <= MEDIUM_MAX_S else "long_endurance"


def tsb_target_range(klass: str, category: str | None) -> dict[str, int]:
    """Race-day TSB target by duration class; RACE_B 5 lower (floor 0 for min)."""
    low, high = TSB_TARGETS[klass]
    if category == "RACE_B":
        low, high = max(0, low - 5), high - 5
    return {"min": low, "max": high}


def project_tsb(ctl: float | None, atl: float | None, days: int) -> float | None:
    """Race-day TSB with zero load: CTL·e^(-1/42) and ATL·e^(-1/7) applied `days`
    times, round 1 (docs/metrics.md#race-calendar; same decay as the fitness block). None without CTL/ATL."""
    ctl_p, atl_p = finite(ctl), finite(atl)
    if ctl_p is None or atl_p is None:
        return None
    for _ in range(max(0, days)):
        ctl_p *= CTL_DECAY
        atl_p *= ATL_DECAY
    return round_float(ctl_p - atl_p, 1)


def day_protocol(days: int, klass: str, ctl_baseline: float) -> dict[str, Any]:
    """`race_week.today`: {label, load_target_tss{min,max}, zones, purpose} for D (docs/metrics.md#race-calendar)."""
    if days not in DAY_PROTOCOL:
        label, _, _, zones, purpose = PRE_RACE_WEEK
        return {"label": label, "load_target_tss": None, "zones": zones, "purpose": purpose}
    label, low, high, zones, purpose = DAY_PROTOCOL[days]
    if days == OPENER_DAYS and klass == "long_endurance":
        zones, purpose = OPENER_LONG
    elif days == OPENER_DAYS and klass == "short_intense":
        zones, purpose = OPENER_SHORT
    elif days in (3, 4) and klass == "long_endurance":
        low = LONG_EASY_MIN
        purpose += LONG_EASY_EXTRA
    return {
        "label": label,
        "load_target_tss": {
            "min": round_int(low * ctl_baseline),
            "max": round_int(high * ctl_baseline),
        },
        "zones": zones,
        "purpose": purpose,
    }


def _tss_spent(activities: Iterable[Activity], first: date, today: date) -> int | None:
    """int round of the TSS of activities dated first..today (null loads count 0);
    None when a garbage sum overflows."""
    loads = [
        a.load
        for a in activities
        if a.date is not None and first <= a.date <= today and a.load and a.load > 0
    ]
    try:
        return round_int(math.fsum(loads))
    except OverflowError:
        return None


def go_no_go(projected: float | None, target: Mapping[str, int]) -> dict[str, Any]:
    """{tsb_status: green | flag | unknown, notes[]} from the projected race-day TSB."""
    low, high = target["min"], target["max"]
    if projected is None:
        return {
            "tsb_status": "unknown",
            "notes": ["Race-day TSB cannot be projected: CTL or ATL is unavailable."],
        }
    if projected >= low:
        note = (
            f"Projected race-day TSB {projected} is in the {low} to {high} target range."
            if projected <= high
            else f"Projected race-day TSB {projected} is above the {low} to {high} target: "
            "fresh, keep the openers so the legs stay sharp."
        )
        return {"tsb_status": "green", "notes": [note]}
    if projected < low - 10:
        note = (
            f"Projected race-day TSB {projected} is significantly below the {low} to "
            f"{high} target: cut the remaining load hard and consider whether to start."
        )
    else:
        note = (
            f"Projected race-day TSB {projected} is below the {low} to {high} target: "
            "trim the remaining sessions to arrive fresher."
        )
    return {"tsb_status": "flag", "notes": [note]}


def race_week_block(
    event: Event,
    activities_7d: Iterable[Activity],
    today: date,
    ctl: float | None,
    atl: float | None,
) -> dict[str, Any]:
    """The active `race_calendar.race_week` block for the selected race (docs/metrics.md#race-calendar);
    inactive for an event without a date."""
    race_date = event.date
    if race_date is None:
        return {"active": False}
    d = (race_date - today).days
    category = event.category
    klass = duration_class(event.moving_time, category)
    ctl_value = finite(ctl)
    baseline = ctl_value if ctl_value is not None and ctl_value > 0 else 0.0
    normal = round_float(baseline * 7, 1)
    low_pct, high_pct = BUDGET_FRACTIONS[category if category in BUDGET_FRACTIONS else "RACE_B"]
    budget = {
        "min": round_int(normal * low_pct) if normal is not None else None,
        "max": round_int(normal * high_pct) if normal is not None else None,
    }
    spent = _tss_spent(activities_7d, race_date - timedelta(days=RACE_WEEK_DAYS), today)
    remaining = {
        key: (max(0, value - spent) if value is not None and spent is not None else None)
        for key, value in budget.items()
    }
    projected = project_tsb(ctl, atl, d)
    target = tsb_target_range(klass, category)
    moving = event.moving_time
    carb_applicable = (
        moving >= SHORT_MAX_S if moving is not None and moving > 0 else category == "RACE_A"
    )
    return {
        "active": True,
        "event_name": event.name or UNNAMED,
        "event_date": race_date.isoformat(),
        "event_category": category,
        "event_type": event.type,
        "event_duration_class": klass,
        "event_moving_time_seconds": moving,
        "days_until_event": d,
        "current_day": f"D-{d}",
        "ctl_baseline": round_float(baseline, 1),
        "normal_weekly_tss": normal,
        "race_week_tss_budget": budget,
        "race_week_tss_spent": spent,
        "race_week_tss_remaining": remaining,
        "projected_race_day_tsb": projected,
        "tsb_target_range": target,
        "today": day_protocol(d, klass, baseline),
        "carb_loading": {
            "applicable": carb_applicable,
            "active": carb_applicable and d <= CARB_LOAD_DAYS,
            "starts": f"D-{CARB_LOAD_DAYS}",
            "start_date": (race_date - timedelta(days=CARB_LOAD_DAYS)).isoformat(),
            "note": CARB_NOTE if carb_applicable else None,
        },
        "opener": {
            "day": f"D-{OPENER_DAYS}",
            "date": (race_date - timedelta(days=OPENER_DAYS)).isoformat(),
            "intensity": OPENER_INTENSITY.get(klass, "standard"),
        },
        "go_no_go": go_no_go(projected, target),
    }


# ----------------------------------------------------------------- assembly


def race_calendar(
    future_events: Iterable[Event],
    activities_7d: Iterable[Activity],
    today: date,
    ctl: float | None,
    atl: float | None,
    units: Mapping[str, str] | None,
    routes_with_terrain: Iterable[str] = frozenset(),
) -> dict[str, Any]:
    """`race_calendar` = {next_race, all_races[], taper_alert, race_week} (docs/metrics.md#race-calendar).

    future_events: calendar events dated today or later (any category; races
    are picked here). activities_7d: the display-window activities (race-week
    TSS spent). ctl/atl: the fitness block values. routes_with_terrain: event
    ids whose route has a real terrain summary.
    """
    races = race_events(future_events, today)
    terrain_ids = frozenset(str(i) for i in routes_with_terrain)
    all_races = [race_entry(e, today, units, terrain_ids) for e in races]
    selected = select_race_week(races, today)
    return {
        "next_race": all_races[0] if all_races else None,
        "all_races": all_races,
        "taper_alert": taper_alert(races, today),
        "race_week": (
            race_week_block(selected, list(activities_7d), today, ctl, atl)
            if selected is not None
            else {"active": False}
        ),
    }


def _alert(metric: str, value: Any, severity: str, threshold: str, context: str | None) -> dict:
    return {
        "metric": metric,
        "value": value,
        "severity": severity,
        "threshold": threshold,
        "context": context,
        "persistence_days": None,
        "tier": 1,
    }


def race_alerts(calendar: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Race alerts of docs/metrics.md#race-calendar (all tier 1, persistence null), in the order race_taper,
    race_week, race_week_tsb; the alerts module appends them after its sorted list."""
    if not isinstance(calendar, Mapping):
        return []
    alerts = []
    taper = calendar.get("taper_alert") or {}
    if taper.get("active") is True:
        alerts.append(
            _alert(
                "race_taper",
                taper.get("days_until"),
                "info",
                "RACE_A within 8-14 days",
                taper.get("message"),
            )
        )
    week = calendar.get("race_week") or {}
    if week.get("active") is not True:
        return alerts
    today = week.get("today") or {}
    load = today.get("load_target_tss")
    tss = f", {load['min']}-{load['max']} TSS" if isinstance(load, Mapping) else ""
    alerts.append(
        _alert(
            "race_week",
            week.get("days_until_event"),
            "info",
            f"{week.get('event_category')} within 7 days",
            f"{week.get('current_day')} before {week.get('event_name')}: today is "
            f"{today.get('label')}{tss}, {today.get('zones')}.",
        )
    )
    projected = week.get("projected_race_day_tsb")
    target = week.get("tsb_target_range") or {}
    if projected is not None and target.get("min") is not None and projected < target["min"]:
        alerts.append(
            _alert(
                "race_week_tsb",
                projected,
                "warning",
                f"TSB target {target['min']}-{target['max']}",
                f"Projected race-day TSB {projected} (no further training assumed) is below "
                f"the {target['min']}-{target['max']} target for this "
                f"{week.get('event_duration_class')} {week.get('event_category')} race.",
            )
        )
    return alerts
