"""The pictures as the sync writes them: the charts and the dashboard next to
the JSON files, rewritten only when the data they draw changed; the power and
pace chart's curves asked for in the curve requests the sync makes anyway
(plus one pace request, for runners only)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

from section11.sports import SPORT_FAMILIES

from .helpers import run_cli
from .test_sync_e2e import env_for

CHARTS = {
    "acwr.svg",
    "fitness.svg",
    "ftp.svg",
    "hrv_rhr.svg",
    "power_curve.svg",
    "pace_curve.svg",
    "races.svg",
    "weekly_load.svg",
    "zones.svg",
}


def picture_state(directory):
    paths = [directory / "dashboard.html", *(directory / "charts" / n for n in sorted(CHARTS))]
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in paths}


def test_sync_writes_charts_and_dashboard_and_a_steady_run_leaves_them(fake_api, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, _ = run_cli(["--output-dir", str(out)], env_for(fake_api), capsys, tmp_path)
    assert code == 0
    assert {p.name for p in (out / "charts").iterdir()} == CHARTS
    page = (out / "dashboard.html").read_text(encoding="utf-8")
    latest = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org", "")
    assert str(out / "dashboard.html") in stdout
    ride = [r.query for r in fake_api.requests_matching(r"/power-curves$")]
    ride = [q["curves"].split(",") for q in ride if q["type"] == "Ride"]
    today = fake_api.current_today()
    last_90 = f"r.{today - timedelta(days=89)}.{today}"
    assert len(ride) == 1 and last_90 in ride[0] and "s0" in ride[0]  # with the deltas' ids
    pace = [r.query for r in fake_api.requests_matching(r"/pace-curves$")]
    assert pace == [
        {"type": "Run", "curves": f"r.{today - timedelta(days=27)}.{today},{last_90},s0"}
    ]
    for name in ("power_curve.svg", "pace_curve.svg"):
        assert 'data-empty="true"' not in (out / "charts" / name).read_text(encoding="utf-8")
    before = picture_state(out)

    fake_api.reset_log()
    code, stdout, _ = run_cli(["--output-dir", str(out)], env_for(fake_api), capsys, tmp_path)
    assert code == 0
    assert picture_state(out) == before  # same data: not rewritten
    assert "dashboard.html" not in stdout
    assert fake_api.requests_matching(r"-curves$") == []  # cached

    # A new activity today changes the drawn load: the dashboard is redrawn.
    newest = max(fake_api.data.activities, key=lambda a: a.get("start_date_local") or "")
    extra = copy.deepcopy(newest)
    extra["id"] = "i999999001"
    extra["start_date_local"] = latest["metadata"]["last_updated"][:10] + "T06:00:00"
    extra["icu_training_load"] = 180
    extra.pop("source", None)  # not a Strava stub
    fake_api.data.activities.append(extra)
    code, _, _ = run_cli(["--output-dir", str(out)], env_for(fake_api), capsys, tmp_path)
    assert code == 0
    after = picture_state(out)
    assert after["dashboard.html"] != before["dashboard.html"]


def test_no_run_in_28_days_no_pace_request_and_the_chart_says_so(fake_api, tmp_path, capsys):
    today = fake_api.current_today()
    runs = set(SPORT_FAMILIES["run"])
    fake_api.data.activities[:] = [
        a
        for a in fake_api.data.activities
        if a.get("type") not in runs or a["start_date_local"][:10] < str(today - timedelta(days=40))
    ]
    out = tmp_path / "out"
    code, _, _ = run_cli(["--output-dir", str(out)], env_for(fake_api), capsys, tmp_path)
    assert code == 0
    assert fake_api.requests_matching(r"/pace-curves$") == []
    pace = (out / "charts" / "pace_curve.svg").read_text(encoding="utf-8")
    assert 'data-empty="true"' in pace and "No pace curve: no run in the last 28 days" in pace
