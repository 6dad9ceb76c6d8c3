"""The whole pipeline on real data: a real runner and a real cyclist, served by the
fake Intervals.icu API over real HTTP, synced by the real client and CLI.

The records are public data from other repositories, read at test time from the
sample-data folder (never copied into the repository); tests/kit/realworld.py
locates and maps them into the fake server's data, every date shifted so the data ends on
the test's "today", and SECTION11_NOW puts the sync on that day. Without the
folder the module skips.

Every expected figure is computed here from the raw records (pace from the raw
m/s, distances and gains as recorded, VO2max and CTL/ATL from the raw wellness
rows, workout durations by walking the raw step trees, route distances by a
haversine sum over the points parsed here with ElementTree), never by calling
the code under test. The five output files are validated here against
schemas/ with jsonschema.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from section11 import cli
from section11.demo.server import FakeIntervals

from .kit import realworld

pytestmark = pytest.mark.skipif(not realworld.present(), reason=realworld.SKIP_REASON)

ROOT = Path(__file__).resolve().parents[1]
FILES = ("latest.json", "history.json", "intervals.json", "routes.json", "ftp_history.json")
RUNNER_TODAY = date(2026, 11, 21)  # the real data ends on a Saturday: whole weeks shifted
CYCLIST_TODAY = date(2026, 11, 19)  # the real data ends on a Thursday
RECENT_DAYS = 28  # recent_activities: today and the 27 days before
VO2MAX_DAYS = 14
EARTH_RADIUS_M = 6_371_000.0
CRASH_WORDS = ("traceback", "exception", "error", "failed", "warning")


@dataclass
class Run:
    code: int
    output: str  # stdout and stderr
    directory: Path
    data: realworld.RealData

    def doc(self, name: str) -> Any:
        return json.loads((self.directory / name).read_text(encoding="utf-8"))


def sync(data: realworld.RealData, today: date, directory: Path) -> Run:
    """`sync.py --output-dir DIRECTORY` in-process against the fake serving `data`."""
    captured = io.StringIO()
    old = os.getcwd()
    with FakeIntervals(data) as server:
        env = {
            "ATHLETE_ID": data.athlete_id,
            "INTERVALS_KEY": data.api_key,
            "INTERVALS_BASE_URL": server.base_url,
            "SECTION11_NOW": realworld.local_now(today),
            "HOME": "/nonexistent",
            "XDG_CONFIG_HOME": "/nonexistent",
        }
        os.chdir(directory)  # sync.log goes to the working directory
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                code = cli.main(["--output-dir", str(directory)], environ=env)
        finally:
            os.chdir(old)
    return Run(code, captured.getvalue(), directory, data)


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> Run:
    return sync(realworld.runner(RUNNER_TODAY), RUNNER_TODAY, tmp_path_factory.mktemp("runner"))


@pytest.fixture(scope="module")
def cyclist(tmp_path_factory) -> Run:
    return sync(realworld.cyclist(CYCLIST_TODAY), CYCLIST_TODAY, tmp_path_factory.mktemp("cyclist"))


@pytest.fixture(params=["runner", "cyclist"])
def either(request) -> Run:
    return request.getfixturevalue(request.param)


# ----------------------------------------------------------------- the run itself


def test_the_run_exits_0_and_writes_five_valid_files(either):
    assert either.code == 0, either.output
    for name in FILES:
        schema = json.loads((ROOT / "schemas" / name.replace(".json", ".schema.json")).read_text())
        errors = list(Draft202012Validator(schema).iter_errors(either.doc(name)))
        assert not errors, f"{name}: {errors[0].message}"


def test_no_warning_and_every_source_ok(either):
    lines = [line.lower() for line in either.output.splitlines() if not line.startswith("wrote ")]
    assert not [line for line in lines if any(w in line for w in CRASH_WORDS)], either.output
    status = either.doc("latest.json")["metadata"]["sync_status"]
    assert status and all(value == "ok" for value in status.values()), status


# ----------------------------------------------------------------- activities


def served_activities(run: Run) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in run.data.activities}


def mm_ss(seconds: float) -> str:
    whole = int(seconds + 0.5)
    return f"{whole // 60}:{whole % 60:02d}"


def test_recent_activities_are_the_last_28_days_of_raw_records(either):
    today = either.data.today
    assert today is not None
    first = (today - timedelta(days=RECENT_DAYS - 1)).isoformat()
    expected = {
        a["id"]
        for a in either.data.activities
        if first <= a["start_date_local"][:10] <= today.isoformat()
    }
    got = [a["id"] for a in either.doc("latest.json")["recent_activities"]]
    assert expected and sorted(got) == sorted(expected)


def test_runner_pace_distance_and_gain_equal_the_raw_records(runner):
    raw = served_activities(runner)
    records = runner.doc("latest.json")["recent_activities"]
    runs = [r for r in records if raw[r["id"]]["type"] == "Run"]
    assert len(runs) >= 8
    for record in records:
        source = raw[record["id"]]
        if source["type"] == "Run":
            assert record["pace"] == f"{mm_ss(1000 / source['pace'])}/km", record["id"]
            assert record["pace_secs"] == pytest.approx(1000 / source["pace"], abs=0.05)
            gap = 1000 / source["gap"]
            assert record["grade_adjusted_pace"] == f"{mm_ss(gap)}/km"
        else:
            assert record["pace"] is None
        metres = source["distance"] or 0.0  # the API's null distance of strength work: 0 km
        assert record["distance_km"] == pytest.approx(metres / 1000, abs=0.005), record["id"]
        assert record["elevation_m"] == pytest.approx(source["total_elevation_gain"]), record["id"]
        assert record["moving_time_secs"] == source["moving_time"]


def test_cyclist_activities_keep_load_compliance_and_intervals(cyclist):
    raw = served_activities(cyclist)
    records = cyclist.doc("latest.json")["recent_activities"]
    assert {r["id"] for r in records} == set(raw)
    for record in records:
        source = raw[record["id"]]
        assert record["tss"] == source.get("icu_training_load")
        assert record["compliance_pct"] == pytest.approx(source.get("compliance"), abs=0.05)
        assert record["moving_time_secs"] == source["moving_time"]
    # intervals.json holds the real segments of the activities it keeps
    kept = cyclist.doc("intervals.json")["activities"]
    assert kept
    for entry in kept:
        source = cyclist.data.intervals[entry["activity_id"]]["icu_intervals"]
        assert [i["avg_power"] for i in entry["intervals"]] == [s["average_watts"] for s in source]
        assert [i["duration_secs"] for i in entry["intervals"]] == [
            s["elapsed_time"] for s in source
        ]


# ----------------------------------------------------------------- wellness


def latest_row(run: Run, has, days: int | None = None) -> dict[str, Any] | None:
    today = run.data.today
    assert today is not None
    oldest = (today - timedelta(days=days)).isoformat() if days is not None else ""
    rows = [w for w in run.data.wellness if oldest <= w["id"] <= today.isoformat() and has(w)]
    return max(rows, key=lambda w: w["id"]) if rows else None


def test_vo2max_is_the_latest_raw_reading_within_14_days(either):
    thresholds = either.doc("latest.json")["current_status"]["thresholds"]
    row = latest_row(either, lambda w: bool(w.get("vo2max")), VO2MAX_DAYS)
    if row is None:  # the cyclist's rows carry no VO2max
        assert thresholds["vo2max"] is None and thresholds["vo2max_date"] is None
        return
    assert thresholds["vo2max"] == row["vo2max"]
    assert thresholds["vo2max_date"] == row["id"]
    assert row["id"] != either.data.today.isoformat()  # the runner's today has none


def test_runner_ctl_atl_are_the_latest_raw_row(runner):
    fitness = runner.doc("latest.json")["current_status"]["fitness"]
    row = latest_row(runner, lambda w: w.get("ctl") is not None)
    assert row is not None and row["id"] == RUNNER_TODAY.isoformat()
    assert fitness["ctl"] == pytest.approx(row["ctl"], abs=0.005)
    assert fitness["atl"] == pytest.approx(row["atl"], abs=0.005)
    assert fitness["fitness_date"] == row["id"]


def test_cyclist_ctl_atl_are_yesterdays_raw_row_decayed(cyclist):
    """The cyclist has a ride planned today and none done yet: the documented rule
    reports yesterday's CTL/ATL decayed by one day (exp(-1/42), exp(-1/7))."""
    today = CYCLIST_TODAY.isoformat()
    planned_today = [
        e
        for e in cyclist.data.events
        if e["start_date_local"][:10] == today and e.get("category") == "WORKOUT"
    ]
    done_today = [a for a in cyclist.data.activities if a["start_date_local"][:10] == today]
    assert planned_today and not done_today
    yesterday = next(
        w
        for w in cyclist.data.wellness
        if w["id"] == (CYCLIST_TODAY - timedelta(days=1)).isoformat()
    )
    fitness = cyclist.doc("latest.json")["current_status"]["fitness"]
    assert fitness["ctl"] == pytest.approx(yesterday["ctl"] * math.exp(-1 / 42), abs=0.005)
    assert fitness["atl"] == pytest.approx(yesterday["atl"] * math.exp(-1 / 7), abs=0.005)
    assert fitness["fitness_source"].startswith("Decayed from yesterday")


# ----------------------------------------------------------------- planned workouts


def tree_seconds(steps: list[dict[str, Any]]) -> float:
    """Summed step durations of a workout_doc tree, repeats multiplied."""
    total = 0.0
    for step in steps:
        if step.get("steps"):
            total += (step.get("reps") or 1) * tree_seconds(step["steps"])
        else:
            total += step.get("duration") or 0
    return total


def stated_seconds(summary: str) -> int:
    """The total a summary states before its colon: "2h 15 min 30s" -> 8130."""
    head = summary.partition(":")[0].partition(" + ")[0]
    units = {"h": 3600, "min": 60, "s": 1}
    parts = re.findall(r"(\d+) ?(h|min|s)\b", head)
    assert parts, summary
    return sum(int(n) * units[u] for n, u in parts)


def test_every_structured_workout_states_its_total_duration(either):
    events = {str(e["id"]): e for e in either.data.events}
    planned = either.doc("latest.json")["planned_workouts"]
    structured = [
        p for p in planned if ((events[str(p["id"])].get("workout_doc") or {}).get("steps"))
    ]
    assert structured
    for entry in structured:
        doc = events[str(entry["id"])]["workout_doc"]
        assert entry["workout_summary"], entry["name"]
        assert stated_seconds(entry["workout_summary"]) == round(tree_seconds(doc["steps"])), entry[
            "workout_summary"
        ]
    stats = either.doc("latest.json")["workout_summary_stats"]
    assert stats["success"] == stats["attempted"] >= len(structured)


def test_the_runner_calendar_holds_every_real_workout_tree(runner):
    planned = {str(p["id"]) for p in runner.doc("latest.json")["planned_workouts"]}
    trees = realworld.load(realworld.WORKOUT_TREES)["entries"]
    events = realworld.load(realworld.TP2_EVENTS)
    assert {str(e["id"]) for e in trees + events} <= planned


# ----------------------------------------------------------------- route terrain


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def coordinate(element: ET.Element) -> tuple[float, float] | None:
    """(lat, lon) of a GPX trkpt/rtept or a TCX Trackpoint."""
    if element.get("lat") is not None:
        return float(element.get("lat") or "nan"), float(element.get("lon") or "nan")
    position = next((c for c in element if local(c.tag) == "Position"), None)
    if position is None:
        return None
    values = {local(c.tag): float(c.text or "nan") for c in position}
    return values["LatitudeDegrees"], values["LongitudeDegrees"]


def segments_of(container: ET.Element, segment_tag: str, point_tag: str) -> list[list]:
    segments = [container] if segment_tag == "" else container.iter()
    out = []
    for segment in segments:
        if segment_tag and local(segment.tag) != segment_tag:
            continue
        points = [coordinate(p) for p in segment.iter() if local(p.tag) == point_tag]
        out.append([p for p in points if p is not None])
    return out


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def length_m(segments: list[list]) -> float:
    return sum(haversine(a, b) for s in segments for a, b in zip(s, s[1:]))


def expected_km(path: Path) -> float:
    """Every recorded track (GPX trk, TCX Activity) segment by segment; a file
    without one: its longest route (GPX rte, TCX Course), the rule routes.json states."""
    root = ET.fromstring(path.read_bytes())
    tracks, routes = [], []
    for element in root.iter():
        name = local(element.tag)
        if name == "trk":
            tracks += segments_of(element, "trkseg", "trkpt")
        elif name == "Activity":
            tracks += segments_of(element, "Track", "Trackpoint")
        elif name == "rte":
            routes.append(segments_of(element, "", "rtept"))
        elif name == "Course":
            routes.append(segments_of(element, "Track", "Trackpoint"))
    if any(len(s) >= 2 for s in tracks):
        return length_m(tracks) / 1000
    return max(length_m(r) for r in routes) / 1000


def test_route_terrain_distance_is_the_haversine_sum_of_each_segment(runner):
    events = runner.doc("routes.json")["events"]
    assert sorted(e["filename"] for e in events) == sorted(realworld.ROUTE_FILES)
    for entry in events:
        summary = entry["terrain_summary"]
        assert summary is not None, entry.get("terrain_error")
        expected = expected_km(realworld.ROUTES / entry["filename"])
        assert summary["total_distance_km"] == pytest.approx(expected, rel=0.01, abs=0.05), entry[
            "filename"
        ]
    with_terrain = {str(e["event_id"]) for e in events}
    planned = runner.doc("latest.json")["planned_workouts"]
    assert {str(p["id"]) for p in planned if p["has_terrain"]} == with_terrain


# ----------------------------------------------------------------- history


def test_history_months_hold_every_raw_activity_and_its_load(runner):
    """The 3-year history, fetched in chunks, against the raw records month
    by month (the longest tier that is not empty holds every month)."""
    history = runner.doc("history.json")
    tiers = [history[f"monthly_{y}y"] for y in (1, 2, 3)]
    longest = max(tiers, key=len)
    counts: dict[str, int] = {}
    loads: dict[str, float] = {}
    for activity in runner.data.activities:
        month = activity["start_date_local"][:7]
        counts[month] = counts.get(month, 0) + 1
        loads[month] = loads.get(month, 0) + (activity.get("icu_training_load") or 0)
    assert {r["month"] for r in longest} >= set(counts)
    for row in longest:
        assert row["activity_count"] == counts.get(row["month"], 0), row["month"]
        assert row["total_tss"] == round(loads.get(row["month"], 0)), row["month"]
    assert sum(r["activity_count"] for r in longest) == len(runner.data.activities) == 312
