"""Peloton alone: no Intervals.icu credentials, only Peloton tokens, over real
HTTP to the fake Peloton API (and the fake GitHub for the sign-in issue).

All five files are written and schema-valid (the run validates them before
writing); every Peloton workout is an activity once, with its load; CTL and
ATL follow the rides' TSS; every null of latest.json's metric blocks is
either listed in `source_limits` with a reason and marked
`source_unavailable`, or is a `not_enough_data` / `not_applicable` null. A
refused token keeps the stored rides published (exit 0, status
`auth_expired`, the sign-in issue opened); with nothing stored it ends the
run (exit 4) and writes nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from section11 import cli
from section11.demo.dataset import build_demo
from section11.demo.peloton_server import FakePeloton
from section11.demo.peloton_view import PelotonView, build_peloton_view
from section11.publish.source_issues import LABEL
from tests.kit.fake_github import FakeGitHub
from tests.kit.peloton_faults import forbidden

NOW = "2026-11-20T12:00:00+00:00"
ZONE = "Europe/Amsterdam"
TODAY = date(2026, 11, 20)
FILES = ["ftp_history.json", "history.json", "intervals.json", "latest.json", "routes.json"]
METRIC_BLOCKS = ("derived_metrics", "current_status", "athlete_profile")
GH_TOKEN = "ghp_Pw3Lk8Zr2Nx6Vq9Tb4Hm7Jd1"


@pytest.fixture(scope="module")
def view() -> PelotonView:
    return build_peloton_view(build_demo(TODAY, timezone=ZONE), ZONE)


@pytest.fixture
def fake(view) -> Iterator[FakePeloton]:
    with FakePeloton(view) as server:
        yield server


def env_for(fake: FakePeloton, tmp_path: Path, now: str = NOW, **extra: str) -> dict[str, str]:
    return {
        "PELOTON_REFRESH_TOKEN": fake.view.refresh_token,
        "PELOTON_CLIENT_ID": fake.view.client_id,
        "PELOTON_BASE_URL": fake.base_url,
        "PELOTON_AUTH_URL": fake.base_url,
        "SECTION11_NOW": now,
        "SECTION11_UPDATE_CHECK": "off",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        **extra,
    }


def sync(out: Path, env: dict[str, str], capsys) -> tuple[int, str]:
    code = cli.main(["--output-dir", str(out)], environ=env)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def nulls(value, path: str = "") -> Iterator[tuple[str, dict]]:
    """(dotted path, the block holding it) of every null below `value`."""
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if key == "null_reasons":
            continue
        where = f"{path}.{key}" if path else key
        if item is None:
            yield where, value
        else:
            yield from nulls(item, where)


def test_peloton_alone_writes_the_five_files_with_reasons_for_every_gap(fake, tmp_path, capsys):
    out = tmp_path / "out"
    code, output = sync(out, env_for(fake, tmp_path), capsys)
    assert code == 0, output
    assert sorted(p.name for p in out.glob("*.json")) == FILES
    latest = json.loads((out / "latest.json").read_text())
    assert latest["sources_status"] == {
        "intervals_icu": {"status": "not_configured"},
        "peloton": {"status": "ok", "last_good_data": TODAY.isoformat()},
    }
    assert json.loads((out / "history.json").read_text())["source"] == "Peloton API"

    # every workout of the account is one activity, with its load
    recent = latest["recent_activities"]
    window = TODAY - timedelta(days=27)  # recent_activities: the last 28 days
    shown = {a["peloton"]["workout_id"] for a in recent}
    tz = ZoneInfo(ZONE)
    expected = {
        w["id"]
        for w in fake.view.workouts
        if datetime.fromtimestamp(w["start_time"], tz).date() >= window
    }
    assert shown == expected and len(recent) == len(shown)
    assert all(a["peloton"]["role"] == "added" and a["tss"] > 0 for a in recent)

    # each null: a listed source limit, or a reason of the null_reasons mechanism
    limits = latest["source_limits"]
    assert limits["source"] == "peloton" and limits["unavailable"]
    for path, block in nulls({k: latest[k] for k in METRIC_BLOCKS}):
        reason = block.get("null_reasons", {}).get(path.rsplit(".", 1)[-1])
        if path in limits["unavailable"]:
            assert reason == "source_unavailable", path
            assert (
                "Peloton" in limits["unavailable"][path]
                or "Intervals.icu" in (limits["unavailable"][path])
            )
        else:
            assert reason in ("not_enough_data", "not_applicable"), (path, reason)
    assert "zone times are not available from Peloton" in limits["unavailable"].values()
    assert not [r for r in limits["unavailable"].values() if "TrainingPeaks" in r]


def test_fitness_follows_the_rides_tss(fake, tmp_path):
    out = tmp_path / "out"
    env = env_for(fake, tmp_path)
    assert cli.main(["--output-dir", str(out), "--days", "28"], environ=env) == 0
    latest = json.loads((out / "latest.json").read_text())
    history = json.loads((out / "history.json").read_text())
    first = TODAY - timedelta(days=27)
    earlier = [r for r in history["daily_90d"] if date.fromisoformat(r["date"]) < first]
    assert earlier and all(r["total_tss"] == 0 for r in earlier)  # every ride is listed
    loads: dict[date, float] = {}
    for a in latest["recent_activities"]:
        day = date.fromisoformat(a["date"][:10])
        loads[day] = loads.get(day, 0.0) + a["tss"]
    fitness = latest["current_status"]["fitness"]
    assert "Peloton" in fitness["fitness_source"]

    # the impulse response of the 42-day and 7-day exponentially weighted loads
    def weighted(days: int) -> float:
        k = math.exp(-1 / days)
        return sum(t * (1 - k) * k ** (TODAY - d).days for d, t in loads.items())

    assert fitness["ctl"] == pytest.approx(weighted(42), abs=0.011)
    assert fitness["atl"] == pytest.approx(weighted(7), abs=0.011)
    assert fitness["tsb"] == pytest.approx(fitness["ctl"] - fitness["atl"], abs=0.011)


def test_a_refused_token_keeps_the_stored_rides_and_opens_the_sign_in_issue(fake, tmp_path, capsys):
    out = tmp_path / "out"
    assert sync(out, env_for(fake, tmp_path), capsys)[0] == 0
    first = json.loads((out / "latest.json").read_text())
    fake.expire_tokens()
    fake.hooks.append(forbidden())
    with FakeGitHub(token=GH_TOKEN, repo="me/data") as gh:
        later = env_for(
            fake,
            tmp_path,
            "2026-11-20T14:00:00+00:00",
            GITHUB_TOKEN=GH_TOKEN,
            GITHUB_REPO="me/data",
            GITHUB_API_URL=gh.url,
        )
        code, output = sync(out, later, capsys)
        issues = [i for i in gh.issues() if {"name": LABEL} in i["labels"]]
    assert code == 0, output
    latest = json.loads((out / "latest.json").read_text())
    entry = latest["sources_status"]["peloton"]
    assert entry["status"] == "auth_expired" and entry["last_good_data"] == TODAY.isoformat()
    assert latest["metadata"]["sync_status"]["peloton"] == "auth_expired"
    assert [a["id"] for a in latest["recent_activities"]] == [
        a["id"] for a in first["recent_activities"]
    ]
    assert len(issues) == 1 and "PELOTON_REFRESH_TOKEN" in issues[0]["body"]
    assert fake.view.refresh_token not in issues[0]["body"] + output


def test_a_refused_token_with_nothing_stored_writes_nothing(fake, tmp_path, capsys):
    fake.hooks.append(forbidden())
    out = tmp_path / "out"
    code, output = sync(out, env_for(fake, tmp_path), capsys)
    assert code == 4
    assert "PELOTON_REFRESH_TOKEN" in output and fake.view.refresh_token not in output
    assert not list(out.glob("*.json"))


def test_without_any_source_the_credentials_are_asked_for(tmp_path, capsys):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    code, output = sync(tmp_path / "out", env, capsys)
    assert code == 3 and "ATHLETE_ID" in output


def test_demo_peloton_alone(tmp_path, capsys):
    out = tmp_path / "demo"
    argv = ["--demo", "--demo-sources", "peloton", "--output-dir", str(out)]
    assert cli.main(argv, environ={"SECTION11_NOW": NOW, "HOME": str(tmp_path)}) == 0
    printed = capsys.readouterr().out
    assert "fake Peloton API" in printed and "Fitness: CTL" in printed
    assert sorted(p.name for p in out.glob("*.json")) == FILES
    latest = json.loads((out / "latest.json").read_text())
    assert latest["source_limits"]["source"] == "peloton"
    assert latest["recent_activities"] and all(
        a["id"].startswith("peloton_") for a in latest["recent_activities"]
    )


def test_trainingpeaks_and_peloton_without_intervals_say_which_one_is_read(fake, tmp_path, capsys):
    from section11.demo.tp_server import FakeTrainingPeaks
    from section11.demo.tp_view import build_tp_view

    with FakeTrainingPeaks(build_tp_view(build_demo(TODAY, timezone=ZONE))) as tp:
        env = env_for(
            fake, tmp_path, TP_AUTH_COOKIE=tp.view.cookie, TRAININGPEAKS_BASE_URL=tp.base_url
        )
        code, output = sync(tmp_path / "out", env, capsys)
    assert code == 0, output
    assert "Peloton is not read without Intervals.icu" in output
    latest = json.loads((tmp_path / "out" / "latest.json").read_text())
    assert latest["source_limits"]["source"] == "trainingpeaks"
    assert not fake.requests  # Peloton was not asked anything
