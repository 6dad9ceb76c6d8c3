"""API mode: one commit through the Git Data API, against the fake GitHub on
127.0.0.1 (docs/architecture.md#publishing, fixed per weakness 9.2 (docs/architecture.md#reference-weaknesses) and weakness 9.6 (docs/architecture.md#reference-weaknesses))."""

from __future__ import annotations

import json

import pytest

from section11.errors import ApiFailed, AuthFailed, InvalidInput, OutputFailed
from section11.publish import github_api, github_client
from section11.publish.github_api import (
    commit_message,
    make_publisher,
    publish_data_files,
    publish_files,
)
from section11.publish.github_client import GitHubClient
from section11.publish.github_issues import close_issue, create_issue
from tests.kit.fake_github import FakeGitHub, git_blob_sha
from tests.kit.fast_client import use_fast_client

from .conftest import private_copy  # noqa: F401  (fixtures come from conftest)
from .helpers import run_cli

TOKEN = "ghp_Zq8xK3vR7mW2pL9tN4bY6cJ1fake"
REPO = "me/data"
NOW = "2026-11-23T09:00:00+00:00"


def latest(stamp: str, value: int = 1) -> bytes:
    return (
        json.dumps({"metadata": {"last_updated": stamp}, "value": value}, indent=2) + "\n"
    ).encode()


FILES = {
    "latest.json": latest("2026-11-23T10:00:00+01:00"),
    "intervals.json": b'{"generated_at": "x", "activities": {}}\n',
    "routes.json": b'{"routes": []}\n',
}


@pytest.fixture
def gh():
    with FakeGitHub(token=TOKEN, repo=REPO, files={"README.md": b"# my data\n"}) as fake:
        yield fake


def client_for(fake: FakeGitHub, token: str = TOKEN, repo: str = REPO) -> GitHubClient:
    return GitHubClient(token, repo, api_url=fake.url, sleep=lambda s: None)


def writes(fake: FakeGitHub) -> list:
    return [r for r in fake.requests if r.method in ("POST", "PATCH")]


# ----------------------------------------------------------------- one commit


def test_all_files_land_in_exactly_one_commit(gh):
    initial = gh.head()
    result = publish_files(client_for(gh), FILES, message="Update training data - t")
    assert result.commit == gh.head() and result.attempts == 1
    assert result.changed == sorted(FILES)
    history = gh.history()
    assert len(history) == 2  # the initial commit + ours
    assert (
        history[0]["parents"] == [initial] and history[0]["message"] == "Update training data - t"
    )
    assert gh.files() == {"README.md": b"# my data\n", **FILES}  # base_tree kept the README
    assert len(gh.calls("PATCH")) == 1
    assert len(gh.calls("POST", "/git/blobs")) == 3
    assert len(gh.calls("POST", "/git/commits")) == 1


def test_headers_are_bearer_json_and_api_version(gh):
    publish_files(client_for(gh), FILES, message="m")
    assert gh.requests
    for request in gh.requests:
        assert request.auth_scheme == "Bearer"
        assert request.accept == "application/vnd.github+json"
        assert request.api_version == github_client.API_VERSION


def test_no_change_makes_no_commit_and_uploads_nothing(gh):
    publish_files(client_for(gh), FILES, message="first")
    head = gh.head()
    before = len(writes(gh))
    result = publish_files(client_for(gh), FILES, message="second")
    assert result.commit is None and result.changed == []
    assert gh.head() == head and len(writes(gh)) == before
    assert "up to date" in result.summary()


def test_only_a_new_generation_timestamp_makes_no_commit(gh):
    publish_files(client_for(gh), FILES, message="first")
    head = gh.head()
    later = {**FILES, "latest.json": latest("2026-11-23T10:15:00+01:00")}
    assert publish_files(client_for(gh), later, message="second").commit is None
    assert gh.head() == head
    changed = {**FILES, "latest.json": latest("2026-11-23T10:15:00+01:00", value=2)}
    result = publish_files(client_for(gh), changed, message="third")
    assert result.commit == gh.head() and result.changed == ["latest.json"]
    assert gh.files()["latest.json"] == changed["latest.json"]


def test_only_changed_files_are_uploaded(gh):
    publish_files(client_for(gh), FILES, message="first")
    blobs_before = len(gh.calls("POST", "/git/blobs"))
    changed = {**FILES, "routes.json": b'{"routes": [1]}\n'}
    result = publish_files(client_for(gh), changed, message="second")
    assert result.changed == ["routes.json"]
    assert len(gh.calls("POST", "/git/blobs")) == blobs_before + 1
    assert len(gh.history()) == 3


def test_git_blob_sha_matches_git():
    # `printf 'hello\n' | git hash-object --stdin`
    assert git_blob_sha(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"
    assert github_api.git_blob_sha(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


# ----------------------------------------------------------------- a moving branch


def test_moved_ref_is_rebuilt_on_the_new_base(gh):
    gh.move_ref = 1  # another writer lands a commit between our GET and PATCH
    result = publish_files(client_for(gh), FILES, message="ours")
    assert result.attempts == 2 and result.commit == gh.head()
    history = gh.history()
    assert history[0]["message"] == "ours"
    assert history[1]["message"] == "Commit from another writer"
    files = gh.files()
    assert any(p.startswith("other-") for p in files)  # their file survived
    assert {p: files[p] for p in FILES} == FILES  # and ours landed
    assert len(gh.calls("POST", "/git/blobs")) == 3  # blobs reused, not re-uploaded


def test_branch_moving_every_time_gives_up_and_changes_nothing_of_ours(gh):
    gh.move_ref = 5
    with pytest.raises(ApiFailed) as err:
        publish_files(client_for(gh), FILES, message="ours")
    assert "moved during each of 3 attempts" in err.value.message
    assert "next run" in err.value.message
    assert not any(p in gh.files() for p in FILES)
    assert all(c["message"] != "ours" for c in gh.history())
    assert len(gh.calls("PATCH")) == github_api.MAX_ATTEMPTS


@pytest.mark.parametrize(
    "status,message", [(409, "Reference cannot be updated"), (422, "Update is not a fast forward")]
)
def test_409_and_422_not_fast_forward_are_retried(gh, status, message):
    gh.fail("PATCH", r"/git/refs/heads/main$", status, message, times=1)
    result = publish_files(client_for(gh), FILES, message="ours")
    assert result.attempts == 2 and gh.files()["latest.json"] == FILES["latest.json"]
    assert len(gh.history()) == 2  # no stray commit reached the branch


def test_protected_branch_is_a_clear_error_and_nothing_is_published(gh):
    gh.protected = True
    head = gh.head()
    with pytest.raises(ApiFailed) as err:
        publish_files(client_for(gh), FILES, message="ours")
    assert "protected branch" in err.value.message and github_client.BRANCH_ENV in err.value.message
    assert gh.head() == head
    assert len(gh.calls("PATCH")) == 1  # not retried


# ----------------------------------------------------------------- auth and permissions


def test_wrong_token_is_auth_failed_without_the_token(gh):
    wrong = "ghp_wrongWRONGwrong1234567890"
    with pytest.raises(AuthFailed) as err:
        publish_files(client_for(gh, token=wrong), FILES, message="m")
    assert err.value.exit_code == 4
    assert "401" in err.value.message and "GITHUB_TOKEN" in err.value.message
    assert wrong not in err.value.message and TOKEN not in err.value.message


def test_token_without_write_permission(gh):
    gh.read_only = True
    head = gh.head()
    with pytest.raises(AuthFailed) as err:
        publish_files(client_for(gh), FILES, message="m")
    assert (
        "token lacks contents: read and write on me/data (fine-grained PAT, single repository)"
        in err.value.message
    )
    assert gh.head() == head


def test_unknown_repository(gh):
    with pytest.raises(ApiFailed) as err:
        publish_files(client_for(gh, repo="me/nothing"), FILES, message="m")
    assert "not found" in err.value.message and "me/nothing" in err.value.message


def test_rate_limit_is_named(gh):
    gh.fail(
        "GET", r"/git/ref/", 403, "API rate limit exceeded", headers={"x-ratelimit-remaining": "0"}
    )
    with pytest.raises(ApiFailed, match="rate limit"):
        publish_files(client_for(gh), FILES, message="m")


def test_empty_repository_is_explained():
    with FakeGitHub(token=TOKEN, repo=REPO, files=None) as fake:
        with pytest.raises(ApiFailed, match="not found"):
            publish_files(client_for(fake), FILES, message="m")


@pytest.mark.parametrize("token", ["", None, "ghp abc", "ghp_abc\n", "ghp_äbc"])
def test_malformed_tokens_are_refused_before_any_request(token):
    with pytest.raises(AuthFailed) as err:
        GitHubClient(token, REPO, api_url="http://127.0.0.1:9")
    if token:
        assert token.strip() not in err.value.message


@pytest.mark.parametrize("repo", ["", "nodash", "a/b/c", "../x", "me/..", "me/da ta"])
def test_bad_repo_names(repo):
    with pytest.raises(InvalidInput, match="owner/name"):
        GitHubClient(TOKEN, repo)


def test_bad_branch_name(gh):
    with pytest.raises(InvalidInput):
        publish_files(client_for(gh), FILES, branch="../main", message="m")


def test_repr_hides_the_token():
    assert TOKEN not in repr(GitHubClient(TOKEN, REPO))


# ----------------------------------------------------------------- transport


def test_server_errors_are_retried(gh):
    gh.fail("GET", r"/git/ref/", 502, "bad gateway", times=2)
    result = publish_files(client_for(gh), FILES, message="m")
    assert result.commit == gh.head()
    assert [r.status for r in gh.calls("GET", "/git/ref/")] == [502, 502, 200]


def test_persistent_server_errors_fail_cleanly(gh):
    gh.fail("POST", r"/git/trees$", 500, "boom", times=10)
    head = gh.head()
    with pytest.raises(ApiFailed, match="500"):
        publish_files(client_for(gh), FILES, message="m")
    assert gh.head() == head


def test_unreachable_github(refused_port):
    client = GitHubClient(
        TOKEN, REPO, api_url=f"http://127.0.0.1:{refused_port}", sleep=lambda s: None
    )
    with pytest.raises(ApiFailed) as err:
        publish_files(client, FILES, message="m")
    assert "could not connect" in err.value.message and "nothing was published" in err.value.message


def test_every_call_has_a_timeout(gh, monkeypatch):
    seen = []
    client = client_for(gh)
    original = client.session.request

    def spy(method, url, **kwargs):
        seen.append(kwargs.get("timeout"))
        return original(method, url, **kwargs)

    monkeypatch.setattr(client.session, "request", spy)
    publish_files(client, FILES, message="m")
    assert seen and all(t == github_client.TIMEOUT for t in seen)


# ----------------------------------------------------------------- helpers


def test_publish_data_files_reads_the_known_files(gh, tmp_path):
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "notes.txt").write_text("private")
    result = publish_data_files(client_for(gh), tmp_path)
    assert result.changed == sorted(FILES) and "notes.txt" not in gh.files()
    assert gh.history()[0]["message"].startswith("Update training data - ")


def test_publish_data_files_needs_latest(gh, tmp_path):
    (tmp_path / "routes.json").write_bytes(b"{}")
    with pytest.raises(OutputFailed, match="latest.json"):
        publish_data_files(client_for(gh), tmp_path)


def test_commit_message_is_utc():
    from datetime import datetime, timedelta, timezone

    when = datetime(2026, 11, 23, 10, 5, 6, tzinfo=timezone(timedelta(hours=1)))
    assert commit_message(when) == "Update training data - 2026-11-23 09:05:06 UTC"


def test_publisher_hook_returns_raw_urls(gh):
    lines = []
    publish = make_publisher(client_for(gh), message="m", report=lines.append)
    urls = publish({"latest.json": FILES["latest.json"]})
    assert urls == ["https://raw.githubusercontent.com/me/data/main/latest.json"]
    assert lines and "one commit" in lines[0]


# ----------------------------------------------------------------- the CLI in API mode


@pytest.fixture
def fast_intervals(monkeypatch):
    use_fast_client(monkeypatch)


def api_env(fake_api, gh, **extra) -> dict[str, str]:
    env = {
        "ATHLETE_ID": fake_api.data.athlete_id,
        "INTERVALS_KEY": fake_api.data.api_key,
        "INTERVALS_BASE_URL": fake_api.base_url,
        "SECTION11_NOW": NOW,
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPO": REPO,
        "GITHUB_API_URL": gh.url,
        "SECTION11_UPDATE_CHECK": "off",
    }
    env.update(extra)
    return env


def test_cli_api_mode_writes_locally_and_publishes_one_commit(
    fake_api, gh, fast_intervals, tmp_path, capsys
):
    code, out, err = run_cli([], api_env(fake_api, gh), capsys, tmp_path)
    assert code == 0, err
    local = (tmp_path / "latest.json").read_bytes()
    published = gh.files()
    assert published["latest.json"] == local
    assert len(gh.history()) == 2 and len(gh.calls("PATCH")) == 1
    assert "in one commit" in out
    assert TOKEN not in out + err

    code, out, err = run_cli([], api_env(fake_api, gh), capsys, tmp_path)
    assert code == 0, err
    assert len(gh.history()) == 2  # same data: no second commit
    assert "up to date" in out


def test_cli_api_mode_bad_token_exits_4_with_local_copies(
    fake_api, gh, fast_intervals, tmp_path, capsys
):
    bad = "ghp_badBADbad0987654321"
    code, out, err = run_cli([], api_env(fake_api, gh, GITHUB_TOKEN=bad), capsys, tmp_path)
    assert code == 4
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: GitHub rejected the token")
    assert "local copies" in lines[0] and "next run" in lines[0]
    assert bad not in out + err and TOKEN not in out + err
    assert (tmp_path / "latest.json").is_file()
    assert len(gh.history()) == 1


def test_cli_api_mode_without_push_permission(fake_api, gh, fast_intervals, tmp_path, capsys):
    gh.read_only = True
    code, out, err = run_cli([], api_env(fake_api, gh), capsys, tmp_path)
    assert code == 4
    assert "token lacks contents: read and write on me/data" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_api_mode_recovers_on_the_next_run(fake_api, gh, fast_intervals, tmp_path, capsys):
    gh.fail("POST", r"/git/commits$", 500, "boom", times=3)
    code, out, err = run_cli([], api_env(fake_api, gh), capsys, tmp_path)
    assert code == 5 and len(gh.history()) == 1
    code, out, err = run_cli([], api_env(fake_api, gh), capsys, tmp_path)
    assert code == 0, err
    assert gh.files()["latest.json"] == (tmp_path / "latest.json").read_bytes()


def test_cli_without_destination_or_github_is_invalid(capsys, tmp_path):
    env = {
        "ATHLETE_ID": "i1",
        "INTERVALS_KEY": "k" * 10,
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
    }
    code, out, err = run_cli([], env, capsys, tmp_path)
    assert code == 2 and "GITHUB_TOKEN and GITHUB_REPO" in err


def test_cli_sync_runs_the_update_check_once(
    fake_api, gh, fast_intervals, tmp_path, capsys, monkeypatch
):
    """After a successful sync with a token and repo: one issue, then throttled."""
    from section11.publish import manifest as mf
    from tests.kit.fake_github import FakeFileHost

    install = tmp_path / "install"
    (install / "section11").mkdir(parents=True)
    (install / "sync.py").write_bytes(b"old\n")
    monkeypatch.setattr(mf, "install_root", lambda: install)
    work = tmp_path / "work"
    work.mkdir()
    with FakeFileHost() as host:
        host.release({"sync.py": b"new\n"})
        env = api_env(
            fake_api, gh, SECTION11_UPDATE_CHECK="on", SECTION11_MANIFEST_URL=host.manifest_url
        )
        code, out, err = run_cli(["--output-dir", "out"], env, capsys, work)
        assert code == 0, err
        assert "opened issue #1 in me/data" in out
        assert [i["title"][:21] for i in gh.issues()] == ["Section 11 updates — "]
        assert (work / "out" / ".section11" / "update_check.json").is_file()
        assert len(gh.history()) == 1  # --output-dir: nothing published through the API
        code, out, err = run_cli(["--output-dir", "out"], env, capsys, work)
        assert code == 0 and len(host.calls("GET", "/manifest.json")) == 1  # throttled
        assert TOKEN not in out + err


def test_api_mode_publishes_charts_and_dashboard(gh, tmp_path):
    (tmp_path / "charts").mkdir()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>\n'
    for name, data in {**FILES, "charts/zones.svg": svg, "dashboard.html": b"<html/>\n"}.items():
        (tmp_path / name).write_bytes(data)
    result = publish_data_files(client_for(gh), tmp_path)
    assert {"charts/zones.svg", "dashboard.html"} <= set(result.changed)
    assert gh.files()["charts/zones.svg"] == svg


def test_update_issue_can_be_closed_with_a_comment(gh):
    client = client_for(gh)
    issue = create_issue(client, "t", "b", ["update-notification"])
    close_issue(client, issue["number"], "Resolved.")
    [stored] = gh.issues()
    assert stored["state"] == "closed" and stored["comments_text"] == ["Resolved."]
