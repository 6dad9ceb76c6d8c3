"""Shared fixtures: the demo athlete and a fake Intervals.icu server serving it.

`demo_data` is built once per session for a fixed "today" (DEMO_TODAY);
`fake_api` starts a fresh server per test on a private copy of it (the record
lists and each top-level record dict are copied, so a test may append, remove
or replace records, or set top-level keys, without touching other tests).
Tests that need another "today" build their own DemoData and FakeIntervals.
"""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import settings

from section11.demo.dataset import DemoData, build_demo
from section11.demo.server import FakeIntervals

DEMO_TODAY = date(2026, 11, 23)

# Hypothesis fails an example that takes over 200 ms by default: a timed
# assertion, failing under load. No deadline for any property test (speed is
# measured in bench/).
settings.register_profile("section11", deadline=None)
settings.load_profile("section11")


@pytest.fixture(scope="session")
def demo_today() -> date:
    return DEMO_TODAY


@pytest.fixture(scope="session")
def demo_data() -> DemoData:
    return build_demo(DEMO_TODAY)


def private_copy(data: DemoData) -> DemoData:
    """A DemoData whose record lists (and their top-level dicts) are its own."""
    clone = copy.copy(data)
    clone.athlete = dict(data.athlete)
    clone.activities = [dict(a) for a in data.activities]
    clone.wellness = [dict(w) for w in data.wellness]
    clone.events = [dict(e) for e in data.events]
    clone.attachments = dict(data.attachments)
    return clone


@pytest.fixture
def fake_api(demo_data: DemoData):
    server = FakeIntervals(private_copy(demo_data), today=DEMO_TODAY)
    server.latency = 0.0
    server.clear_faults()
    server.reset_log()
    with server:
        yield server


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections for the whole test: bound, never
    listening, so no server (of another test worker) can take it meanwhile, as it
    could a port merely closed again."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
