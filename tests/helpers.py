"""Small helpers shared by the tests."""

from __future__ import annotations

import os
from pathlib import Path


def walk(value):
    """Every leaf of a nested dict/list/tuple."""
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from walk(v)
    else:
        yield value


def walk_numbers(node, path="$"):
    """Yield (path, value) for every number in a nested dict/list."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk_numbers(value, f"{path}.{key}")
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from walk_numbers(value, f"{path}[{i}]")
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path, node


def run_cli(args, env, capsys, cwd: Path):
    """`sync.py ARGS` in-process, in `cwd`, with exactly `env`: (code, stdout, stderr)."""
    from section11 import cli

    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = cli.main(args, environ=env)
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_finite(value) -> None:
    """No float anywhere in a nested dict/list is NaN or infinite."""
    import math

    for leaf in walk(value):
        if isinstance(leaf, float):
            assert math.isfinite(leaf)


class ServerClock:
    """The fake server's `time` module with a monotonic clock that moves only when
    a test sleeps on it (its rate-limit bucket then refills deterministically)."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    @staticmethod
    def perf_counter() -> float:  # request durations stay real
        import time

        return time.perf_counter()


def freeze_server_clock(monkeypatch) -> ServerClock:
    """Give section11.demo.server a ServerClock for the rest of the test."""
    from section11.demo import server

    clock = ServerClock()
    monkeypatch.setattr(server, "time", clock)
    return clock
