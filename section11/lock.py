"""`--lockfile`: one sync at a time per output directory (docs/architecture.md#local-operations).

Fixes of the reference's lock:
- the file is created with O_CREAT|O_EXCL, so two runs can never both create
  it (the reference checked, then wrote: a TOCTOU race);
- a held lock makes the run fail with `LockHeld` (exit 6) instead of exit 0;
- age alone never makes a lock stale while its process lives (the 10-minute
  rule let a slow run and the next timer run write at the same time).

A lock is stale when its pid is not running, runs another process than the
one that took the lock (the lock records the process start time and the boot
id where the system shows them: a pid reused after a crash or a reboot no
longer looks live for ever), is our own pid (left by an
earlier run that had the same pid, common in containers), or its content is
unreadable and it is older than a short grace period (a fresh lock may be
caught between its creation and its write). Breaking a stale lock is
serialised through a `<lock>.break` file so two runs that both saw it stale
cannot both take over.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .errors import LockHeld, OutputFailed

LOCK_NAME = ".sync.lock"
UNREADABLE_GRACE_SECONDS = 2.0  # a lock younger than this may still be mid-write
BREAKER_STALE_SECONDS = 10.0  # a .break file older than this is a crash leftover
ACQUIRE_PATIENCE_SECONDS = 5.0  # how long to keep retrying while others take over
POLL_SECONDS = 0.05
BOOT_ID = "/proc/sys/kernel/random/boot_id"  # Linux: changes at every boot

Warn = Callable[[str], None]


def _stderr_warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


# ----------------------------------------------------------------- liveness


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (or we cannot tell)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return True  # unknown: be conservative
    return True


def _pid_alive_windows(pid: int) -> bool:  # pragma: no cover - exercised on Windows only
    # os.kill(pid, 0) would terminate the process on Windows; ask the kernel.
    import ctypes  # here on purpose: only this Windows-only path needs it

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # type: ignore[attr-defined,unused-ignore]  # ERROR_ACCESS_DENIED
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def process_identity(pid: int) -> str | None:
    """What tells this process apart from a later one that reuses its pid: the
    boot id and the process start time in clock ticks (Linux /proc); None where
    that cannot be read (then the pid alone decides)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        start = stat[stat.rindex(")") + 2 :].split()[19]  # field 22, starttime
        boot = Path(BOOT_ID).read_text(encoding="ascii").strip()
    except (OSError, ValueError, IndexError):
        return None
    return f"{boot}:{start}"


def holder_alive(pid: int, identity: str | None) -> bool:
    """True when the lock's process still runs: its pid is alive and, when the
    lock recorded the process identity, that pid is still the same process
    (not a reused pid, nor a pid from before a reboot)."""
    if not pid_alive(pid):
        return False
    if identity is None:
        return True
    current = process_identity(pid)
    return current is None or current == identity


# ----------------------------------------------------------------- file content


def _lock_bytes(pid: int) -> bytes:
    started = datetime.now(UTC).isoformat(timespec="microseconds")
    data = {"pid": pid, "started": started, "process": process_identity(pid)}
    return (json.dumps(data) + "\n").encode("utf-8")


def _read(path: Path) -> bytes | None:
    """Raw content, or None when the file is gone."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return b""  # exists but unreadable


def _holder_of(raw: bytes) -> tuple[int, str | None] | None:
    """(pid, process identity or None) recorded in a lock, or None when the
    content is unreadable."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    pid = data.get("pid") if isinstance(data, dict) else None
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return None
    identity = data.get("process")
    return pid, identity if isinstance(identity, str) else None


def _age_seconds(path: Path) -> float | None:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return None


# ----------------------------------------------------------------- lock object


class Lock:
    """A held lock. Use as a context manager or call release()."""

    def __init__(self, path: Path, content: bytes, pid: int):
        self.path = path
        self.pid = pid
        self._content = content
        self._released = False

    @property
    def held(self) -> bool:
        return not self._released

    def release(self) -> None:
        """Remove the lock file, but only if it is still ours (idempotent)."""
        if self._released:
            return
        self._released = True
        if os.getpid() != self.pid:  # a forked child must not drop its parent's lock
            return
        if _read(self.path) == self._content:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    def __enter__(self) -> Lock:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"Lock({str(self.path)!r}, pid={self.pid}, held={self.held})"


def _create(path: Path, pid: int) -> Lock | None:
    """Create the lock file exclusively; None if it already exists."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return None
    except OSError as exc:
        raise OutputFailed(f"cannot create lock file {path}: {exc.strerror or exc}") from None
    content = _lock_bytes(pid)
    try:
        try:
            os.write(fd, content)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        try:
            path.unlink()
        except OSError:
            pass
        raise OutputFailed(f"cannot write lock file {path}: {exc.strerror or exc}") from None
    return Lock(path, content, pid)


def _break_stale(path: Path, stale: bytes) -> bool:
    """Remove `path` if it still holds exactly `stale`. Serialised by a .break file."""
    breaker = path.with_name(path.name + ".break")
    try:
        fd = os.open(breaker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        age = _age_seconds(breaker)
        if age is not None and age > BREAKER_STALE_SECONDS:
            try:
                breaker.unlink()
            except OSError:
                pass
        return False
    except OSError as exc:
        raise OutputFailed(f"cannot create {breaker}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        if _read(path) != stale:
            return False  # someone else already replaced it
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True
    finally:
        try:
            breaker.unlink()
        except OSError:
            pass


def acquire(path: Path | str, *, warn: Warn | None = None) -> Lock:
    """Take the lock at `path` (docs/architecture.md#local-operations, fixed per weakness 9 (docs/architecture.md#reference-weaknesses)).

    Raises LockHeld when a live process holds it, OutputFailed when the lock
    file cannot be created. A stale lock is taken over with a warning.
    """
    path = Path(path)
    warn = warn or _stderr_warn
    me = os.getpid()
    give_up = time.monotonic() + ACQUIRE_PATIENCE_SECONDS
    while True:
        lock = _create(path, me)
        if lock is not None:
            return lock
        raw = _read(path)
        if raw is not None:
            holder = _holder_of(raw)
            pid, identity = holder if holder is not None else (None, None)
            reason = None
            if pid is None:
                age = _age_seconds(path)
                if age is None or abs(age) >= UNREADABLE_GRACE_SECONDS:
                    reason = "its content is unreadable"
            elif pid == me:
                reason = f"it was left by an earlier run with our pid {pid}"
            elif holder_alive(pid, identity):
                raise LockHeld(f"another sync is running (pid {pid}); remove {path} if it is not")
            elif pid_alive(pid):
                reason = f"pid {pid} now belongs to another process"
            else:
                reason = f"pid {pid} is not running"
            if reason and _break_stale(path, raw):
                warn(f"took over stale lock {path} ({reason})")
                continue
        if time.monotonic() > give_up:
            raise LockHeld(
                f"could not take the lock {path}: another process keeps changing it; "
                f"remove {path} if no other sync is running"
            )
        time.sleep(POLL_SECONDS)
