"""The real Intervals.icu client for syncs run in the test process: no real sleeps
between retries and no pacing; the retry logic, the attempt count and the
connect timeout are the real ones (a shorter connect timeout could expire on a
loaded machine whose server thread had not yet accepted: a timing dependence,
not a fault)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from section11 import pipeline
from section11.sources.http import DEFAULT_TIMEOUT
from section11.sources.intervals import IntervalsClient, validate_athlete_id


def fast_client_factory(read_timeout: float) -> Callable[..., IntervalsClient]:
    """A `pipeline.make_client` that builds such a client."""

    def make_client(settings):
        return IntervalsClient(
            validate_athlete_id(settings.athlete_id),
            settings.intervals_key,
            base_url=settings.base_url,
            sleep=lambda s: None,
            timeout=(DEFAULT_TIMEOUT[0], read_timeout),
            rate=500,
            burst=50,
        )

    return make_client


def use_fast_client(monkeypatch: pytest.MonkeyPatch, read_timeout: float = 5.0) -> None:
    """Make `pipeline.sync` build such a client for the rest of the test."""
    monkeypatch.setattr(pipeline, "make_client", fast_client_factory(read_timeout))
