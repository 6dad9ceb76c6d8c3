"""The demo athlete's Peloton account: rides derived from the demo data.

Every indoor ride (VirtualRide) of the last 28 days also exists on Peloton,
started a minute later and a few seconds longer, so it matches the
Intervals.icu activity and only enriches it. On top of those, one early
morning ride a week exists only on Peloton (an activity of its own for the
mirror). Every answer is shaped like Peloton's: epoch seconds, `ftp_info`,
performance-graph metrics by slug (heart rate only on some rides), target
time in range, joined class and instructor. Deterministic: each ride depends
only on its index and start time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .dataset import DemoData

WINDOW_DAYS = 28
SAMPLE_SECONDS = 5
DEMO_FTP = 240
MATCH_SHIFT = 60  # seconds later than the Intervals.icu start
ONLY_PELOTON_HOUR = 6  # local start hour of the Peloton-only rides
INSTRUCTORS = ("Avery Brooks", "Sam Okafor", "Lena Moreau", "Kai Tanaka")
TITLES = ("Power Zone Endurance", "HIIT & Hills", "Climb Ride", "Tabata Ride", "Low Impact")


@dataclass
class PelotonView:
    """What the fake Peloton API serves."""

    user: dict[str, Any]
    workouts: list[dict[str, Any]]  # list items, newest first
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    graphs: dict[str, dict[str, Any]] = field(default_factory=dict)
    rides: dict[str, dict[str, Any]] = field(default_factory=dict)
    client_id: str = "demo-peloton-web-client"
    refresh_token: str = "demo-peloton-refresh-0"

    @property
    def only_peloton_ids(self) -> list[str]:
        return [w["id"] for w in self.workouts if w["id"].startswith("onlypel")]


def _power(index: int, seconds: float) -> list[float]:
    """Per-sample watts: a warm-up, repeated efforts, a cool-down."""
    samples = int(seconds // SAMPLE_SECONDS)
    base = 150 + 10 * (index % 4)
    out: list[float] = []
    for i in range(samples):
        phase = i * SAMPLE_SECONDS
        effort = 80 if (phase // 240) % 2 else 0
        ramp = min(1.0, phase / 300, (seconds - phase) / 300)
        out.append(float(round((base + effort) * max(0.5, ramp))))
    return out


def _metric(slug: str, values: list[float], unit: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "display_name": slug.replace("_", " ").title(),
        "display_unit": unit,
        "values": values,
        "average_value": round(sum(values) / len(values)) if values else 0,
        "max_value": max(values) if values else 0,
    }


def workout_answers(
    wid: str, index: int, start: float, seconds: float, *, heart_rate: bool
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(list item, detail, performance graph, ride details) of one ride."""
    ride_id = f"class{index:04d}"
    instructor = {"id": f"inst{index % len(INSTRUCTORS)}", "name": INSTRUCTORS[index % 4]}
    ride = {
        "id": ride_id,
        "title": f"{round(seconds / 60)} min {TITLES[index % len(TITLES)]}",
        "duration": round(seconds / 60) * 60,
        "difficulty_estimate": 6.5 + (index % 5) * 0.5,
        "instructor": instructor,
        "fitness_discipline": "cycling",
        "has_pedaling_metrics": True,
    }
    power = _power(index, seconds)
    work = sum(power) * SAMPLE_SECONDS
    item = {
        "id": wid,
        "created_at": int(start) - 30,
        "start_time": int(start),
        "end_time": int(start + seconds),
        "timezone": "Europe/Amsterdam",
        "fitness_discipline": "cycling",
        "status": "COMPLETE",
        "metrics_type": "cycling",
        "total_work": float(work),
        "ride": ride,
    }
    detail = {**item, "ftp_info": {"ftp": DEMO_FTP, "ftp_source": "ftp_workout_source"}}
    n = len(power)
    metrics = [
        _metric("output", power, "watts"),
        _metric("cadence", [85 + (i % 7) for i in range(n)], "rpm"),
        _metric("resistance", [40 + (i % 9) for i in range(n)], "%"),
    ]
    if heart_rate:
        metrics.insert(1, _metric("heart_rate", [120 + p // 6 for p in power], "bpm"))
    graph = {
        "duration": seconds,
        "every_n": SAMPLE_SECONDS,
        "seconds_since_pedaling_start": [i * SAMPLE_SECONDS for i in range(n)],
        "metrics": metrics,
        "summaries": [
            {"slug": "total_output", "display_unit": "kj", "value": round(work / 1000)},
            {"slug": "distance", "display_unit": "km", "value": round(seconds / 120, 2)},
            {"slug": "calories", "display_unit": "kcal", "value": round(work / 1000 * 1.1)},
        ],
        "target_performance_metrics": {
            "cadence_time_in_range": round(seconds * 0.7),
            "resistance_time_in_range": round(seconds * 0.6),
        },
    }
    return item, detail, graph, {"ride": ride, "segments": {}}


def _add(view: PelotonView, answers: tuple[dict, dict, dict, dict]) -> None:
    item, detail, graph, ride = answers
    view.workouts.append(item)
    view.details[item["id"]] = detail
    view.graphs[item["id"]] = graph
    view.rides[ride["ride"]["id"]] = ride


def build_peloton_view(data: DemoData, timezone: str) -> PelotonView:
    """The demo's Peloton account for the 28 days up to the demo's today."""
    tz = ZoneInfo(timezone)
    today = data.today or datetime.now(tz).date()
    oldest = today - timedelta(days=WINDOW_DAYS - 1)
    view = PelotonView(
        user={"id": "demo-peloton-user", "username": "DemoRider", "cycling_ftp": DEMO_FTP},
        workouts=[],
    )
    starts: list[tuple[float, dict]] = []
    for act in data.activities:
        local = act.get("start_date_local")
        if act.get("type") != "VirtualRide" or not local or local[:10] < oldest.isoformat():
            continue
        start = datetime.fromisoformat(local).replace(tzinfo=tz).timestamp() + MATCH_SHIFT
        starts.append((start, {"seconds": float(act.get("elapsed_time") or 0) + 30}))
    day = today - timedelta(days=1)
    while day >= oldest:
        at = datetime(day.year, day.month, day.day, ONLY_PELOTON_HOUR, tzinfo=tz)
        starts.append((at.timestamp(), {"seconds": 1800.0, "only": True}))
        day -= timedelta(days=7)
    for index, (start, spec) in enumerate(sorted(starts, key=lambda s: s[0], reverse=True)):
        prefix = "onlypel" if spec.get("only") else "pel"
        _add(
            view,
            workout_answers(
                f"{prefix}{index:05d}", index, start, spec["seconds"], heart_rate=index % 2 == 0
            ),
        )
    return view
