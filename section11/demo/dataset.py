"""Deterministic synthetic demo athlete (interface; filled in by the demo-data work).

`build_demo(today)` returns a DemoData whose raw records look like the real
Intervals.icu API (spec/intervals_api.md §7). The fake server serves it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class DemoData:
    athlete_id: str
    api_key: str
    athlete: dict[str, Any]  # raw athlete object, secrets included
    activities: list[dict[str, Any]]  # every activity incl. Strava stubs
    wellness: list[dict[str, Any]]  # one row per day, ascending
    events: list[dict[str, Any]]  # attachment urls are server-relative ("/files/...")
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (ctype, body)

    def activity_intervals(self, activity_id: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def activity_streams(self, activity_id: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def activity_messages(self, activity_id: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def curve(self, kind: str, sport_type: str | None, start: date, end: date,
              curve_id: str) -> dict[str, Any]:
        raise NotImplementedError


def build_demo(today: date, timezone: str = "Europe/Amsterdam", seed: int = 11) -> DemoData:
    raise NotImplementedError
