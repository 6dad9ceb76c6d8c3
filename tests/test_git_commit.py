"""`sync.py --commit` against real git repositories in a temp dir (docs/architecture.md#publishing, weakness 9.1.7 (docs/architecture.md#reference-weaknesses)).

Every test has a bare "remote", a clone playing the workflow's checkout, and
sometimes a second clone playing a concurrent pusher. No network beyond
127.0.0.1.
"""

from __future__ import annotations

import base64
import http.server
import io
import json
import os
import subprocess
import threading
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

import pytest

from section11.cli import main
from section11.errors import EXIT_OUTPUT_FAILED, InvalidInput, OutputFailed
from section11.publish import git as gitmod
from section11.publish import git_runner
from section11.publish.commit_mode import step_summary
from section11.publish.git import (
    BOT_EMAIL,
    BOT_NAME,
    CommitStep,
    PublishFailed,
)
from section11.publish.git_runner import scrub
from section11.publish.readme import set_last_sync_line

NOW = datetime(2026, 11, 23, 7, 30, 0, tzinfo=UTC)
NOW_TEXT = "2026-11-23T07:30:00+00:00"
SNAPSHOT = "archive/2026-11/20261123_073000.json"
SYNC_LINE = "**Last successful sync:** 2026-11-23 07:30 UTC"
README = (
    "# Training data\n\n"
    "[![Sync](https://github.com/a/b/actions/workflows/auto-sync.yml/badge.svg)](x)\n\n"
    "**Last successful sync:** never\n\nSome text.\n"
)
DATA_NAMES = ("latest.json", "history.json", "intervals.json", "routes.json", "ftp_history.json")


# ----------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def git_home(tmp_path, monkeypatch):
    """No user or system git config leaks in; no identity unless a test sets one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    for name in (
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_TOKEN",
        "SECTION11_GIT_NAME",
        "SECTION11_GIT_EMAIL",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "SECTION11_NOW",
        "INTERVALS_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=Tester", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr.decode()}")
    return proc.stdout.decode().strip()


def show(repo: Path, rev: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=repo, capture_output=True, check=True
    ).stdout


def dumps(doc) -> bytes:
    return (json.dumps(doc, indent=2) + "\n").encode()


def documents(stamp: str = "2026-11-23T06:00:00+01:00", ctl: float = 50.0) -> dict[str, bytes]:
    """One run's data files; `stamp` goes only into the generation timestamps."""
    return {
        "latest.json": dumps(
            {
                "metadata": {"athlete_id": "REDACTED", "last_updated": stamp, "version": "1"},
                "current_status": {"fitness": {"ctl": ctl}},
                "derived_metrics": {"calculation_timestamp": stamp, "acwr": 1.1},
            }
        ),
        "history.json": dumps({"generated_at": stamp, "daily_90d": [{"date": "2026-11-22"}]}),
        "intervals.json": dumps(
            {
                "generated_at": stamp,
                "activities": [],
                "fetch_state": {"1": {"intervals": {"attempts": 1}}},
            }
        ),
        "routes.json": dumps({"generated_at": stamp, "events": []}),
        "ftp_history.json": dumps({"indoor": {"2026-11-01": 250}, "outdoor": {}}),
    }


def write(directory: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.fixture
def repos(tmp_path):
    """(remote, work): a bare remote seeded with README, notes and one run's data; a clone."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(remote), str(seed))
    write(
        seed,
        {
            "README.md": README.encode(),
            "notes.md": b"my notes\n",
            "archive/2026-11/20261120_000000.json": documents("2026-11-20T00:00:00Z")[
                "latest.json"
            ],
            **documents(),
        },
    )
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "seed")
    git(seed, "push", "-q", "origin", "main")
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(remote), str(work))
    return remote, work


def step(work: Path, **kwargs) -> CommitStep:
    environ = dict(os.environ)
    environ.update(kwargs.pop("env", {}))
    kwargs.setdefault("sleep", lambda seconds: None)
    return CommitStep(work, now=NOW, environ=environ, **kwargs)


def tip(remote: Path) -> str:
    return git(remote, "rev-parse", "refs/heads/main")


def run_cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    environ = dict(os.environ, SECTION11_NOW=NOW_TEXT, **(env or {}))
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args, environ=environ)
    return code, out.getvalue(), err.getvalue()


def assert_clean_checkout(work: Path, remote: Path) -> None:
    assert git(work, "rev-parse", "HEAD") == tip(remote)
    assert git(work, "status", "--porcelain") == ""


# ----------------------------------------------------------------- change detection


def test_no_change_makes_no_commit(repos):
    remote, work = repos
    before = tip(remote)
    write(work, documents())
    result = step(work).run()
    assert result.commit is None and result.changed == []
    assert tip(remote) == before
    assert result.lines() == ["--commit: no data changed (timestamps aside); nothing to commit"]


def test_change_only_in_generation_timestamps_makes_no_commit(repos):
    remote, work = repos
    before = tip(remote)
    write(work, documents(stamp="2026-11-23T08:15:00+01:00"))
    result = step(work).run()
    assert result.commit is None
    assert tip(remote) == before
    assert not (work / SNAPSHOT).exists()
    assert git(work, "rev-parse", "HEAD") == before


def test_real_change_makes_exactly_one_commit_with_every_file(repos):
    remote, work = repos
    before = tip(remote)
    new = documents(stamp="2026-11-23T08:30:00+01:00", ctl=51.5)
    write(work, new)
    result = step(work, env={"GITHUB_ACTIONS": "true"}).run()
    after = tip(remote)
    assert result.pushed and result.commit == after and result.attempts == 1
    assert git(remote, "rev-list", "--count", f"{before}..{after}") == "1"
    assert git(remote, "rev-parse", f"{after}^") == before
    # The change was latest.json only (the others differ in timestamps) ...
    assert result.changed == ["latest.json"]
    # ... but the commit carries the whole set of this run, the snapshot and README.
    touched = set(git(remote, "diff", "--name-only", before, after).splitlines())
    assert touched == {*DATA_NAMES[:4], SNAPSHOT, "README.md"}  # ftp_history bytes unchanged
    for name, data in new.items():
        assert show(remote, after, name) == data
    assert show(remote, after, SNAPSHOT) == new["latest.json"]
    readme = show(remote, after, "README.md").decode()
    assert readme == README.replace("**Last successful sync:** never", SYNC_LINE)
    author = git(remote, "log", "-1", "--format=%an <%ae>|%cn|%at", after)
    assert author == f"{BOT_NAME} <{BOT_EMAIL}>|{BOT_NAME}|{int(NOW.timestamp())}"
    assert result.archived == SNAPSHOT and result.readme_updated
    assert_clean_checkout(work, remote)


def test_second_run_with_same_data_is_quiet(repos):
    remote, work = repos
    write(work, documents(ctl=52))
    first = step(work).run()
    assert first.commit
    write(work, documents(stamp="2026-11-23T09:00:00Z", ctl=52))
    second = step(work).run()
    assert second.commit is None
    assert tip(remote) == first.commit


def test_snapshot_skipped_when_newest_snapshot_has_same_content(repos, tmp_path):
    remote, work = repos
    # Another file changes, latest.json does not: no new snapshot.
    files = documents()
    files["ftp_history.json"] = dumps(
        {"indoor": {"2026-11-01": 250, "2026-11-23": 255}, "outdoor": {}}
    )
    write(work, files)
    seed_latest = documents("2026-11-20T00:00:00Z")["latest.json"]
    assert seed_latest != files["latest.json"]  # differs only in timestamps
    result = step(work).run()
    assert result.changed == ["ftp_history.json"]
    assert result.archived is None
    assert (
        git(remote, "ls-tree", "-r", "--name-only", "main", "archive/")
        == "archive/2026-11/20261120_000000.json"
    )


def test_identity_from_env_and_from_git_config(repos):
    remote, work = repos
    write(work, documents(ctl=60))
    step(
        work,
        env={
            "SECTION11_GIT_NAME": "Coach Bot",
            "SECTION11_GIT_EMAIL": "c@example.org",
            "GITHUB_ACTIONS": "true",
        },
    ).run()
    assert git(remote, "log", "-1", "--format=%an <%ae>") == "Coach Bot <c@example.org>"
    git(work, "config", "user.name", "Local Me")
    git(work, "config", "user.email", "me@example.org")
    write(work, documents(ctl=61))
    step(work).run()
    assert git(remote, "log", "-1", "--format=%an <%ae>") == "Local Me <me@example.org>"
    write(work, documents(ctl=62))
    step(work, env={"GITHUB_ACTIONS": "true"}).run()  # CI: the bot, not the repo config
    assert git(remote, "log", "-1", "--format=%an") == BOT_NAME


# ----------------------------------------------------------------- races


def other_pusher(tmp_path: Path, remote: Path, files: dict[str, bytes], name: str = "other"):
    """A hook for before_push: another clone commits `files` and pushes."""
    calls = []

    def hook(attempt: int, commit: str) -> None:
        calls.append(attempt)
        if attempt != 1:
            return
        clone = tmp_path / name
        git(tmp_path, "clone", "-q", str(remote), str(clone))
        write(clone, files)
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", "concurrent change")
        git(clone, "push", "-q", "origin", "main")

    return hook, calls


def test_concurrent_pusher_keeps_our_data_and_their_change(repos, tmp_path):
    remote, work = repos
    before = tip(remote)
    their_readme = README.replace("Some text.", "Some text, edited on github.com.")
    hook, calls = other_pusher(
        tmp_path,
        remote,
        {"README.md": their_readme.encode(), "notes.md": b"my notes\nmore notes\n"},
    )
    ours = documents(stamp="2026-11-23T08:30:00+01:00", ctl=53)
    write(work, ours)
    result = step(work, before_push=hook).run()
    after = tip(remote)
    assert calls == [1, 2] and result.attempts == 2 and result.pushed
    # Every data file on the remote is this run's version.
    for name, data in ours.items():
        assert show(remote, after, name) == data
    assert show(remote, after, SNAPSHOT) == ours["latest.json"]
    # The other pusher's changes survived; our line is re-applied on their README.
    assert show(remote, after, "notes.md") == b"my notes\nmore notes\n"
    assert show(remote, after, "README.md").decode() == their_readme.replace(
        "**Last successful sync:** never", SYNC_LINE
    )
    # Linear history: seed -> theirs -> ours.
    assert git(remote, "rev-list", "--merges", "main") == ""
    theirs = git(remote, "rev-parse", f"{after}^")
    assert git(remote, "rev-parse", f"{theirs}^") == before
    assert git(remote, "log", "-1", "--format=%s", theirs) == "concurrent change"
    assert_clean_checkout(work, remote)
    assert (work / "notes.md").read_bytes() == b"my notes\nmore notes\n"
    assert (work / SNAPSHOT).read_bytes() == ours["latest.json"]


def test_concurrent_writer_of_data_files_loses_to_this_run(repos, tmp_path):
    remote, work = repos
    stale = documents(stamp="2026-11-23T08:00:00Z", ctl=40)
    hook, _ = other_pusher(
        tmp_path,
        remote,
        {"latest.json": stale["latest.json"], "intervals.json": stale["intervals.json"]},
    )
    ours = documents(stamp="2026-11-23T08:30:00Z", ctl=53)
    write(work, ours)
    result = step(work, before_push=hook).run()
    assert result.attempts == 2
    for name, data in ours.items():
        assert show(remote, "main", name) == data


def test_remote_moving_every_attempt_gives_up_then_next_run_succeeds(repos, tmp_path):
    remote, work = repos
    counter = iter(range(100))

    def always_move(attempt: int, commit: str) -> None:
        clone = tmp_path / f"mover{next(counter)}"
        git(tmp_path, "clone", "-q", str(remote), str(clone))
        (clone / "notes.md").write_text(f"edit {attempt}\n")
        git(clone, "commit", "-q", "-am", f"edit {attempt}")
        git(clone, "push", "-q", "origin", "main")

    ours = documents(ctl=70)
    write(work, ours)
    head = git(work, "rev-parse", "HEAD")
    with pytest.raises(PublishFailed, match="kept moving.*next run retries"):
        step(work, before_push=always_move, max_attempts=3).run()
    assert git(work, "rev-parse", "HEAD") == head
    assert show(remote, "main", "latest.json") != ours["latest.json"]
    result = step(work).run()
    assert result.pushed
    assert show(remote, "main", "latest.json") == ours["latest.json"]
    assert show(remote, "main", "notes.md") == b"edit 3\n"
    assert_clean_checkout(work, remote)


# ----------------------------------------------------------------- faults


def install_rejecting_hook(remote: Path) -> Path:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\necho 'GH006: Protected branch update failed for refs/heads/main.' >&2\nexit 1\n"
    )
    hook.chmod(0o755)
    return hook


def test_push_rejected_permanently_exits_nonzero_with_one_line(repos):
    remote, work = repos
    before = tip(remote)
    head = git(work, "rev-parse", "HEAD")
    hook = install_rejecting_hook(remote)
    ours = documents(ctl=55)
    write(work, ours)
    code, out, err = run_cli(["--commit", "--output-dir", str(work)])
    assert code == EXIT_OUTPUT_FAILED
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert "refused the push to origin/main" in err and "next run retries" in err
    # Nothing published, the local repository as it was: same HEAD, empty index
    # diff, no temp index, no archive or README change, data files untouched.
    assert tip(remote) == before
    assert git(work, "rev-parse", "HEAD") == head
    assert git(work, "diff", "--cached", "--name-only") == ""
    assert not list((work / ".git").glob("section11-commit-*"))
    assert not (work / SNAPSHOT).exists()
    assert (work / "README.md").read_text() == README
    assert (work / "latest.json").read_bytes() == ours["latest.json"]
    assert git(work, "diff", "--name-only") == "latest.json"
    assert git(work, "status", "--porcelain", "--untracked-files=all") == "M latest.json"
    # The next run, once the hook is gone, publishes by itself.
    hook.unlink()
    code, out, err = run_cli(["--commit", "--output-dir", str(work)])
    assert code == 0, err
    assert out.startswith("--commit: ") and "pushed to origin/main: latest.json" in out
    assert show(remote, "main", "latest.json") == ours["latest.json"]
    assert_clean_checkout(work, remote)


def test_missing_latest_json(repos):
    _, work = repos
    (work / "latest.json").unlink()
    with pytest.raises(InvalidInput, match="latest.json not found; run the sync first"):
        step(work).run()


def test_corrupt_data_file_is_not_published(repos):
    remote, work = repos
    before = tip(remote)
    write(work, documents(ctl=80))
    (work / "intervals.json").write_bytes(b'{"generated_at": "x", "activ')
    with pytest.raises(OutputFailed, match="intervals.json is not valid JSON"):
        step(work).run()
    assert tip(remote) == before


def test_not_a_git_repository(tmp_path):
    write(tmp_path / "plain", documents())
    code, _, err = run_cli(["--commit", "--output-dir", str(tmp_path / "plain")])
    assert code == 2 and "not inside a git working tree" in err


def test_detached_head_is_refused(repos):
    _, work = repos
    git(work, "checkout", "-q", "--detach")
    with pytest.raises(InvalidInput, match="detached"):
        step(work).run()


def test_diverged_local_branch_is_refused(repos, tmp_path):
    remote, work = repos
    (work / "notes.md").write_text("local commit\n")
    git(work, "commit", "-q", "-am", "local")
    hook, _ = other_pusher(tmp_path, remote, {"notes.md": b"remote commit\n"})
    hook(1, "")
    write(work, documents(ctl=90))
    with pytest.raises(PublishFailed, match="diverged"):
        step(work).run()


def test_local_commits_ahead_are_refused_never_pushed(repos):
    """--commit pushes only the commit it made: the user's own unpushed commits stay local."""
    remote, work = repos
    before = git(remote, "rev-parse", "main")
    (work / "notes.md").write_text("local commit\n")
    git(work, "commit", "-q", "-am", "local")
    write(work, documents(ctl=91))
    code, _, err = run_cli(["--commit", "--output-dir", str(work)])
    assert code == EXIT_OUTPUT_FAILED
    assert "has 1 commit(s) not on origin/main" in err and len(err.strip().splitlines()) == 1
    assert git(remote, "rev-parse", "main") == before
    assert show(remote, "main", "notes.md") != b"local commit\n"


def test_without_remote_commits_locally(tmp_path):
    repo = tmp_path / "local"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    write(repo, documents())
    result = step(repo).run()
    assert result.commit and not result.pushed
    assert "committed locally on main (no remote 'origin')" in result.lines()[0]
    assert git(repo, "rev-parse", "HEAD") == result.commit
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines() == sorted(
        [*DATA_NAMES, SNAPSHOT]
    )
    assert step(repo).run().commit is None


def test_data_in_a_subdirectory_with_custom_latest_name(repos):
    remote, work = repos
    (work / "data").mkdir()
    files = documents(ctl=33)
    files["mirror.json"] = files.pop("latest.json")
    write(work / "data", files)
    code, _, err = run_cli(["--commit", "--output", str(work / "data" / "mirror.json")])
    assert code == 0, err
    assert show(remote, "main", "data/mirror.json") == files["mirror.json"]
    assert show(remote, "main", "data/" + SNAPSHOT) == files["mirror.json"]
    assert SYNC_LINE in show(remote, "main", "README.md").decode()


def test_local_readme_edit_is_kept_and_reported(repos):
    remote, work = repos
    (work / "README.md").write_text(README + "my local draft\n")
    write(work, documents(ctl=44))
    result = step(work).run()
    assert result.pushed
    assert SYNC_LINE in show(remote, "main", "README.md").decode()
    assert (work / "README.md").read_text() == README + "my local draft\n"
    assert any("local checkout was not moved" in w for w in result.warnings)
    # Recovers by itself: the next run sees no change and fails nothing.
    assert step(work).run().commit is None


def test_data_file_rewritten_during_the_run_is_left_for_the_next_run(repos):
    remote, work = repos
    ours, newer = documents(ctl=45), documents(ctl=46)

    def newer_sync(attempt: int, commit: str) -> None:
        (work / "latest.json").write_bytes(newer["latest.json"])

    write(work, ours)
    result = step(work, before_push=newer_sync).run()
    assert show(remote, "main", "latest.json") == ours["latest.json"]
    assert (work / "latest.json").read_bytes() == newer["latest.json"]
    assert any("local checkout was not moved" in w for w in result.warnings)
    again = step(work).run()
    assert again.pushed and show(remote, "main", "latest.json") == newer["latest.json"]
    assert_clean_checkout(work, remote)


def test_retention_prunes_old_snapshots_in_the_same_commit(repos, tmp_path):
    remote, work = repos
    old = {
        "archive/2026-09/20260901_000000.json": b"{}\n",
        "archive/2026-10/20261024_073000.json": b"{}\n",  # exactly 30 days: kept
        "archive/2026-10/20261024_072959.json": b"{}\n",  # 1 s older: pruned
        "archive/README.txt": b"not a snapshot\n",
    }
    seeder = tmp_path / "seeder"
    git(tmp_path, "clone", "-q", str(remote), str(seeder))
    write(seeder, old)
    git(seeder, "add", "-A")
    git(seeder, "commit", "-q", "-m", "old snapshots")
    git(seeder, "push", "-q", "origin", "main")
    git(work, "pull", "-q", "--ff-only")
    write(work, documents(ctl=58))
    result = step(work, retention_days=30).run()
    assert sorted(result.pruned) == [
        "archive/2026-09/20260901_000000.json",
        "archive/2026-10/20261024_072959.json",
    ]
    listed = git(remote, "ls-tree", "-r", "--name-only", "main", "archive/").splitlines()
    assert sorted(listed) == [
        "archive/2026-10/20261024_073000.json",
        "archive/2026-11/20261120_000000.json",
        SNAPSHOT,
        "archive/README.txt",
    ]
    assert git(remote, "rev-list", "--count", "main") == "3"  # seed, old snapshots, ours
    assert not (work / "archive/2026-09/20260901_000000.json").exists()
    assert_clean_checkout(work, remote)


def test_retention_option_on_the_command_line(repos):
    _, work = repos
    code, _, err = run_cli(["--commit", "--output-dir", str(work), "--archive-retention-days", "0"])
    assert code == 2 and "--archive-retention-days" in err


# ----------------------------------------------------------------- tokens


class _AuthRecorder(http.server.BaseHTTPRequestHandler):
    status = 401
    seen: list[str] = []

    def do_GET(self):  # http.server calls it by this name
        type(self).seen.append(self.headers.get("Authorization", ""))
        self.send_response(self.status)
        self.send_header("WWW-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def auth_server():
    _AuthRecorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AuthRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "status, expected", [(401, "credentials were rejected"), (403, "no permission to write")]
)
def test_wrong_token_or_no_permission_gives_one_clear_line(
    repos, auth_server, monkeypatch, status, expected
):
    _, work = repos
    _AuthRecorder.status = status
    port = auth_server.server_address[1]
    git(work, "remote", "set-url", "origin", f"http://127.0.0.1:{port}/a/b.git")
    token = "ghp_TESTTOKEN_1234567890"
    argvs: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(cmd, *args, **kwargs):
        argvs.append(list(cmd))
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(git_runner.subprocess, "run", recording_run)
    write(work, documents(ctl=66))
    code, out, err = run_cli(["--commit", "--output-dir", str(work)], env={"GITHUB_TOKEN": token})
    assert code == EXIT_OUTPUT_FAILED
    assert err.count("\n") == 1 and expected in err
    assert token not in out + err
    assert all(token not in " ".join(argv) for argv in argvs)
    # The token reached the server only as the HTTP basic credential.
    wanted = "basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()
    assert _AuthRecorder.seen and all(h.lower() == wanted.lower() for h in _AuthRecorder.seen)
    assert token not in (work / ".git" / "config").read_text()


def test_missing_token_on_private_https_remote(repos, auth_server):
    _, work = repos
    _AuthRecorder.status = 401
    git(
        work,
        "remote",
        "set-url",
        "origin",
        f"http://127.0.0.1:{auth_server.server_address[1]}/a/b.git",
    )
    write(work, documents(ctl=67))
    code, _, err = run_cli(["--commit", "--output-dir", str(work)])
    assert code == EXIT_OUTPUT_FAILED and "credentials were rejected" in err
    assert _AuthRecorder.seen == [""]


def test_existing_extraheader_is_not_doubled(tmp_path):
    runner = git_runner.GitRunner(tmp_path, {}, "tok-12345", 5)
    runner.use_token("https://github.com/a/b.git", has_own_header=True)
    assert runner.auth_env == {  # no header of ours; redirects still refused
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.followRedirects",
        "GIT_CONFIG_VALUE_0": "false",
    }
    runner = git_runner.GitRunner(tmp_path, {}, "tok-12345", 5)
    runner.use_token("git@github.com:a/b.git", has_own_header=False)
    assert runner.auth_env == {}
    runner = git_runner.GitRunner(tmp_path, {"GIT_CONFIG_COUNT": "2"}, "tok-12345", 5)
    runner.use_token("https://github.com:8443/a/b.git", has_own_header=False)
    assert runner.auth_env["GIT_CONFIG_COUNT"] == "4"
    assert runner.auth_env["GIT_CONFIG_KEY_2"] == "http.followRedirects"
    assert runner.auth_env["GIT_CONFIG_KEY_3"] == "http.https://github.com:8443/.extraheader"


def test_scrub_removes_credentials_from_urls_and_secrets():
    line = (
        "fatal: unable to access 'https://user:ghp_abcd1234@github.com/a/b.git/': 403 ghp_abcd1234"
    )
    assert (
        scrub(line, ("ghp_abcd1234",))
        == "fatal: unable to access 'https://***@github.com/a/b.git/': 403 ***"
    )


# ----------------------------------------------------------------- README line and summary


def test_set_last_sync_line_replaces_the_existing_line_keeping_crlf():
    text = "# T\r\n\r\n**Last successful sync:** 2020-01-01 00:00 UTC\r\nrest\r\n"
    assert set_last_sync_line(text, NOW) == f"# T\r\n\r\n{SYNC_LINE}\r\nrest\r\n"


def test_set_last_sync_line_in_another_timezone_is_utc():
    local = datetime.fromisoformat("2026-11-23T09:30:00+02:00")
    assert SYNC_LINE in set_last_sync_line("**Last successful sync:** x\n", local)


def test_set_last_sync_line_inserts_after_badge_then_heading_then_top():
    badge = "# T\n[![s](https://x/badge.svg)](y)\ntext\n"
    assert (
        set_last_sync_line(badge, NOW)
        == f"# T\n[![s](https://x/badge.svg)](y)\n\n{SYNC_LINE}\ntext\n"
    )
    assert set_last_sync_line("intro\n# Title\nbody", NOW) == f"intro\n# Title\n\n{SYNC_LINE}\nbody"
    assert set_last_sync_line("plain\n", NOW) == f"{SYNC_LINE}\n\nplain\n"


def test_readme_missing_is_not_created(tmp_path):
    repo = tmp_path / "r"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    write(repo, documents())
    step(repo).run()
    assert not (repo / "README.md").exists()


def test_step_summary_written_for_github(repos, tmp_path):
    _, work = repos
    summary = tmp_path / "summary.md"
    write(work, documents(ctl=71))
    code, _, err = run_cli(
        ["--commit", "--output-dir", str(work)], env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert code == 0, err
    text = summary.read_text()
    assert "### Training data sync" in text and "| `latest.json` |" in text and SNAPSHOT in text
    code, _, _ = run_cli(
        ["--commit", "--output-dir", str(work)], env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert code == 0 and summary.read_text().endswith("nothing pushed.\n")


def test_step_summary_of_a_local_commit():
    result = gitmod.CommitResult(
        changed=["latest.json"],
        commit="a" * 40,
        branch="main",
        attempts=1,
        pruned=["x", "y"],
        warnings=["w"],
    )
    text = step_summary(result)
    assert "made on `main`" in text and "Pruned 2 snapshot(s)" in text and "> warning: w" in text


# ----------------------------------------------------------------- issue 12: bookkeeping, charts, races


def test_retry_bookkeeping_alone_waits_for_the_next_data_change(repos):
    remote, work = repos
    before = tip(remote)
    files = documents()
    bookkeeping = json.loads(files["intervals.json"])
    bookkeeping["fetch_state"] = {"1": {"intervals": {"attempts": 2, "tombstone": True}}}
    files["intervals.json"] = dumps(bookkeeping)
    write(work, files)
    assert step(work).run().commit is None and tip(remote) == before
    write(work, {**files, "latest.json": documents(ctl=61.0)["latest.json"]})
    result = step(work).run()
    assert result.commit is not None
    assert set(result.changed) == {"latest.json", "intervals.json"}  # it travels with the data
    assert (
        json.loads(show(remote, "main", "intervals.json"))["fetch_state"]["1"]["intervals"][
            "attempts"
        ]
        == 2
    )


def test_charts_and_dashboard_are_committed_with_the_data(repos):
    remote, work = repos
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><title>fitness</title></svg>\n'
    write(work, {**documents(ctl=55.0), "charts/fitness.svg": svg, "dashboard.html": b"<html/>\n"})
    result = step(work).run()
    assert {"charts/fitness.svg", "dashboard.html"} <= set(result.changed)
    assert show(remote, "main", "charts/fitness.svg") == svg
    # a chart linked elsewhere is never read through the link
    (work / "charts" / "acwr.svg").symlink_to(work / "README.md")
    with pytest.raises(OutputFailed, match="symbolic link"):
        step(work).run()


@pytest.mark.parametrize(
    "output",
    [
        " ! [remote rejected] main -> main (cannot lock ref 'refs/heads/main': is at abc "
        "but expected def)",
        " ! [remote rejected] main -> main (incorrect old value provided)",
        " ! [rejected]        main -> main (fetch first)",
        " ! [rejected]        main -> main (non-fast-forward)",
    ],
)
def test_push_races_are_races_even_when_remote_rejected(output):
    assert git_runner.classify_output(f"To origin\n{output}\nerror: failed to push") == "moved"


def test_a_protected_branch_is_still_a_refusal():
    output = " ! [remote rejected] main -> main (protected branch hook declined)"
    assert git_runner.classify_output(output) == "refused"
