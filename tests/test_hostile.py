"""Hostile servers: every run ends by itself, in bounded time and memory, with a
documented exit code, previous outputs untouched, and no secret anywhere.

Each sync runs as a child process (`python -c "...cli.main..."`) against a
misbehaving server on 127.0.0.1 (tests/hostile_server.py); the memory rows run
it under `resource.setrlimit(RLIMIT_DATA)` at 200 MB (the memory a process
writes; its address space counts 64 MB reserved per thread by the allocator).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile_server import HostileServer, drip, endless, gzip_bomb, huge

ROOT = Path(__file__).resolve().parent.parent
KEY = "hostileKEY5f3a9c2e71d04b8"
MEMORY_LIMIT = 200 * 1024 * 1024
HANG_GUARD = 60  # seconds: a run still alive by then is a hang (the test fails)


def sync_env(home: Path, base_url: str, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "INTERVALS_BASE_URL": base_url,
        "ATHLETE_ID": "i4242",
        "INTERVALS_KEY": KEY,
        "SECTION11_UPDATE_CHECK": "off",
    }
    env.update(extra)
    return env


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_sync(
    tmp_path: Path, base_url: str, *, memory_limit: bool = False, **extra: str
) -> subprocess.CompletedProcess:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from section11.cli import main; sys.exit(main(sys.argv[1:]))",
            "--output-dir",
            str(out),
        ],
        cwd=tmp_path,
        env=sync_env(tmp_path, base_url, **extra),
        capture_output=True,
        timeout=HANG_GUARD,
        preexec_fn=_limit_memory if memory_limit else None,
        check=False,
    )


def previous_outputs(tmp_path: Path) -> dict[Path, bytes]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    files = {out / "latest.json": b'{"previous": true}\n', out / "history.json": b"{}\n"}
    for path, data in files.items():
        path.write_bytes(data)
    return files


def assert_one_line_no_secret(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    everything = err + proc.stdout.decode("utf-8", "replace")
    assert not any(KEY[i : i + 5] in everything for i in range(len(KEY) - 4))
    return lines[0]


# ----------------------------------------------------------------- deadlines


def test_slow_drip_ends_at_the_request_deadline_with_exit_5(tmp_path):
    files = previous_outputs(tmp_path)
    with HostileServer([(r".", drip(interval=0.3))]) as server:
        proc = run_sync(tmp_path, server.url, SECTION11_REQUEST_DEADLINE="1.5")
    assert proc.returncode == 5, proc.stderr
    line = assert_one_line_no_secret(proc)
    assert f"127.0.0.1:{server.port} was too slow" in line
    assert "within 1.5 s" in line
    assert all(path.read_bytes() == data for path, data in files.items())


def test_slow_drip_ends_at_the_run_deadline_with_exit_5(tmp_path):
    files = previous_outputs(tmp_path)
    with HostileServer([(r".", drip(interval=0.3))]) as server:
        proc = run_sync(
            tmp_path,
            server.url,
            SECTION11_REQUEST_DEADLINE="600",
            SECTION11_RUN_DEADLINE="1.5",
        )
    assert proc.returncode == 5, proc.stderr
    line = assert_one_line_no_secret(proc)
    assert "run deadline of 1.5 s" in line
    assert f"127.0.0.1:{server.port}" in line
    assert all(path.read_bytes() == data for path, data in files.items())


def test_header_drip_is_cut_at_the_deadline_too(tmp_path):
    def slow_headers(h):
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        h.wfile.flush()
        import time

        while True:
            time.sleep(0.3)
            h.wfile.write(b"X-Slow: 1\r\n")
            h.wfile.flush()

    with HostileServer([(r".", slow_headers)]) as server:
        proc = run_sync(tmp_path, server.url, SECTION11_REQUEST_DEADLINE="1.5")
    assert proc.returncode == 5, proc.stderr
    assert "was too slow" in assert_one_line_no_secret(proc)


# ----------------------------------------------------------------- memory


@pytest.mark.parametrize(
    "route", [endless(), gzip_bomb(), huge()], ids=["endless", "gzip-bomb", "1GB"]
)
def test_oversized_bodies_end_with_exit_5_under_200_mb(tmp_path, route):
    files = previous_outputs(tmp_path)
    with HostileServer([(r".", route)]) as server:
        proc = run_sync(tmp_path, server.url, memory_limit=True)
    assert proc.returncode == 5, proc.stderr
    line = assert_one_line_no_secret(proc)
    assert "larger than" in line and "MemoryError" not in line
    assert all(path.read_bytes() == data for path, data in files.items())


def test_the_memory_limit_is_real(tmp_path):
    """The 200 MB limit of the rows above does stop a process that reads 1 GB."""
    proc = subprocess.run(
        [sys.executable, "-c", "b = bytearray(1 << 30)"],
        capture_output=True,
        preexec_fn=_limit_memory,
        timeout=HANG_GUARD,
        check=False,
    )
    assert proc.returncode != 0 and b"MemoryError" in proc.stderr


# ----------------------------------------------------------------- sync.log


def big_log(path: Path, marker: bool = False) -> bytes:
    from section11.synclog import LOG_MARKER

    data = b"".join(b"my own line %06d %s\n" % (i, b"y" * 80) for i in range(12000))
    if marker:
        data += f"{LOG_MARKER} run at 2026-11-23 07:00:00 UTC\n".encode()
    path.write_bytes(data)
    return data


def run_with_stdout_to(tmp_path: Path, log: Path, base_url: str) -> subprocess.CompletedProcess:
    with open(log, "ab") as handle:
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from section11.cli import main; sys.exit(main(sys.argv[1:]))",
                "--output-dir",
                str(tmp_path / "out"),
            ],
            cwd=tmp_path,
            env=sync_env(tmp_path, base_url, INTERVALS_KEY=""),  # exit 3, quickly
            stdout=handle,
            stderr=subprocess.STDOUT,
            timeout=HANG_GUARD,
            check=False,
        )


def test_a_users_unrelated_sync_log_is_never_cut(tmp_path):
    from section11.synclog import rotate_log

    log = tmp_path / "sync.log"
    data = big_log(log)
    assert rotate_log(log) is False
    proc = run_with_stdout_to(tmp_path, tmp_path / "other.log", "http://127.0.0.1:9")
    assert proc.returncode == 3
    assert log.read_bytes() == data


def test_a_symlinked_sync_log_is_never_cut_through(tmp_path):
    from section11.synclog import rotate_log

    target = tmp_path / "elsewhere.txt"
    data = big_log(target, marker=True)
    (tmp_path / "sync.log").symlink_to(target)
    assert rotate_log(tmp_path / "sync.log") is False
    assert target.read_bytes() == data


def test_the_programs_own_log_is_marked_then_rotated(tmp_path):
    log = tmp_path / "sync.log"
    big_log(log)  # 1 MB of the user's cron output, not yet marked
    run_with_stdout_to(tmp_path, log, "http://127.0.0.1:9")
    from section11.synclog import LOG_MARKER

    assert LOG_MARKER.encode() in log.read_bytes()  # this run wrote into it: now it is ours
    run_with_stdout_to(tmp_path, log, "http://127.0.0.1:9")
    lines = log.read_bytes().splitlines()
    assert len(lines) <= 210 and lines[-1].startswith(b"error: ")
