"""Coach mode: many athletes behind one coach key (README.md#coach-mode).

Real HTTP to the fake coach API (demo/coach.py: three shared athletes and one
who revoked the share), real files, real git repositories. The rate budget
tests run every client on ONE token bucket driven by a fake clock: no wall
time is measured.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import threading
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from section11.cli import main
from section11.coach.run import sync_all
from section11.config import Settings
from section11.demo.coach import COACH_KEY, REVOKED, ROSTER, FakeCoachIntervals, build_coach_demo
from section11.outputs.index import ATTENTION, AthleteFiles, index_document
from section11.outputs.validate import validate_documents
from section11.publish.volatile import data_fingerprint
from section11.sources.policy import TokenBucket

from .conftest import DEMO_TODAY
from .test_tp_client import Clock  # time that moves only when someone sleeps

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
NOW_TEXT = NOW.isoformat()
SERVED = [athlete for athlete, _, _ in ROSTER]
FIVE = ("latest.json", "history.json", "intervals.json", "routes.json", "ftp_history.json")
RATE, BURST = 8.0, 4


@pytest.fixture(scope="module")
def coach_data():
    return build_coach_demo(DEMO_TODAY)


@pytest.fixture
def server(coach_data):
    with FakeCoachIntervals(coach_data) as fake:
        yield fake


class RecordingBucket(TokenBucket):
    """The shared bucket on a fake clock, recording when each token was granted."""

    def __init__(self, clock: Clock):
        super().__init__(RATE, BURST, clock=clock, sleep=clock.sleep)
        self.clock = clock
        self.grants: list[float] = []
        self._order = threading.Lock()

    def acquire(self) -> float:
        with self._order:  # the fake sleep is instant: grants are recorded in order
            start = self.clock()
            wait = super().acquire()
            self.grants.append(start + wait)
        return wait


def settings_for(server, directory: Path, athletes: str, key: str = COACH_KEY) -> Settings:
    return Settings(
        intervals_key=key,
        base_url=server.base_url,
        output_dir=str(directory),
        athletes=athletes,
        now=NOW,
    )


def coach_sync(server, directory: Path, athletes: str = "all", environ=None, key=COACH_KEY):
    bucket = RecordingBucket(Clock())
    out, err = io.StringIO(), io.StringIO()
    outcomes = sync_all(
        settings_for(server, directory, athletes, key),
        environ or {},
        [],
        lambda secrets: lambda text: text,
        pacer=bucket,
        out=out,
        err=err,
    )
    return outcomes, bucket


def read(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def run_cli(args: list[str], **env: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    environ = {"PATH": os.environ.get("PATH", ""), "SECTION11_NOW": NOW_TEXT, **env}
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args, environ=environ)
    return code, out.getvalue(), err.getvalue()


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=Tester", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


# ----------------------------------------------------------------- every athlete, the revoked one


def test_all_athletes_written_and_the_revoked_one_reported(server, tmp_path):
    outcomes, _ = coach_sync(server, tmp_path, "all")
    assert [o.entry.athlete_id for o in outcomes] == [*SERVED, REVOKED[0]]  # /athletes order
    base = tmp_path / "athletes"
    fitness = set()
    for athlete in SERVED:
        folder = base / athlete
        documents = {name: read(folder / name) for name in FIVE}
        validate_documents(documents)
        assert read(folder / "sync_status.json")["status"] == "ok"
        assert (tmp_path / ".section11" / "athletes" / athlete / "store.sqlite3").is_file()
        fitness.add(documents["latest.json"]["current_status"]["fitness"]["ctl"])
    assert len(fitness) == len(SERVED)  # three different athletes, not one copied
    revoked = base / REVOKED[0]
    assert sorted(p.name for p in revoked.iterdir()) == ["sync_status.json"]
    status = read(revoked / "sync_status.json")
    assert status["status"] == "failed" and "refused access" in status["reason"]

    index = read(base / "index.json")
    validate_documents({"index.json": index})
    assert index["athlete_count"] == 4 and index["failed_count"] == 1
    first = index["athletes"][0]
    assert (first["folder"], first["attention"], first["sync"]) == (
        REVOKED[0],
        "sync_failed",
        "failed",
    )
    assert first["reason"] == status["reason"]
    ranks = [ATTENTION.index(row["attention"]) for row in index["athletes"]]
    assert ranks == sorted(ranks)
    for row in index["athletes"][1:]:
        latest = read(base / row["folder"] / "latest.json")
        assert row["sync"] == "ok" and row["reason"] is None
        assert row["last_successful_sync"] == latest["metadata"]["last_updated"]
        assert row["fitness"]["ctl"] == latest["current_status"]["fitness"]["ctl"]
        assert row["acwr"] == latest["derived_metrics"]["acwr"]
        assert row["readiness"] == latest["readiness_decision"]["recommendation"]
        assert row["sources"] == latest["metadata"]["sync_status"]


def test_a_failed_athlete_keeps_its_last_good_files(server, tmp_path, coach_data):
    coach_sync(server, tmp_path, "i500012")
    before = (tmp_path / "athletes" / "i500012" / "latest.json").read_bytes()
    coach_data.revoked.add("i500012")
    try:
        [outcome], _ = coach_sync(server, tmp_path, "i500012")
    finally:
        coach_data.revoked.discard("i500012")
    assert not outcome.ok
    assert (tmp_path / "athletes" / "i500012" / "latest.json").read_bytes() == before
    [row] = read(tmp_path / "athletes" / "index.json")["athletes"]
    assert row["sync"] == "failed"
    assert row["last_successful_sync"] == json.loads(before)["metadata"]["last_updated"]


# ----------------------------------------------------------------- one rate budget


def athlete_of_request(path: str, coach_data) -> str | None:
    for athlete, data in coach_data.served.items():
        if path.startswith(f"/api/v1/athlete/{athlete}"):
            return athlete
        if any(path.startswith(f"/api/v1/activity/{a['id']}") for a in data.activities[:60]):
            return athlete
    return None


def test_every_request_of_every_athlete_draws_from_the_one_bucket(server, tmp_path, coach_data):
    outcomes, bucket = coach_sync(server, tmp_path, ",".join(SERVED))
    assert all(o.ok for o in outcomes)
    requests = server.requests
    assert len(bucket.grants) == len(requests) == sum(o.requests for o in outcomes)
    by_athlete = {athlete_of_request(r.path, coach_data) for r in requests}
    assert set(SERVED) <= by_athlete  # the three athletes' requests all went through it
    # one burst for the whole run, not one per athlete
    assert sum(1 for t in bucket.grants if t <= bucket.grants[0]) == BURST
    # and never more than burst + rate x window in any window, across athletes
    grants = bucket.grants
    assert grants == sorted(grants)
    for i in range(len(grants)):
        for j in range(i + BURST, min(len(grants), i + 40)):
            assert j - i + 1 <= BURST + RATE * (grants[j] - grants[i]) + 1e-6
    assert grants[-1] - grants[0] >= (len(grants) - BURST) / RATE - 1e-6


def test_a_steady_coach_run_costs_at_most_4_requests_per_athlete(server, tmp_path):
    coach_sync(server, tmp_path, "all")
    server.reset_log()
    outcomes, bucket = coach_sync(server, tmp_path, "all")
    served = [o for o in outcomes if o.ok]
    assert len(served) == len(SERVED)
    assert all(o.requests <= 4 for o in outcomes)
    assert len(server.requests) == len(bucket.grants) <= 4 * len(outcomes) + 1  # + /athletes


# ----------------------------------------------------------------- athletes.json


def write_roster(directory: Path, athletes: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "athletes.json").write_text(json.dumps({"athletes": athletes}))


def test_roster_names_folders_privacy_and_an_athletes_own_key(server, tmp_path, coach_data):
    bram_key = coach_data.served["i500013"].api_key
    write_roster(
        tmp_path,
        {
            "i500012": {"folder": "anna", "share": "all", "week_start": "sun"},
            "i500013": {"folder": "bram", "intervals_key_secret": "BRAM_KEY"},
        },
    )
    outcomes, _ = coach_sync(
        server, tmp_path, "i500012,i500013", environ={"BRAM_KEY": bram_key}, key="not-the-key"
    )
    anna, bram = outcomes
    assert not anna.ok and "refused access" in (anna.reason or "")  # the coach key is wrong
    assert bram.ok  # its own key, named in athletes.json, read from the environment
    assert read(tmp_path / "athletes" / "bram" / "latest.json")["metadata"]["athlete_id"] == (
        "REDACTED"
    )

    outcomes, _ = coach_sync(server, tmp_path, "i500012,i500013")  # BRAM_KEY not set
    anna, bram = outcomes
    assert anna.ok and not bram.ok
    assert bram.reason == "the secret BRAM_KEY named in athletes.json is not set"
    latest = read(tmp_path / "athletes" / "anna" / "latest.json")
    assert latest["metadata"]["athlete_id"] == "i500012"  # anna shares everything
    assert latest["metadata"]["privacy"]["redacted"] == []
    rows = read(tmp_path / "athletes" / "index.json")["athletes"]
    assert [r["folder"] for r in rows] == ["bram", "anna"]  # the failed one first


@pytest.mark.parametrize(
    "athletes, message",
    [
        ({"i500012": {"intervals_key_secret": "sk-live-12345"}}, "must be the NAME of a secret"),
        ({"i500012": {"folder": "../escape"}}, "folder must be letters"),
        ({"i500012": {"folder": "x"}, "i500013": {"folder": "x"}}, "folder 'x' is given to two"),
        ({"i500012": {"colour": "red"}}, "unknown key 'colour'"),
        ({"bob": {}}, "is not an athlete id"),
        ({"i500012": []}, "must map to an object"),
    ],
)
def test_an_invalid_roster_is_one_clear_line(tmp_path, athletes, message):
    write_roster(tmp_path, athletes)
    code, out, err = run_cli(
        ["--athletes", "i500012", "--output-dir", str(tmp_path)],
        INTERVALS_KEY=COACH_KEY,
        INTERVALS_BASE_URL="http://127.0.0.1:9",
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "sk-live-12345" not in err


@pytest.mark.parametrize("value", ["", "i12,bob", ","])
def test_an_invalid_selection_is_refused(tmp_path, value):
    code, _, err = run_cli(
        ["--athletes", value, "--output-dir", str(tmp_path)] if value else ["--plan"],
        INTERVALS_KEY=COACH_KEY,
    )
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1


# ----------------------------------------------------------------- the index, pure


def latest(readiness: str | None, *severities: str) -> dict:
    return {
        "metadata": {"last_updated": "2026-11-23T09:30:00+01:00", "sync_status": {"athlete": "ok"}},
        "readiness_decision": {"recommendation": readiness} if readiness else None,
        "alerts": [{"metric": "acwr", "severity": s} for s in severities],
        "current_status": {"fitness": {"ctl": 50.0, "atl": 55.0, "tsb": -5.0}},
        "derived_metrics": {"acwr": 1.1},
        "race_calendar": {"next_race": None},
    }


def test_who_needs_attention_comes_first():
    ok = {"status": "ok", "reason": None}
    failed = {"status": "failed", "reason": "boom"}
    files = [
        AthleteFiles("a-fine", ok, latest("go", "info")),
        AthleteFiles("b-warned", ok, latest("go", "warning")),
        AthleteFiles("c-new", ok, None),
        AthleteFiles("d-modify", ok, latest("modify")),
        AthleteFiles("e-alarm", ok, latest("go", "alarm", "info")),
        AthleteFiles("f-skip", ok, latest("skip", "warning")),
        AthleteFiles("g-failed", failed, latest("go")),
        AthleteFiles("h-fine", ok, latest("go")),
    ]
    document = index_document(files, "2026-11-23T08:30:00+00:00")
    validate_documents({"index.json": document})
    order = [(r["folder"], r["attention"]) for r in document["athletes"]]
    assert order == [
        ("g-failed", "sync_failed"),
        ("f-skip", "skip"),
        ("e-alarm", "alarm"),
        ("d-modify", "modify"),
        ("b-warned", "warning"),
        ("c-new", "no_data"),
        ("a-fine", "ok"),
        ("h-fine", "ok"),
    ]
    assert document["failed_count"] == 1 and document["athletes"][0]["reason"] == "boom"


def test_a_new_sync_time_alone_is_not_a_data_change():
    files = [AthleteFiles("a", {"status": "ok", "reason": None}, latest("go"))]
    before = index_document(files, "2026-11-23T08:30:00+00:00")
    moved = json.loads(json.dumps(before))
    moved["athletes"][0]["last_successful_sync"] = "2026-11-23T10:30:00+01:00"
    moved["generated_at"] = "2026-11-23T09:30:00+00:00"
    changed = json.loads(json.dumps(before))
    changed["athletes"][0]["fitness"]["ctl"] = 51.0

    def fingerprint(doc) -> str:
        return data_fingerprint("athletes/index.json", json.dumps(doc).encode())

    assert fingerprint(moved) == fingerprint(before) != fingerprint(changed)


# ----------------------------------------------------------------- the workflow's steps by hand


def matrix_then_publish(server, tmp_path: Path, remote: Path, matrix, plan, env):
    """Each matrix job on a fresh runner (one athlete), its folder as an artifact
    copied into the publish checkout, then the publish step: (code, out, err)."""
    publish = tmp_path / "publish"
    for row in matrix["include"]:
        runner = tmp_path / f"runner-{row['folder']}"
        shutil.rmtree(runner, ignore_errors=True)
        git(tmp_path, "clone", "-q", str(remote), str(runner))
        cache = tmp_path / "stores" / row["folder"]  # the athlete's state store cache
        if cache.is_dir():
            shutil.copytree(cache, runner / ".section11", dirs_exist_ok=True)
        coach_sync(server, runner, row["athlete"])
        shutil.copytree(runner / ".section11", cache, dirs_exist_ok=True)
        artifact = runner / "athletes" / row["folder"]
        shutil.copytree(artifact, publish / "athletes" / row["folder"], dirs_exist_ok=True)
    return run_cli(["--commit", "--output-dir", str(publish)], ATHLETES=plan["athletes"], **env)


def test_the_workflow_steps_make_one_commit_for_every_athlete(server, tmp_path):
    """plan -> one sync per athlete on its own runner -> artifacts -> publish: one commit."""
    remote, publish = tmp_path / "remote.git", tmp_path / "publish"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(tmp_path, "clone", "-q", str(remote), str(publish))
    (publish / "README.md").write_text("# Coach data\n\n**Last successful sync:** never\n")
    write_roster(publish, {"i500012": {"folder": "anna"}})
    git(publish, "add", "-A")
    git(publish, "commit", "-q", "-m", "seed")
    git(publish, "push", "-q", "origin", "main")
    seed = git(remote, "rev-parse", "main")

    outputs = tmp_path / "github_output"
    env = {"INTERVALS_KEY": COACH_KEY, "INTERVALS_BASE_URL": server.base_url}
    code, out, err = run_cli(
        ["--plan", "--output-dir", str(publish)], ATHLETES="all", GITHUB_OUTPUT=str(outputs), **env
    )
    assert code == 0, err
    plan = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    matrix = json.loads(plan["matrix"])
    assert json.loads(out) == matrix
    assert [(r["athlete"], r["folder"]) for r in matrix["include"]] == [
        ("i500011", "i500011"),
        ("i500012", "anna"),
        ("i500013", "i500013"),
        (REVOKED[0], REVOKED[0]),
    ]
    assert plan["max_parallel"] == "4" and plan["count"] == "4"
    sparse = outputs.read_text().split("sparse<<")[1].splitlines()
    assert sparse[1:-1] == [
        ".github",
        "section11",
        "schemas",
        *(f"athletes/{r['folder']}/charts" for r in matrix["include"]),
    ]

    code, out, err = matrix_then_publish(server, tmp_path, remote, matrix, plan, env)
    assert code == 0, err
    assert git(remote, "rev-list", "--count", f"{seed}..main") == "1"
    tree = set(git(remote, "ls-tree", "-r", "--name-only", "main").splitlines())
    for folder in ("i500011", "anna", "i500013"):
        assert {f"athletes/{folder}/{name}" for name in (*FIVE, "sync_status.json")} <= tree
        assert any(p.startswith(f"athletes/{folder}/archive/") for p in tree)
    assert f"athletes/{REVOKED[0]}/sync_status.json" in tree
    assert not any(p.startswith(f"athletes/{REVOKED[0]}/archive") for p in tree)
    assert not any(".section11" in p for p in tree)
    index = json.loads(git(remote, "show", "main:athletes/index.json"))
    assert [r["folder"] for r in index["athletes"]][0] == REVOKED[0]
    assert index["athletes"][0]["reason"]
    assert "Last successful sync:** 2026-11-23" in git(remote, "show", "main:README.md")

    # the next run, nothing new: no commit
    code, out, err = matrix_then_publish(server, tmp_path, remote, matrix, plan, env)
    assert code == 0, err
    assert "nothing to commit" in out
    assert git(remote, "rev-list", "--count", f"{seed}..main") == "1"


# ----------------------------------------------------------------- the command line


def test_demo_coach_runs_offline_and_reports_the_revoked_athlete(tmp_path):
    code, out, err = run_cli(
        ["--demo", "--athletes", f"i500012,{REVOKED[0]}", "--output-dir", str(tmp_path)]
    )
    assert code == 0, err
    assert f"{REVOKED[0]}: failed" in err and "i500012: ok" in out
    index = read(tmp_path / "athletes" / "index.json")
    assert [(r["folder"], r["sync"]) for r in index["athletes"]] == [
        (REVOKED[0], "failed"),
        ("i500012", "ok"),
    ]
    assert COACH_KEY not in out + err


def test_a_failed_athlete_sets_the_exit_code_but_not_the_others(server, tmp_path):
    summary = tmp_path / "summary.md"
    code, out, err = run_cli(
        ["--athletes", f"{REVOKED[0]},i500012", "--output-dir", str(tmp_path / "d")],
        INTERVALS_KEY=COACH_KEY,
        INTERVALS_BASE_URL=server.base_url,
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert code == 4
    assert (tmp_path / "d" / "athletes" / "i500012" / "latest.json").is_file()
    text = summary.read_text()
    assert f"| `{REVOKED[0]}` | failed: Intervals.icu refused access" in text
    assert "| `i500012` | ok |" in text
    assert COACH_KEY not in out + err + text


def test_a_single_athlete_run_is_untouched_by_coach_mode(fake_api, tmp_path):
    code, _, err = run_cli(
        ["--output-dir", str(tmp_path)],
        ATHLETE_ID=fake_api.data.athlete_id,
        INTERVALS_KEY=fake_api.data.api_key,
        INTERVALS_BASE_URL=fake_api.base_url,
    )
    assert code == 0, err
    assert (tmp_path / "latest.json").is_file()
    assert not (tmp_path / "athletes").exists()


# ----------------------------------------------------------------- --init --coach and the workflow

ROOT = Path(__file__).resolve().parent.parent
COACH_WORKFLOW = ROOT / ".github" / "workflows" / "coach-sync.yml"


def test_init_coach_writes_a_starter_roster_and_the_coach_steps(tmp_path):
    from section11.publish.init import run_init
    from section11.publish.manifest import install_root

    out = io.StringIO()
    target = tmp_path / "coachrepo"
    assert (
        run_init(
            target, install_root(), source="https://example.invalid/m.json", out=out, coach=True
        )
        == 0
    )
    assert json.loads((target / "athletes.json").read_text()) == {"athletes": {}}
    assert (target / ".github" / "workflows" / "coach-sync.yml").read_bytes() == (
        COACH_WORKFLOW.read_bytes()
    )
    text = out.getvalue()
    assert "gh variable set SECTION11_COACH --body true" in text
    assert "gh workflow run coach-sync.yml" in text and "ATHLETE_ID" not in text
    assert "athletes.json" in git(target, "ls-files").splitlines()


def load_workflow(path: Path) -> dict:
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))
    return doc


def test_coach_workflow_plan_matrix_and_a_single_publisher():
    doc = load_workflow(COACH_WORKFLOW)
    jobs = doc["jobs"]
    assert list(jobs) == ["plan", "sync", "publish"]
    assert doc["permissions"] == {}
    assert jobs["plan"]["if"] == "vars.SECTION11_COACH == 'true'"
    assert jobs["plan"]["permissions"] == jobs["sync"]["permissions"] == {"contents": "read"}
    assert jobs["publish"]["permissions"] == {"contents": "write"}  # the only writer
    strategy = jobs["sync"]["strategy"]
    assert strategy["fail-fast"] is False
    assert strategy["max-parallel"] == "${{ fromJSON(needs.plan.outputs.max_parallel) }}"
    assert strategy["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    steps = {s["name"]: s for s in jobs["sync"]["steps"]}
    checkout = steps["Check out the data repository"]["with"]["sparse-checkout"].splitlines()
    assert checkout[-1] == "athletes/${{ matrix.folder }}/charts"  # its files, not its archive
    publish_checkout = jobs["publish"]["steps"][0]["with"]
    assert publish_checkout["sparse-checkout"] == "${{ needs.plan.outputs.sparse }}"
    restore = steps["Restore the athlete's state store"]["with"]
    assert "matrix.folder" in restore["key"] and restore["path"].endswith("${{ matrix.folder }}")
    sync = steps["Sync the athlete"]
    assert sync["run"] == "python sync.py --output-dir ."
    assert sync["env"]["ATHLETES"] == "${{ matrix.athlete }}"
    assert sync["env"]["SECTION11_PARALLEL_JOBS"] == "${{ needs.plan.outputs.max_parallel }}"
    upload = steps["Upload the athlete's files"]
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == "athletes/${{ matrix.folder }}/"
    publish = jobs["publish"]
    assert publish["needs"] == ["plan", "sync"] and publish["if"].startswith("always()")
    commit = publish["steps"][-1]
    assert commit["run"] == "python sync.py --commit --output-dir ."
    assert commit["env"]["ATHLETES"] == "${{ needs.plan.outputs.athletes }}"
    plan = jobs["plan"]["steps"][-1]
    assert plan["run"] == "python sync.py --plan --output-dir ."
    # the plan's outputs are the ones --plan writes
    assert set(jobs["plan"]["outputs"]) == {"matrix", "athletes", "count", "max_parallel", "sparse"}
    # the single-athlete workflow stands still in a coach repository
    auto = load_workflow(ROOT / ".github" / "workflows" / "auto-sync.yml")
    assert auto["jobs"]["sync"]["if"] == "vars.SECTION11_COACH != 'true'"


def test_every_matrix_value_the_workflow_reads_is_planned():
    import re

    from section11.coach.roster import AthleteEntry
    from section11.coach.run import matrix_row

    used = set(re.findall(r"matrix\.(\w+)", COACH_WORKFLOW.read_text()))
    assert used <= set(matrix_row(AthleteEntry("i1", "i1")))
    assert {"intervals_key_secret", "tp_auth_cookie_secret"} <= used


def test_the_matrix_jobs_stand_in_for_a_named_secret_only_for_one_athlete(
    server, tmp_path, coach_data
):
    bram_key = coach_data.served["i500013"].api_key
    write_roster(tmp_path, {"i500013": {"intervals_key_secret": "BRAM_KEY"}})
    stand_in = {"ATHLETE_INTERVALS_KEY": bram_key}
    [bram], _ = coach_sync(server, tmp_path, "i500013", environ=stand_in, key="wrong")
    assert bram.ok
    _, bram = coach_sync(server, tmp_path, "i500012,i500013", environ=stand_in)[0]
    assert not bram.ok and "BRAM_KEY" in (bram.reason or "")


def test_coach_without_init_is_refused(tmp_path):
    code, _, err = run_cli(["--coach", "--output-dir", str(tmp_path)])
    assert code == 2 and "--coach goes with --init" in err
