"""Shared by the picture tests: the demo's documents and curves, and the marks
each chart must plot.

The expected counts are read straight from the JSON documents and from the fake
API's curve answers, independently of the chart code.
"""

from __future__ import annotations

import functools
import json
import math
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from section11.context import ChartCurves
from section11.curve_model import best_curves_from_raw
from section11.demo.dataset import build_demo

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-23T10:00:00+01:00"
TODAY = date(2026, 11, 23)
DOCUMENTS = ("latest.json", "history.json", "ftp_history.json", "routes.json")
# The windows the power and pace chart draws: the demo has no SEASON_START
# event, so its season (`s0`) is the calendar year.
CURVE_WINDOWS = {
    "last_28d": (TODAY - timedelta(days=27), f"r.{TODAY - timedelta(days=27)}.{TODAY}"),
    "last_90d": (TODAY - timedelta(days=89), f"r.{TODAY - timedelta(days=89)}.{TODAY}"),
    "season": (date(TODAY.year, 1, 1), "s0"),
}


@functools.cache
def _demo():
    return build_demo(TODAY)


def curve_answers(kind: str, sport: str) -> dict:
    """The fake API's answer for the chart's windows (one request, several curves)."""
    demo = _demo()
    assert not [e for e in demo.events if e.get("category") == "SEASON_START"]
    return {
        "list": [
            demo.curve(kind, sport, start, TODAY, cid) for start, cid in CURVE_WINDOWS.values()
        ]
    }


def demo_curves() -> ChartCurves:
    """The chart curves a demo sync on TODAY fetches (the demo athlete runs)."""
    return ChartCurves(
        power=best_curves_from_raw(curve_answers("power", "Ride"), "secs", ("watts",)),
        pace_type="Run",
        pace=best_curves_from_raw(curve_answers("pace", "Run"), "distance", ("values",)),
    )


def curve_marks(kind: str, sport: str) -> dict[str, int]:
    """Window key -> number of positive values the fake API answers for it."""
    answers = curve_answers(kind, sport)["list"]
    return {
        key: sum(1 for v in curve["values"] if v and v > 0)
        for key, curve in zip(CURVE_WINDOWS, answers)
    }


def demo_documents(out_dir: Path) -> dict:
    """Run `sync.py --demo` (fixed clock, default privacy) and read its documents."""
    env = dict(os.environ, SECTION11_NOW=NOW, SECTION11_UPDATE_CHECK="off")
    subprocess.run(
        [sys.executable, str(ROOT / "sync.py"), "--demo", "--output-dir", str(out_dir)],
        env=env,
        cwd=out_dir.parent,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return {name: json.loads((out_dir / name).read_text()) for name in DOCUMENTS}


def _days(rows, days):
    first = TODAY - timedelta(days=days - 1)
    return [r for r in rows if first.isoformat() <= r["date"] <= TODAY.isoformat()]


def _present(rows, key, lo=float("-inf"), hi=float("inf")):
    return sum(1 for r in rows if isinstance(r.get(key), (int, float)) and lo <= r[key] <= hi)


def projection(documents: dict) -> list[tuple[date, float, float]]:
    """(day, CTL, ATL) from today to the next race, the planned workouts' TSS added
    day by day with Intervals.icu's 42- and 7-day exponential constants; [] without
    a race ahead or a planned workout after today. It ends on the race's day or
    on the last planned day, whichever comes first."""
    latest = documents["latest.json"]
    race = (latest["race_calendar"].get("next_race") or {}).get("date")
    planned: dict[str, float] = {}
    for workout in latest["planned_workouts"]:
        if isinstance(workout.get("planned_tss"), (int, float)):
            planned[workout["date"]] = planned.get(workout["date"], 0) + workout["planned_tss"]
    if not race or not planned:
        return []
    end = min(date.fromisoformat(race), date.fromisoformat(max(planned)))
    if end <= TODAY:
        return []
    today = next(r for r in documents["history.json"]["daily_90d"] if r["date"] == str(TODAY))
    ctl, atl = today["ctl"], today["atl"]
    out, day = [(TODAY, ctl, atl)], TODAY
    while day < end:
        day += timedelta(days=1)
        load = planned.get(day.isoformat(), 0.0)
        ctl += (load - ctl) * (1 - math.exp(-1 / 42))
        atl += (load - atl) * (1 - math.exp(-1 / 7))
        out.append((day, ctl, atl))
    return out


def expected_marks(documents: dict) -> dict[str, dict[str, int]]:
    """chart name -> data-series -> number of values the JSON holds for it."""
    history, latest = documents["history.json"], documents["latest.json"]
    daily = _days(history["daily_90d"], 90)
    last60 = _days(history["daily_90d"], 60)
    weeks = [w for w in history["weekly_180d"] if w["week_start"] <= TODAY.isoformat()][-26:]
    weekly: dict[str, int] = {}
    for week in weeks:
        for sport, tss in (week["sport_tss_breakdown"] or {}).items():
            if tss and tss > 0:
                weekly[sport] = weekly.get(sport, 0) + 1
    ftp = {
        kind: len(documents["ftp_history.json"].get(kind) or {}) for kind in ("indoor", "outdoor")
    }
    races: dict[str, int] = {}
    for race in latest["race_calendar"]["all_races"]:
        if race["date"] >= TODAY.isoformat():
            letter = race["category"][-1]
            races[letter] = races.get(letter, 0) + 1
    zones = {
        f"{window}-{zone}": 1
        for window in ("7d", "28d")
        for zone in ("z1", "z2", "z3")
        if latest["derived_metrics"][f"seiler_tid_{window}"][f"{zone}_pct"]
    }
    return {
        "fitness": {
            **{key: _present(daily, key) for key in ("ctl", "atl", "tsb")},
            **{f"{key}_projected": len(projection(documents)) for key in ("ctl", "atl", "tsb")},
        },
        "acwr": {"acwr": max(len(daily) - 27, 0)},
        # HRV outside 10-250 ms is a sensor glitch the metrics ignore too
        "hrv_rhr": {"hrv": _present(last60, "hrv", 10, 250), "rhr": _present(last60, "rhr", 1)},
        "weekly_load": weekly,
        "power_curve": curve_marks("power", "Ride"),
        "pace_curve": curve_marks("pace", "Run"),
        "ftp": {k: v for k, v in ftp.items() if v},
        "zones": zones,
        "races": races,
    }
