"""A sync with TrainingPeaks as a second source: real HTTP to both fakes."""

from __future__ import annotations

import contextlib
import io
import json
import os
from datetime import date, timedelta

import pytest

from section11 import cli
from section11.demo.server import FakeIntervals
from section11.demo.tp_server import FakeTrainingPeaks
from section11.demo.tp_view import add_tp2intervals_footers, build_tp_view
from section11.ingest.trainingpeaks import PEAKS
from section11.outputs.trainingpeaks import structure_summary
from tests.conftest import DEMO_TODAY, private_copy
from tests.kit.faults import fast_client, sync_env
from tests.kit.tp_faults import rate_limited, token_outage

NOW = "2026-11-23T09:00:00+01:00"


@pytest.fixture
def servers(demo_data):
    data = private_copy(demo_data)
    view = build_tp_view(data)
    add_tp2intervals_footers(data, view)
    with FakeIntervals(data, today=DEMO_TODAY) as icu, FakeTrainingPeaks(view) as tp:
        icu.latency = 0.0
        yield icu, tp


def run(icu, tp, directory, *, cookie=True):
    env = sync_env(icu, NOW)
    if cookie:
        env |= {"TP_AUTH_COOKIE": tp.view.cookie, "TRAININGPEAKS_BASE_URL": tp.base_url}
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(directory)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), fast_client():
            code = cli.main(["--output-dir", str(directory)], environ=env)
    finally:
        os.chdir(previous)
    latest = json.loads((directory / "latest.json").read_text()) if code == 0 else None
    return code, out.getvalue() + err.getvalue(), latest


def _all_text(directory):
    return "".join(p.read_text(errors="replace") for p in directory.rglob("*") if p.is_file())


def test_both_sources_adds_tp_plan_without_duplicates(servers, tmp_path):
    icu, tp = servers
    code, output, latest = run(icu, tp, tmp_path)
    assert code == 0, output
    assert latest["sources_status"]["trainingpeaks"] == {
        "status": "ok",
        "last_good_data": DEMO_TODAY.isoformat(),
    }
    planned = latest["planned_workouts"]
    from_tp = [p for p in planned if p.get("origin") == "trainingpeaks"]
    copies = [p for p in from_tp if not p["id"].startswith("tp-")]
    read = [p for p in from_tp if p["id"].startswith("tp-")]
    assert copies, "tp2intervals copies are labelled from their footer"
    assert all("//////////" not in (p.get("description") or "") for p in planned)
    window = [
        w
        for w in tp.view.workouts
        if not w["completed"]
        and DEMO_TODAY
        <= date.fromisoformat(w["workoutDay"][:10])
        <= DEMO_TODAY + timedelta(days=42)
    ]
    tp_only = [w for w in window if w["workoutId"] not in tp.view.by_icu_event.values()]
    assert sorted(p["origin_id"] for p in read) == sorted(str(w["workoutId"]) for w in tp_only)
    ids = [p["origin_id"] for p in from_tp]
    assert len(ids) == len(set(ids)), "a TrainingPeaks workout is listed once"
    block = latest["trainingpeaks"]
    assert (
        block["fitness"]["seeded_days"] >= 365
        and block["fitness"]["date"] == DEMO_TODAY.isoformat()
    )
    assert {e["priority"] for e in block["events"]} <= {"A", "B", "C"} and block["events"]
    assert set(block["peaks"]) == {f"{sport}.{kind}" for sport, kind in PEAKS}
    assert tp.view.cookie not in _all_text(tmp_path)


def test_expired_cookie_keeps_intervals_complete_and_exits_0(servers, tmp_path):
    icu, tp = servers
    baseline = tmp_path / "icu_only"
    baseline.mkdir()
    code, _, alone = run(icu, tp, baseline, cookie=False)
    assert code == 0 and "sources_status" not in alone
    code, _, _ = run(icu, tp, tmp_path)  # a good TrainingPeaks read first
    tp.expire_cookie()
    code, output, latest = run(icu, tp, tmp_path)
    assert code == 0
    status = latest["sources_status"]["trainingpeaks"]
    assert status["status"] == "auth_expired"
    assert status["last_good_data"] == DEMO_TODAY.isoformat()
    hint = [line for line in output.splitlines() if "tp auth" in line]
    assert len(hint) == 1 and "cookie" in hint[0]
    assert "trainingpeaks" not in latest
    assert latest["planned_workouts"] == alone["planned_workouts"]
    assert latest["recent_activities"] == alone["recent_activities"]
    assert tp.view.cookie not in output + _all_text(tmp_path)


def test_token_outage_and_rate_limit_are_named(servers, tmp_path):
    icu, tp = servers
    tp.hooks.append(token_outage())
    code, output, latest = run(icu, tp, tmp_path)
    assert code == 0 and latest["sources_status"]["trainingpeaks"]["status"] == "outage"
    assert latest["sources_status"]["trainingpeaks"]["last_good_data"] is None
    assert "outage" in output and "expired" not in output
    tp.hooks.clear()
    tp.hooks.append(rate_limited(r"/workouts/"))
    code, output, latest = run(icu, tp, tmp_path)
    assert code == 0 and latest["sources_status"]["trainingpeaks"]["status"] == "rate_limited"


def test_structure_summary_reads_repeats_and_targets():
    structure = {
        "primaryIntensityMetric": "percentOfThresholdHr",
        "structure": [
            {
                "type": "step",
                "length": {"value": 1, "unit": "repetition"},
                "steps": [
                    {
                        "length": {"value": 600, "unit": "second"},
                        "targets": [{"minValue": 60, "maxValue": 70}],
                    }
                ],
            },
            {
                "type": "repetition",
                "length": {"value": 4, "unit": "repetition"},
                "steps": [
                    {
                        "length": {"value": 1000, "unit": "meter"},
                        "targets": [
                            {"minValue": 95},
                            {"minValue": 90, "unit": "roundOrStridePerMinute"},
                        ],
                    },
                    {"length": {"value": 120, "unit": "second"}, "targets": []},
                ],
            },
        ],
    }
    summary = structure_summary(structure, 3600)
    assert summary is not None
    assert summary.endswith("10m @ 60-70% LTHR, 4 × (1 km @ 95% LTHR, 2m)")
    assert structure_summary(None, 3600) is None
    assert structure_summary({"structure": "junk"}, 60) is None
