"""End to end: the CLI and pipeline against the fake Intervals.icu over real HTTP.

Covers the foundation's promises: a sync writes latest.json with every core
section; bad input and API faults give one line, a non-zero exit code and leave
previous files byte-identical; "today" is the athlete's date; the API key never
leaks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from section11.demo.dataset import build_demo
from section11.demo.server import FakeIntervals
from tests.kit.fast_client import use_fast_client

from .conftest import DEMO_TODAY, private_copy
from .helpers import run_cli
from .test_out_activities import BASE_KEYS
from .test_out_wellness import RECORD_KEYS

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T09:00:00+00:00"  # 10:00 in Amsterdam on DEMO_TODAY
SECRET = "Zq8xK3vR7mW2pL9tN4bY6cJ1"  # distinctive: no 5-letter run occurs in English text

CORE_KEYS = [
    "READ_THIS_FIRST",
    "metadata",
    "athlete_profile",
    "athlete_notes",
    "summary",
    "current_status",
    "recent_activities",
    "wellness_data",
    "planned_workouts",
    "workout_summary_stats",
    "weekly_summary",
]
ACTIVITY_KEYS = BASE_KEYS  # the record shape, tested field by field in test_out_activities
WELLNESS_KEYS = RECORD_KEYS  # tested field by field in test_out_wellness
PLANNED_KEYS = [
    "id",
    "date",
    "name",
    "type",
    "sport_type",
    "planned_tss",
    "duration_hours",
    "duration_formatted",
    "workout_summary",
    "has_terrain",
]


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    """The real client, without real sleeps between retries."""

    use_fast_client(monkeypatch, read_timeout=0.5)


def env_for(server: FakeIntervals, **extra) -> dict[str, str]:
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


def test_sync_writes_every_core_section(fake_api, tmp_path, capsys):
    code, out, err = run_cli(
        ["--output", str(tmp_path / "latest.json")], env_for(fake_api), capsys, tmp_path
    )
    assert code == 0, err
    doc = json.loads((tmp_path / "latest.json").read_text())
    keys = list(doc)
    assert [k for k in keys if k in CORE_KEYS] == CORE_KEYS  # reference order
    assert doc["metadata"]["athlete_id"] == "REDACTED"
    assert doc["metadata"]["data_range_days"] == 7
    assert doc["metadata"]["extended_range_days"] == 28
    assert doc["metadata"]["last_updated"].startswith("2026-11-23T10:00:00")
    assert doc["metadata"]["last_updated"].endswith("+01:00")
    status = doc["current_status"]
    assert status["fitness"]["ctl"] is not None and status["fitness"]["atl"] is not None
    assert status["thresholds"]["sports"]["cycling"]["ftp"]
    assert status["current_metrics"]["resting_hr"] is not None
    assert doc["recent_activities"] and doc["wellness_data"] and doc["planned_workouts"]
    for record in doc["recent_activities"]:
        assert list(record)[: len(ACTIVITY_KEYS)] == ACTIVITY_KEYS
    for record in doc["wellness_data"]:
        assert list(record) == WELLNESS_KEYS
    # pace in the sport's unit for runs, none for rides; IF as a fraction
    runs = [r for r in doc["recent_activities"] if r["type"] == "Run"]
    assert runs and all(r["pace"].endswith("/km") and r["pace_unit"] == "km" for r in runs)
    for run in runs:
        assert run["pace_secs"] == pytest.approx(1000 / run["avg_pace"], abs=0.05)
    rides = [r for r in doc["recent_activities"] if "Ride" in r["type"]]
    assert rides and all(r["pace"] is None for r in rides)
    assert all(0 < r["intensity_factor"] < 2 for r in rides if r["intensity_factor"] is not None)
    for record in doc["planned_workouts"]:
        assert set(PLANNED_KEYS) <= set(record)
    assert any(p["workout_summary"] for p in doc["planned_workouts"])
    assert doc["weekly_summary"]["activities_count"] > 0
    assert doc["summary"]["total_activities"] == doc["weekly_summary"]["activities_count"]
    # every activity of the 28-day window, and no Strava stub
    dates = {r["date"][:10] for r in doc["recent_activities"]}
    assert min(dates) >= "2026-10-27" and max(dates) <= "2026-11-23"
    assert all(r["type"] != "Unknown" for r in doc["recent_activities"])
    assert "wrote" in out


def test_raw_athlete_secrets_never_serialized(fake_api, tmp_path, capsys):
    code, out, err = run_cli(
        ["--output-dir", str(tmp_path), "--no-anonymize"], env_for(fake_api), capsys, tmp_path
    )
    assert code == 0, err
    text = (tmp_path / "latest.json").read_text()
    athlete = fake_api.data.athlete
    for secret_field in ("icu_api_key", "icu_friend_invite_token", "email"):
        assert secret_field not in text
        if athlete.get(secret_field):
            assert str(athlete[secret_field]) not in text
    doc = json.loads(text)
    assert doc["metadata"]["athlete_id"] == fake_api.data.athlete_id


def test_anonymization_on_by_default_replaces_outdoor_names(fake_api, tmp_path, capsys):
    code, _, err = run_cli(["--output-dir", str(tmp_path)], env_for(fake_api), capsys, tmp_path)
    assert code == 0, err
    doc = json.loads((tmp_path / "latest.json").read_text())
    real_names = {
        a.get("name")
        for a in fake_api.data.activities
        if a.get("type") in ("Ride", "Run", "GravelRide", "TrailRun", "Walk", "Hike")
    }
    outdoor = [
        r
        for r in doc["recent_activities"]
        if r["type"] in ("Ride", "Run", "GravelRide", "TrailRun", "Walk", "Hike")
    ]
    assert outdoor
    assert not {r["name"] for r in outdoor} & real_names
    assert fake_api.data.athlete_id not in json.dumps(doc)


def test_request_budget_first_and_steady_state(fake_api, tmp_path, capsys):
    env = env_for(fake_api)
    code, _, err = run_cli(["--output-dir", str(tmp_path)], env, capsys, tmp_path)
    assert code == 0, err
    first = [r.path for r in fake_api.requests]
    # the 3-year history arrives once, in chunks of about 18 months (the newest with
    # the recent window), not one giant response
    assert sum(p.endswith("/activities") for p in first) == 2
    fake_api.reset_log()
    code, _, err = run_cli(["--output-dir", str(tmp_path)], env, capsys, tmp_path)
    assert code == 0, err
    steady = [r.path for r in fake_api.requests]
    assert sum(p.endswith("/wellness") for p in steady) == 1  # the reference made four calls
    assert len(steady) <= 6, steady


# ------------------------------------------------------------ faults and bad input

PREVIOUS = b'{"previous": true}\n'


def prepare(tmp_path: Path) -> Path:
    target = tmp_path / "latest.json"
    target.write_bytes(PREVIOUS)
    return target


def assert_failed_cleanly(code, err, expected_code, target: Path, *must_mention):
    assert code == expected_code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for word in must_mention:
        assert word.lower() in lines[0].lower(), lines[0]
    assert target.read_bytes() == PREVIOUS
    # nothing else written; the local store (.section11/) may exist but holds no output
    assert sorted(p.name for p in target.parent.iterdir() if p.name != ".section11") == [
        "latest.json"
    ]


@pytest.mark.parametrize(
    "fault, expected, mention",
    [
        (dict(path_regex=r"/athlete/[^/]+$", status=401), 4, "INTERVALS_KEY"),
        (dict(path_regex=r"/activities$", status=500, times=10), 5, "activit"),
        (dict(path_regex=r"/activities$", status=503, times=10), 5, "activit"),
        (dict(path_regex=r"/wellness$", truncate=True, times=10), 5, "wellness"),
        (dict(path_regex=r"/wellness$", invalid_json=True), 5, "wellness"),
        (dict(path_regex=r"/events$", null_body=True), 5, "events"),
        (dict(path_regex=r"/activities$", status=429, retry_after="0", times=10), 5, "activit"),
        (dict(path_regex=r"/activities$", status=404), 5, "activit"),
        (dict(path_regex=r"/activities$", status=422), 5, "activit"),
        (dict(path_regex=r"/athlete/[^/]+$", reset=True, times=10), 5, ""),
        (dict(path_regex=r"/wellness$", delay=1.0, times=10), 5, "wellness"),
    ],
)
def test_core_faults_exit_nonzero_and_keep_files(
    fake_api, tmp_path, capsys, fault, expected, mention
):
    target = prepare(tmp_path)
    path_regex = fault.pop("path_regex")
    fake_api.inject(path_regex, **fault)
    code, _, err = run_cli(["--output", str(target)], env_for(fake_api), capsys, tmp_path)
    assert_failed_cleanly(code, err, expected, target, mention)


def test_core_recovers_after_transient_faults(fake_api, tmp_path, capsys):
    target = prepare(tmp_path)
    fake_api.inject(r"/activities$", status=429, retry_after="0", times=1)
    fake_api.inject(r"/wellness$", status=502, times=2)
    code, _, err = run_cli(["--output", str(target)], env_for(fake_api), capsys, tmp_path)
    assert code == 0, err
    assert json.loads(target.read_text())["recent_activities"]


def test_wrong_key_is_an_auth_failure(fake_api, tmp_path, capsys):
    target = prepare(tmp_path)
    env = env_for(fake_api, INTERVALS_KEY="wrong-key-123")
    code, _, err = run_cli(["--output", str(target)], env, capsys, tmp_path)
    assert_failed_cleanly(code, err, 4, target)
    assert len(fake_api.requests) == 1  # no retries on 403


def test_missing_key_names_the_fix(tmp_path, capsys):
    target = prepare(tmp_path)
    env = {"ATHLETE_ID": "i1", "HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"}
    code, _, err = run_cli(["--output", str(target)], env, capsys, tmp_path)
    assert_failed_cleanly(code, err, 3, target, "--setup")


@pytest.mark.parametrize("athlete_id", ["abc", "i12x", "123-456", "i 12"])
def test_malformed_athlete_id(fake_api, tmp_path, capsys, athlete_id):
    target = prepare(tmp_path)
    code, _, err = run_cli(
        ["--output", str(target)], env_for(fake_api, ATHLETE_ID=athlete_id), capsys, tmp_path
    )
    assert_failed_cleanly(code, err, 2, target, "athlete")
    assert fake_api.requests == []


def test_unreachable_host(tmp_path, capsys):
    target = prepare(tmp_path)
    env = {
        "ATHLETE_ID": "i1",
        "INTERVALS_KEY": "k" * 20,
        "SECTION11_NOW": NOW,
        "INTERVALS_BASE_URL": "http://127.0.0.1:9",
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
    }
    code, _, err = run_cli(["--output", str(target)], env, capsys, tmp_path)
    assert_failed_cleanly(code, err, 5, target, "127.0.0.1")


def test_optional_call_failure_still_completes(fake_api, tmp_path, capsys):
    fake_api.inject(r"/messages$", status=500, times=100)
    code, out, err = run_cli(["--output-dir", str(tmp_path)], env_for(fake_api), capsys, tmp_path)
    assert code == 0, err
    assert "messages unavailable" in out


# ------------------------------------------------------------ timezone edges


@pytest.mark.parametrize(
    "zone, now, expected_today, offset",
    [
        ("Pacific/Tongatapu", "2026-11-23T10:30:00+00:00", "2026-11-23", "+13:00"),  # 23:30
        ("Pacific/Tongatapu", "2026-11-23T11:30:00+00:00", "2026-11-24", "+13:00"),  # 00:30
        ("Pacific/Honolulu", "2026-11-24T09:30:00+00:00", "2026-11-23", "-10:00"),  # 23:30
        ("Pacific/Honolulu", "2026-11-24T10:30:00+00:00", "2026-11-24", "-10:00"),  # 00:30
    ],
)
def test_today_is_the_athletes_date(tmp_path, capsys, zone, now, expected_today, offset):
    data = build_demo(date.fromisoformat(expected_today), timezone=zone)
    with FakeIntervals(data, today=date.fromisoformat(expected_today)) as server:
        env = env_for(server, SECTION11_NOW=now)
        code, _, err = run_cli(["--output-dir", str(tmp_path)], env, capsys, tmp_path)
        assert code == 0, err
        listing = [r for r in server.requests if r.path.endswith("/activities")]
    assert listing[0].query["newest"].startswith(expected_today)
    doc = json.loads((tmp_path / "latest.json").read_text())
    assert doc["metadata"]["last_updated"].startswith(expected_today)
    assert doc["metadata"]["last_updated"].endswith(offset)
    assert doc["metadata"]["timezone"] == zone
    assert max(r["date"][:10] for r in doc["recent_activities"]) <= expected_today
    assert any(w["date"] == expected_today for w in doc["wellness_data"])


# ------------------------------------------------------------ secrets


def leaks(text: str, secret: str) -> list[str]:
    return [secret[i : i + 5] for i in range(len(secret) - 4) if secret[i : i + 5] in text]


def test_api_key_never_leaks(demo_data, tmp_path, capsys):
    data = private_copy(demo_data)
    data.api_key = SECRET
    data.athlete["icu_api_key"] = SECRET
    with FakeIntervals(data, today=DEMO_TODAY) as server:
        env = env_for(server)
        outputs = []
        for args, fault in [
            (["--debug"], None),
            (["--debug"], dict(path_regex=r"/wellness$", status=500, times=10)),
            ([], dict(path_regex=r"/events$", invalid_json=True)),
            (["--debug"], dict(path_regex=r"/messages$", status=429, retry_after="0", times=50)),
        ]:
            server.clear_faults()
            if fault:
                regex = fault.pop("path_regex")
                server.inject(regex, **fault)
            outputs.append(run_cli(args + ["--output-dir", str(tmp_path)], env, capsys, tmp_path))
        bad = run_cli(
            ["--output-dir", str(tmp_path)],
            env_for(server, INTERVALS_KEY=SECRET[::-1]),
            capsys,
            tmp_path,
        )
    for _code, out, err in outputs + [bad]:
        assert leaks(out + err, SECRET) == []
        assert leaks(out + err, SECRET[::-1]) == []
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert leaks(path.read_text(errors="replace"), SECRET) == []


# ------------------------------------------------------------ the README's demo command


def test_demo_command_in_a_subprocess(tmp_path):
    env = dict(os.environ, SECTION11_NOW=NOW)
    result = subprocess.run(
        [sys.executable, str(ROOT / "sync.py"), "--demo", "--output-dir", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "latest.json").read_text())
    assert [k for k in doc if k in CORE_KEYS] == CORE_KEYS
    assert "API requests" in result.stdout
