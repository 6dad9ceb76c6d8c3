"""What leaves the machine when publishing: symlinked data files, git remotes
that redirect, the user's own unpushed commits, and a secret scan of the
headers every other host received and of every pushed commit.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from section11.cli import main
from section11.errors import EXIT_OUTPUT_FAILED
from tests.hostile_server import HostileServer

KEY = "cfgKEYq8w7e6r5t4y3u2i1o0"
TOKEN = "ghp_TOKENz9x8c7v6b5n4m3l2k1"
NOW_TEXT = "2026-11-23T07:30:00+00:00"


def pieces(secret: str) -> list[str]:
    return [secret[i : i + 5] for i in range(len(secret) - 4)]


def leaks(text: str | bytes) -> list[str]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return [p for s in (KEY, TOKEN) for p in pieces(s) if p in text]


def git(cwd: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr.decode())
    return proc.stdout.decode().strip()


@pytest.fixture(autouse=True)
def clean_git_env(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_TOKEN", "GIT_DIR"):
        monkeypatch.delenv(name, raising=False)


def documents(ctl: float) -> dict[str, bytes]:
    def dumps(doc) -> bytes:
        return (json.dumps(doc, indent=2) + "\n").encode()

    return {
        "latest.json": dumps({"metadata": {"version": "1"}, "current_status": {"ctl": ctl}}),
        "history.json": dumps({"daily_90d": []}),
        "ftp_history.json": dumps({"indoor": {"2026-11-01": 250}, "outdoor": {}}),
    }


def config_file(home: Path) -> Path:
    path = home / ".config" / "section11" / "config.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"intervals_key": KEY, "github_token": TOKEN}))
    path.chmod(0o600)
    return path


def make_repos(tmp_path: Path, symlink_to: Path | None = None) -> tuple[Path, Path]:
    """(bare remote, work clone); the remote's ftp_history.json is a symlink
    to `symlink_to` when given (another writer committed it)."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(remote), str(seed))
    for name, data in documents(50.0).items():
        (seed / name).write_bytes(data)
    if symlink_to is not None:
        (seed / "ftp_history.json").unlink()
        (seed / "ftp_history.json").symlink_to(symlink_to)
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "seed")
    git(seed, "push", "-q", "origin", "main")
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(remote), str(work))
    return remote, work


def run_cli(args: list[str], **env: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    environ = dict(os.environ, SECTION11_NOW=NOW_TEXT, **env)
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args, environ=environ)
    return code, out.getvalue(), err.getvalue()


def pushed_content(remote: Path) -> bytes:
    """Every blob reachable from every ref of the remote, and the commit messages."""
    objects = git(remote, "rev-list", "--objects", "--all").splitlines()
    blobs = b""
    for line in objects:
        oid = line.split()[0]
        if git(remote, "cat-file", "-t", oid) in ("blob", "commit"):
            blobs += subprocess.run(
                ["git", "cat-file", "-p", oid], cwd=remote, capture_output=True, check=True
            ).stdout
    return blobs


# ----------------------------------------------------------------- symlinks


def test_symlinked_data_file_is_refused_and_never_committed(tmp_path):
    config = config_file(tmp_path / "home")
    remote, work = make_repos(tmp_path, symlink_to=config)
    assert (work / "ftp_history.json").is_symlink()
    (work / "latest.json").write_bytes(documents(61.0)["latest.json"])
    before = git(remote, "rev-parse", "main")
    code, out, err = run_cli(["--commit", "--output-dir", str(work)], GITHUB_TOKEN=TOKEN)
    assert code == EXIT_OUTPUT_FAILED
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "ftp_history.json is a symbolic link" in lines[0]
    assert git(remote, "rev-parse", "main") == before
    assert not leaks(pushed_content(remote)) and not leaks(out + err)


def test_a_symlink_in_the_base_commit_becomes_a_regular_file(tmp_path):
    config = config_file(tmp_path / "home")
    remote, work = make_repos(tmp_path, symlink_to=config)
    (work / "ftp_history.json").unlink()  # the sync replaced the link by its own file
    for name, data in documents(62.0).items():
        (work / name).write_bytes(data)
    code, _, err = run_cli(["--commit", "--output-dir", str(work)], GITHUB_TOKEN=TOKEN)
    assert code == 0, err
    entry = git(remote, "ls-tree", "main", "ftp_history.json").split()
    assert entry[0] == "100644"  # not 120000: the link is gone from the new tip
    assert not (work / "ftp_history.json").is_symlink()
    assert not leaks(pushed_content(remote))
    assert config.read_text() == json.dumps({"intervals_key": KEY, "github_token": TOKEN})


# ----------------------------------------------------------------- git redirects


@pytest.mark.parametrize("own_header", [False, True], ids=["our-token", "checkout-header"])
def test_git_token_never_follows_a_redirect_to_another_host(tmp_path, own_header):
    """Ours is scoped to the remote's origin; a header the checkout configured
    itself (actions/checkout, or unscoped like this one) is protected by
    http.followRedirects=false."""
    _, work = make_repos(tmp_path)
    if own_header:
        basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
        git(work, "config", "http.extraheader", f"AUTHORIZATION: basic {basic}")
    (work / "latest.json").write_bytes(documents(63.0)["latest.json"])
    with HostileServer() as other, HostileServer() as remote_host:
        remote_host.add(
            r".",
            lambda h: (
                h.send_response(302),
                h.send_header("Location", f"{other.url}{h.path}"),
                h.send_header("Content-Length", "0"),
                h.end_headers(),
            ),
        )
        git(work, "remote", "set-url", "origin", f"{remote_host.url}/a/data.git")
        code, out, err = run_cli(["--commit", "--output-dir", str(work)], GITHUB_TOKEN=TOKEN)
    assert code == EXIT_OUTPUT_FAILED
    assert remote_host.seen, "git never reached the remote"
    assert any("authorization" in json.dumps(s.headers).lower() for s in remote_host.seen)
    assert other.seen == []  # the redirect was not followed at all
    received = [json.dumps(s.headers) for s in other.seen]
    assert not any("authorization" in r.lower() for r in received)
    assert not leaks("".join(received)) and not leaks(out + err)


def test_token_is_not_sent_to_a_plain_http_remote(tmp_path):
    _, work = make_repos(tmp_path)
    (work / "latest.json").write_bytes(documents(64.0)["latest.json"])
    git(work, "remote", "set-url", "origin", "http://git.example.invalid/a/data.git")
    code, _, err = run_cli(["--commit", "--output-dir", str(work)], GITHUB_TOKEN=TOKEN)
    assert code == 2 and "plain http for a non-local host" in err


def test_unpushed_local_commits_are_never_pushed(tmp_path):
    remote, work = make_repos(tmp_path)
    (work / "private-notes.md").write_text("my own notes\n")
    git(work, "add", "private-notes.md")
    git(work, "commit", "-qm", "my notes")
    (work / "latest.json").write_bytes(documents(65.0)["latest.json"])
    code, _, err = run_cli(["--commit", "--output-dir", str(work)], GITHUB_TOKEN=TOKEN)
    assert code == EXIT_OUTPUT_FAILED and "not on origin/main" in err
    assert b"my own notes" not in pushed_content(remote)


# ----------------------------------------------------------------- secret scan


def test_secret_scan_of_everything_that_leaves_the_machine(fake_api, tmp_path):
    """A whole sync and --commit: the headers every host other than the API
    received (an attachment host and the host it redirects to) and every
    object pushed to the remote hold no 5-character piece of the key or token."""
    fake_api.data.api_key = key = "dk9Q2x7LmP4rT8vW3zY6"  # no common word inside
    remote, work = make_repos(tmp_path)
    files = fake_api.data.attachments

    def serve(h):
        ctype, body = files[h.path.split("?")[0]]
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Set-Cookie", "att=1")
        h.end_headers()
        h.wfile.write(body)

    with HostileServer([(r".", serve)]) as final, HostileServer() as first:
        first.add(
            r".",
            lambda h: (
                h.send_response(302),
                h.send_header("Location", f"{final.url}{h.path}"),
                h.send_header("Content-Length", "0"),
                h.end_headers(),
            ),
        )
        moved = 0
        for event in fake_api.data.events:  # new lists: the session's demo data is shared
            attachments = [dict(a) for a in event.get("attachments") or []]
            for attachment in attachments:
                if str(attachment.get("url", "")).startswith("/files/"):
                    attachment["url"] = first.url + attachment["url"]
                    moved += 1
            if attachments:
                event["attachments"] = attachments
        assert moved
        env = {
            "ATHLETE_ID": fake_api.data.athlete_id,
            "INTERVALS_KEY": key,
            "INTERVALS_BASE_URL": fake_api.base_url,
            "GITHUB_TOKEN": TOKEN,
            "SECTION11_UPDATE_CHECK": "off",
        }
        code, out1, err1 = run_cli(["--output-dir", str(work)], **env)
        assert code == 0, err1
        code, out2, err2 = run_cli(["--commit", "--output-dir", str(work)], **env)
        assert code == 0, err2
    received = [s.headers for s in first.seen + final.seen]
    assert first.seen and final.seen  # the attachments really travelled
    sent = json.dumps(received)
    assert not [p for s in (key, TOKEN) for p in pieces(s) if p in sent]
    assert "authorization" not in sent.lower() and "cookie" not in sent.lower()
    pushed = pushed_content(remote).decode("utf-8", "replace")
    assert "latest.json" in git(remote, "ls-tree", "--name-only", "main")
    assert not [p for s in (key, TOKEN) for p in pieces(s) if p in pushed]
    assert not [p for s in (key, TOKEN) for p in pieces(s) if p in out1 + err1 + out2 + err2]
