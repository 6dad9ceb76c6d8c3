"""Secrets never leak: a scan of whole runs (weakness 9.3 (docs/architecture.md#reference-weaknesses)).

The Intervals.icu API key, the GitHub token and a session cookie set by the
server are distinctive strings; every 5-character piece of each is looked for
in everything a run leaves behind: stdout and stderr (normal and --debug, with
faults, with --setup, in GitHub API mode, with the commit step), every log
record at DEBUG level of every logger, every output file, the local store's
bytes, the archive, and what was published to the fake GitHub. The HTTP Basic
and git extra-header forms (base64) are looked for whole. The config file is
the one place the secrets belong: it must be 0600, and one readable by group
or others is refused with a one-line message naming `chmod 600`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
import stat
import subprocess
from pathlib import Path

import pytest

from section11 import cli, rebuild, setup_wizard
from section11.demo.server import FakeIntervals
from tests.kit.fast_client import use_fast_client

from .conftest import DEMO_TODAY, private_copy
from .helpers import run_cli

NOW = "2026-11-23T09:00:00+00:00"
# distinctive: no 5-character run of these occurs in English text, JSON or the demo data
KEY = "Vb7Qx2Lm9Wz4Kp8Rt3Ny6Hd5"
WRONG_KEY = "Gh2Jk8Np4Sd6Fw9Qz3Tx7Cv1"
TOKEN = "ghp_Fq3Zs8Wn2Xc7Vb5Lk9Mj4Pt6Rd1Hy0"
BAD_TOKEN = "ghp_Yt6Ue1Wo9Rp3Ai5Sk7Dl2Fj8Gh4Zx0"
COOKIE = "Jx4Tq9Wm2Zr7Kc5Vn8Bq1Ys6"
TP_COOKIE = "V001Pq7Wd3Zm8Xk2Rb6Ln9Ht4Jc5"
TP_TOKEN = "Ew5Ry8Ui2Op6As9Df3Gh7Zq1"
SECRETS = (KEY, WRONG_KEY, TOKEN, BAD_TOKEN, COOKIE, TP_COOKIE, TP_TOKEN)
ENCODED = tuple(
    base64.b64encode(text.encode()).decode()
    for text in (
        f"API_KEY:{KEY}",
        f"API_KEY:{WRONG_KEY}",
        f"x-access-token:{TOKEN}",
        f"x-access-token:{BAD_TOKEN}",
    )
)
PELOTON_REFRESH = "Pz6Rw1Tk8Mv3Qh9Lc4Xn7Bd2"
PELOTON_MINTED = (
    "Ky5Wq8Hz2Nf7Rv3Tj9Dm4Xs1",
    "Lg3Vx9Pb6Zk2Qw8Nc5Ht1Rm7",
    "Wd4Jn7Rs2Kq9Xv6Hb3Tz8Pf5",
)
SECRETS = SECRETS + (PELOTON_REFRESH, *PELOTON_MINTED)  # Peloton tokens: the brought and the minted
REPO = "me/data"


def pieces(secret: str) -> list[str]:
    return [secret[i : i + 5] for i in range(len(secret) - 4)]


def leaks(text: str) -> list[str]:
    """Every 5-character piece of a secret, and every encoded credential, in `text`."""
    found = [piece for secret in SECRETS for piece in pieces(secret) if piece in text]
    return found + [blob for blob in ENCODED if blob in text]


def file_texts(*roots: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file below `roots` (bytes read as latin-1, so binary files are scanned too)."""
    found = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path not in skip and ".git" not in path.parts:
                found[str(path)] = path.read_bytes().decode("latin-1")
    return found


def assert_no_leaks(texts: dict[str, str]) -> None:
    bad = {label: leaks(text) for label, text in texts.items() if leaks(text)}
    assert bad == {}


def test_the_scan_finds_what_it_looks_for():
    assert leaks(f"key={KEY[3:9]}") == [KEY[3:8], KEY[4:9]]
    assert leaks(f"Authorization: Basic {ENCODED[0]}")
    assert leaks("nothing to see, api key set, token not set") == []


# ----------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    """The real client without real sleeps (attempts and timeouts as in production)."""

    use_fast_client(monkeypatch)


@pytest.fixture
def logs(caplog):
    """Every log record of every logger, DEBUG and up (urllib3 and requests included)."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def server(demo_data):
    """The fake Intervals.icu with KEY as the athlete's key; every answer sets a cookie."""
    data = private_copy(demo_data)
    data.api_key = KEY
    data.athlete["icu_api_key"] = KEY  # the raw athlete object holds the key, as the real one
    fake = FakeIntervals(data, today=DEMO_TODAY)
    dispatch = fake._api.dispatch

    def with_cookie(*args, **kwargs):
        reply = dispatch(*args, **kwargs)
        headers = dict(reply.headers or {}, **{"Set-Cookie": f"JSESSIONID={COOKIE}; Path=/"})
        return dataclasses.replace(reply, headers=headers)

    fake._api.dispatch = with_cookie
    with fake:
        yield fake


def env_for(server, **extra) -> dict[str, str]:
    env = {
        "ATHLETE_ID": server.data.athlete_id,
        "INTERVALS_KEY": KEY,
        "INTERVALS_BASE_URL": server.base_url,
        "SECTION11_NOW": NOW,
        "GITHUB_TOKEN": TOKEN,
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
    }
    env.update(extra)
    return env


# ----------------------------------------------------------------- data syncs

RUNS = [
    # (label, extra args, fault (path regex, inject kwargs) or None, expected exit code)
    ("normal", [], None, 0),
    ("debug", ["--debug"], None, 0),
    ("debug, 401", ["--debug"], (r"/athlete/[^/]+$", dict(status=401)), 4),
    ("401", [], (r"/athlete/[^/]+$", dict(status=401)), 4),
    ("debug, 500 exhausted", ["--debug"], (r"/activities$", dict(status=500, times=10)), 5),
    ("500 exhausted", [], (r"/activities$", dict(status=500, times=10)), 5),
    ("debug, invalid JSON", ["--debug"], (r"/wellness$", dict(invalid_json=True)), 5),
    ("invalid JSON", [], (r"/wellness$", dict(invalid_json=True)), 5),
    (
        "debug, server echoes the secrets",
        ["--debug"],
        (
            r"/events$",
            dict(
                status=500,
                times=10,
                body=json.dumps({"status": 500, "error": f"bad key {KEY}"}).encode(),
            ),
        ),
        5,
    ),
    (
        "debug, 401 echoing the key",
        ["--debug"],
        (
            r"/athlete/[^/]+$",
            dict(
                status=401,
                body=json.dumps({"status": 401, "error": f"Unauthorized: {KEY}"}).encode(),
            ),
        ),
        4,
    ),
    (
        "debug, optional call rate-limited",
        ["--debug"],
        (r"/messages$", dict(status=429, retry_after="0", times=50)),
        0,
    ),
    ("debug, history regenerated", ["--debug", "--generate-history"], None, 0),
]


def test_sync_runs_leak_nothing(server, tmp_path, capsys, logs):
    outputs: dict[str, str] = {}
    out_dir = tmp_path / "out"
    for label, args, fault, expected in RUNS:
        server.clear_faults()
        if fault:
            server.inject(fault[0], **fault[1])
        code, out, err = run_cli(
            ["--output-dir", str(out_dir)] + args, env_for(server), capsys, tmp_path
        )
        assert code == expected, (label, err)
        if code:  # one error line (after the --debug banner)
            assert [line for line in err.splitlines() if not line.startswith("section11 ")] == [
                err.splitlines()[-1]
            ], (label, err)
            assert err.splitlines()[-1].startswith("error: "), (label, err)
        outputs[label] = out + err
    assert "API key set" in outputs["debug"] and "GitHub token set" in outputs["debug"]

    # a wrong key, given on the command line (where `ps` would show it)
    server.clear_faults()
    env = env_for(server)
    del env["INTERVALS_KEY"]
    code, out, err = run_cli(
        ["--output-dir", str(out_dir), "--debug", "--intervals-key", WRONG_KEY],
        env,
        capsys,
        tmp_path,
    )
    assert code == 4
    outputs["wrong key"] = out + err
    # a usage error right after a secret on the command line
    code, out, err = run_cli(
        ["--intervals-key", KEY, "stray", f"--github-token={TOKEN}", "--bogus"],
        env,
        capsys,
        tmp_path,
    )
    assert code == 2
    outputs["usage error"] = out + err

    outputs["logs"] = logs.text + "\n".join(str(r.args) for r in logs.records)
    assert outputs["logs"]  # the HTTP layer did log at DEBUG
    assert_no_leaks(outputs)
    files = file_texts(tmp_path)
    store = [name for name in files if name.endswith("store.sqlite3")]
    assert store and len(files[store[0]]) > 100_000  # the store was scanned, full of records
    assert {"latest.json", "history.json", "intervals.json", "routes.json"} <= {
        Path(name).name for name in files
    }
    assert_no_leaks(files)


@pytest.mark.parametrize(
    "echo", [f"session {COOKIE} expired", f"bad header Authorization: Basic {ENCODED[0]}"]
)
def test_server_echoing_the_cookie_or_auth_header(server, tmp_path, capsys, echo):
    server.inject(
        r"/events$", status=500, times=10, body=json.dumps({"status": 500, "error": echo}).encode()
    )
    code, out, err = run_cli(
        ["--output-dir", str(tmp_path / "out")], env_for(server), capsys, tmp_path
    )
    assert code == 5
    assert_no_leaks({"stdout+stderr": out + err})


def test_unexpected_error_traceback_is_scrubbed(server, tmp_path, capsys, monkeypatch, logs):
    """A bug whose message holds the key: the --debug traceback prints it as ***."""

    def broken(*args, **kwargs):
        raise RuntimeError(f"internal bug while using {KEY} and {TOKEN}")

    monkeypatch.setattr(rebuild, "build_documents", broken)
    for args in (["--debug"], []):
        code, out, err = run_cli(
            ["--output-dir", str(tmp_path / "out")] + args, env_for(server), capsys, tmp_path
        )
        assert code == 1
        assert "RuntimeError" in err
        assert ("Traceback" in err) == bool(args)
        assert_no_leaks({"stdout+stderr": out + err, "logs": logs.text})
    assert_no_leaks(file_texts(tmp_path))


# ----------------------------------------------------------------- GitHub API mode


@pytest.fixture
def gh():
    from tests.kit.fake_github import FakeGitHub

    with FakeGitHub(token=TOKEN, repo=REPO, files={"README.md": b"# my data\n"}) as fake:
        yield fake


def test_api_mode_and_update_check_leak_nothing(server, gh, tmp_path, capsys, monkeypatch, logs):
    from section11.publish import manifest
    from tests.kit.fake_github import FakeFileHost

    install = tmp_path / "install"
    (install / "section11").mkdir(parents=True)
    (install / "sync.py").write_bytes(b"old\n")
    monkeypatch.setattr(manifest, "install_root", lambda: install)
    work = tmp_path / "work"
    work.mkdir()
    texts: dict[str, str] = {}
    with FakeFileHost() as host:
        host.release({"sync.py": b"new\n"})
        env = env_for(
            server,
            GITHUB_REPO=REPO,
            GITHUB_API_URL=gh.url,
            SECTION11_UPDATE_CHECK="on",
            SECTION11_MANIFEST_URL=host.manifest_url,
        )
        code, out, err = run_cli(["--debug"], env, capsys, work)  # API mode: publish
        assert code == 0, err
        assert len(gh.history()) == 2 and gh.issues()  # published, and an update issue
        texts["api mode"] = out + err
        gh.fail("POST", r"/git/commits$", 500, f"boom {TOKEN}", times=10)
        server.data.wellness[-1] = dict(server.data.wellness[-1], restingHR=41)  # new data
        code, out, err = run_cli(["--debug"], env, capsys, work)
        assert code == 5
        texts["publish failure"] = out + err
        code, out, err = run_cli(["--debug"], dict(env, GITHUB_TOKEN=BAD_TOKEN), capsys, work)
        assert code == 4
        texts["bad token"] = out + err
    texts["logs"] = logs.text
    assert_no_leaks(texts)
    assert_no_leaks(file_texts(tmp_path))
    assert_no_leaks(
        {f"published {name}": data.decode("latin-1") for name, data in gh.files().items()}
    )
    assert_no_leaks({"issues": json.dumps(gh.issues())})


# ----------------------------------------------------------------- --setup and the config file


def test_setup_config_file_and_permissions(server, tmp_path, capsys, monkeypatch, logs):
    real = setup_wizard.run_setup
    answers = iter([server.data.athlete_id, REPO, "mon", ""])
    hidden = iter([KEY, TOKEN])
    monkeypatch.setattr(
        setup_wizard,
        "run_setup",
        lambda path, **kw: real(
            path,
            input_fn=lambda prompt: next(answers),
            getpass_fn=lambda prompt: next(hidden),
            **kw,
        ),
    )
    config = tmp_path / "xdg" / "section11" / "config.json"
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "INTERVALS_BASE_URL": server.base_url,
        "SECTION11_NOW": NOW,
        "SECTION11_UPDATE_CHECK": "off",
    }
    texts: dict[str, str] = {}
    code, out, err = run_cli(["--setup"], env, capsys, tmp_path)
    assert code == 0, err
    texts["setup"] = out + err
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    saved = json.loads(config.read_text())
    assert saved["intervals_key"] == KEY and saved["github_token"] == TOKEN

    out_dir = tmp_path / "out"
    code, out, err = run_cli(["--output-dir", str(out_dir), "--debug"], env, capsys, tmp_path)
    assert code == 0, err
    assert str(config) in out + err  # the banner names the file, never its contents
    texts["sync from config"] = out + err
    before = {p: p.read_bytes() for p in out_dir.glob("*.json")}

    for mode in (0o640, 0o604, 0o644):
        config.chmod(mode)
        code, out, err = run_cli(["--output-dir", str(out_dir), "--debug"], env, capsys, tmp_path)
        assert code == 2, oct(mode)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: config file ")
        assert f"chmod 600 {config}" in lines[0] and "readable by others" in lines[0]
        assert out == ""
        texts[f"mode {oct(mode)}"] = out + err
    assert {p: p.read_bytes() for p in out_dir.glob("*.json")} == before
    texts["logs"] = logs.text
    assert_no_leaks(texts)
    assert_no_leaks(file_texts(tmp_path, skip=(config,)))


def test_config_without_secrets_may_be_readable(server, tmp_path, capsys):
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"week_start": "tue", "share": "notes"}))
    config.chmod(0o644)
    env = env_for(server, SECTION11_CONFIG=str(config))
    code, _, err = run_cli(["--output-dir", str(tmp_path / "out")], env, capsys, tmp_path)
    assert code == 0, err


# ----------------------------------------------------------------- the commit step and archive


def test_commit_step_with_token_leaks_nothing(server, tmp_path, capsys, logs):
    """A sync into a git work tree and --commit (local commit with an archive snapshot),
    then --commit again towards an unreachable http remote, which hands the token to git:
    snapshot, git config, history and messages stay clean."""
    repo = tmp_path / "data"
    home = tmp_path / "home"
    home.mkdir()
    git_env = {"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ["PATH"]}
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=git_env)
    env = env_for(
        server, **git_env, SECTION11_GIT_NAME="Sync Bot", SECTION11_GIT_EMAIL="bot@example.com"
    )
    texts: dict[str, str] = {}
    code, out, err = run_cli(["--output-dir", str(repo)], env, capsys, tmp_path)
    assert code == 0, err
    texts["sync"] = out + err
    code, out, err = run_cli(
        ["--commit", "--output-dir", str(repo), "--debug"], env, capsys, tmp_path
    )
    assert code == 0, err
    texts["local commit"] = out + err
    assert list((repo / "archive").rglob("*.json"))  # the snapshot of latest.json

    subprocess.run(
        ["git", "-C", str(repo), "remote", "add", "origin", "http://127.0.0.1:9/me/data.git"],
        check=True,
        env=git_env,
    )
    code, out, err = run_cli(
        ["--commit", "--output-dir", str(repo), "--debug"], env, capsys, tmp_path
    )
    assert code != 0 and "origin" in err  # unreachable: one clear line
    texts["unreachable remote"] = out + err
    texts["git config"] = (repo / ".git" / "config").read_text()
    texts["git log"] = subprocess.run(
        ["git", "-C", str(repo), "log", "-p", "--all"], capture_output=True, text=True, env=git_env
    ).stdout
    assert "latest.json" in texts["git log"]
    texts["logs"] = logs.text
    assert_no_leaks(texts)
    assert_no_leaks(file_texts(repo))


# ----------------------------------------------------------------- TrainingPeaks


@pytest.fixture
def tp_server(server):
    from section11.demo.tp_server import FakeTrainingPeaks
    from section11.demo.tp_view import build_tp_view

    view = dataclasses.replace(build_tp_view(server.data), cookie=TP_COOKIE)
    with FakeTrainingPeaks(view, token_factory=lambda: TP_TOKEN) as fake:
        yield fake


def test_trainingpeaks_cookie_and_token_leak_nowhere(server, tp_server, tmp_path, capsys, logs):
    from tests.kit.tp_faults import token_outage

    home = tmp_path / "home"
    home.mkdir()
    env = env_for(server, HOME=str(home), XDG_CONFIG_HOME=str(home / "cfg"))
    env |= {"TRAININGPEAKS_BASE_URL": tp_server.base_url}
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    texts = []
    runs = [
        ["tp", "auth", f"Production_tpAuth={TP_COOKIE}"],
        ["tp", "auth-status"],
        ["tp", "workouts", "2026-11-16", "2026-11-29", "--json"],
        ["tp", "profile"],
        ["--output-dir", str(out_dir), "--debug"],
    ]
    for argv in runs:
        assert cli.main(argv, environ={**env, "TP_AUTH_COOKIE": TP_COOKIE}) == 0
        captured = capsys.readouterr()
        texts += [captured.out, captured.err]
    tp_server.hooks.append(token_outage())
    assert (
        cli.main(["--output-dir", str(out_dir)], environ={**env, "TP_AUTH_COOKIE": TP_COOKIE}) == 0
    )
    tp_server.hooks.clear()
    tp_server.expire_cookie()
    assert cli.main(["tp", "profile"], environ={**env, "TP_AUTH_COOKIE": TP_COOKIE}) == 4
    assert (
        cli.main(["--output-dir", str(out_dir)], environ={**env, "TP_AUTH_COOKIE": TP_COOKIE}) == 0
    )
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    config = home / "cfg" / "section11" / "config.json"
    assert TP_COOKIE in config.read_text() and stat.S_IMODE(config.stat().st_mode) == 0o600
    scanned = {f"output {i}": t for i, t in enumerate(texts)}
    scanned["logs"] = logs.text
    scanned |= file_texts(out_dir, home, skip=(config,))
    assert_no_leaks(scanned)


# ----------------------------------------------------------------- Peloton


def test_peloton_tokens_leak_nowhere(server, tmp_path, capsys, logs):
    """Refresh token brought, access and rotated tokens minted, an expired token:
    no output, log or file holds any of them but the 0600 rotated-token file."""
    from section11.demo.peloton_server import FakePeloton
    from section11.demo.peloton_view import build_peloton_view
    from tests.kit.peloton_faults import unauthorized

    view = build_peloton_view(server.data, "Europe/Amsterdam")
    view.refresh_token = PELOTON_REFRESH
    minted = iter(PELOTON_MINTED * 4)
    out_dir = tmp_path / "out"
    texts = {}
    with FakePeloton(view, token_factory=lambda: next(minted)) as fake:
        env = env_for(server) | {
            "PELOTON_REFRESH_TOKEN": PELOTON_REFRESH,
            "PELOTON_CLIENT_ID": view.client_id,
            "PELOTON_BASE_URL": fake.base_url,
            "PELOTON_AUTH_URL": fake.base_url,
        }
        assert cli.main(["--output-dir", str(out_dir), "--debug"], environ=env) == 0
        fake.hooks.append(unauthorized())
        later = env | {"SECTION11_NOW": "2026-11-23T11:00:00+00:00"}
        assert cli.main(["--output-dir", str(out_dir)], environ=later) == 0
        fake.hooks.clear()
        fake.expire_tokens()
        latest = env | {"SECTION11_NOW": "2026-11-23T13:00:00+00:00"}
        assert cli.main(["--output-dir", str(out_dir)], environ=latest) == 0
        assert (
            cli.main(
                ["--output-dir", str(out_dir)],
                environ={**latest, "PELOTON_BEARER_TOKEN": PELOTON_MINTED[2]},
            )
            == 0
        )
    captured = capsys.readouterr()
    assert "auth_expired" in (out_dir / "latest.json").read_text()
    token_file = out_dir / ".section11" / "peloton_token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    texts = {"stdout": captured.out, "stderr": captured.err, "logs": logs.text}
    texts |= file_texts(out_dir, skip=(token_file,))
    assert_no_leaks(texts)


# ----------------------------------------------------------------- sign-in issues


def test_sign_in_issues_leak_nothing(server, tp_server, gh, tmp_path, capsys, logs):
    """An expired TrainingPeaks cookie and a refused Peloton token open their
    issues in the data repository: no piece of any secret in them."""
    from section11.demo.peloton_server import FakePeloton
    from section11.demo.peloton_view import build_peloton_view
    from section11.publish.source_issues import LABEL

    view = build_peloton_view(server.data, "Europe/Amsterdam")
    view.refresh_token = PELOTON_REFRESH
    minted = iter(PELOTON_MINTED * 4)
    out_dir = tmp_path / "out"
    with FakePeloton(view, token_factory=lambda: next(minted)) as fake:
        env = env_for(server) | {
            "GITHUB_REPO": REPO,
            "GITHUB_API_URL": gh.url,
            "SECTION11_UPDATE_CHECK": "off",
            "TP_AUTH_COOKIE": TP_COOKIE,
            "TRAININGPEAKS_BASE_URL": tp_server.base_url,
            "PELOTON_REFRESH_TOKEN": PELOTON_REFRESH,
            "PELOTON_CLIENT_ID": view.client_id,
            "PELOTON_BASE_URL": fake.base_url,
            "PELOTON_AUTH_URL": fake.base_url,
        }
        assert cli.main(["--output-dir", str(out_dir), "--debug"], environ=env) == 0
        tp_server.expire_cookie()
        fake.expire_tokens()
        later = env | {"SECTION11_NOW": "2026-11-23T11:00:00+00:00"}
        assert cli.main(["--output-dir", str(out_dir), "--debug"], environ=later) == 0
    captured = capsys.readouterr()
    issues = [i for i in gh.issues() if {"name": LABEL} in i["labels"]]
    assert len(issues) == 2
    texts = {"issues": json.dumps(gh.issues()), "stdout": captured.out, "stderr": captured.err}
    texts["logs"] = logs.text
    token_file = out_dir / ".section11" / "peloton_token.json"
    assert_no_leaks(texts | file_texts(out_dir, skip=(token_file,)))
