"""The real Intervals.icu client for in-process syncs in tests: no real sleeps
between retries and no pacing, attempts as in production."""

from __future__ import annotations

import pytest

from section11 import pipeline
from section11.sources.intervals import IntervalsClient, validate_athlete_id


def use_fast_client(monkeypatch: pytest.MonkeyPatch, read_timeout: float = 5.0) -> None:
    """Make `pipeline.sync` build such a client (connect timeout 2 s)."""

    def make_client(settings):
        return IntervalsClient(
            validate_athlete_id(settings.athlete_id),
            settings.intervals_key,
            base_url=settings.base_url,
            sleep=lambda s: None,
            timeout=(2, read_timeout),
            rate=500,
            burst=50,
        )

    monkeypatch.setattr(pipeline, "make_client", make_client)
