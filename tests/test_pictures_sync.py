"""The pictures as the sync writes them: eight charts and the dashboard next to
the JSON files, rewritten only when the data they draw changed."""

from __future__ import annotations

import copy
import json

from .helpers import run_cli
from .test_sync_e2e import env_for

CHARTS = {
    "acwr.svg",
    "fitness.svg",
    "ftp.svg",
    "hrv_rhr.svg",
    "power_curve.svg",
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
    before = picture_state(out)

    code, stdout, _ = run_cli(["--output-dir", str(out)], env_for(fake_api), capsys, tmp_path)
    assert code == 0
    assert picture_state(out) == before  # same data: not rewritten
    assert "dashboard.html" not in stdout

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
