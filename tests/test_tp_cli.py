"""`python sync.py tp ...` against the fake TrainingPeaks API over real HTTP."""

from __future__ import annotations

import json
import stat
from datetime import date

import pytest

from section11 import cli
from section11.demo.tp_server import FakeTrainingPeaks
from section11.demo.tp_view import TP_ATHLETE_ID, TpView, build_tp_view
from section11.sources.trainingpeaks import PR_TYPES, WORKOUT_TYPES
from section11.tp_cli import run_tp
from tests.kit.tp_faults import token_outage

NOW = "2026-11-23T09:00:00+00:00"


@pytest.fixture(scope="module")
def tp_view(demo_data) -> TpView:
    return build_tp_view(demo_data)


@pytest.fixture
def fake_tp(tp_view):
    with FakeTrainingPeaks(tp_view) as server:
        yield server


@pytest.fixture
def env(fake_tp, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "TRAININGPEAKS_BASE_URL": fake_tp.base_url,
        "SECTION11_NOW": NOW,
    }


def tp(args, env, capsys):
    code = cli.main(["tp", *args], environ=env)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def config_file(tmp_path):
    return tmp_path / "cfg" / "section11" / "config.json"


def test_auth_stores_the_cookie_0600_and_never_prints_it(fake_tp, env, capsys, tmp_path):
    cookie = fake_tp.view.cookie
    code, out, err = tp(["auth", f"Production_tpAuth={cookie}"], env, capsys)
    assert code == 0, err
    assert f"Athlete ID: {TP_ATHLETE_ID}" in out and "60 min" in out
    assert cookie not in out + err
    path = config_file(tmp_path)
    assert json.loads(path.read_text())["tp_auth_cookie"] == cookie
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    code, out, _ = tp(["auth-status"], env, capsys)
    assert code == 0 and "✓ Ready" in out and "config file" in out and cookie not in out


def test_env_cookie_beats_config_file(fake_tp, env, capsys, tmp_path):
    tp(["auth", fake_tp.view.cookie], env, capsys)
    code, out, err = tp(["auth-status"], {**env, "TP_AUTH_COOKIE": "V001wrong"}, capsys)
    assert code == 4 and "expired" in err and "V001wrong" not in err


def test_expired_cookie_exits_4_with_paste_hint(fake_tp, env, capsys):
    fake_tp.expire_cookie()
    code, out, err = tp(["profile"], {**env, "TP_AUTH_COOKIE": fake_tp.view.cookie}, capsys)
    assert code == 4
    assert "tp auth" in err and fake_tp.view.cookie not in err + out


def test_token_outage_says_outage(fake_tp, env, capsys):
    fake_tp.hooks.append(token_outage())
    code, _, err = tp(["profile"], {**env, "TP_AUTH_COOKIE": fake_tp.view.cookie}, capsys)
    assert code == 5 and "outage" in err and "expired" not in err


def test_no_cookie_offers_the_skill_cookie(fake_tp, env, tmp_path, capsys):
    skill = tmp_path / ".trainingpeaks" / "cookie"
    skill.parent.mkdir()
    skill.write_text(fake_tp.view.cookie + "\n")
    questions = []

    def ask(question):
        questions.append(question)
        return "y"

    code = run_tp(["profile"], env, [], ask=ask)
    out = capsys.readouterr().out
    assert code == 0 and str(skill) in questions[0]
    assert "Demo Athlete" in out
    assert json.loads(config_file(tmp_path).read_text())["tp_auth_cookie"] == fake_tp.view.cookie
    skill.unlink()
    config_file(tmp_path).unlink()
    code, _, err = tp(["profile"], env, capsys)
    assert code == 3 and "tp auth" in err


@pytest.fixture
def authed(fake_tp, env):
    return {**env, "TP_AUTH_COOKIE": fake_tp.view.cookie}


def test_profile_table_and_json(authed, capsys, tp_view):
    code, out, _ = tp(["profile"], authed, capsys)
    ftp = tp_view.user["user"]["athletes"][0]["cyclingFtp"]
    assert code == 0 and f"Bike FTP:    {ftp} W" in out
    code, out, _ = tp(["profile", "--json"], authed, capsys)
    assert json.loads(out) == tp_view.user["user"]


def test_workouts_table_filters_and_json(authed, capsys, tp_view):
    start, end = "2026-11-16", "2026-11-29"
    expected = [w for w in tp_view.workouts if start <= w["workoutDay"][:10] <= end]
    code, out, _ = tp(["workouts", start, end, "--json"], authed, capsys)
    assert code == 0 and [w["workoutId"] for w in json.loads(out)] == [
        w["workoutId"] for w in expected
    ]
    code, out, _ = tp(["workouts", start, end], authed, capsys)
    header = out.splitlines()[0].split()
    assert header == ["Date", "Title", "Sport", "Status", "Planned", "Actual", "TSS", "Distance"]
    assert f"{len(expected)} workouts" in out
    assert "✓" in out and "○" in out
    code, out, _ = tp(["workouts", start, end, "--filter", "planned", "--json"], authed, capsys)
    planned = json.loads(out)
    assert planned and all(not w["completed"] for w in planned)
    assert len(planned) == sum(not w["completed"] for w in expected)
    code, out, _ = tp(["workouts", start, end, "--filter", "completed"], authed, capsys)
    assert "○" not in out and WORKOUT_TYPES[expected[0]["workoutTypeValueId"]] in out


def test_workouts_over_90_days_explained(authed, capsys, fake_tp):
    code, _, err = tp(["workouts", "2026-01-01", "2026-06-30"], authed, capsys)
    assert code == 2 and "90 days" in err and "181 days" in err
    assert not [r for r in fake_tp.requests if "/workouts/" in r.path]


@pytest.mark.parametrize(
    "bad", [["workouts", "2026/01/01", "2026-01-02"], ["workouts", "2026-01-05", "2026-01-01"]]
)
def test_bad_dates_refused(authed, capsys, bad):
    code, _, err = tp(bad, authed, capsys)
    assert code == 2 and "error:" in err


def test_workout_detail(authed, capsys, tp_view):
    planned = next(w for w in tp_view.workouts if not w["completed"] and w["coachComments"])
    code, out, _ = tp(["workout", str(planned["workoutId"])], authed, capsys)
    assert code == 0 and planned["title"] in out and planned["coachComments"] in out
    code, out, _ = tp(["workout", str(planned["workoutId"]), "--json"], authed, capsys)
    assert json.loads(out) == planned


def test_fitness_summary_and_14_day_table(authed, capsys, fake_tp):
    code, out, _ = tp(["fitness", "--days", "30"], authed, capsys)
    assert code == 0 and out.startswith("Fitness on 2026-11-23")
    assert len([line for line in out.splitlines() if line.startswith("2026-")]) == 14
    call = next(r for r in fake_tp.requests if "performancedata" in r.path)
    first, last = call.path.split("/")[-2:]
    assert (date.fromisoformat(last) - date.fromisoformat(first)).days + 1 >= 365
    code, out, _ = tp(["fitness", "--days", "30", "--json"], authed, capsys)
    assert len(json.loads(out)) == 30


def test_peaks_table_json_and_invalid_type(authed, capsys):
    code, out, _ = tp(["peaks", "Bike", "power20min"], authed, capsys)
    assert code == 0 and out.splitlines()[1].split() == ["Rank", "Value", "Date", "Workout"]
    code, out, _ = tp(["peaks", "Run", "speed5K", "--days", "365", "--json"], authed, capsys)
    assert code == 0 and isinstance(json.loads(out), list)
    code, _, err = tp(["peaks", "Bike", "speed5K"], authed, capsys)
    assert code == 2 and all(t in err for t in PR_TYPES["Bike"])
    code, _, err = tp(["peaks", "Swim", "power5sec"], authed, capsys)
    assert code == 2 and "Bike, Run" in err


def test_existing_flags_unchanged(capsys):
    assert cli.main(["--version"]) == 0
    assert "section11" in capsys.readouterr().out
