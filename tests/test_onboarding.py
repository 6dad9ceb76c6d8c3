"""From nothing to a running data repository, and updates that never misfire.

`sync.py --init` builds a data repository in an empty folder; with a local
bare remote, the workflow's steps (sync against the fake Intervals.icu API,
then `--commit`) run in order as subprocesses of the data repository's own
copy of sync.py, the way Actions runs them. The upstream is a fake file host
serving this project's files and manifest; issues go to the fake GitHub API.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from section11.publish.init import GITIGNORE
from section11.publish.manifest import (
    content_hash,
    parse_manifest,
    read_local_manifest,
    render_manifest,
    runtime_files,
)
from section11.publish.readme import BEGIN, END
from section11.publish.updates import LABEL
from tests.kit.fake_github import FakeFileHost, FakeGitHub

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ghp_onboarding_token_7Qx2"
REPO = "me/data"
NOW = datetime.fromisoformat("2026-11-23T09:00:00+00:00")
USER_NOTE = "My own notes: FTP test every 6 weeks.\n"
TIMEOUT = 300


def project_files() -> dict[str, bytes]:
    manifest = parse_manifest((ROOT / "manifest.json").read_bytes())
    return {rel: (ROOT / rel).read_bytes() for rel in manifest["files"]}


@pytest.fixture
def upstream():
    host = FakeFileHost()
    host.files = {**project_files(), "manifest.json": (ROOT / "manifest.json").read_bytes()}
    with host:
        yield host


@pytest.fixture
def github():
    with FakeGitHub(token=TOKEN, repo=REPO, files=None) as gh:
        yield gh


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, timeout=60, check=True
    )
    return proc.stdout.strip()


def run(cwd: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "sync.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def workflow_env(fake_api, github_url: str, now: datetime, tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "ATHLETE_ID": str(fake_api.data.athlete_id),
        "INTERVALS_KEY": str(fake_api.data.api_key),
        "INTERVALS_BASE_URL": fake_api.base_url,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPO": REPO,
        "GITHUB_API_URL": github_url,
        "SECTION11_NOW": now.isoformat(),
        "SECTION11_GIT_NAME": "bot",
        "SECTION11_GIT_EMAIL": "bot@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }


def workflow_run(data: Path, env: dict[str, str]) -> tuple[str, str]:
    """The workflow's Sync and Commit steps; (sync stdout, commit stdout)."""
    sync = run(data, ["--output-dir", "."], env)
    assert sync.returncode == 0, sync.stderr
    commit = run(data, ["--commit", "--output-dir", "."], env)
    assert commit.returncode == 0, commit.stderr
    return sync.stdout, commit.stdout


def remote_commits(remote: Path) -> int:
    return int(git(remote, "rev-list", "--count", "main"))


def update_issues(github, state: str | None = None) -> list[dict]:
    return [
        i
        for i in github.issues(REPO)
        if LABEL in {label["name"] for label in i["labels"]} and state in (None, i["state"])
    ]


def init(data: Path, upstream, extra: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "GIT_CONFIG_GLOBAL": os.devnull}
    return run(
        ROOT,
        ["--init", str(data), "--update-source", upstream.manifest_url, *(extra or [])],
        env,
    )


def test_init_builds_exactly_the_runtime_files(tmp_path, upstream):
    data = tmp_path / "data"
    proc = init(data, upstream, ["--github-repo", REPO])
    assert proc.returncode == 0, proc.stderr
    manifest = parse_manifest((ROOT / "manifest.json").read_bytes())
    runtime = set(runtime_files(manifest)) - {"DATA_REPO_README.md"}
    tracked = set(git(data, "ls-files").splitlines())
    assert tracked == runtime | {"README.md", ".gitignore", "manifest.json"}
    assert not {"CHANGELOG.md", "requirements-dev.txt", "docs/fields.md"} & tracked
    assert git(data, "rev-list", "--count", "HEAD") == "1"
    readme = (data / "README.md").read_text()
    assert "OWNER/REPO" not in readme and f"github.com/{REPO}/actions" in readme
    assert BEGIN in readme and END in readme
    installed = read_local_manifest(data)
    assert installed["source"] == upstream.manifest_url
    assert set(installed["files"]) == set(runtime_files(manifest))
    assert (data / ".gitignore").read_text() == GITIGNORE
    for step in (
        "gh repo create data --private --source . --push",
        "gh secret set ATHLETE_ID",
        "gh secret set INTERVALS_KEY",
        "gh workflow run auto-sync.yml",
        "Settings > Secrets and variables > Actions",
    ):
        assert step in proc.stdout

    # twice: nothing changes; a file the user changed is left, and named
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert init(data, upstream, ["--github-repo", REPO]).returncode == 0
    after = {p: p.read_bytes() for p in data.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before and git(data, "rev-list", "--count", "HEAD") == "1"
    (data / "README.md").write_text("# mine\n")
    (data / "schemas" / "latest.schema.json").unlink()
    again = init(data, upstream, ["--github-repo", REPO])
    assert again.returncode == 0
    assert (data / "README.md").read_text() == "# mine\n"
    assert "left README.md as it is" in again.stdout
    assert (data / "schemas" / "latest.schema.json").is_file()  # restored: it was missing


def test_data_repository_lifecycle(tmp_path, fake_api, github, upstream):
    data, remote = tmp_path / "data", tmp_path / "remote.git"
    assert init(data, upstream).returncode == 0
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    git(data, "remote", "add", "origin", str(remote))
    git(data, "push", "-q", "-u", "origin", "main")
    commits = remote_commits(remote)

    # 1. first run: one commit, no update issue (the installed manifest is upstream's)
    env = workflow_env(fake_api, github.url, NOW, tmp_path)
    _, committed = workflow_run(data, env)
    assert remote_commits(remote) == commits + 1 and "pushed to origin/main" in committed
    assert update_issues(github) == []
    tracked = set(git(data, "ls-tree", "-r", "--name-only", "origin/main").splitlines())
    assert {"latest.json", "charts/fitness.svg", "dashboard.html"} <= tracked
    assert (data / ".section11").is_dir() and not any(p.startswith(".section11") for p in tracked)
    assert git(data, "status", "--porcelain") == ""  # the store and the log are ignored

    # 2. unchanged: no commit
    env = workflow_env(fake_api, github.url, NOW + timedelta(hours=1), tmp_path)
    _, committed = workflow_run(data, env)
    assert remote_commits(remote) == commits + 1 and "nothing to commit" in committed

    # 3. a new activity: one commit
    newest = max(fake_api.data.activities, key=lambda a: a.get("start_date_local") or "")
    extra = copy.deepcopy(newest)
    extra["id"] = "i999999001"
    extra["start_date_local"] = "2026-11-23T06:00:00"
    extra["icu_training_load"] = 180
    extra.pop("source", None)
    fake_api.data.activities.append(extra)
    env = workflow_env(fake_api, github.url, NOW + timedelta(hours=2), tmp_path)
    workflow_run(data, env)
    assert remote_commits(remote) == commits + 2

    # 4. upstream changes a runtime file and the README block: exactly one issue
    readme = (data / "README.md").read_text()
    (data / "README.md").write_text(readme.replace(BEGIN, USER_NOTE + "\n" + BEGIN))
    git(data, "commit", "-q", "-am", "my notes")
    git(data, "push", "-q")
    changed = "section11/publish/readme.py"
    files = dict(upstream.files)
    files[changed] += b"# upstream change\n"
    template = files["DATA_REPO_README.md"].decode()
    files["DATA_REPO_README.md"] = template.replace(END, "New upstream paragraph.\n" + END).encode()
    manifest = parse_manifest(files["manifest.json"])
    for rel in (changed, "DATA_REPO_README.md"):
        manifest["files"][rel]["hash"] = content_hash(files[rel])
    files["manifest.json"] = render_manifest(manifest)
    upstream.files = files
    later = NOW + timedelta(hours=26)  # past the daily throttle
    for hours in (0, 1):
        env = workflow_env(fake_api, github.url, later + timedelta(hours=hours), tmp_path)
        workflow_run(data, env)
    [issue] = update_issues(github)
    assert issue["state"] == "open" and "python sync.py --update --yes" in issue["body"]

    # 5. --update applies it and keeps the user's README text
    env = workflow_env(fake_api, github.url, later + timedelta(hours=2), tmp_path)
    proc = run(data, ["--update", "--yes"], env)
    assert proc.returncode == 0, proc.stderr
    assert "git pull" not in proc.stdout
    assert (data / changed).read_bytes() == files[changed]
    readme = (data / "README.md").read_text()
    assert USER_NOTE in readme and "New upstream paragraph." in readme
    assert readme.count(BEGIN) == 1 and "Last successful sync:" in readme
    git(data, "add", "-A")
    git(data, "-c", "user.name=me", "-c", "user.email=me@x", "commit", "-q", "-m", "Update")
    git(data, "push", "-q")

    # 6. the next run closes the issue
    sync_out, _ = workflow_run(data, env)
    assert [i["state"] for i in update_issues(github)] == ["closed"]
    assert "closed issue(s) #1" in sync_out


def test_missing_or_unreadable_schemas_fail_before_any_request(tmp_path, fake_api, upstream):
    data = tmp_path / "data"
    assert init(data, upstream).returncode == 0
    env = workflow_env(fake_api, "http://127.0.0.1:9", NOW, tmp_path)
    shutil.rmtree(data / "schemas")
    fake_api.reset_log()
    proc = run(data, ["--output-dir", "."], env)
    assert proc.returncode == 7
    assert "schemas/" in proc.stderr and "python sync.py --init" in proc.stderr
    assert fake_api.requests == [] and not (data / "latest.json").exists()

    (data / "schemas").mkdir()
    assert init(data, upstream).returncode == 0  # the fixing command restores them
    (data / "schemas" / "history.schema.json").unlink()
    (data / "schemas" / "history.schema.json").mkdir()  # unreadable as a file
    proc = run(data, ["--output-dir", "."], env)
    assert proc.returncode == 7 and "schemas/history.schema.json" in proc.stderr
    assert fake_api.requests == []
