"""Shared by the picture tests: the demo's documents and the marks each chart must plot.

The expected counts are read straight from the JSON documents, independently
of the chart code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-23T10:00:00+01:00"
TODAY = date(2026, 11, 23)
DOCUMENTS = ("latest.json", "history.json", "ftp_history.json", "routes.json")


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
    capability = latest["derived_metrics"]["capability"]
    anchors = capability["power_curve_delta"]["anchors"]
    power = {
        "current": sum(1 for a in anchors.values() if (a.get("current_watts") or 0) > 0),
        "previous": sum(1 for a in anchors.values() if (a.get("previous_watts") or 0) > 0),
    }
    for family, block in capability["sustainability_profile"].items():
        if isinstance(block, dict) and block.get("anchors"):
            power[f"profile_{family}"] = sum(
                1 for a in block["anchors"].values() if (a.get("actual_watts") or 0) > 0
            )
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
        "fitness": {key: _present(daily, key) for key in ("ctl", "atl", "tsb")},
        "acwr": {"acwr": max(len(daily) - 27, 0)},
        # HRV outside 10-250 ms is a sensor glitch the metrics ignore too
        "hrv_rhr": {"hrv": _present(last60, "hrv", 10, 250), "rhr": _present(last60, "rhr", 1)},
        "weekly_load": weekly,
        "power_curve": {k: v for k, v in power.items() if v},
        "ftp": {k: v for k, v in ftp.items() if v},
        "zones": zones,
        "races": races,
    }
