"""The demo's fake Intervals.icu API served from a child process.

`sync.py --demo` runs the real sync against the fake server on loopback. Both
sides are CPU-bound (the server generates 1 Hz samples, the sync parses and
computes): as threads of one process the GIL serializes them. Here, as a real
remote server would, the fake runs in a forked child on the other core. The
parent binds the listening socket first, so the URL is known at once and the
sync's first requests wait in the backlog while the child builds the athlete.
The parent reads the child's request log over a pipe. The child stops when
told, when the pipe breaks (the parent died), or is terminated on the way out.

Where fork is unavailable or unsafe (Windows; macOS, whose system libraries
may run threads a fork does not copy; a process already running threads),
`serve_demo_intervals` falls back to FakeIntervals in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import socket
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from .dataset import DemoData
from .server import FakeIntervals, RequestRecord

HOST = "127.0.0.1"
BACKLOG = 64  # the sync's first connections wait here until the child accepts
STOP_TIMEOUT = 5.0  # seconds the child gets to exit when told, before SIGTERM/SIGKILL
REQUESTS, STOP = "requests", "stop"
SIGNALS = {signal.SIGINT, signal.SIGTERM}


def can_fork() -> bool:
    """Linux, and this process runs no other thread (a fork copies only the
    calling thread: a lock another thread held stays locked in the child)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def serve_demo_intervals(make_data: Callable[[], DemoData]) -> ChildIntervals | FakeIntervals:
    """A not yet started fake Intervals.icu server for the demo: in a child
    process (which calls `make_data`) where it can fork, else in this one."""
    return ChildIntervals(make_data) if can_fork() else FakeIntervals(make_data())


class ChildIntervals:
    """FakeIntervals(make_data()) served by a forked child; a context manager.
    `base_url` and `requests` as on FakeIntervals (the test controls are not
    available: tests use FakeIntervals in process)."""

    def __init__(self, make_data: Callable[[], DemoData]):
        self.make_data = make_data
        self.base_url = ""
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> str:
        if self._process is not None:
            return self.base_url
        context = multiprocessing.get_context("fork")
        listener = socket.create_server((HOST, 0), backlog=BACKLOG)
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(self.make_data, listener, theirs, ours),
            name="fake-intervals",
            daemon=True,
        )
        # A Ctrl-C or SIGTERM arriving before the child has its own handlers
        # would run the parent's in it: both are blocked around the fork; the
        # child unblocks them once its handlers are set, the parent right after.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            process.start()
            self._process, self._conn = process, ours
            self.base_url = f"http://{HOST}:{listener.getsockname()[1]}"
        finally:  # the child holds its own copies
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            listener.close()
            theirs.close()
        return self.base_url

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the child's request log, oldest first."""
        if self._conn is None:
            raise RuntimeError("the fake Intervals.icu server is not running")
        try:
            self._conn.send(REQUESTS)
            return self._conn.recv()
        except (OSError, EOFError) as exc:
            raise RuntimeError("the fake Intervals.icu server process has stopped") from exc

    def stop(self) -> None:
        """Ask the child to exit; terminate it if it does not. Idempotent."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None or conn is None:
            return
        try:
            conn.send(STOP)
        except OSError:  # the child is gone already
            pass
        process.join(STOP_TIMEOUT)
        if process.is_alive():
            process.terminate()
            process.join(STOP_TIMEOUT)
        if process.is_alive():
            process.kill()
            process.join()
        conn.close()

    def __enter__(self) -> ChildIntervals:
        try:
            self.start()
        except BaseException:  # e.g. Ctrl-C, held back during the fork, arriving now
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve(
    make_data: Callable[[], DemoData],
    listener: socket.socket,
    conn: Connection,
    parents_end: Connection,
) -> None:
    """The child: serve `make_data()` on `listener`, answer `conn` until told
    to stop or the parent is gone. Ctrl-C reaches the whole process group: the
    parent handles it and stops the child. SIGTERM ends the child at once (not
    the parent's handler it inherited). The process exit closes the port."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
    parents_end.close()  # else the pipe would never break when the parent dies
    data = make_data()
    gc.freeze()  # the athlete lives as long as the child: skipped by the collector's full passes
    server = FakeIntervals(data, listener=listener)
    server.start()
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message != REQUESTS:
            return
        conn.send(server.requests)
