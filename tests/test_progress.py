"""Progress and the run summary: a live line on a terminal, one line per phase
and a step summary in GitHub Actions, nothing elsewhere."""

from __future__ import annotations

import io

from section11.progress import ERASE, Progress, read_plan, save_plan

from .conftest import DEMO_TODAY
from .helpers import run_cli

NOW = f"{DEMO_TODAY.isoformat()}T09:00:00+00:00"


def env_for(fake_api, tmp_path, **extra) -> dict[str, str]:
    return {
        "ATHLETE_ID": str(fake_api.data.athlete_id),
        "INTERVALS_KEY": str(fake_api.data.api_key),
        "INTERVALS_BASE_URL": fake_api.base_url,
        "SECTION11_NOW": NOW,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        **extra,
    }


def test_actions_one_line_per_phase_and_a_step_summary(fake_api, tmp_path, capsys):
    summary = tmp_path / "summary.md"
    env = env_for(fake_api, tmp_path, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(summary))
    code, _, err = run_cli(["--output-dir", str(tmp_path / "out")], env, capsys, tmp_path)
    assert code == 0
    phases = [line for line in err.splitlines() if line.startswith("sync: ")]
    assert [p.split(" (")[0] for p in phases] == [
        "sync: fetching",
        "sync: computing",
        "sync: writing",
    ]
    text = summary.read_text()
    requests = len(fake_api.requests)
    assert f"| requests to Intervals.icu | {requests} |" in text
    assert "`latest.json`" in text and "| wall time |" in text
    assert "| source | status |" in text and "| ok |" in text
    # the count is the next run's plan
    assert read_plan(tmp_path / "out" / ".section11") == requests


def test_not_a_terminal_and_not_actions_is_quiet(fake_api, tmp_path, capsys):
    code, _, err = run_cli(
        ["--output-dir", str(tmp_path / "out")], env_for(fake_api, tmp_path), capsys, tmp_path
    )
    assert code == 0 and "sync: " not in err and "section11: " not in err


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_live_line_shows_phase_requests_and_time_left_then_is_erased(tmp_path):
    now = [100.0]
    stream = Tty()
    progress = Progress.for_environment({}, stream)
    assert progress.mode == "live"
    progress.clock = lambda: now[0]
    progress.started = 100.0
    save_plan(tmp_path, 40)
    done = [10]
    progress.count_requests(lambda: done[0], tmp_path)
    progress.current = "fetching"
    now[0] = 105.0
    assert progress.line() == "section11: fetching · 10 of ~40 requests · about 15 s left · 5 s"
    done[0] = 50  # more than planned: no estimate
    assert progress.line() == "section11: fetching · 50 requests · 5 s"
    progress._drawn = True
    progress.finish()
    assert stream.getvalue() == ERASE


def test_plan_file_is_a_hint_only(tmp_path):
    assert read_plan(tmp_path) is None
    (tmp_path / "progress.json").write_text("{broken")
    assert read_plan(tmp_path) is None
