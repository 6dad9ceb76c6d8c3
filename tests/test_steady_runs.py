"""Steady runs and the first run's pacing (issue 13): one token bucket, merged
curve requests, unchanged files left alone, the skip invalidated by a change
to an old record, and `--generate-history` alone writing ./history.json."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from section11 import pipeline
from section11.config import Settings
from section11.ingest.fetch import requests_in_flight
from section11.outputs.curve_windows import chart_curve_ids
from section11.sources.http import DEFAULT_RATE, HttpClient
from section11.sources.intervals import DEFAULT_WORKERS
from section11.sources.policy import DEFAULT_BURST, TokenBucket

from .conftest import DEMO_TODAY
from .helpers import run_cli

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam on DEMO_TODAY
DATA_FILES = ("history.json", "intervals.json", "routes.json")


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now = max(self.now, self.now + seconds)


def settings_for(server, directory: Path, now: datetime = NOW, **extra) -> Settings:
    return Settings(
        athlete_id=server.data.athlete_id,
        intervals_key=server.data.api_key,
        base_url=server.base_url,
        output_dir=str(directory),
        now=now,
        **extra,
    )


def stats(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        name: ((directory / name).stat().st_ino, (directory / name).stat().st_mtime_ns)
        for name in DATA_FILES
    }


# ----------------------------------------------------------------- pacing


def test_token_bucket_grants_a_short_burst_then_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(DEFAULT_RATE, DEFAULT_BURST, clock=clock, sleep=clock.sleep)
    granted = []
    for _ in range(DEFAULT_BURST + 10):
        bucket.acquire()
        granted.append(clock())
    assert granted[:DEFAULT_BURST] == [0.0] * DEFAULT_BURST
    gaps = [b - a for a, b in zip(granted[DEFAULT_BURST - 1 :], granted[DEFAULT_BURST:])]
    assert all(abs(gap - 1 / DEFAULT_RATE) < 1e-9 for gap in gaps)


def test_one_bucket_paces_every_thread_together():
    clock = FakeClock()
    bucket = TokenBucket(10.0, 2, clock=clock, sleep=lambda s: None)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            wait = bucket.acquire()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 20 grants at a frozen clock: 2 from the burst, then one every 0.1 s of debt
    assert sorted(round(w, 9) for w in waits) == [0.0, 0.0] + [
        round(0.1 * k, 9) for k in range(1, 19)
    ]


def test_the_real_api_is_paced_and_loopback_is_not():
    assert HttpClient("https://intervals.icu")._pacer.rate == DEFAULT_RATE  # type: ignore[union-attr]
    assert HttpClient("http://127.0.0.1:8080")._pacer is None
    assert HttpClient("http://127.0.0.1:8080", rate=20.0)._pacer is not None  # asked for


def test_a_cold_sync_keeps_every_connection(fake_api, tmp_path, caplog):
    """The connection pool holds every request the fetch stage has in flight: urllib3
    never discards a connection ("Connection pool is full")."""
    fake_api.latency = 0.05  # the concurrent calls overlap
    caplog.set_level(logging.WARNING, logger="urllib3")
    pipeline.sync(settings_for(fake_api, tmp_path))
    assert len(fake_api.requests) > requests_in_flight(DEFAULT_WORKERS)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")] == []


# ----------------------------------------------------------------- curves


def test_curve_windows_share_one_request_per_sport_type(fake_api, tmp_path):
    pipeline.sync(settings_for(fake_api, tmp_path))
    power = fake_api.requests_matching(r"/power-curves$")
    hr = fake_api.requests_matching(r"/hr-curves$")
    power_types = [r.query["type"] for r in power]
    hr_types = [r.query.get("type") for r in hr]
    assert len(power_types) == len(set(power_types)) and "Ride" in power_types
    assert len(hr_types) == len(set(hr_types)) and None in hr_types
    ride = next(r for r in power if r.query["type"] == "Ride")
    all_sports_hr = next(r for r in hr if "type" not in r.query)
    deltas = all_sports_hr.query["curves"].split(",")
    assert len(deltas) == 2  # this 28 days and the 28 before, one request
    ride_ids = ride.query["curves"].split(",")
    assert ride_ids[:2] == deltas  # deltas, the charts' windows and the window together
    assert len(ride_ids) == len(set(ride_ids))


def test_the_chart_curves_ride_in_the_one_ride_power_request(fake_api, tmp_path):
    pipeline.sync(settings_for(fake_api, tmp_path))
    ride = [r for r in fake_api.requests_matching(r"/power-curves$") if r.query["type"] == "Ride"]
    assert len(ride) == 1
    charts = set(chart_curve_ids(DEMO_TODAY).values())  # 28 and 90 days, the season
    assert len(charts) == 3 and charts <= set(ride[0].query["curves"].split(","))


# ----------------------------------------------------------------- intervals


def test_the_intervals_of_new_activities_come_in_one_request(fake_api, tmp_path):
    pipeline.sync(settings_for(fake_api, tmp_path))
    assert not fake_api.requests_matching(r"/activity/[^/]+/intervals$")
    (batch,) = fake_api.requests_matching(r"/athlete/[^/]+/activities/[^/]+$")
    assert batch.query == {"intervals": "true"}
    ids = batch.path.rsplit("/", 1)[1].split(",")
    assert len(ids) > 1
    stored = sqlite3.connect(tmp_path / ".section11" / "store.sqlite3")
    with_intervals = {
        row[0]
        for row in stored.execute("SELECT activity_id FROM resources WHERE kind = 'intervals'")
    }
    stored.close()
    assert with_intervals and with_intervals <= set(ids)


def test_the_fake_answers_several_ids_and_leaves_unknown_ones_out(fake_api):
    from section11.sources.intervals import IntervalsClient

    client = IntervalsClient(
        fake_api.data.athlete_id, fake_api.data.api_key, base_url=fake_api.base_url
    )
    known = [a["id"] for a in fake_api.data.activities if a.get("source") != "STRAVA"][:2]
    answer = client.activities_with_intervals([*known, "i999999999"])
    assert [a["id"] for a in answer] == known
    assert all(isinstance(a["icu_intervals"], list) and "icu_groups" in a for a in answer)


# ----------------------------------------------------------------- steady runs


def test_a_steady_run_rewrites_only_latest_json(fake_api, tmp_path):
    pipeline.sync(settings_for(fake_api, tmp_path))
    before = stats(tmp_path)
    latest_inode = (tmp_path / "latest.json").stat().st_ino
    result = pipeline.sync(settings_for(fake_api, tmp_path))
    assert stats(tmp_path) == before
    assert (tmp_path / "latest.json").stat().st_ino != latest_inode  # freshness: rewritten
    assert result.written == [tmp_path / "latest.json"]


def test_latest_json_carries_the_time_of_every_run(fake_api, tmp_path):
    pipeline.sync(settings_for(fake_api, tmp_path))
    later = NOW + timedelta(minutes=15)
    pipeline.sync(settings_for(fake_api, tmp_path, now=later))
    latest = json.loads((tmp_path / "latest.json").read_text())
    stamp = datetime.fromisoformat(latest["metadata"]["last_updated"])
    assert stamp == later
    assert datetime.fromisoformat(latest["derived_metrics"]["calculation_timestamp"]) == later


def test_an_edited_old_activity_rebuilds_the_documents(fake_api, tmp_path):
    pipeline.sync(settings_for(fake_api, tmp_path))
    history = (tmp_path / "history.json").read_bytes()
    before = stats(tmp_path)
    store = sqlite3.connect(tmp_path / ".section11" / "store.sqlite3")
    old_day = (NOW.date() - timedelta(days=200)).isoformat()
    activity_id, raw = store.execute(
        "SELECT id, raw FROM records WHERE kind = 'activity' AND day <= ? "
        "AND raw LIKE '%icu_training_load%' ORDER BY day DESC LIMIT 1",
        (old_day,),
    ).fetchone()
    record = json.loads(raw)
    record["icu_training_load"] = (record.get("icu_training_load") or 0) + 500
    store.execute(
        "UPDATE records SET raw = ? WHERE kind = 'activity' AND id = ?",
        (json.dumps(record), activity_id),
    )
    store.commit()
    store.close()
    pipeline.sync(settings_for(fake_api, tmp_path, now=NOW + timedelta(minutes=15)))
    assert stats(tmp_path)["history.json"] != before["history.json"]
    assert (tmp_path / "history.json").read_bytes() != history


def test_an_edited_output_file_is_rebuilt(fake_api, tmp_path):
    pipeline.sync(settings_for(fake_api, tmp_path))
    good = (tmp_path / "intervals.json").read_bytes()
    (tmp_path / "intervals.json").write_text("{}\n")
    pipeline.sync(settings_for(fake_api, tmp_path, now=NOW + timedelta(minutes=15)))
    assert (
        json.loads((tmp_path / "intervals.json").read_bytes())["activities"]
        == json.loads(good)["activities"]
    )


# ----------------------------------------------------------------- --generate-history


def test_generate_history_alone_writes_history_json_here(fake_api, tmp_path, capsys):
    env = {
        "ATHLETE_ID": fake_api.data.athlete_id,
        "INTERVALS_KEY": fake_api.data.api_key,
        "INTERVALS_BASE_URL": fake_api.base_url,
        "SECTION11_NOW": NOW.isoformat(),
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
    }
    code, out, err = run_cli(["--generate-history"], env, capsys, tmp_path)
    assert code == 0, err
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["generated_at"]
    assert not (tmp_path / "latest.json").exists()
    assert not (tmp_path / "charts").exists()


def test_the_inputs_key_does_not_depend_on_the_hash_seed(fake_api, tmp_path):
    """Two sync.py processes (different hash seeds) over the same inputs agree on
    the key, so the second one skips the rebuild."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    keys = []
    for seed in ("1", "2"):
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SECTION11", "GITHUB"))},
            "ATHLETE_ID": fake_api.data.athlete_id,
            "INTERVALS_KEY": fake_api.data.api_key,
            "INTERVALS_BASE_URL": fake_api.base_url,
            "SECTION11_NOW": NOW.isoformat(),
            "SECTION11_UPDATE_CHECK": "off",
            "PYTHONHASHSEED": seed,
        }
        done = subprocess.run(
            [sys.executable, str(root / "sync.py"), "--output-dir", str(tmp_path)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        store = sqlite3.connect(tmp_path / ".section11" / "store.sqlite3")
        keys.append(
            json.loads(
                store.execute("SELECT value FROM meta WHERE key = 'last_outputs'").fetchone()[0]
            )["key"]
        )
        store.close()
    assert keys[0] == keys[1]
    assert done.stdout.count("wrote ") == 1  # latest.json alone


def paths_in_order(server) -> list[str]:
    """The log's paths (a request is logged as its answer goes out), ids as {id}."""
    return [r.path.replace(server.data.athlete_id, "{id}") for r in server.requests]


def test_a_steady_run_asks_the_athlete_and_the_recent_lists_at_once(fake_api, tmp_path):
    """The athlete's timezone fixes "today"; with last run's zone at hand, the
    recent lists and the calendar need not wait for it: held back by the server,
    the athlete's answer goes out after theirs on a steady run, and before them on
    a first run (no zone known yet)."""
    core = {"/api/v1/athlete/{id}/activities", "/api/v1/athlete/{id}/wellness"}
    core.add("/api/v1/athlete/{id}/events")
    fake_api.inject(r"/athlete/i\d+$", delay=1.0)
    pipeline.sync(settings_for(fake_api, tmp_path))
    first = paths_in_order(fake_api)
    assert first[0] == "/api/v1/athlete/{id}" and core <= set(first[1:4])

    fake_api.reset_log()
    fake_api.inject(r"/athlete/i\d+$", delay=1.0)
    pipeline.sync(settings_for(fake_api, tmp_path))
    steady = paths_in_order(fake_api)
    assert set(steady[:3]) == core and steady[3] == "/api/v1/athlete/{id}", steady


def test_a_timezone_that_moves_the_day_asks_the_recent_lists_again(fake_api, tmp_path):
    """Last run's zone gave another day than the athlete's answer does (the athlete
    moved far away): the lists and the calendar asked for that day are asked again
    for the right one, and the files are those of a run that knew the zone."""
    pipeline.sync(settings_for(fake_api, tmp_path / "known"))
    expected = json.loads((tmp_path / "known" / "latest.json").read_text())
    today = NOW.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    far = next(
        zone
        for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
        if NOW.astimezone(ZoneInfo(zone)).date() != today
    )
    pipeline.sync(settings_for(fake_api, tmp_path / "moved"))
    store = sqlite3.connect(tmp_path / "moved" / ".section11" / "store.sqlite3")
    with store:
        store.execute("UPDATE meta SET value = ? WHERE key = 'athlete_timezone'", (far,))
    store.close()
    (tmp_path / "moved" / "latest.json").unlink()  # a run that rebuilds

    fake_api.reset_log()
    pipeline.sync(settings_for(fake_api, tmp_path / "moved"))
    asked = [r.query.get("newest") for r in fake_api.requests_matching(r"/activities$")]
    wrong = NOW.astimezone(ZoneInfo(far)).date().isoformat()
    assert asked.count(wrong) == 1 and asked.count(today.isoformat()) == 1, asked
    got = json.loads((tmp_path / "moved" / "latest.json").read_text())
    for document in (got, expected):
        document["metadata"].pop("last_updated")
    assert got == expected
    store = sqlite3.connect(tmp_path / "moved" / ".section11" / "store.sqlite3")
    zone = store.execute("SELECT value FROM meta WHERE key = 'athlete_timezone'").fetchone()
    store.close()
    assert zone == ("Europe/Amsterdam",)
