"""One sync in a child process, for the "hostile server" and "local state"
sections of the fault table (tests/kit/hostile_faults.py, local_faults.py).

A child process is what those rows need: its memory can be capped
(`resource.setrlimit`), it can get SIGTERM or SIGINT at a chosen moment, it
can run subject to file permissions even when the tests run as root (setpriv
drops the capabilities that bypass them), and a hang is caught by a guard
timeout instead of stalling the suite.

`check_intact` is the verdict every row shares: a documented exit code other
than 1, previous outputs untouched or replaced by whole files, no secret in
the output, the log or any file of the folder.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .faults import STATE_DIR, snapshot, strict_json

ROOT = Path(__file__).resolve().parents[2]
# bytes of data (private writable memory: heap, mmap'd buffers, thread stacks) of a
# hostile-server run. Not RLIMIT_AS: glibc reserves 64 MB of address space per
# thread's malloc arena, untouched memory that a run of a few threads passes alone.
MEMORY_LIMIT = 200 * 1024 * 1024
HANG_GUARD = 120.0  # seconds: a child still running by then is a hang
DOCUMENTED = {0, 2, 3, 4, 5, 6, 7, 8, 130, 143}  # README "Exit codes"; never 1
PRIVILEGE_CAPS = "-dac_override,-dac_read_search,-fowner"
SYNC = "import sys; from section11.cli import main; sys.exit(main(sys.argv[1:]))"


@dataclass
class ChildResult:
    code: int
    stdout: str
    stderr: str
    seconds: float


def _child_setup(memory_limit: bool) -> Callable[[], None]:
    def setup() -> None:
        # SIGINT is ignored in background jobs of a non-interactive shell; the
        # rows that send it need Python's default handler
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT, MEMORY_LIMIT))

    return setup


def unprivileged(command: list[str]) -> list[str]:
    """`command` subject to file permissions even as root (setpriv drops the
    capabilities that bypass them); unchanged for other users."""
    if os.geteuid() == 0 and shutil.which("setpriv"):
        return ["setpriv", f"--bounding-set={PRIVILEGE_CAPS}", *command]
    return command


def start_sync(
    directory: Path,
    env: Mapping[str, str],
    *,
    memory_limit: bool = False,
    as_user: bool = False,
    args: tuple[str, ...] = (),
) -> subprocess.Popen:
    command = [sys.executable, "-c", SYNC, "--output-dir", str(directory), *args]
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "SECTION11_UPDATE_CHECK": "off",
        **env,
    }
    return subprocess.Popen(
        unprivileged(command) if as_user else command,
        cwd=directory,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_child_setup(memory_limit),
    )


def finish(proc: subprocess.Popen, started: float) -> ChildResult:
    try:
        out, err = proc.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return ChildResult(-9, out.decode(errors="replace"), "hang: " + err.decode(), HANG_GUARD)
    return ChildResult(
        proc.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        time.perf_counter() - started,
    )


def run_child_sync(directory: Path, env: Mapping[str, str], **options) -> ChildResult:
    started = time.perf_counter()
    return finish(start_sync(directory, env, **options), started)


# ----------------------------------------------------------------- the verdict


def _secret_problems(secret: str, result: ChildResult, directory: Path) -> list[str]:
    pieces = [secret[i : i + 6] for i in range(len(secret) - 5)]
    problems = []
    if any(p in result.stdout or p in result.stderr for p in pieces):
        problems.append("a piece of the API key reached the output")
    for path in directory.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(p.encode() in data for p in pieces):
                problems.append(f"a piece of the API key is in {path.relative_to(directory)}")
    return problems


def _whole(name: str, data: bytes) -> bool:
    if name.endswith(".json"):
        try:
            strict_json(data)
        except ValueError:
            return False
        return True
    return data.rstrip().endswith((b"</svg>", b"</html>"))


def check_intact(
    result: ChildResult,
    before: Mapping[str, bytes],
    directory: Path,
    secret: str,
    expected: set[int],
) -> list[str]:
    """What is wrong with a finished row (empty: intact)."""
    problems = []
    if result.code == -9:
        problems.append("the run did not end by itself (hang)")
    elif result.code not in DOCUMENTED:
        problems.append(f"exit {result.code} is not a documented exit code")
    if result.code not in expected:
        problems.append(f"exit {result.code}, expected {sorted(expected)}")
    if result.code not in (0, -9):
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        if not lines or not lines[-1].startswith("error: "):
            problems.append("no one-line error message")
    after = snapshot(directory)
    for name in sorted(set(before) | set(after)):
        if name.startswith(STATE_DIR) or name == "sync.log":
            continue
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if new is None:
            problems.append(f"{name} was removed")
        elif not _whole(name, new):
            problems.append(f"{name} is not a whole file")
    problems += _secret_problems(secret, result, directory)
    return problems
