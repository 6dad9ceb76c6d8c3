"""The GitHub workflow files: structure, secret handling, and the offline checks
(docs/architecture.md#publishing fixed per weakness 9.1.7 (docs/architecture.md#reference-weaknesses), weakness 9.3 (docs/architecture.md#reference-weaknesses), weakness 9.4 (docs/architecture.md#reference-weaknesses))."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest
import yaml

from section11.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
AUTO_SYNC = WORKFLOWS / "auto-sync.yml"
CI = WORKFLOWS / "ci.yml"
CONFIGURED = "steps.config.outputs.configured == 'true'"
DATA_FILES = {"latest.json", "history.json", "intervals.json", "routes.json", "ftp_history.json"}
PICTURES = {"charts/", "dashboard.html"}
FREE_MINUTES = 2000  # a private repository on GitHub Free, per month


def load(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in doc:  # YAML 1.1 reads the bare key `on` as a boolean
        doc["on"] = doc.pop(True)
    return doc


@pytest.fixture(scope="module")
def auto():
    return load(AUTO_SYNC)


@pytest.fixture(scope="module")
def steps(auto):
    return auto["jobs"]["sync"]["steps"]


def step_named(steps, fragment: str) -> dict:
    found = [s for s in steps if fragment in s.get("name", "")]
    assert len(found) == 1, fragment
    return found[0]


def all_workflows():
    return sorted(WORKFLOWS.glob("*.yml"))


# ----------------------------------------------------------------- triggers, concurrency, permissions


def runs_per_month(cron: str) -> float:
    """Runs a month of a `M H * * *` cron line (minute and hour fields only)."""
    minute, hour = cron.split()[:2]

    def count(field: str, size: int) -> int:
        if field == "*":
            return size
        if field.startswith("*/"):
            return size // int(field[2:])
        return len(field.split(","))

    return count(minute, 60) * count(hour, 24) * 30.4


def test_default_schedule_fits_the_free_minutes_with_margin(auto):
    [entry] = auto["on"]["schedule"]
    assert entry["cron"] == "23 * * * *"  # hourly, off the top of the hour
    # each run is billed at least one minute; even two-minute runs stay within
    assert 2 * runs_per_month(entry["cron"]) < FREE_MINUTES
    assert runs_per_month("*/15 * * * *") > FREE_MINUTES  # the old default did not
    assert "workflow_dispatch" in auto["on"]
    text = AUTO_SYNC.read_text()
    assert "Cadence: edit the cron line" in text and '"23 */2 * * *"' in text


def test_runs_never_overlap(auto):
    assert auto["concurrency"]["group"]
    assert auto["concurrency"]["cancel-in-progress"] is False


def test_least_privilege_permissions(auto):
    assert auto["permissions"] == {}
    jobs = auto["jobs"]
    assert list(jobs) == ["sync"]
    assert jobs["sync"]["permissions"] == {"contents": "write", "issues": "write"}
    assert load(CI)["permissions"] == {"contents": "read"}


def test_every_action_is_pinned_to_a_commit():
    for path in all_workflows():
        for job in load(path)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    pinned = r"[\w.-]+/[\w.-]+(/[\w.-]+)?@[0-9a-f]{40}"  # also actions/cache/save
                    assert re.fullmatch(pinned, step["uses"]), step["uses"]


# ----------------------------------------------------------------- secrets


def test_no_expressions_inside_run_scripts():
    """`${{ }}` in a run: script is template injection; secrets go through env only."""
    for path in all_workflows():
        for job in load(path)["jobs"].values():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), (path.name, step.get("name"))


def test_secrets_appear_only_in_env_values():
    for path in all_workflows():
        doc = load(path)
        for job in doc["jobs"].values():
            for step in job["steps"]:
                for key, value in step.items():
                    if key != "env":
                        assert "secrets." not in yaml.safe_dump(value), (path.name, key)
                for value in step.get("env", {}).values():
                    if "secrets." in value:
                        assert re.fullmatch(r"\$\{\{ secrets\.[A-Z_]+ \}\}", value), value


def test_sync_step_env_and_command(steps):
    sync = step_named(steps, "Sync")
    assert sync["id"] == "sync"
    expected = {
        name: f"${{{{ secrets.{name} }}}}"
        for name in (
            "ATHLETE_ID",
            "INTERVALS_KEY",
            "WEEK_START",
            "ZONE_PREFERENCE",
            "TP_AUTH_COOKIE",
            "PELOTON_REFRESH_TOKEN",
            "PELOTON_CLIENT_ID",
        )
    }
    # the update check opens an issue in this repository with the job's own token
    expected.update(GITHUB_TOKEN="${{ github.token }}", GITHUB_REPO="${{ github.repository }}")
    assert sync["env"] == expected
    assert sync["run"].strip() == "python sync.py --output-dir ."


def test_commit_step_gets_the_token_through_env_only(steps):
    commit = step_named(steps, "Commit and push")
    assert commit["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    assert commit["run"].strip() == "python sync.py --commit --output-dir ."
    assert steps.index(commit) == steps.index(step_named(steps, "Sync")) + 1


def test_run_commands_are_valid_cli_invocations_without_secrets(steps):
    for step in steps:
        for line in step.get("run", "").splitlines():
            if not line.strip().startswith("python sync.py"):
                continue  # (the file check's message names a command too)
            words = shlex.split(line)
            assert words[:2] == ["python", "sync.py"]
            assert not {"--intervals-key", "--athlete-id", "--github-token"} & set(words)
            build_parser().parse_args(words[2:])  # raises on an unknown flag


def test_checkout_keeps_no_credentials(steps):
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False


# ----------------------------------------------------------------- skip without secrets


def test_every_step_after_the_check_is_skipped_without_secrets(steps):
    assert steps[0]["id"] == "config"
    for step in steps[1:]:
        condition = step.get("if", "")
        if "upload-artifact" in step.get("uses", ""):
            # needs the sync step to have succeeded, which it cannot when skipped
            assert "steps.sync.outcome == 'success'" in condition
            assert "github.event_name == 'workflow_dispatch'" in condition
        elif step.get("name", "").startswith("Report a failure"):
            assert condition == "failure()"
        elif step.get("name", "").startswith("Save the local state store"):
            assert condition.startswith(CONFIGURED + " && "), condition
        else:
            assert condition == CONFIGURED, step.get("name")


def run_check(steps, tmp_path, env: dict[str, str]):
    check = steps[0]
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.write_text("")
    summary.write_text("")
    proc = subprocess.run(
        ["bash", "-e", "-c", check["run"]],
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            **env,
        },
        check=False,
    )
    return proc, output.read_text(), summary.read_text()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    "env",
    [{}, {"ATHLETE_ID": "i1"}, {"INTERVALS_KEY": "k"}, {"ATHLETE_ID": "", "INTERVALS_KEY": ""}],
)
def test_check_step_skips_with_a_notice(steps, tmp_path, env):
    proc, output, summary = run_check(steps, tmp_path, env)
    assert proc.returncode == 0
    assert proc.stdout.startswith("::notice title=Sync skipped::")
    assert output == "configured=false\n"
    assert "sync skipped" in summary


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    "env",
    [
        {"ATHLETE_ID": "i123", "INTERVALS_KEY": "secret-key"},
        {"TP_AUTH_COOKIE": "secret-key"},  # TrainingPeaks alone
        {"PELOTON_REFRESH_TOKEN": "secret-key", "INTERVALS_KEY": ""},  # Peloton alone
    ],
)
def test_check_step_with_secrets_goes_on_quietly(steps, tmp_path, env):
    proc, output, summary = run_check(steps, tmp_path, env)
    assert proc.returncode == 0 and proc.stdout == "" and "secret-key" not in proc.stderr
    assert output == "configured=true\n" and summary == ""


# ----------------------------------------------------------------- caches, artifact, summary


def test_pip_cache_and_state_store_cache(steps):
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip"
    assert python["with"]["python-version"] == "3.11"
    store = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore@"))
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save@"))
    assert store["with"]["path"] == save["with"]["path"] == ".section11"
    # one stable prefix per branch; a new entry only when the run committed data
    assert store["with"]["restore-keys"].strip() == "section11-store-${{ github.ref_name }}-"
    assert store["with"]["key"] == save["with"]["key"]
    assert store["with"]["key"].startswith("section11-store-${{ github.ref_name }}-")
    assert "steps.commit.outputs.committed == 'true'" in save["if"]
    assert steps.index(store) < steps.index(step_named(steps, "Sync"))
    assert steps.index(step_named(steps, "Commit and push")) < steps.index(save)


def test_file_check_covers_schemas_and_names_the_fix(steps, tmp_path):
    check = step_named(steps, "Check the files sync.py needs")
    for needed in ("sync.py", "section11/", "requirements.txt", "schemas/latest.schema.json"):
        assert needed in check["run"]
    (tmp_path / "section11").mkdir()
    for rel in ("sync.py", "section11/cli.py", "requirements.txt"):
        (tmp_path / rel).write_text("x")
    proc = subprocess.run(
        ["bash", "-e", "-c", check["run"]], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "Missing schemas/latest.schema.json" in proc.stdout
    assert "python sync.py --init" in proc.stdout


def test_checkout_leaves_the_archive_out(steps):
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    folders = checkout["with"]["sparse-checkout"].split()
    assert "archive" not in folders
    assert {"section11", "schemas", "charts", ".github"} <= set(folders)


def test_artifact_of_the_data_files_on_manual_runs(steps):
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert set(upload["with"]["path"].split()) == DATA_FILES | PICTURES
    assert upload["with"]["if-no-files-found"] == "ignore"


def test_step_summary_on_skip_and_failure(steps):
    assert "GITHUB_STEP_SUMMARY" in steps[0]["run"]
    assert "GITHUB_STEP_SUMMARY" in step_named(steps, "Report a failure")["run"]


# ----------------------------------------------------------------- CI workflow and .ci/run


def check_commands(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if "check-jsonschema" in line or "zizmor" in line
        if not line.strip().startswith("#") and "name:" not in line
    ]


def test_ci_runs_make_test_and_the_same_checks_as_ci_run():
    ci = load(CI)
    runs = [s.get("run", "").strip() for s in ci["jobs"]["test"]["steps"]]
    assert "make test" in runs
    ci_run = (ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci_run
    commands = check_commands(ci_run)
    assert len(commands) == 2
    assert commands == check_commands(CI.read_text())
    assert all("--offline" in c or "--builtin-schema" in c for c in commands)


def find_tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


@pytest.mark.parametrize(
    "tool, args",
    [
        ("check-jsonschema", ["--builtin-schema", "vendor.github-workflows"]),
        ("zizmor", ["--offline", "--no-progress"]),
    ],
)
def test_offline_workflow_checks_pass(tool, args):
    path = find_tool(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (pip install -r requirements-dev.txt)")
    targets = [str(p) for p in all_workflows()] if tool == "check-jsonschema" else [str(WORKFLOWS)]
    proc = subprocess.run(
        [path, *args, *targets], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ----------------------------------------------------------------- the data repo README template


def test_data_repo_readme_template():
    from datetime import datetime

    from section11.publish.readme import set_last_sync_line

    text = (ROOT / "DATA_REPO_README.md").read_text(encoding="utf-8")
    assert "actions/workflows/auto-sync.yml/badge.svg)" in text
    for name in DATA_FILES:
        assert f"https://raw.githubusercontent.com/OWNER/REPO/main/{name}" in text
    updated = set_last_sync_line(text, datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    assert updated.count("**Last successful sync:** 2026-01-02 03:04 UTC") == 1
    assert "never (waiting for the first run)" not in updated
    assert "--archive-retention-days" in text and "fine-grained" in text.lower()
    assert "Contents: Read and write" in text
