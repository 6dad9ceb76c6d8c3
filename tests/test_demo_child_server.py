"""The demo's fake Intervals.icu server in a forked child process: it serves
over real HTTP, reports its request log, and is gone after the run, whether
the run ends normally, with an error, by Ctrl-C, or by the parent's death."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from section11 import cli
from section11.demo import child_server, runner
from section11.demo.child_server import ChildIntervals
from section11.demo.dataset import DemoData
from section11.demo.server import FakeIntervals

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods() or not Path("/proc/self/stat").exists(),
    reason="the child server needs fork; these tests read process states from /proc (Linux)",
)

ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1"
KEY = "child-key-4Zq"
NOW = "2026-11-20T12:00:00+00:00"


def small_data() -> DemoData:
    return DemoData(
        athlete_id="i77",
        api_key=KEY,
        athlete={"id": "i77", "timezone": "UTC"},
        activities=[],
        wellness=[],
        events=[],
    )


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_gone(pid: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not running(pid)


def get_athlete(server: ChildIntervals, athlete_id: str, key: str) -> requests.Response:
    return requests.get(f"{server.base_url}{API}/athlete/{athlete_id}", auth=("API_KEY", key))


def test_child_serves_over_http_and_reports_its_request_log(demo_data):
    with ChildIntervals(lambda: demo_data) as server:
        pid = server.pid
        assert pid is not None and pid != os.getpid() and running(pid)
        reply = get_athlete(server, demo_data.athlete_id, demo_data.api_key)
        assert reply.status_code == 200 and reply.json()["id"] == demo_data.athlete_id
        denied = get_athlete(server, demo_data.athlete_id, "wrong").status_code
        assert denied in (401, 403)
        log = server.requests
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", f"{API}/athlete/{demo_data.athlete_id}", 200),
        ("GET", f"{API}/athlete/{demo_data.athlete_id}", denied),
    ]
    assert not running(pid)


def test_child_builds_the_data_itself():
    seen: list[int] = []

    def make_data() -> DemoData:
        seen.append(os.getpid())  # a list of the child's memory: the parent's stays empty
        return small_data()

    with ChildIntervals(make_data) as server:
        assert get_athlete(server, "i77", KEY).json()["id"] == "i77"
    assert seen == []


def test_child_is_gone_after_an_error_in_the_run():
    server = ChildIntervals(small_data)
    with pytest.raises(ZeroDivisionError):
        with server:
            assert server.pid is not None and running(server.pid)
            pid = server.pid
            _ = 1 / 0
    assert server.pid is None and not running(pid)


def test_a_killed_child_is_reported_and_cleaned_up():
    server = ChildIntervals(small_data)
    with server:
        pid = server.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match="server process has stopped"):
            _ = server.requests
    assert not running(pid)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.requests


SCRIPT = """
import os, signal, sys, time
sys.path.insert(0, sys.argv[1])
from section11.demo.child_server import ChildIntervals
from section11.demo.dataset import DemoData

signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, whatever we inherit
data = DemoData("i77", "k", {"id": "i77"}, [], [], [])
with ChildIntervals(lambda: data) as server:
    print(server.pid, flush=True)
    if sys.argv[2] == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)
"""


def start_script(mode: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(ROOT), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def test_ctrl_c_stops_the_child_without_a_traceback_from_it():
    proc, child = start_script("wait")
    try:
        assert running(child)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert "KeyboardInterrupt" in err  # the parent's, from its sleep
    assert "Process fake-intervals" not in err  # multiprocessing's header of a child's traceback
    assert wait_until_gone(child)


def test_child_exits_when_its_parent_dies():
    proc, child = start_script("die")
    try:
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        proc.kill()
    assert wait_until_gone(child)  # the pipe broke: the orphan stops serving


# ----------------------------------------------------------------- the demo run


def demo_run(tmp_path: Path, monkeypatch, capsys, sources: str, fork: bool) -> tuple[str, dict]:
    """(stdout, latest.json) of `sync.py --demo --demo-sources SOURCES` with the
    Intervals.icu fake forked or in process (checked); the clock is fixed, so
    two runs write the same documents, timestamps included."""
    served: list[type] = []

    def serve(make_data):
        server = child_server.serve_demo_intervals(make_data)
        served.append(type(server))
        return server

    monkeypatch.setattr(child_server, "can_fork", lambda: fork)
    monkeypatch.setattr(runner, "serve_demo_intervals", serve)
    out = tmp_path / f"{sources}-{fork}"
    env = {"SECTION11_NOW": NOW, "HOME": str(tmp_path / "home")}
    argv = ["--demo", "--demo-sources", sources, "--output-dir", str(out)]
    assert cli.main(argv, environ=env) == 0
    assert served == [ChildIntervals if fork else FakeIntervals]
    return capsys.readouterr().out, json.loads((out / "latest.json").read_text())


def request_count(stdout: str) -> int:
    [line] = [line for line in stdout.splitlines() if line.endswith(" API requests.")]
    return int(line.split()[0])


@pytest.mark.parametrize("sources", ["intervals", "both"])
def test_demo_in_a_child_reports_the_same_requests_and_files_as_in_process(
    tmp_path, monkeypatch, capsys, sources
):
    forked_out, forked = demo_run(tmp_path, monkeypatch, capsys, sources, fork=True)
    local_out, local = demo_run(tmp_path, monkeypatch, capsys, sources, fork=False)
    assert request_count(forked_out) == request_count(local_out) > 10
    assert forked == local  # with "both", the TrainingPeaks footers reached the child's copy
    assert multiprocessing.active_children() == []
