"""The sign-in issue of each optional source, over real HTTP: full syncs against
the fake Intervals.icu, the fake TrainingPeaks or Peloton and the fake GitHub
(tests/kit/fake_github.py), as the workflow runs them (GITHUB_TOKEN and
GITHUB_REPO set, files written with --output-dir).

An expired TrainingPeaks cookie or a refused Peloton refresh token opens one
issue labelled `source-auth` with the fix and the last good date; the next
runs do not open a second (not even when the state file is lost); the first
run that reads the source again closes it with a comment. A TrainingPeaks
outage opens nothing, a run without optional sources makes no GitHub call,
and a failing GitHub leaves the sync at exit 0 and tries again next run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from section11.demo.peloton_server import FakePeloton
from section11.demo.peloton_view import build_peloton_view
from section11.demo.server import FakeIntervals
from section11.demo.tp_server import FakeTrainingPeaks
from section11.demo.tp_view import build_tp_view
from section11.publish.source_issues import LABEL, SOURCES, STATE_NAME
from tests.conftest import DEMO_TODAY, private_copy
from tests.kit.fake_github import FakeGitHub
from tests.kit.faults import run_sync, run_sync_with
from tests.kit.peloton_faults import forbidden
from tests.kit.tp_faults import token_outage

TOKEN = "ghp_Sr4Tb8Nw2Lq6Zx9Vc3Mk7Hd1"
REPO = "me/data"
NOW = "2026-11-23T09:00:00+01:00"
TITLES = {s.key: s.title for s in SOURCES}


@pytest.fixture
def icu(demo_data):
    with FakeIntervals(private_copy(demo_data), today=DEMO_TODAY) as server:
        server.latency = 0.0
        yield server


@pytest.fixture
def gh():
    with FakeGitHub(token=TOKEN, repo=REPO) as fake:
        yield fake


@pytest.fixture
def tp(icu):
    with FakeTrainingPeaks(build_tp_view(icu.data)) as fake:
        yield fake


def github_env(gh, **extra: str) -> dict[str, str]:
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPO": REPO,
        "GITHUB_API_URL": gh.url,
        "SECTION11_UPDATE_CHECK": "off",
        **extra,
    }


def sync(icu, directory: Path, env: dict[str, str], now: str = NOW) -> tuple[int, str]:
    code, out, err = run_sync(icu, directory, now, extra_env=env)
    return code, out + err


def source_issues(gh: FakeGitHub) -> list[dict]:
    return [i for i in gh.issues(REPO) if {"name": LABEL} in i["labels"]]


def tp_env(gh, tp) -> dict[str, str]:
    return github_env(gh, TP_AUTH_COOKIE=tp.view.cookie, TRAININGPEAKS_BASE_URL=tp.base_url)


# ----------------------------------------------------------------- TrainingPeaks


def test_expired_cookie_opens_one_issue_and_a_working_one_closes_it(icu, gh, tp, tmp_path):
    env = tp_env(gh, tp)
    code, output = sync(icu, tmp_path, env)  # a good read: nothing to open
    assert code == 0, output
    assert source_issues(gh) == []
    tp.expire_cookie()
    code, output = sync(icu, tmp_path, env)
    assert code == 0, output
    [issue] = source_issues(gh)
    assert issue["state"] == "open" and issue["title"] == TITLES["trainingpeaks"]
    body = issue["body"]
    assert "`TP_AUTH_COOKIE`" in body and "Production_tpAuth" in body
    assert f"Last good TrainingPeaks data: {DEMO_TODAY.isoformat()}" in body
    assert tp.view.cookie not in body + output and TOKEN not in body + output
    assert f"opened issue #{issue['number']}" in output

    assert sync(icu, tmp_path, env)[0] == 0  # still expired: no second issue, no call
    (tmp_path / ".section11" / STATE_NAME).unlink()  # the Actions cache was lost
    assert sync(icu, tmp_path, env)[0] == 0  # found by its label and title
    assert [i["number"] for i in source_issues(gh)] == [issue["number"]]

    tp.cookie_valid = True  # a new cookie was pasted
    code, output = sync(icu, tmp_path, env)
    assert code == 0, output
    [closed] = source_issues(gh)
    assert closed["state"] == "closed" and "works again" in closed["comments_text"][0]
    assert f"closed issue(s) #{issue['number']}" in output


def test_trainingpeaks_alone_expired_cookie_still_opens_the_issue(gh, tp, tmp_path):
    """Without Intervals.icu the refused cookie ends the run (exit 4, nothing
    written), yet the data repository still hears of it, and the first run
    that reads TrainingPeaks again closes the issue."""
    env = tp_env(gh, tp) | {
        "SECTION11_NOW": NOW,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    code, out, err = run_sync_with(env, tmp_path)
    assert code == 0, out + err
    tp.expire_cookie()
    before = (tmp_path / "latest.json").read_bytes()
    code, out, err = run_sync_with(env, tmp_path)
    assert code == 4, out + err
    assert (tmp_path / "latest.json").read_bytes() == before  # nothing lost
    [issue] = source_issues(gh)
    assert issue["state"] == "open" and issue["title"] == TITLES["trainingpeaks"]
    assert f"Last good TrainingPeaks data: {DEMO_TODAY.isoformat()}" in issue["body"]
    assert tp.view.cookie not in issue["body"] + out + err
    assert run_sync_with(env, tmp_path)[0] == 4  # still refused: no second issue
    assert len(source_issues(gh)) == 1
    tp.cookie_valid = True
    code, out, err = run_sync_with(env, tmp_path)
    assert code == 0, out + err
    [closed] = source_issues(gh)
    assert closed["state"] == "closed"


def test_token_outage_opens_no_issue(icu, gh, tp, tmp_path):
    tp.hooks.append(token_outage())
    code, output = sync(icu, tmp_path, tp_env(gh, tp))
    assert code == 0, output
    assert "outage" in output
    assert gh.issues(REPO) == [] and not gh.calls("POST")


def test_a_failing_github_keeps_exit_0_and_opens_the_issue_next_run(icu, gh, tp, tmp_path):
    tp.expire_cookie()
    gh.issues_read_only = True  # a token without Issues: write
    code, output = sync(icu, tmp_path, tp_env(gh, tp))
    assert code == 0
    assert "warning: could not update the TrainingPeaks sign-in issue" in output
    assert source_issues(gh) == []
    gh.issues_read_only = False
    assert sync(icu, tmp_path, tp_env(gh, tp))[0] == 0
    assert len(source_issues(gh)) == 1


def test_no_optional_source_means_no_github_call(icu, gh, tmp_path):
    code, output = sync(icu, tmp_path, github_env(gh))
    assert code == 0, output
    assert gh.calls() == []


# ----------------------------------------------------------------- Peloton


def test_refused_peloton_token_asks_for_a_new_one_and_closes_when_it_works(icu, gh, tmp_path):
    view = build_peloton_view(icu.data, "Europe/Amsterdam")
    with FakePeloton(view) as fake:
        env = github_env(
            gh,
            PELOTON_REFRESH_TOKEN=view.refresh_token,
            PELOTON_CLIENT_ID=view.client_id,
            PELOTON_BASE_URL=fake.base_url,
            PELOTON_AUTH_URL=fake.base_url,
        )
        assert sync(icu, tmp_path, env)[0] == 0
        assert source_issues(gh) == []
        fake.expire_tokens()
        fake.hooks.append(forbidden())
        code, output = sync(icu, tmp_path, env, "2026-11-23T11:00:00+01:00")
        assert code == 0, output
        [issue] = source_issues(gh)
        assert issue["title"] == TITLES["peloton"]
        assert "`PELOTON_REFRESH_TOKEN`" in issue["body"]
        assert f"Last good Peloton data: {DEMO_TODAY.isoformat()}" in issue["body"]
        assert view.refresh_token not in issue["body"]
        assert sync(icu, tmp_path, env, "2026-11-23T13:00:00+01:00")[0] == 0
        assert len(source_issues(gh)) == 1

        fake.hooks.clear()
        fake.refresh_tokens.add("a-fresh-refresh-token")
        later = env | {"PELOTON_REFRESH_TOKEN": "a-fresh-refresh-token"}
        code, output = sync(icu, tmp_path, later, "2026-11-23T15:00:00+01:00")
    assert code == 0, output
    [closed] = source_issues(gh)
    assert closed["state"] == "closed" and "Peloton works again" in closed["comments_text"][0]
