"""`main()`: argument surface, modes, exit codes, one-line errors, no secrets
(docs/architecture.md#one-sync, README.md#options, README.md#exit-codes, weakness 9.1.11 (docs/architecture.md#reference-weaknesses), weakness 9.3.1 (docs/architecture.md#reference-weaknesses)). The pipeline is replaced by
a recorder; end-to-end runs against the fake server live elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import section11.pipeline as pipeline
from section11 import setup_wizard
from section11.cli import main
from section11.errors import ApiFailed, AuthFailed, OutputFailed

KEY = "Zq7XkW3pLmN9vB2cT4"
TOKEN = "ghp_Rt5YuI8oPaS2dF"
ENV_VARS = (
    "ATHLETE_ID",
    "INTERVALS_KEY",
    "GITHUB_TOKEN",
    "GITHUB_REPO",
    "WEEK_START",
    "ZONE_PREFERENCE",
    "INTERVALS_BASE_URL",
    "SECTION11_CONFIG",
    "SECTION11_NOW",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def runs(monkeypatch):
    """Replace pipeline.run; record the settings of each call."""
    calls = []

    def fake_run(settings, out=None, progress=None):
        calls.append(settings)
        return 0

    monkeypatch.setattr(pipeline, "run", fake_run)
    return calls


def run_main(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_without_secrets(out, err, *secrets):
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ")
    for secret in (KEY, TOKEN, *secrets):
        assert secret[:5] not in out + err


CREDS = ["--athlete-id", "i123456", "--intervals-key", KEY]


# ----------------------------------------------------------------- data sync


def test_sync_with_output_runs_pipeline(capsys, runs, tmp_path):
    code, out, err = run_main(
        capsys,
        CREDS + ["--output", str(tmp_path / "latest.json"), "--days", "14", "--week-start", "SUN"],
    )
    assert code == 0 and err == ""
    (settings,) = runs
    assert (settings.athlete_id, settings.intervals_key, settings.days, settings.week_start) == (
        "i123456",
        KEY,
        14,
        6,
    )
    assert settings.output == str(tmp_path / "latest.json") and settings.anonymize is True


def test_no_anonymize_and_output_dir(capsys, runs, tmp_path):
    target = tmp_path / "new" / "dir"
    code, _, _ = run_main(capsys, CREDS + ["--output-dir", str(target), "--no-anonymize"])
    assert code == 0 and target.is_dir()
    assert runs[0].anonymize is False and runs[0].output_dir == str(target)


def test_env_credentials_and_cli_precedence(capsys, runs, monkeypatch):
    monkeypatch.setenv("ATHLETE_ID", "i1")
    monkeypatch.setenv("INTERVALS_KEY", KEY)
    code, _, _ = run_main(capsys, ["--athlete-id", "i2", "--output", "latest.json"])
    assert code == 0 and runs[0].athlete_id == "i2" and runs[0].intervals_key == KEY


def test_pipeline_exit_code_is_returned(capsys, monkeypatch):
    monkeypatch.setattr(pipeline, "run", lambda settings, out=None, progress=None: 5)
    assert main(CREDS + ["--output", "latest.json"]) == 5


@pytest.mark.parametrize(
    "argv,missing",
    [
        ([], "athlete id and API key"),
        (["--athlete-id", "i1"], "API key"),
        (["--intervals-key", KEY], "athlete id"),
    ],
)
def test_missing_credentials(capsys, runs, argv, missing):
    code, out, err = run_main(capsys, argv + ["--output", "latest.json"])
    assert code == 3 and runs == []
    assert_one_line_without_secrets(out, err)
    assert f"{missing} not set" in err and "python sync.py --setup" in err
    assert "ATHLETE_ID" in err and "INTERVALS_KEY" in err


def test_no_destination(capsys, runs):
    code, out, err = run_main(capsys, CREDS)
    assert code == 2 and runs == []
    assert_one_line_without_secrets(out, err)
    assert "--output latest.json" in err and "--output-dir" in err


def test_missing_output_parent_is_invalid_input(capsys, runs, tmp_path):
    code, out, err = run_main(capsys, CREDS + ["--output", str(tmp_path / "nope" / "l.json")])
    assert code == 2 and runs == []
    assert_one_line_without_secrets(out, err)
    assert not (tmp_path / "nope").exists()


# ----------------------------------------------------------------- modes


def test_demo_mode(capsys, runs, monkeypatch):
    import section11.demo.runner as runner

    seen = []
    monkeypatch.setattr(runner, "run_demo", lambda settings, **_: seen.append(settings) or 0)
    code, _, err = run_main(capsys, ["--demo"])  # no credentials needed
    assert code == 0 and runs == [] and len(seen) == 1 and seen[0].demo


def test_setup_takes_precedence_and_targets_xdg(capsys, monkeypatch, tmp_path, runs):
    seen = []
    monkeypatch.setattr(setup_wizard, "run_setup", lambda path, **kw: seen.append(path) or 0)
    assert main(["--setup", "--init"]) == 0
    assert seen == [tmp_path / "xdg" / "section11" / "config.json"] and runs == []


def test_setup_uses_config_flag(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(setup_wizard, "run_setup", lambda path, **kw: seen.append(path) or 0)
    main(["--setup", "--config", str(tmp_path / "c.json")])
    assert seen == [tmp_path / "c.json"]


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "--output-dir" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert "section11" in capsys.readouterr().out


# ----------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    "argv",
    [
        ["--days", "abc"],
        ["--week-start", "funday"],
        ["--output", "a.json", "--output-dir", "b"],
        ["--bogus"],
        ["--intervals-key"],
    ],
)
def test_argparse_errors_exit_2_on_one_line(capsys, runs, argv):
    code, out, err = run_main(capsys, argv)
    assert code == 2 and runs == []
    assert_one_line_without_secrets(out, err)
    assert "see --help" in err


def test_unknown_flag_does_not_echo_its_value(capsys, runs):
    # a typo such as --intervals_key must not print the key that follows it
    code, out, err = run_main(capsys, ["--intervals_key", KEY, f"--github_token={TOKEN}"])
    assert code == 2
    assert_one_line_without_secrets(out, err)
    assert "--intervals_key" in err and "--github_token" in err


@pytest.mark.parametrize("days", ["0", "-3", "3651"])
def test_days_out_of_range(capsys, runs, days):
    code, out, err = run_main(capsys, CREDS + ["--output", "l.json", "--days", days])
    assert code == 2 and runs == [] and "--days" in err
    assert_one_line_without_secrets(out, err)


def test_invalid_config_is_exit_2(capsys, runs, tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"intervals_key": KEY}))
    os.chmod(cfg, 0o644)
    code, out, err = run_main(capsys, ["--config", str(cfg), "--output", "l.json"])
    assert code == 2 and f"chmod 600 {cfg}" in err
    assert_one_line_without_secrets(out, err)


def test_invalid_week_start_env(capsys, runs, monkeypatch):
    monkeypatch.setenv("WEEK_START", "someday")
    code, out, err = run_main(capsys, CREDS + ["--output", "l.json"])
    assert code == 2 and "WEEK_START" in err
    assert_one_line_without_secrets(out, err)


# ----------------------------------------------------------------- errors from the run


@pytest.mark.parametrize(
    "exc,code",
    [
        (AuthFailed(f"Intervals.icu rejected the API key\nfor athlete (key {KEY})"), 4),
        (ApiFailed("athlete profile: HTTP 503"), 5),
        (OutputFailed("could not write latest.json: disk full"), 7),
    ],
)
def test_sync_errors_map_to_exit_codes(capsys, monkeypatch, exc, code):
    def boom(settings, out=None, progress=None):
        raise exc

    monkeypatch.setattr(pipeline, "run", boom)
    got, out, err = run_main(capsys, CREDS + ["--output", "l.json"])
    assert got == code
    assert_one_line_without_secrets(out, err)


def test_unexpected_exception(capsys, monkeypatch):
    def boom(settings, out=None, progress=None):
        raise RuntimeError(f"broken with {KEY}\nsecond line")

    monkeypatch.setattr(pipeline, "run", boom)
    code, out, err = run_main(capsys, CREDS + ["--output", "l.json"])
    assert code == 1
    assert_one_line_without_secrets(out, err)
    assert err.startswith("error: unexpected RuntimeError: broken with ***")
    assert err.rstrip().endswith("; rerun with --debug for details")
    assert "Traceback" not in err


def test_unexpected_exception_with_debug_shows_traceback_without_secrets(capsys, monkeypatch):
    monkeypatch.setenv("INTERVALS_KEY", KEY)

    def boom(settings, out=None, progress=None):
        raise ValueError(f"bad {settings.intervals_key}")

    monkeypatch.setattr(pipeline, "run", boom)
    code, out, err = run_main(capsys, ["--athlete-id", "i1", "--output", "l.json", "--debug"])
    assert code == 1
    assert "Traceback" in err and "ValueError" in err
    assert KEY[:5] not in out + err


def test_secret_from_config_file_is_redacted_too(capsys, monkeypatch, tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"athlete_id": "i1", "intervals_key": KEY}))
    os.chmod(cfg, 0o600)

    def boom(settings, out=None, progress=None):
        raise ApiFailed(f"echo {settings.intervals_key}")

    monkeypatch.setattr(pipeline, "run", boom)
    code, out, err = run_main(capsys, ["--config", str(cfg), "--output", "l.json"])
    assert code == 5
    assert_one_line_without_secrets(out, err)


def test_keyboard_interrupt(capsys, monkeypatch):
    def interrupted(settings, out=None, progress=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run", interrupted)
    code, out, err = run_main(capsys, CREDS + ["--output", "l.json"])
    assert code == 130 and err.strip() == "error: interrupted"


def test_debug_banner_says_set_not_set_only(capsys, runs, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    code, out, err = run_main(capsys, CREDS + ["--output", "l.json", "--debug"])
    assert code == 0
    assert "API key set" in err and "GitHub token set" in err and "GitHub repo not set" in err
    assert "i123456" not in err and KEY[:5] not in err and TOKEN[:5] not in err


# ----------------------------------------------------------------- lockfile


def test_lockfile_held_during_sync_and_released(capsys, monkeypatch, tmp_path):
    seen = []

    def fake_run(settings, out=None, progress=None):
        lock = tmp_path / "out" / ".sync.lock"
        seen.append(json.loads(lock.read_text())["pid"])
        return 0

    monkeypatch.setattr(pipeline, "run", fake_run)
    assert main(CREDS + ["--output-dir", str(tmp_path / "out"), "--lockfile"]) == 0
    assert seen == [os.getpid()]
    assert not (tmp_path / "out" / ".sync.lock").exists()


def test_lockfile_released_when_sync_fails(capsys, monkeypatch, tmp_path):
    def boom(settings, out=None, progress=None):
        raise ApiFailed("down")

    monkeypatch.setattr(pipeline, "run", boom)
    assert main(CREDS + ["--output", str(tmp_path / "l.json"), "--lockfile"]) == 5
    assert not (tmp_path / ".sync.lock").exists()


def test_lockfile_held_by_live_process(capsys, runs, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / ".sync.lock").write_text(json.dumps({"pid": holder.pid, "started": "x"}))
        code, out, err = run_main(
            capsys, CREDS + ["--output", str(tmp_path / "l.json"), "--lockfile"]
        )
    finally:
        holder.kill()
        holder.wait()
    assert code == 6 and runs == []
    assert_one_line_without_secrets(out, err)
    assert f"pid {holder.pid}" in err


def test_no_lock_without_flag(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(
        pipeline,
        "run",
        lambda settings, out=None, progress=None: (
            0 if not (tmp_path / ".sync.lock").exists() else 99
        ),
    )
    assert main(CREDS + ["--output", str(tmp_path / "l.json")]) == 0


def test_sync_log_rotation_keeps_the_last_200_lines(tmp_path):
    from section11.synclog import LOG_MARKER, rotate_log

    log = tmp_path / "sync.log"
    log.write_bytes(
        b"".join(b"line %06d %s\n" % (i, b"x" * 80) for i in range(12000))
        + f"{LOG_MARKER} run at 2026-11-23\n".encode()
    )
    assert log.stat().st_size >= 1_000_000
    assert rotate_log(log) is True
    lines = log.read_bytes().splitlines()
    assert len(lines) == 200 and lines[-2].startswith(b"line 011999")
    assert rotate_log(log) is False  # small now: untouched
    assert rotate_log(tmp_path / "missing.log") is False
