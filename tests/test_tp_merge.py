"""TrainingPeaks merged into an Intervals.icu sync, and TrainingPeaks alone:
real HTTP to the fakes, real files, checked against the fakes' own records."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest

from section11 import cli
from section11.demo.server import FakeIntervals
from section11.demo.tp_server import FakeTrainingPeaks
from section11.demo.tp_view import (
    HEALTH_ONLY_DAYS,
    HEALTH_ONLY_FIELDS,
    build_tp_view,
    keep_recent_health_in_tp,
    personal_records,
)
from section11.ingest.trainingpeaks import CHECK_POWER
from section11.outputs.validate import validate_document
from tests.conftest import DEMO_TODAY, private_copy
from tests.kit.faults import run_sync_with, sync_env

NOW = "2026-11-23T09:00:00+01:00"
FILES = ("latest.json", "history.json", "intervals.json", "routes.json", "ftp_history.json")


@pytest.fixture
def both(demo_data):
    data = private_copy(demo_data)
    view = build_tp_view(data)
    dropped = keep_recent_health_in_tp(data, DEMO_TODAY)
    with FakeIntervals(data, today=DEMO_TODAY) as icu, FakeTrainingPeaks(view) as tp:
        icu.latency = 0.0
        yield icu, tp, dropped


def run(env, directory, *extra):
    code, out, err = run_sync_with(env, directory, *extra)
    return code, out + err


def documents(directory):
    docs = {name: json.loads((directory / name).read_text()) for name in FILES}
    for name, doc in docs.items():
        validate_document(name, doc)
    return docs


def tp_env(tp):
    return {"TP_AUTH_COOKIE": tp.view.cookie, "TRAININGPEAKS_BASE_URL": tp.base_url}


def completed(view):
    return {str(w["workoutId"]): w for w in view.workouts if w.get("completed")}


def test_both_sources_enrich_fill_and_races(both, tmp_path):
    icu, tp, dropped = both
    assert dropped > 0
    code, output = run(sync_env(icu, NOW) | tp_env(tp), tmp_path, "--share", "notes")
    assert code == 0, output
    latest = documents(tmp_path)["latest.json"]
    done = completed(tp.view)
    activities = latest["recent_activities"]
    enriched = [a for a in activities if "trainingpeaks" in a]
    assert enriched and all(not a["id"].startswith("tp_") for a in activities)
    assert len(activities) == len({a["id"] for a in activities}), "no session counted twice"
    for a in enriched:
        block, raw = a["trainingpeaks"], done[a["trainingpeaks"]["workout_id"]]
        assert block["role"] == "enriched"
        assert (block["tss"], block["if"], block["feeling"], block["rpe"]) == (
            raw["tssActual"],
            raw["if"],
            raw["feeling"],
            raw["rpe"],
        )
        assert block.get("athlete_comments") == raw["athleteComments"]
        assert block.get("coach_comments") == raw["coachComments"]
        assert a["tss"] != block["tss"] or a["tss"] is None, "Intervals.icu's load is kept"
    assert any("athlete_comments" in a["trainingpeaks"] for a in enriched)
    # wellness: only the fields Intervals.icu lacked, each one marked
    first = DEMO_TODAY - timedelta(days=HEALTH_ONLY_DAYS)
    filled = {w["date"]: w for w in latest["wellness_data"] if "filled_from" in w}
    expected = {(first + timedelta(days=i)).isoformat() for i in range(HEALTH_ONLY_DAYS)}
    assert set(filled) == expected
    for day, row in filled.items():
        assert row["filled_from"] == {"hrv_rmssd": "trainingpeaks", "resting_hr": "trainingpeaks"}
        health = next(h for h in tp.view.health if h["timeStamp"].startswith(day))
        values = {d["type"]: d["value"] for d in health["details"]}
        assert (row["hrv_rmssd"], row["resting_hr"]) == (values[60], values[5])
    assert len(HEALTH_ONLY_FIELDS) == 2
    # races: Intervals.icu's kept once, the TrainingPeaks-only one added with its priority
    races = latest["race_calendar"]["all_races"]
    assert len({r["date"] for r in races}) == len(races)
    tp_only = [r for r in races if r.get("trainingpeaks", {}).get("only_in_trainingpeaks")]
    assert [r["name"] for r in tp_only] == ["Club time trial"]
    icu_races = [e for e in icu.data.events if e.get("category", "").startswith("RACE_")]
    upcoming = [e for e in icu_races if e["start_date_local"][:10] >= DEMO_TODAY.isoformat()]
    assert len(races) == len(upcoming) + 1
    with_target = [r for r in races if r.get("trainingpeaks", {}).get("ctl_target") is not None]
    assert with_target and all(r["trainingpeaks"]["priority"] in "AB" for r in with_target)
    # the Annual Training Plan week holding today
    week = latest["trainingpeaks"]["atp_week"]
    start = date.fromisoformat(week["week_start"])
    assert start <= DEMO_TODAY < start + timedelta(days=7)
    raw_week = next(w for w in tp.view.atp if w["week"].startswith(week["week_start"]))
    assert (week["period"], week["planned_tss"]) == (raw_week["period"], raw_week["volume"])
    assert latest["trainingpeaks"]["atp_week_reason"] is None
    # personal records: TrainingPeaks' 28-day bests next to Intervals.icu's anchors
    check = latest["trainingpeaks"]["power_check"]
    delta = latest["derived_metrics"]["capability"]["power_curve_delta"]
    assert check["window"] == delta["current_window"]
    first_day = datetime.combine(DEMO_TODAY - timedelta(days=27), time())
    last_day = datetime.combine(DEMO_TODAY, time())
    for row, kind in zip(check["anchors"], CHECK_POWER, strict=True):
        records = personal_records(tp.view, "Bike", kind, first_day, last_day)
        assert row["trainingpeaks_watts"] == max(r["value"] for r in records)
        anchor = delta["anchors"][f"{row['duration_s']}s"]["current_watts"]
        assert row["intervals_icu_watts"] == anchor
        expected = round((row["trainingpeaks_watts"] - anchor) / anchor * 100, 1)
        assert row["difference_pct"] == pytest.approx(expected)


def test_comments_follow_the_notes_privacy_rule(both, tmp_path):
    icu, tp, _ = both
    code, output = run(sync_env(icu, NOW) | tp_env(tp), tmp_path)
    assert code == 0, output
    latest = documents(tmp_path)["latest.json"]
    blocks = [a["trainingpeaks"] for a in latest["recent_activities"] if "trainingpeaks" in a]
    assert blocks and all("athlete_comments" not in b and "coach_comments" not in b for b in blocks)
    texts = {w["athleteComments"] for w in completed(tp.view).values() if w["athleteComments"]}
    written = (tmp_path / "latest.json").read_text()
    assert texts and not any(t in written for t in texts)


def test_no_atp_is_null_with_a_reason(both, tmp_path):
    icu, tp, _ = both
    tp.view.atp = []
    code, output = run(sync_env(icu, NOW) | tp_env(tp), tmp_path)
    assert code == 0, output
    block = documents(tmp_path)["latest.json"]["trainingpeaks"]
    assert block["atp_week"] is None and "Annual Training Plan" in block["atp_week_reason"]


def alone_env(tp, home):
    return {
        "SECTION11_NOW": NOW,
        "SECTION11_UPDATE_CHECK": "off",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
    } | tp_env(tp)


def test_trainingpeaks_alone_writes_all_files_from_tp(demo_data, tmp_path):
    view = build_tp_view(private_copy(demo_data))
    with FakeTrainingPeaks(view) as tp:
        code, output = run(alone_env(tp, tmp_path), tmp_path)
    assert code == 0, output
    docs = documents(tmp_path)
    latest = docs["latest.json"]
    assert latest["sources_status"]["intervals_icu"] == {"status": "not_configured"}
    assert latest["metadata"]["sync_status"]["trainingpeaks"] == "ok"
    done = completed(view)
    activities = latest["recent_activities"]
    assert activities and all(a["id"].startswith("tp_") for a in activities)
    assert {a["id"][3:] for a in activities} <= set(done)
    # load metrics from TrainingPeaks' TSS, through the same code
    week_start = DEMO_TODAY - timedelta(days=6)
    tss = sum(
        w["tssActual"] or 0
        for w in done.values()
        if week_start.isoformat() <= w["workoutDay"][:10] <= DEMO_TODAY.isoformat()
    )
    assert latest["weekly_summary"]["total_tss"] == round(tss)
    assert latest["derived_metrics"]["acwr"] is not None
    fitness = latest["current_status"]["fitness"]
    assert fitness["ctl"] is not None and fitness["atl"] is not None
    ftp = view.user["user"]["athletes"][0]["cyclingFtp"]
    assert latest["current_status"]["thresholds"]["sports"]["cycling"]["ftp"] == ftp
    planned = {str(w["workoutId"]): w for w in view.workouts if not w.get("completed")}
    from_tp = [
        p
        for p in latest["planned_workouts"]
        if p.get("origin") == "trainingpeaks" and p["type"] == "WORKOUT"
    ]
    assert from_tp
    for entry in from_tp:
        raw = planned[entry["origin_id"]]
        assert (entry["planned_tss"], entry["planned_if"]) == (raw["tssPlanned"], raw["ifPlanned"])
        assert entry.get("coach_comments") == raw["coachComments"]
        assert entry["workout_summary"] and "% FTP" in entry["workout_summary"]
    assert latest["wellness_data"]
    assert docs["history.json"]["source"] == "TrainingPeaks API"
    assert "TrainingPeaks" in fitness["fitness_source"]
    # what TrainingPeaks cannot give is null, with a machine reason and words
    limits = latest["source_limits"]
    assert limits["source"] == "trainingpeaks" and limits["unavailable"]
    for path, reason in limits["unavailable"].items():
        *blocks, leaf = path.split(".")
        node = latest
        for key in blocks:
            node = node[key]
        assert node[leaf] is None and node["null_reasons"][leaf] == "source_unavailable"
        assert reason
    unavailable = limits["unavailable"]
    assert "zone times" in unavailable["derived_metrics.seiler_tid_7d.z1_pct"]
    assert "derived_metrics.eftp" in unavailable
    assert view.cookie not in "".join(
        p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()
    )


def test_trainingpeaks_alone_expired_cookie_writes_nothing(demo_data, tmp_path):
    view = build_tp_view(private_copy(demo_data))
    with FakeTrainingPeaks(view) as tp:
        tp.expire_cookie()
        code, output = run(alone_env(tp, tmp_path), tmp_path)
    assert code == 4 and "tp auth" in output
    assert not (tmp_path / "latest.json").exists()
    assert view.cookie not in output


def test_demo_runs_both_sources_and_trainingpeaks_alone(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"SECTION11_NOW": NOW, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    for mode in ("both", "tp"):
        code = cli.main(["--demo", "--demo-sources", mode, "--output-dir", mode], environ=env)
        assert code == 0 and "fake TrainingPeaks API" in capsys.readouterr().out
        latest = documents(tmp_path / mode)["latest.json"]
        assert latest["sources_status"]["trainingpeaks"]["status"] == "ok"
        assert any("trainingpeaks" in a for a in latest["recent_activities"])
        assert latest["trainingpeaks"]["atp_week"] is not None
    assert "source_limits" in latest
