"""Real Intervals.icu records served by the fake API: a real runner and a real cyclist.

The records are public data from other repositories (see SOURCES.md in that
folder), read at test time from `shared/realworld/` beside the repository and
never copied into it. `runner(today)` and `cyclist(today)` map them into a
`DemoData` that `section11.demo.server.FakeIntervals` serves like the demo
athlete, every date shifted by whole days so the data ends on `today`.

What the real data lacks is synthesised here, the minimum the sync needs, and
marked "synthesised" below: the athlete object (no real GET /athlete/{id}
object was found: id, name, timezone, with the real sport-settings response),
the curves (no real power/HR curve response was found: empty curves), chat
messages (none found: empty lists) and the streams of activities whose
streams were not published (empty lists, as the API answers for an activity
without recordings).
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from section11.demo.dataset import DemoData

# The one place that knows where the public sample data lies: a folder beside
# the repository (CI has it), or wherever SECTION11_REALWORLD says.
REALWORLD = Path(
    os.environ.get("SECTION11_REALWORLD")
    or Path(__file__).resolve().parents[2].parent / "shared" / "realworld"
)
ICU = REALWORLD / "icu"
ROUTES = REALWORLD / "routes"
SKIP_REASON = (
    "../shared/realworld not found: real-data checks need the public sample data "
    "beside the repository"
)
API_KEY = "real-world-fixture-key"  # not a secret: the fake's password for these runs

RUNNER_ACTIVITIES = "juancarbonell__activities_history@8f66b30.json"
RUNNER_WELLNESS = "juancarbonell__wellness_history@1616799.json"
SPORT_SETTINGS = "nl_doc__sport_settings.json"
TP2_EVENTS = "tp2intervals__intervals-events-response.json"
WORKOUT_TREES = "robertgregorywest__workout-parser_events.json"
CYCLIST_WELLNESS = "robertgregorywest__training-load-forecast_wellness.json"
CYCLIST_PAIRS = "robertgregorywest__{}_*.json"  # session-review, intensity-distribution
# Route files attached to the runner's planned events: several tracks round a lake,
# a plain run, a file with routes only, six tracks with an altitude spike, a TCX course.
ROUTE_FILES = (
    "gpxpy__cerknicko-jezero.gpx",
    "togeojson__run.gpx",
    "gpxpy__route.gpx",
    "gpsbabel__mtk_logger_m241_multiple_tracks.gpx",
    "gpsbabel__course.tcx",
)
MIMETYPES = {"gpx": "application/gpx+xml", "tcx": "application/vnd.garmin.tcx+xml"}
# Keys the harvester of the workout trees added; they are not API fields.
HARVEST_KEYS = ("ftpUsed", "loadBasis", "normalized_power", "average_watts", "date")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def present() -> bool:
    return ICU.is_dir() and ROUTES.is_dir()


def load(name: str) -> Any:
    return json.loads((ICU / name).read_text(encoding="utf-8"))


# ----------------------------------------------------------------- the served data


@dataclass
class RealData(DemoData):
    """A DemoData whose per-activity resources come from tables, not generators."""

    intervals: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> IntervalsDTO
    streams: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # id -> streams

    def activity_intervals(self, activity_id: str) -> Any:
        return self.intervals.get(str(activity_id), {"icu_intervals": [], "icu_groups": []})

    def activity_streams(self, activity_id: str) -> list[dict[str, Any]]:
        return self.streams.get(str(activity_id), [])

    def activity_messages(self, activity_id: str) -> list[dict[str, Any]]:
        return []  # synthesised: no real messages response was found

    def curve(
        self, kind: str, sport_type: str | None, start: date, end: date, curve_id: str
    ) -> dict[str, Any]:
        """Synthesised: an empty curve (the real curve responses were not found)."""
        empty: dict[str, Any] = {
            "id": curve_id,
            "label": curve_id,
            "start_date_local": f"{start.isoformat()}T00:00:00",
            "end_date_local": f"{end.isoformat()}T00:00:00",
            "days": (end - start).days + 1,
            "weight": None,
            "moving_time": 0,
            "training_load": 0,
            "secs": [],
            "values": [],
            "activity_id": [],
        }
        if not kind.lower().startswith(("hr", "heart")):
            empty.update(watts=[], watts_per_kg=None)
        return empty


def athlete(athlete_id: str, name: str, timezone: str) -> dict[str, Any]:
    """Synthesised athlete object around the real sport-settings response."""
    return {
        "id": athlete_id,
        "name": name,
        "timezone": timezone,
        "sex": None,
        "icu_weight": None,
        "icu_resting_hr": None,
        "measurement_preference": "meters",
        "sportSettings": load(SPORT_SETTINGS),
    }


# ----------------------------------------------------------------- shifting dates


def shift_text(value: str, days: int) -> str:
    """An ISO date or date-time string moved by `days`; its time and suffix kept."""
    day = date.fromisoformat(value[:10]) + timedelta(days=days)
    return day.isoformat() + value[10:]


def shifted(record: dict[str, Any], days: int) -> dict[str, Any]:
    """A copy whose top-level ISO date strings are moved by `days`."""
    return {
        k: shift_text(v, days) if isinstance(v, str) and _ISO_DATE.match(v) else v
        for k, v in record.items()
    }


def _last_day(records: list[dict[str, Any]], key: str) -> date:
    return max(date.fromisoformat(str(r[key])[:10]) for r in records)


# ----------------------------------------------------------------- calendar entries


def tree_event(entry: dict[str, Any], day: date) -> dict[str, Any]:
    """A workout-parser entry as an API event on `day` (its harvester stored the
    date as `date` and dropped `category`; the harvester's own keys go)."""
    event = {k: copy.deepcopy(v) for k, v in entry.items() if k not in HARVEST_KEYS}
    event.update(
        category=entry.get("category") or "WORKOUT",
        start_date_local=f"{day.isoformat()}T00:00:00",
        end_date_local=f"{(day + timedelta(days=1)).isoformat()}T00:00:00",
        attachments=None,
    )
    return event


def attach_routes(events: list[dict[str, Any]], files: list[str]) -> dict[str, tuple[str, bytes]]:
    """Attach one real route file to each of the first events; {url: (mimetype, body)}."""
    served: dict[str, tuple[str, bytes]] = {}
    for number, (event, name) in enumerate(zip(events, files), start=1):
        kind = name.rpartition(".")[2]
        att = {
            "id": f"rw{number}",
            "filename": name,
            "mimetype": MIMETYPES[kind],
            "url": f"/files/rw{number}/{name}",
        }
        event["attachments"] = [att]
        served[att["url"]] = (att["mimetype"], (ROUTES / name).read_bytes())
    return served


# ----------------------------------------------------------------- the runner


def runner(today: date) -> RealData:
    """The real runner (312 activities, 366 wellness days) ending on `today`, with the
    real tp2intervals events and the 118 real workout trees as the planned calendar
    (days today+1 ... today+42) and real route files on some planned events."""
    activities = load(RUNNER_ACTIVITIES)
    wellness = load(RUNNER_WELLNESS)
    days = (today - _last_day(wellness, "id")).days
    activities = [shifted(a, days) for a in activities]
    wellness = sorted((shifted(w, days) for w in wellness), key=lambda w: w["id"])
    planned = [
        {
            **shifted(e, (today + timedelta(days=1 + i) - _last_day([e], "start_date_local")).days),
            "athlete_id": activities[0]["icu_athlete_id"],
        }
        for i, e in enumerate(load(TP2_EVENTS))
    ]
    trees = load(WORKOUT_TREES)["entries"]
    planned += [
        tree_event(entry, today + timedelta(days=1 + i * 42 // len(trees)))
        for i, entry in enumerate(trees)
    ]
    with_files = [e for e in planned if e.get("category") == "WORKOUT"]
    files = attach_routes(with_files, list(ROUTE_FILES))
    planned.sort(key=lambda e: (e["start_date_local"], str(e["id"])))
    athlete_id = activities[0]["icu_athlete_id"]
    return RealData(
        athlete_id=athlete_id,
        api_key=API_KEY,
        # synthesised: the runner's clock reads UTC+2 in April (start_date vs start_date_local)
        athlete=athlete(athlete_id, "Real Runner", "Europe/Madrid"),
        activities=sorted(activities, key=lambda a: a["start_date_local"], reverse=True),
        wellness=wellness,
        events=planned,
        attachments=files,
        today=today,
    )


# ----------------------------------------------------------------- the cyclist


def cyclist_wellness_row(record: dict[str, Any]) -> dict[str, Any]:
    """The harvester's `{date, ctl, atl, ctlLoad, atlLoad, rampRate}` in the API's
    wellness shape: the API names the day `id` and sends every other field, null."""
    row = {k: v for k, v in record.items() if k != "date"}
    return {"id": record["date"], **row, "sportInfo": [], "vo2max": None, "restingHR": None}


def _pairs() -> list[dict[str, Any]]:
    files = sorted(ICU.glob(CYCLIST_PAIRS.format("session-review")))
    files += sorted(ICU.glob(CYCLIST_PAIRS.format("intensity-distribution")))
    return [json.loads(p.read_text(encoding="utf-8")) for p in files]


def cyclist(today: date) -> RealData:
    """The real cyclist (112 days of CTL/ATL, the session-review and
    intensity-distribution activities and events, a 4112-sample watts stream,
    the real calendar and workout trees) ending on `today`."""
    source = load(CYCLIST_WELLNESS)
    days = (today - _last_day(source["records"], "date")).days
    wellness = [shifted(cyclist_wellness_row(r), days) for r in source["records"]]
    activities: dict[str, dict[str, Any]] = {}
    intervals: dict[str, dict[str, Any]] = {}
    streams: dict[str, list[dict[str, Any]]] = {}
    events: dict[str, dict[str, Any]] = {}
    for pair in _pairs():
        if "event" in pair:
            events[str(pair["event"]["id"])] = shifted(pair["event"], days)
        if "activity" not in pair:
            continue
        record = dict(pair["activity"])
        aid = str(record["id"])
        if "icu_intervals" in record:  # the list endpoint never carries them
            intervals[aid] = {"icu_intervals": record.pop("icu_intervals")}
        activities.setdefault(aid, {}).update(shifted(record, days))
        for kind, data in (pair.get("streams") or {}).items():
            streams[aid] = [{"type": kind, "data": data}]
    for entry in source["events"] + load(WORKOUT_TREES)["entries"]:
        day = date.fromisoformat(entry["date"]) + timedelta(days=days)
        events.setdefault(str(entry["id"]), tree_event(entry, day))
    athlete_id = "i286"  # synthesised: the cyclist's id was not published
    return RealData(
        athlete_id=athlete_id,
        api_key=API_KEY,
        athlete=athlete(athlete_id, "Real Cyclist", "Europe/London"),
        activities=sorted(activities.values(), key=lambda a: a["start_date_local"], reverse=True),
        wellness=sorted(wellness, key=lambda w: w["id"]),
        events=sorted(events.values(), key=lambda e: (e["start_date_local"], str(e["id"]))),
        today=today,
        intervals=intervals,
        streams=streams,
    )


def local_now(today: date) -> str:
    """SECTION11_NOW for late afternoon of `today` in Europe (UTC 16:00)."""
    return datetime(today.year, today.month, today.day, 16, 0).isoformat() + "+00:00"
