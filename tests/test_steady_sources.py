"""The steady skip never serves stale outputs when another source changes: a
TrainingPeaks workout edited upstream, a new Peloton ride, a Peloton token
that stopped working. Real HTTP to the fakes; the second run of each test
proves the skip engaged (latest.json alone rebuilt), the third that the change
reached the files."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from section11 import pipeline
from section11.config import Settings
from section11.demo.dataset import build_demo
from section11.demo.peloton_server import FakePeloton
from section11.demo.peloton_view import build_peloton_view, workout_answers
from section11.demo.server import FakeIntervals
from section11.demo.tp_server import FakeTrainingPeaks
from section11.demo.tp_view import build_tp_view
from section11.sources.peloton import PelotonAuth
from tests.conftest import DEMO_TODAY, private_copy
from tests.kit.peloton_faults import forbidden
from tests.test_steady_runs import settings_for

SKIPPED = ["latest.json"]  # the documents of a run that skipped the rebuild


def latest(directory: Path) -> dict:
    return json.loads((directory / "latest.json").read_text())


# ----------------------------------------------------------------- TrainingPeaks


@pytest.fixture
def tp_servers(demo_data):
    data = private_copy(demo_data)
    with FakeIntervals(data, today=DEMO_TODAY) as icu, FakeTrainingPeaks(build_tp_view(data)) as tp:
        icu.latency = 0.0
        yield icu, tp


def test_an_edited_trainingpeaks_workout_reaches_latest_json(tp_servers, tmp_path):
    icu, tp = tp_servers
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    extra = {"tp_auth_cookie": tp.view.cookie, "tp_base_url": tp.base_url}
    pipeline.sync(settings_for(icu, tmp_path, now, **extra))
    steady = pipeline.sync(settings_for(icu, tmp_path, now, **extra))
    assert list(steady.documents) == SKIPPED
    target = next(
        w
        for w in tp.view.workouts
        if not w["completed"]
        and DEMO_TODAY < date.fromisoformat(w["workoutDay"][:10]) <= DEMO_TODAY + timedelta(days=7)
    )
    target["title"] = "Renamed upstream in TrainingPeaks"
    later = pipeline.sync(settings_for(icu, tmp_path, now, **extra))  # only TP changed
    assert list(later.documents) != SKIPPED
    from_tp = {
        p["origin_id"]: p["name"]
        for p in latest(tmp_path)["planned_workouts"]
        if p.get("origin") == "trainingpeaks"
    }
    assert from_tp[str(target["workoutId"])] == "Renamed upstream in TrainingPeaks"


# ----------------------------------------------------------------- Peloton

PELOTON_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PELOTON_LATER = PELOTON_NOW + timedelta(hours=2)  # same day; Peloton is read again


@pytest.fixture
def peloton_servers():
    data = build_demo(PELOTON_NOW.date(), timezone="Europe/Amsterdam")
    view = build_peloton_view(data, "Europe/Amsterdam")
    with FakeIntervals(data) as icu, FakePeloton(view) as fake:
        yield icu, fake


def peloton_settings(icu, fake, directory: Path, now: datetime) -> Settings:
    auth = PelotonAuth(
        refresh_token=fake.view.refresh_token,
        client_id=fake.view.client_id,
        base_url=fake.base_url,
        auth_url=fake.base_url,
    )
    return settings_for(icu, directory, now, peloton=auth, state_dir=str(directory / "state"))


def two_runs(icu, fake, directory: Path) -> None:
    pipeline.sync(peloton_settings(icu, fake, directory, PELOTON_NOW))
    steady = pipeline.sync(peloton_settings(icu, fake, directory, PELOTON_NOW))
    assert list(steady.documents) == SKIPPED


def test_a_new_peloton_ride_reaches_latest_json(peloton_servers, tmp_path):
    icu, fake = peloton_servers
    two_runs(icu, fake, tmp_path)
    start = datetime(2026, 11, 20, 6, 0, tzinfo=UTC).timestamp()
    item, detail, graph, ride = workout_answers("wnew0001", 7, start, 1800.0, heart_rate=True)
    fake.view.workouts.insert(0, item)
    fake.view.details[item["id"]] = detail
    fake.view.graphs[item["id"]] = graph
    fake.view.rides[ride["ride"]["id"]] = ride
    pipeline.sync(peloton_settings(icu, fake, tmp_path, PELOTON_LATER))
    assert "peloton_wnew0001" in {a["id"] for a in latest(tmp_path)["recent_activities"]}


def test_a_peloton_token_that_stopped_working_reaches_latest_json(peloton_servers, tmp_path):
    icu, fake = peloton_servers
    two_runs(icu, fake, tmp_path)
    assert latest(tmp_path)["sources_status"]["peloton"]["status"] == "ok"
    fake.expire_tokens()
    fake.hooks.append(forbidden())
    pipeline.sync(peloton_settings(icu, fake, tmp_path, PELOTON_LATER))
    assert latest(tmp_path)["sources_status"]["peloton"]["status"] == "auth_expired"
