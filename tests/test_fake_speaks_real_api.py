"""The fake Intervals.icu API speaks the real API: every key of the demo's activity,
wellness, event and sport-settings records exists in real API records, with a
compatible JSON type (int and float are both "number"; null is compatible with
anything, as the real API sends null for almost every field).

The real records are public data read at run time from the sample-data folder that
tests/kit/realworld.py locates; a checkout without them skips this module. The demo records are
fetched from the fake server over HTTP, as the client sees them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import pytest
import requests

from section11.demo.profile import DEMO_API_KEY
from section11.demo.server import API
from tests.kit.realworld import ICU

pytestmark = pytest.mark.skipif(
    not ICU.is_dir(), reason=f"real-world Intervals.icu payloads not present at {ICU}"
)

# Key paths the demo emits that the real samples lack, each with the reason. A path
# covers everything under it. The reasons cite the API's own schema: the samples are
# one runner without power, gear or tags, and planned events without attachments.
SCHEMA = "documented by the Intervals.icu API schema"
ALLOWED_EXTRA: dict[str, dict[str, str]] = {
    "activity": {
        "analysis_issues": f"ActivityAnalysisIssue[], {SCHEMA}; the runner has none",
        "gear": f"StravaGear {{id, name, distance, primary}}, {SCHEMA}; null on every real record",
        "icu_zone_times": f"ZoneTime[] {{id, secs}}, {SCHEMA}; the runner has no power",
        "pace_zone_times": f"int[], {SCHEMA}; null for the runner (no threshold pace)",
        "pace_zones": f"float[], {SCHEMA}; null for the runner (no threshold pace)",
        "tags": f"str[], {SCHEMA}; null on every real record",
    },
    "wellness": {},
    "event": {
        "attachments": f"Attachment[] {{id, filename, mimetype, url}}, {SCHEMA}; course files",
        "for_week": f"Event.for_week, {SCHEMA}",
        "p_max": f"Event.p_max, {SCHEMA}",
        "tags": f"str[], {SCHEMA}; null on every real event",
        "w_prime": f"Event.w_prime, {SCHEMA}",
    },
    "sport_settings": {
        "pace_zone_names": f"str[], {SCHEMA}; null in the real response (no threshold pace)",
        "pace_zones": f"float[], {SCHEMA}; null in the real response (no threshold pace)",
    },
}
# Keys the demo sometimes sends as null where every real sample has a value: the
# situations the real samples (one runner who always wore a HR strap, a full sport-
# settings response) do not show, but the API allows (present-but-null is its way).
NO_HR = "sessions recorded without heart rate"
NO_THRESHOLDS = "the demo's 'Other' sport group has no thresholds set (an API default)"
NULL_OK: dict[str, dict[str, str]] = {
    "activity": {
        "athlete_max_hr": NO_THRESHOLDS,
        "average_heartrate": NO_HR,
        "calories": "a manual entry without time",
        "device_name": "a manual entry (no device)",
        "external_id": "a manual entry (no file)",
        "hr_load": NO_HR,
        "hr_load_type": NO_HR,
        "icu_hr_zone_times": NO_HR,
        "icu_hr_zones": NO_THRESHOLDS,
        "lthr": NO_THRESHOLDS,
        "max_heartrate": NO_HR,
        "trimp": NO_HR,
    },
    "wellness": {
        "restingHR": "days without a device reading",
        "sportInfo": "present-but-null on rows written by third-party wellness apps",
    },
    "event": {},
    "sport_settings": {"hr_zones": NO_THRESHOLDS, "lthr": NO_THRESHOLDS, "max_hr": NO_THRESHOLDS},
}
# A repeat's steps are steps: "workout_doc.steps[].steps[].power" is checked as
# "workout_doc.steps[].power".
NESTED_STEPS = re.compile(r"(\.steps\[\])+")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _walk(value: Any, path: str, out: dict[str, set[str]]) -> None:
    path = NESTED_STEPS.sub(".steps[]", path)
    out.setdefault(path, set()).add(json_type(value))
    if isinstance(value, Mapping):
        for key, item in value.items():
            _walk(item, f"{path}.{key}", out)
    elif isinstance(value, list):
        for item in value:
            _walk(item, f"{path}[]", out)


def key_types(records: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Key path ("icu_hrr.hrr", "icu_zone_times[].secs") -> the JSON types seen there."""
    out: dict[str, set[str]] = {}
    for record in records:
        for key, value in record.items():
            _walk(value, key, out)
    return out


def _load(name: str) -> Any:
    return json.loads((ICU / name).read_text(encoding="utf-8"))


def real_workout_docs() -> list[dict[str, Any]]:
    """The real workout_doc trees of records that are not raw events (library workouts,
    harvested planned workouts), as events holding only their workout_doc."""
    docs = [
        e["workout_doc"] for e in _load("robertgregorywest__workout-parser_events.json")["entries"]
    ]
    for folder in _load("tp2intervals__intervals_workouts.json"):
        docs.extend(w["workout_doc"] for w in folder.get("children") or [])
    return [{"workout_doc": doc} for doc in docs if isinstance(doc, dict)]


def real_records() -> dict[str, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    for path in sorted(ICU.glob("tp2intervals__intervals-events-response*.json")):
        events.extend(_load(path.name))
    events.extend(real_workout_docs())
    return {
        "activity": _load("juancarbonell__activities_history@8f66b30.json"),
        "wellness": _load("juancarbonell__wellness_history@1616799.json"),
        "event": events,
        "sport_settings": _load("nl_doc__sport_settings.json"),
    }


@pytest.fixture(scope="module")
def demo_records(demo_data, demo_today) -> dict[str, list[dict[str, Any]]]:
    from section11.demo.server import FakeIntervals

    from .conftest import private_copy

    server = FakeIntervals(private_copy(demo_data), today=demo_today)
    server.latency = 0.0
    oldest = (demo_today - timedelta(days=1099)).isoformat()
    newest = (demo_today + timedelta(days=120)).isoformat()
    with server, requests.Session() as http:
        http.auth = ("API_KEY", DEMO_API_KEY)

        def get(path: str, **params: str) -> Any:
            reply = http.get(server.base_url + API + path, params=params, timeout=30)
            reply.raise_for_status()
            return reply.json()

        athlete = demo_data.athlete_id
        activities = get(f"/athlete/{athlete}/activities", oldest=oldest, newest=newest)
        return {
            "activity": [a for a in activities if a.get("source") != "STRAVA"],
            "wellness": get(f"/athlete/{athlete}/wellness", oldest=oldest, newest=newest),
            "event": get(
                f"/athlete/{athlete}/events", oldest=oldest, newest=newest, resolve="true"
            ),
            "sport_settings": get(f"/athlete/{athlete}/sport-settings"),
        }


@pytest.fixture(scope="module")
def real() -> dict[str, list[dict[str, Any]]]:
    return real_records()


def allowed(kind: str, path: str) -> bool:
    return any(
        path == key or path.startswith((key + ".", key + "[]")) for key in ALLOWED_EXTRA[kind]
    )


KINDS = ("activity", "wellness", "event", "sport_settings")


@pytest.mark.parametrize("kind", KINDS)
def test_every_demo_key_exists_in_the_real_records(kind, demo_records, real):
    real_keys = set(key_types(real[kind]))
    unknown = sorted(
        path
        for path in key_types(demo_records[kind])
        if path not in real_keys and not allowed(kind, path)
    )
    assert demo_records[kind], f"the fake served no {kind} records"
    assert unknown == [], f"{kind}: keys the real API does not send: {unknown}"


@pytest.mark.parametrize("kind", KINDS)
def test_shared_keys_have_compatible_types(kind, demo_records, real):
    demo = key_types(demo_records[kind])
    seen = key_types(real[kind])
    clashes = {}
    for key in sorted(demo.keys() & seen.keys()):
        if seen[key] == {"null"}:
            continue  # the real records say nothing about the type
        demo_types = demo[key] - ({"null"} if key in NULL_OK[kind] else set())
        if not demo_types <= seen[key]:
            clashes[key] = (sorted(demo[key]), sorted(seen[key]))
    assert clashes == {}, f"{kind}: (demo types, real types) differ: {clashes}"
