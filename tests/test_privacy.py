"""Privacy: redaction categories field by field, the option set, and a scan of a
whole demo run's output files (README.md#privacy, weakness 9.3.7 (docs/architecture.md#reference-weaknesses)).

The unit tests use a hand-written latest.json with one field per category and
state the expected redacted values by hand. The end-to-end tests run the CLI
against the fake Intervals.icu and scan every output file for the demo
athlete's real id, name, city and birth date, and for any lat/lon pair of the
completed activities' GPS streams (rounded to 3 decimals, about 100 m).
"""

from __future__ import annotations

import copy
import json
import re
from argparse import Namespace
from datetime import timedelta
from pathlib import Path

import pytest

from section11 import pipeline
from section11.config import load_settings
from section11.demo import profile as demo_profile
from section11.errors import InvalidInput
from section11.outputs.anonymize import (
    DOCUMENT_PROTECTORS,
    PRIVACY_NOTE,
    REDACTED,
    protect_documents,
    protect_ftp_history,
    protect_history,
    protect_intervals,
    protect_latest,
    protect_routes,
    strip_coordinates,
)
from section11.privacy import (
    CATEGORIES,
    DEFAULT_POLICY,
    SHARE_EVERYTHING,
    PrivacyPolicy,
    parse_share,
    policy_from,
    policy_of_settings,
)
from tests.kit.fast_client import use_fast_client

from .conftest import DEMO_TODAY
from .helpers import run_cli

NOW = "2026-11-23T09:00:00+00:00"


def only(*categories: str) -> PrivacyPolicy:
    """A policy redacting exactly `categories`."""
    return PrivacyPolicy(frozenset(categories))


def all_but(category: str) -> PrivacyPolicy:
    return policy_from(True, {category})


# ----------------------------------------------------------------- a hand-made latest.json

TERRAIN = {
    "source": "activity_streams",
    "total_distance_km": 40.2,
    "total_elevation_m": 310,
    "elevation_per_km": 7.7,
    "course_character": "rolling",
    "start_coords": [52.09071, 5.12142],
    "climbs": [
        {
            "position_km": 5.1,
            "distance_km": 2.8,
            "elevation_m": 107,
            "avg_gradient_pct": 3.8,
            "category": "Cat 4",
            "start_coords": [52.10001, 5.13002],
            "end_coords": [52.11003, 5.14004],
            "display": {"elevation": {"value": 107, "unit": "m"}},
        }
    ],
    "descents": [
        {
            "position_km": 9.0,
            "distance_km": 1.5,
            "elevation_m": -60,
            "avg_gradient_pct": -4.0,
            "start_coords": [52.12005, 5.15006],
            "end_coords": [52.13007, 5.16008],
        }
    ],
    "display": {"total_distance": {"value": 40.2, "unit": "km"}},
}
TERRAIN_WITHOUT_GPS = {
    "source": "activity_streams",
    "total_distance_km": 40.2,
    "total_elevation_m": 310,
    "elevation_per_km": 7.7,
    "course_character": "rolling",
    "climbs": [
        {
            "position_km": 5.1,
            "distance_km": 2.8,
            "elevation_m": 107,
            "avg_gradient_pct": 3.8,
            "category": "Cat 4",
            "display": {"elevation": {"value": 107, "unit": "m"}},
        }
    ],
    "descents": [
        {"position_km": 9.0, "distance_km": 1.5, "elevation_m": -60, "avg_gradient_pct": -4.0}
    ],
    "display": {"total_distance": {"value": 40.2, "unit": "km"}},
}

LATEST = {
    "READ_THIS_FIRST": {"data_period": "Last 7 days (including today)"},
    "metadata": {
        "athlete_id": "i777001",
        "last_updated": "2026-03-10T07:45:00+01:00",
        "version": "1.0.0",
        "timezone": "Europe/Amsterdam",
    },
    "athlete_profile": {
        "date_of_birth": "1990-02-03",
        "age": 36,
        "height_m": 1.7,
        "sex": "F",
        "location": "Utrecht, Utrecht, Netherlands",
        "timezone": "Europe/Amsterdam",
        "platform_activated": "2020-01-01",
    },
    "athlete_notes": "Asthma, inhaler before hard sessions.",
    "summary": {"total_activities": 3},
    "current_status": {"fitness": {"ctl": 50.0, "atl": 55.0, "tsb": -5.0}},
    "recent_activities": [
        {
            "id": "a1",
            "date": "2026-03-09T08:00:00",
            "type": "Ride",
            "name": "Loop past 12 Oak Lane",
            "distance_km": 40.2,
            "elevation_m": 310,
            "terrain_summary": TERRAIN,
            "weather_status": "unavailable",
            "description": "NOTE: legs fine\nMet Anna at the cafe in Zeist",
            "coach_notes": ["legs fine"],
            "chat_notes": ["Anna: great ride today!"],
        },
        {
            "id": "a2",
            "date": "2026-03-08T18:00:00",
            "type": "VirtualRide",
            "name": "Zwift - Watopia",
            "distance_km": 30.0,
            "elevation_m": 200,
            "description": "Easy spin",
        },
        {
            "id": "a3",
            "date": "2026-03-07T07:00:00",
            "type": "Run",
            "name": "Park run with Tom",
            "distance_km": 10.0,
            "elevation_m": 20,
            "terrain_status": "no_gps",
        },
    ],
    "wellness_data": [{"date": "2026-03-10", "hrv_rmssd": 60}],
    "planned_workouts": [
        {
            "id": "e1",
            "date": "2026-03-12",
            "name": "Race: Utrecht Classic",
            "type": "RACE_A",
            "description": "Course recon the day before",
            "has_terrain": True,
        }
    ],
}


# Each category's fields as the privacy rules see them, and their redacted form.
def category_view(doc: dict) -> dict:
    activities = doc["recent_activities"]
    return {
        "athlete_id": doc["metadata"]["athlete_id"],
        "activity_names": [a["name"] for a in activities],
        "gps": [a.get("terrain_summary") for a in activities],
        "location": doc["athlete_profile"]["location"],
        "birth_date": doc["athlete_profile"]["date_of_birth"],
        "notes": (
            doc["athlete_notes"],
            [{k: a[k] for k in ("description", "chat_notes") if k in a} for a in activities],
        ),
    }


SHARED_VIEW = category_view(LATEST)
REDACTED_VIEW = {
    "athlete_id": "REDACTED",
    "activity_names": ["Outdoor Ride", "Zwift - Watopia", "Outdoor Run"],
    "gps": [TERRAIN_WITHOUT_GPS, None, None],
    "location": None,
    "birth_date": None,
    "notes": (None, [{}, {}, {}]),
}


def everything_else(doc: dict) -> dict:
    """The document without any category field (and without metadata.privacy)."""
    doc = copy.deepcopy(doc)
    doc["metadata"].pop("athlete_id")
    doc["metadata"].pop("privacy", None)
    doc["athlete_profile"].pop("location")
    doc["athlete_profile"].pop("date_of_birth")
    doc.pop("athlete_notes")
    for a in doc["recent_activities"]:
        for key in ("name", "terrain_summary", "description", "chat_notes"):
            a.pop(key, None)
    return doc


def test_expected_views_are_what_the_sample_holds():
    assert SHARED_VIEW["activity_names"] == [
        "Loop past 12 Oak Lane",
        "Zwift - Watopia",
        "Park run with Tom",
    ]
    assert SHARED_VIEW["notes"][1][0]["chat_notes"] == ["Anna: great ride today!"]


def test_default_policy_redacts_every_category():
    before = copy.deepcopy(LATEST)
    out = protect_latest(LATEST)
    assert category_view(out) == REDACTED_VIEW
    assert everything_else(out) == everything_else(LATEST)
    assert LATEST == before  # input untouched
    assert out["metadata"]["privacy"] == {
        "redacted": list(CATEGORIES),
        "shared": [],
        "note": PRIVACY_NOTE,
    }


@pytest.mark.parametrize("category", CATEGORIES)
def test_one_category_redacted_alone(category):
    out = protect_latest(LATEST, only(category))
    view = category_view(out)
    for name in CATEGORIES:
        expected = REDACTED_VIEW[name] if name == category else SHARED_VIEW[name]
        assert view[name] == expected, name
    assert everything_else(out) == everything_else(LATEST)
    assert out["metadata"]["privacy"]["redacted"] == [category]


@pytest.mark.parametrize("category", CATEGORIES)
def test_one_category_shared_alone(category):
    out = protect_latest(LATEST, all_but(category))
    view = category_view(out)
    for name in CATEGORIES:
        expected = SHARED_VIEW[name] if name == category else REDACTED_VIEW[name]
        assert view[name] == expected, name
    assert everything_else(out) == everything_else(LATEST)
    assert out["metadata"]["privacy"]["shared"] == [category]
    assert category not in out["metadata"]["privacy"]["redacted"]


def test_share_everything_changes_nothing_but_records_the_policy():
    out = protect_latest(LATEST, SHARE_EVERYTHING)
    privacy = out["metadata"].pop("privacy")
    assert out == LATEST
    assert privacy["redacted"] == [] and privacy["shared"] == list(CATEGORIES)


def test_kept_on_purpose():
    """Age, timezone, coach notes, planned events, distances and elevations stay."""
    out = protect_latest(LATEST)
    assert out["athlete_profile"]["age"] == 36
    assert out["athlete_profile"]["timezone"] == "Europe/Amsterdam"
    assert out["metadata"]["timezone"] == "Europe/Amsterdam"
    assert out["recent_activities"][0]["coach_notes"] == ["legs fine"]
    assert out["planned_workouts"] == LATEST["planned_workouts"]
    assert out["recent_activities"][0]["distance_km"] == 40.2
    assert out["recent_activities"][2]["terrain_status"] == "no_gps"
    # the key order of the reference is kept (athlete_notes stays, as null)
    assert list(out) == list(LATEST)


def test_missing_and_null_fields_are_tolerated():
    doc = {
        "metadata": {"version": "1"},
        "athlete_profile": {"age": None},
        "recent_activities": [
            None,
            {"type": None, "name": None},
            {"type": "Ride", "terrain_summary": None},
        ],
    }
    out = protect_latest(doc)
    assert out["metadata"]["athlete_id"] == REDACTED  # the key is always redacted
    assert out["athlete_profile"] == {"age": None}  # no location key invented
    assert "athlete_notes" not in out
    assert out["recent_activities"] == [
        None,
        {"type": None, "name": None},
        {"type": "Ride", "terrain_summary": None},
    ]
    assert protect_latest({}) == {}


def test_strip_coordinates_at_any_depth():
    value = {
        "a": [
            {
                "start_coords": [1.0, 2.0],
                "km": 3,
                "b": {"polyline": [[0, 1.0, 2.0, 5]], "lat": 1.0, "lon": 2.0},
            }
        ],
        "end_coords": [1, 2],
    }
    assert strip_coordinates(value) == {"a": [{"km": 3, "b": {}}]}
    assert value["end_coords"] == [1, 2]


# ----------------------------------------------------------------- the other documents

INTERVALS = {
    "generated_at": "2026-03-10T07:45:00+01:00",
    "activities": [
        {
            "activity_id": "a1",
            "type": "Ride",
            "name": "Loop past 12 Oak Lane",
            "intervals": [{"type": "WORK", "avg_power": 250}],
            "start_latlng": [52.1, 5.1],
        },
        {"activity_id": "a2", "type": "VirtualRide", "name": "Zwift - Watopia", "intervals": []},
    ],
    "fetch_state": {"a1": {"intervals": {"status": "ok"}}},
}


def test_intervals_names_and_coordinates():
    before = copy.deepcopy(INTERVALS)
    out = protect_intervals(INTERVALS)
    assert [e["name"] for e in out["activities"]] == ["Outdoor Ride", "Zwift - Watopia"]
    assert "start_latlng" not in out["activities"][0]
    assert out["activities"][0]["intervals"] == [{"type": "WORK", "avg_power": 250}]
    assert out["fetch_state"] == INTERVALS["fetch_state"]
    assert INTERVALS == before
    shared = protect_intervals(INTERVALS, policy_from(True, {"activity_names", "gps"}))
    assert shared == INTERVALS
    names_only = protect_intervals(INTERVALS, only("activity_names"))
    assert names_only["activities"][0]["start_latlng"] == [52.1, 5.1]
    assert names_only["activities"][0]["name"] == "Outdoor Ride"


def test_history_keeps_its_methodology_notes():
    history = {
        "notes": {"weekly_180d": "rows are Monday-based"},
        "daily_90d": [{"date": "2026-03-10", "tss": 80}],
        "odd": {"start_coords": [52.1, 5.1], "km": 4},
    }
    out = protect_history(history)
    assert out == {
        "notes": {"weekly_180d": "rows are Monday-based"},
        "daily_90d": [{"date": "2026-03-10", "tss": 80}],
        "odd": {"km": 4},
    }
    assert protect_history(history, only("notes")) == history


def test_routes_keep_planned_coordinates_and_ftp_history_is_untouched():
    routes = {
        "events": [
            {
                "event_name": "Utrecht Classic",
                "terrain_summary": {"start_coords": [52.1, 5.1], "polyline": [[0.0, 52.1, 5.1, 3]]},
            }
        ]
    }
    assert protect_routes(routes) == routes
    ftp = {"indoor": {"2026-03-01": 250}, "outdoor": {}}
    assert protect_ftp_history(ftp) == ftp


def test_protect_documents_covers_every_output_and_refuses_unknown_ones():
    assert set(DOCUMENT_PROTECTORS) == {
        "latest.json",
        "intervals.json",
        "history.json",
        "routes.json",
        "ftp_history.json",
    }
    docs = {"history.json": {"daily_90d": []}, "intervals.json": INTERVALS, "latest.json": LATEST}
    out = protect_documents(docs)
    assert list(out) == list(docs)
    assert out["latest.json"]["metadata"]["athlete_id"] == REDACTED
    assert out["intervals.json"]["activities"][0]["name"] == "Outdoor Ride"
    with pytest.raises(ValueError, match="weather.json"):
        protect_documents({"weather.json": {}})


# ----------------------------------------------------------------- the option set


@pytest.mark.parametrize(
    "value, expected",
    [
        ("gps", {"gps"}),
        ("  GPS , Notes ", {"gps", "notes"}),
        (["gps,notes", "location"], {"gps", "notes", "location"}),
        ("all", set(CATEGORIES)),
        ("notes,all", set(CATEGORIES)),
        ("none", set()),
        ("", set()),
        (None, set()),
        ([], set()),
    ],
)
def test_parse_share(value, expected):
    assert parse_share(value) == frozenset(expected)


@pytest.mark.parametrize(
    "value, words",
    [
        ("gpss", ["gpss", "athlete_id", "birth_date"]),
        ("notes,home", ["home"]),
        ("none,gps", ["none"]),
        (5, ["comma-separated"]),
        (["gps", 3], ["comma-separated"]),
    ],
)
def test_parse_share_refuses_bad_values(value, words):
    with pytest.raises(InvalidInput) as err:
        parse_share(value, "SECTION11_SHARE")
    assert "SECTION11_SHARE" in err.value.message
    for word in words:
        assert word in err.value.message


def test_policies():
    assert DEFAULT_POLICY.redacted == frozenset(CATEGORIES) and DEFAULT_POLICY.anonymized
    assert policy_from(False, {"gps"}) == SHARE_EVERYTHING and not SHARE_EVERYTHING.anonymized
    policy = policy_from(True, {"gps", "notes"})
    assert policy.describe() == {
        "redacted": ["athlete_id", "activity_names", "location", "birth_date"],
        "shared": ["gps", "notes"],
    }
    assert policy.redacts("location") and not policy.redacts("gps")
    with pytest.raises(ValueError):
        policy.redacts("home")
    with pytest.raises(ValueError):
        PrivacyPolicy(frozenset({"home"}))
    assert policy_of_settings(Namespace()) == DEFAULT_POLICY
    assert policy_of_settings(Namespace(anonymize=True, share=frozenset({"gps"}))) == all_but("gps")


def settings_for(tmp_path: Path, env: dict | None = None, config: dict | None = None, **args):
    environ = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    environ.update(env or {})
    if config is not None:
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        path.chmod(0o600)
        args.setdefault("config", str(path))
    return load_settings(Namespace(**args), environ, cwd=tmp_path, warn=lambda m: None)


def test_share_sources_and_precedence(tmp_path):
    assert settings_for(tmp_path).share == frozenset()
    assert settings_for(tmp_path, config={"share": ["location"]}).share == {"location"}
    assert settings_for(tmp_path, config={"share": "gps,notes"}).share == {"gps", "notes"}
    env = {"SECTION11_SHARE": "birth_date"}
    assert settings_for(tmp_path, env, config={"share": ["location"]}).share == {"birth_date"}
    assert settings_for(
        tmp_path, env, config={"share": ["location"]}, share=["notes", "gps"]
    ).share == {"notes", "gps"}
    assert settings_for(tmp_path, env, share=["none"]).share == frozenset()
    settings = settings_for(tmp_path, env, no_anonymize=True)
    assert policy_of_settings(settings) == SHARE_EVERYTHING


def test_bad_share_in_config_names_the_file(tmp_path):
    with pytest.raises(InvalidInput) as err:
        settings_for(tmp_path, config={"share": ["gps", "postcode"]})
    assert "config.json" in err.value.message and "postcode" in err.value.message


def test_cli_share_flag_and_bad_value(tmp_path, capsys, monkeypatch):
    seen = []
    monkeypatch.setattr(
        pipeline, "run", lambda settings, out=None, progress=None: seen.append(settings) or 0
    )
    env = {
        "ATHLETE_ID": "i1",
        "INTERVALS_KEY": "k" * 20,
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
        "SECTION11_SHARE": "notes",
    }
    code, _, err = run_cli(
        ["--output-dir", str(tmp_path), "--share", "gps", "--share", "location,birth_date"],
        env,
        capsys,
        tmp_path,
    )
    assert code == 0, err
    assert seen[-1].share == {"gps", "location", "birth_date"}
    code, _, err = run_cli(
        ["--output-dir", str(tmp_path), "--share", "gps,home"], env, capsys, tmp_path
    )
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: --share: unknown privacy category home")


# ----------------------------------------------------------------- a whole demo run


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    use_fast_client(monkeypatch)


def env_for(server, **extra) -> dict[str, str]:
    env = {
        "ATHLETE_ID": server.data.athlete_id,
        "INTERVALS_KEY": server.data.api_key,
        "INTERVALS_BASE_URL": server.base_url,
        "SECTION11_NOW": NOW,
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
    }
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def visited(demo_data) -> set[tuple[float, float]]:
    """Every (lat, lon) of the GPS streams of completed activities of the last 60 days,
    rounded to 3 decimals (intervals.json keeps 14 days, latest.json 28)."""
    oldest = DEMO_TODAY - timedelta(days=60)
    pairs: set[tuple[float, float]] = set()
    for activity_id, detail in demo_data.details.items():
        if detail.session.day < oldest:
            continue
        for stream in demo_data.activity_streams(activity_id):
            if stream.get("type") == "latlng":
                pairs.update(
                    (round(lat, 3), round(lon, 3))
                    for lat, lon in zip(stream["data"], stream["data2"])
                    if lat is not None and lon is not None
                )
    assert len(pairs) > 1000  # the demo's outdoor activities do have GPS
    return pairs


_DECIMAL = re.compile(r"-?\d+\.\d{2,}")


def coordinate_hits(text: str, visited: set[tuple[float, float]]) -> list[tuple[float, float]]:
    """Consecutive decimal numbers in `text` that form a visited (lat, lon) to 3 decimals:
    catches [lat, lon] lists, polylines and {"lat": .., "lon": ..} objects alike."""
    numbers = [float(n) for n in _DECIMAL.findall(text)]
    return [(a, b) for a, b in zip(numbers, numbers[1:]) if (round(a, 3), round(b, 3)) in visited]


def personal_strings(text: str) -> list[str]:
    """The demo athlete's real id, name, city/state/country and date of birth in `text`."""
    found = []
    for needle in (
        demo_profile.ATHLETE_ID,
        f"{demo_profile.FIRSTNAME} {demo_profile.LASTNAME}",
        demo_profile.CITY,
        demo_profile.STATE,
        demo_profile.COUNTRY,
        "1987-05-14",
        "14.05.1987",
        "05/14/1987",
    ):
        if needle.lower() in text.lower():
            found.append(needle)
    for word in (demo_profile.FIRSTNAME, demo_profile.LASTNAME):
        if re.search(rf"\b{re.escape(word)}\b", text):  # case-sensitive whole word
            found.append(word)
    return found


def output_files(directory: Path) -> dict[str, str]:
    """Every file a run produced, outside the private local store."""
    return {
        str(p.relative_to(directory)): p.read_text(errors="replace")
        for p in sorted(directory.rglob("*"))
        if p.is_file() and ".section11" not in p.relative_to(directory).parts
    }


def test_demo_athlete_facts_are_what_the_scan_looks_for(demo_data):
    athlete = demo_data.athlete
    assert demo_data.athlete_id == "i500011" == demo_profile.ATHLETE_ID
    assert athlete["name"] == "Demo Athlete" and athlete["city"] == "Maastricht"
    assert athlete["icu_date_of_birth"] == "1987-05-14"


def test_default_run_leaks_no_personal_data(fake_api, tmp_path, capsys, visited):
    code, out, err = run_cli(["--output-dir", str(tmp_path)], env_for(fake_api), capsys, tmp_path)
    assert code == 0, err
    files = output_files(tmp_path)
    assert {"latest.json", "history.json", "intervals.json", "routes.json"} <= set(files)
    for name, text in files.items():
        assert personal_strings(text) == [], name
    for name in ("latest.json", "intervals.json", "history.json"):
        assert coordinate_hits(files[name], visited) == [], name
    assert personal_strings(out + err) == []
    latest = json.loads(files["latest.json"])
    assert latest["metadata"]["privacy"]["redacted"] == list(CATEGORIES)
    assert latest["athlete_profile"]["age"] == 39 and latest["athlete_profile"]["timezone"]
    outdoor = [a for a in latest["recent_activities"] if "terrain_summary" in a]
    assert outdoor and all(a["terrain_summary"]["total_distance_km"] > 0 for a in outdoor)
    assert all(
        "chat_notes" not in a and "description" not in a for a in latest["recent_activities"]
    )
    # planned routes keep their course
    routes = json.loads(files["routes.json"])
    polylines = [
        e["terrain_summary"]["polyline"]
        for e in routes["events"]
        if (e.get("terrain_summary") or {}).get("polyline")
    ]
    assert polylines and all(len(p) > 10 for p in polylines)


def test_scan_detects_what_sharing_lets_through(fake_api, tmp_path, capsys, visited):
    """The scan is not blind: with everything shared it finds each fact."""
    code, _, err = run_cli(
        ["--output-dir", str(tmp_path), "--no-anonymize"], env_for(fake_api), capsys, tmp_path
    )
    assert code == 0, err
    files = output_files(tmp_path)
    latest_text = files["latest.json"]
    assert set(personal_strings(latest_text)) >= {"i500011", "Maastricht", "1987-05-14"}
    assert coordinate_hits(latest_text, visited)
    latest = json.loads(latest_text)
    assert latest["metadata"]["privacy"]["shared"] == list(CATEGORIES)
    assert latest["athlete_profile"]["location"] == "Maastricht, Limburg, Netherlands"
    assert latest["athlete_notes"]
    assert any("chat_notes" in a for a in latest["recent_activities"])


def test_share_one_category_from_the_environment(fake_api, tmp_path, capsys, visited):
    env = env_for(fake_api, SECTION11_SHARE="gps")
    code, _, err = run_cli(["--output-dir", str(tmp_path)], env, capsys, tmp_path)
    assert code == 0, err
    files = output_files(tmp_path)
    assert coordinate_hits(files["latest.json"], visited)
    for text in files.values():
        assert personal_strings(text) == []
    latest = json.loads(files["latest.json"])
    assert latest["metadata"]["privacy"]["shared"] == ["gps"]
    assert latest["athlete_profile"]["location"] is None


def test_redaction_never_changes_a_metric(demo_data, tmp_path, capsys):
    """Same data with and without redaction: every other byte is the same."""
    from section11.demo.server import FakeIntervals

    from .conftest import private_copy

    docs = {}
    for label, args in (("private", []), ("open", ["--no-anonymize"])):
        directory = tmp_path / label
        with FakeIntervals(private_copy(demo_data), today=DEMO_TODAY) as server:
            code, _, err = run_cli(
                ["--output-dir", str(directory)] + args, env_for(server), capsys, tmp_path
            )
        assert code == 0, err
        docs[label] = {
            name: json.loads(text)
            for name, text in output_files(directory).items()
            if name.endswith(".json")
        }
    private, public = docs["private"], docs["open"]
    assert private["history.json"] == public["history.json"]
    assert private["routes.json"] == public["routes.json"]
    assert protect_intervals(public["intervals.json"]) == private["intervals.json"]
    assert protect_latest(public["latest.json"]) == private["latest.json"]
    assert private["latest.json"]["derived_metrics"] == public["latest.json"]["derived_metrics"]
