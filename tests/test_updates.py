"""Update notification issues and `--update`, against a fake GitHub and a fake
upstream file host on 127.0.0.1 (docs/architecture.md#updates-and-manifest, fixed per weakness 9.3 (docs/architecture.md#reference-weaknesses)
item 5 and weakness 9.6 (docs/architecture.md#reference-weaknesses))."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from section11 import cli
from section11.config import Settings
from section11.errors import ApiFailed
from section11.publish import manifest as mf
from section11.publish import updates, upstream
from section11.publish.github_client import GitHubClient
from section11.publish.manifest import render_manifest
from section11.publish.update_install import run_update
from section11.publish.updates import LABEL, STATE_NAME, TITLE_PREFIX, check_for_updates
from section11.publish.upstream import file_url, manifest_url
from tests.kit.fake_github import FakeFileHost, FakeGitHub

TOKEN = "ghp_Zq8xK3vR7mW2pL9tN4bY6cJ1upd"
REPO = "me/data"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

INSTALLED = {
    "sync.py": b"from section11.cli import main\n",
    "section11/__init__.py": b"__version__ = '1'\n",
    "section11/a.py": b"A = 1\n",
    "section11/old.py": b"OLD = 1\n",
    "README.md": b"# section11\n",
}
UPSTREAM = {
    "sync.py": b"from section11.cli import main\n",
    "section11/__init__.py": b"__version__ = '2'\n",  # changed
    "section11/a.py": b"A = 1\n",
    "section11/new/b.py": b"B = 2\n",  # new, in a new directory
    "README.md": b"# section11\n",
}  # section11/old.py removed upstream


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_of(files: dict[str, bytes]) -> bytes:
    return render_manifest(
        {"scope": "test", "files": {p: {"hash": sha(d)} for p, d in files.items()}}
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def root(tmp_path) -> Path:
    base = tmp_path / "install"
    for rel, data in INSTALLED.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_bytes(data)
    (base / "manifest.json").write_bytes(manifest_of(INSTALLED))
    return base


@pytest.fixture
def host():
    with FakeFileHost() as fake:
        fake.release(UPSTREAM, descriptions={"section11/new/b.py": "the new module"})
        yield fake


@pytest.fixture
def gh():
    with FakeGitHub(token=TOKEN, repo=REPO) as fake:
        yield fake


def github(fake: FakeGitHub) -> GitHubClient:
    return GitHubClient(TOKEN, REPO, api_url=fake.url, sleep=lambda s: None)


# ----------------------------------------------------------------- settings


def test_manifest_url_precedence():
    assert manifest_url({}) is None  # no default: the check is off without a source
    assert manifest_url({}, {}, {"source": "http://i/m.json", "files": {}}) == "http://i/m.json"
    assert manifest_url({}, {"manifest_url": "http://c/m.json"}, {"source": "http://i/m.json"}) == (
        "http://c/m.json"
    )
    assert manifest_url({}, {"manifest_url": "http://c/m.json"}) == "http://c/m.json"
    assert (
        manifest_url(
            {"SECTION11_MANIFEST_URL": "http://e/m.json"}, {"manifest_url": "http://c/m.json"}
        )
        == "http://e/m.json"
    )


def test_raw_files_come_from_the_manifest_directory():
    assert (
        file_url("http://h:1/o/r/main/manifest.json?x=1", "section11/a b.py")
        == "http://h:1/o/r/main/section11/a%20b.py"
    )


# ----------------------------------------------------------------- the issue


def test_check_opens_one_issue_listing_changed_new_removed(root, host, gh, tmp_path):
    result = check_for_updates(
        root, tmp_path / "state", host.manifest_url, now=NOW, github=github(gh)
    )
    assert result.status == "opened"
    issues = gh.issues()
    assert len(issues) == 1
    issue = issues[0]
    assert issue["title"] == f"{TITLE_PREFIX}{result.plan.fingerprint()}"
    assert re.fullmatch(r"Section 11 updates — [0-9a-f]{8}", issue["title"])
    assert [label["name"] for label in issue["labels"]] == [LABEL]
    body = issue["body"]
    assert "### Changed\n- `section11/__init__.py`" in body
    assert "### New\n- `section11/new/b.py` — the new module" in body
    assert "- `section11/old.py`" in body.split("### Removed")[1]
    assert "section11/a.py" not in body  # unchanged files are not listed
    assert "python sync.py --update" in body
    assert TOKEN not in body
    # dedupe lists open issues with the label; never the search API
    listing = gh.calls("GET", "/issues")
    assert listing and listing[0].query["state"] == "open" and listing[0].query["labels"] == LABEL
    assert not [r for r in gh.requests if "search" in r.path]


def test_second_run_with_the_issue_open_opens_none(root, host, gh, tmp_path):
    first = check_for_updates(root, tmp_path / "s1", host.manifest_url, now=NOW, github=github(gh))
    # a fresh state dir: nothing throttles, only the open issue prevents a duplicate
    second = check_for_updates(root, tmp_path / "s2", host.manifest_url, now=NOW, github=github(gh))
    assert first.status == "opened" and second.status == "already-open"
    assert len(gh.issues()) == 1
    assert len(gh.calls("POST", "/issues")) == 1


def test_dedupe_ignores_pull_requests_closed_issues_and_other_titles(root, host, gh, tmp_path):
    plan = mf.plan_update(
        root, mf.parse_manifest(host.files["manifest.json"]), mf.read_local_manifest(root)
    )
    title = f"{TITLE_PREFIX}{plan.fingerprint()}"
    gh.add_issue(title, [LABEL], state="closed")
    gh.add_issue(title, [LABEL], pull_request=True)
    gh.add_issue(title, ["other-label"])
    old = gh.add_issue(f"{TITLE_PREFIX}00000000", [LABEL])
    result = check_for_updates(
        root, tmp_path / "state", host.manifest_url, now=NOW, github=github(gh)
    )
    assert result.status == "opened"
    created = gh.issues()[-1]
    assert created["title"] == title and f"Supersedes #{old['number']}" in created["body"]


def test_dedupe_follows_pagination(root, host, gh, tmp_path):
    plan = mf.plan_update(
        root, mf.parse_manifest(host.files["manifest.json"]), mf.read_local_manifest(root)
    )
    gh.add_issue(f"{TITLE_PREFIX}{plan.fingerprint()}", [LABEL])
    for n in range(120):  # newer issues push ours to page 2
        gh.add_issue(f"something else {n}", [LABEL])
    result = check_for_updates(
        root, tmp_path / "state", host.manifest_url, now=NOW, github=github(gh)
    )
    assert result.status == "already-open"
    assert [r.query.get("page") for r in gh.calls("GET", "/issues")] == ["1", "2"]


def test_an_issue_closed_by_the_user_is_not_reopened(root, host, gh, tmp_path):
    state = tmp_path / "state"
    assert (
        check_for_updates(root, state, host.manifest_url, now=NOW, github=github(gh)).status
        == "opened"
    )
    gh.repos[REPO].issues[0]["state"] = "closed"
    later = check_for_updates(
        root, state, host.manifest_url, now=NOW + timedelta(hours=25), github=github(gh)
    )
    assert later.status == "dismissed" and len(gh.issues()) == 1
    host.release({**UPSTREAM, "section11/a.py": b"A = 3\n"})  # upstream moves on
    again = check_for_updates(
        root, state, host.manifest_url, now=NOW + timedelta(hours=50), github=github(gh)
    )
    assert again.status == "opened" and len(gh.issues()) == 2


def test_up_to_date_opens_nothing(root, host, gh, tmp_path):
    host.release(INSTALLED)
    result = check_for_updates(
        root, tmp_path / "state", host.manifest_url, now=NOW, github=github(gh)
    )
    assert result.status == "up-to-date" and gh.issues() == []
    assert [r.method for r in gh.requests] == ["GET"]  # only looked for issues to close


def test_the_project_readme_is_not_an_update(root, host, gh, tmp_path):
    """README.md is not a runtime file: an upstream change to it is no news for a data repo."""
    host.release({**INSTALLED, "README.md": b"# section11, rewritten upstream\n"})
    (root / "README.md").write_bytes(b"# my data\n**Last successful sync:** now\n")
    result = check_for_updates(
        root, tmp_path / "state", host.manifest_url, now=NOW, github=github(gh)
    )
    assert result.status == "up-to-date" and result.plan.kept == () and gh.issues() == []


def test_without_github_the_check_only_reports(root, host, tmp_path):
    result = check_for_updates(root, tmp_path / "state", host.manifest_url, now=NOW)
    assert result.status == "available"
    assert "1 changed, 1 new, 1 removed" in result.message and "--update" in result.message


# ----------------------------------------------------------------- throttle


def test_throttled_to_once_per_24_hours(root, host, gh, tmp_path):
    state = tmp_path / "state"
    check_for_updates(root, state, host.manifest_url, now=NOW, github=github(gh))
    saved = json.loads((state / STATE_NAME).read_text())
    assert saved["last_check"] == NOW.isoformat()
    fetched = len(host.requests)
    skipped = check_for_updates(
        root, state, host.manifest_url, now=NOW + timedelta(hours=23, minutes=59), github=github(gh)
    )
    assert skipped.status == "skipped" and len(host.requests) == fetched
    due = check_for_updates(
        root, state, host.manifest_url, now=NOW + timedelta(hours=24), github=github(gh)
    )
    assert due.status == "already-open" and len(host.requests) == fetched + 1


def test_state_lives_in_the_state_dir_not_the_config(root, host, tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"athlete_id": "i1"}')
    before = config.read_bytes()
    check_for_updates(root, tmp_path / "state", host.manifest_url, now=NOW)
    assert config.read_bytes() == before
    assert (tmp_path / "state" / STATE_NAME).is_file()


def test_a_corrupt_state_file_is_ignored(root, host, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / STATE_NAME).write_text("{not json")
    assert check_for_updates(root, state, host.manifest_url, now=NOW).status == "available"
    assert json.loads((state / STATE_NAME).read_text())["last_check"] == NOW.isoformat()


def test_a_failed_check_retries_after_an_hour_not_every_run(root, host, tmp_path):
    state = tmp_path / "state"
    host.missing.add("manifest.json")
    first = check_for_updates(root, state, host.manifest_url, now=NOW)
    assert first.status == "failed" and "HTTP 404" in first.message
    assert (
        check_for_updates(root, state, host.manifest_url, now=NOW + timedelta(minutes=30)).status
        == "skipped"
    )
    host.missing.clear()
    assert (
        check_for_updates(root, state, host.manifest_url, now=NOW + timedelta(minutes=61)).status
        == "available"
    )


# ----------------------------------------------------------------- bad manifests


@pytest.mark.parametrize(
    "body,expected",
    [
        (b"<html>oops</html>", "not valid JSON"),
        (b'{"scope": "x"}', 'no "files" object'),
        (b'{"files": {"../../etc/cron.d/x": {"hash": "' + b"a" * 64 + b'"}}}', "unsafe path"),
    ],
)
def test_malformed_manifest_is_a_warning_and_no_issue(root, host, gh, tmp_path, body, expected):
    host.files["manifest.json"] = body
    result = check_for_updates(
        root, tmp_path / "state", host.manifest_url, now=NOW, github=github(gh)
    )
    assert result.status == "failed" and expected in result.message
    assert gh.issues() == []


def test_unreachable_manifest_is_a_warning_and_no_issue(root, gh, tmp_path, refused_port):
    url = f"http://127.0.0.1:{refused_port}/manifest.json"
    result = check_for_updates(root, tmp_path / "state", url, now=NOW, github=github(gh))
    assert result.status == "failed" and "could not connect" in result.message
    assert gh.requests == []


def test_issue_creation_without_permission_is_a_warning(root, host, gh, tmp_path):
    gh.issues_read_only = True
    state = tmp_path / "state"
    result = check_for_updates(root, state, host.manifest_url, now=NOW, github=github(gh))
    assert result.status == "failed"
    assert "token lacks issues: read and write on me/data" in result.message
    assert "last_check" not in json.loads((state / STATE_NAME).read_text())  # retried later


# ----------------------------------------------------------------- after a sync (CLI glue)


def settings_for(tmp_path, **extra) -> Settings:
    values = dict(
        athlete_id="i1",
        intervals_key="k" * 12,
        github_token=TOKEN,
        github_repo=REPO,
        output_dir=str(tmp_path / "out"),
        now=NOW,
    )
    values.update(extra)
    return Settings(**values)


def test_after_sync_opens_the_issue_and_never_prints_the_token(
    root, host, gh, tmp_path, monkeypatch
):
    monkeypatch.setattr(mf, "install_root", lambda: root)
    env = {"GITHUB_API_URL": gh.url, "SECTION11_MANIFEST_URL": host.manifest_url}
    out, err = io.StringIO(), io.StringIO()
    result = updates.after_sync(settings_for(tmp_path), tmp_path / "out", env, out, err)
    assert result.status == "opened"
    assert "opened issue #1 in me/data" in out.getvalue() and err.getvalue() == ""
    assert (tmp_path / "out" / ".section11" / STATE_NAME).is_file()
    assert TOKEN not in out.getvalue() + err.getvalue()


def test_after_sync_warns_on_a_bad_manifest_and_does_not_fail(
    root, host, gh, tmp_path, monkeypatch
):
    monkeypatch.setattr(mf, "install_root", lambda: root)
    host.files["manifest.json"] = b"garbage"
    env = {"GITHUB_API_URL": gh.url, "SECTION11_MANIFEST_URL": host.manifest_url}
    out, err = io.StringIO(), io.StringIO()
    result = updates.after_sync(
        settings_for(tmp_path, state_dir=str(tmp_path / "st")), tmp_path / "out", env, out, err
    )
    assert result.status == "failed"
    assert err.getvalue().startswith("warning: update check skipped: upstream manifest")
    assert "not valid JSON" in err.getvalue() and gh.issues() == []
    assert (tmp_path / "st" / STATE_NAME).is_file()


def test_after_sync_needs_github_and_can_be_switched_off(root, host, tmp_path):
    env = {"SECTION11_MANIFEST_URL": host.manifest_url}
    assert updates.after_sync(settings_for(tmp_path, github_token=None), tmp_path, env) is None
    off = {**env, "SECTION11_UPDATE_CHECK": "off"}
    assert updates.after_sync(settings_for(tmp_path), tmp_path, off) is None
    assert host.requests == []


# ----------------------------------------------------------------- --update


def answers(*replies):
    queue = list(replies)

    def ask(prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return ask


def test_update_installs_verified_files_atomically(root, host):
    out = io.StringIO()
    assert run_update(root, host.manifest_url, yes=True, out=out) == 0
    files = snapshot(root)
    assert files["section11/__init__.py"] == UPSTREAM["section11/__init__.py"]
    assert files["section11/new/b.py"] == UPSTREAM["section11/new/b.py"]
    assert "section11/old.py" not in files  # --yes confirmed the removal
    installed = mf.read_local_manifest(root)  # installed version recorded, with its source
    upstream = mf.parse_manifest(host.files["manifest.json"])
    assert installed["files"] == mf.runtime_files(upstream)
    assert installed["source"] == host.manifest_url
    assert not [p for p in files if p.endswith((".tmp", ".bak"))]
    text = out.getvalue()
    assert "changed  section11/__init__.py" in text and "new      section11/new/b.py" in text
    assert "removed  section11/old.py" in text and "Updated 2 file(s)" in text
    # the next check finds nothing
    plan = mf.plan_update(
        root, mf.parse_manifest(host.files["manifest.json"]), mf.read_local_manifest(root)
    )
    assert not plan.has_updates


def test_update_with_one_tampered_file_changes_nothing(root, host):
    host.tampered.add("section11/new/b.py")
    before = snapshot(root)
    with pytest.raises(ApiFailed) as err:
        run_update(root, host.manifest_url, yes=True, out=io.StringIO())
    message = err.value.message
    assert "section11/new/b.py does not match the upstream manifest" in message
    assert "nothing was changed" in message and err.value.exit_code == 5
    assert snapshot(root) == before
    assert not (root / "section11" / "new").exists()


def test_update_with_a_failed_download_changes_nothing(root, host):
    host.missing.add("section11/__init__.py")
    before = snapshot(root)
    with pytest.raises(ApiFailed, match="section11/__init__.py unavailable .*HTTP 404"):
        run_update(root, host.manifest_url, yes=True, out=io.StringIO())
    assert snapshot(root) == before


def test_update_declined_or_eof_changes_nothing(root, host):
    before = snapshot(root)
    out = io.StringIO()
    assert run_update(root, host.manifest_url, input_fn=answers(), out=out) == 0  # EOF
    assert "Nothing was changed" in out.getvalue()
    assert run_update(root, host.manifest_url, input_fn=answers("n"), out=io.StringIO()) == 0
    assert snapshot(root) == before
    assert not any(r.path.startswith("/section11") for r in host.requests)  # nothing downloaded


def test_removed_files_are_kept_unless_confirmed(root, host):
    out = io.StringIO()
    assert run_update(root, host.manifest_url, input_fn=answers("y"), out=out) == 0  # EOF: no
    assert (root / "section11/old.py").read_bytes() == INSTALLED["section11/old.py"]
    assert (root / "section11/new/b.py").is_file()
    assert "Kept 1 file(s)" in out.getvalue()
    # still offered the next time, and deleted once confirmed
    out = io.StringIO()
    assert run_update(root, host.manifest_url, input_fn=answers(), out=out) == 0
    assert "removed  section11/old.py" in out.getvalue()
    assert (root / "section11/old.py").exists()
    assert run_update(root, host.manifest_url, input_fn=answers("y"), out=io.StringIO()) == 0
    assert not (root / "section11/old.py").exists()
    assert mf.read_local_manifest(root)["files"] == mf.runtime_files(
        mf.parse_manifest(host.files["manifest.json"])
    )


def test_locally_edited_file_unchanged_upstream_is_kept(root, host):
    (root / "README.md").write_bytes(b"# my own readme\n")
    assert run_update(root, host.manifest_url, yes=True, out=io.StringIO()) == 0
    assert (root / "README.md").read_bytes() == b"# my own readme\n"


def test_conflicting_local_edit_is_flagged(root, host):
    (root / "section11/__init__.py").write_bytes(b"__version__ = '1-patched'\n")
    out = io.StringIO()
    assert run_update(root, host.manifest_url, input_fn=answers(), out=out) == 0
    assert (
        "changed  section11/__init__.py  (edited here: your changes will be replaced)"
        in out.getvalue()
    )
    assert (root / "section11/__init__.py").read_bytes() == b"__version__ = '1-patched'\n"


def test_up_to_date_records_the_manifest(root, host):
    host.release(INSTALLED)
    (root / "manifest.json").unlink()
    out = io.StringIO()
    assert run_update(root, host.manifest_url, out=out, input_fn=answers()) == 0
    assert "up to date" in out.getvalue()
    installed = mf.read_local_manifest(root)
    assert installed["files"] == mf.runtime_files(mf.parse_manifest(host.files["manifest.json"]))
    assert installed["source"] == host.manifest_url


def test_update_flag_exit_codes(root, host, monkeypatch, capsys, tmp_path, refused_port):
    monkeypatch.setattr(mf, "install_root", lambda: root)
    env = {
        "SECTION11_MANIFEST_URL": f"http://127.0.0.1:{refused_port}/manifest.json",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }
    before = snapshot(root)
    assert cli.main(["--update", "--yes"], environ=env) == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "upstream manifest unavailable" in err[0]
    host.files["manifest.json"] = b"{broken"
    env["SECTION11_MANIFEST_URL"] = host.manifest_url
    assert cli.main(["--update", "--yes"], environ=env) == 5
    assert "not valid JSON" in capsys.readouterr().err
    assert snapshot(root) == before
    host.release(UPSTREAM)
    assert cli.main(["--update", "--yes"], environ=env) == 0
    assert (root / "section11/new/b.py").read_bytes() == UPSTREAM["section11/new/b.py"]


def test_update_flag_reads_the_manifest_url_from_the_config(
    root, host, monkeypatch, tmp_path, capsys
):
    monkeypatch.setattr(mf, "install_root", lambda: root)
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"manifest_url": host.manifest_url}))
    os.chmod(config, 0o600)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.main(["--update", "--config", str(config)], environ={}) == 0  # EOF: declined
    assert host.calls("GET", "/manifest.json")


def test_fetch_refuses_other_schemes_and_oversized_files(host):
    with pytest.raises(ApiFailed, match="must start with https://"):
        upstream.fetch("file:///etc/passwd", what="upstream manifest")
    host.files["big.bin"] = b"x" * 2048
    with pytest.raises(ApiFailed, match="larger than 1 KiB"):
        upstream.fetch(f"{host.url}/big.bin", what="big.bin", max_bytes=1024)
    assert upstream.fetch(f"{host.url}/big.bin", what="big.bin") == b"x" * 2048


def test_messages_show_host_and_path_but_no_query(host):
    host.missing.add("manifest.json")
    with pytest.raises(ApiFailed) as err:
        upstream.fetch_manifest(host.manifest_url + "?token=SECRETVALUE")
    assert host.url.split("//")[1] + "/manifest.json" in err.value.message
    assert "SECRETVALUE" not in err.value.message


def test_after_sync_survives_a_bug_in_the_check(root, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(updates, "check_for_updates", broken)
    err = io.StringIO()
    env = {"SECTION11_MANIFEST_URL": "https://example.invalid/manifest.json"}
    assert updates.after_sync(settings_for(tmp_path), tmp_path, env, io.StringIO(), err) is None
    assert err.getvalue() == "warning: update check failed unexpectedly (KeyError)\n"
