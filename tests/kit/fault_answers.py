"""What the fake Intervals.icu answers under a content fault, for the fault
table (tests/kit/faults.py): rewrites of a real answer's JSON
(present-but-null fields, emptied answers, absurd values, schema drift,
Strava stubs) and `FaultyIntervals`, the fake server whose fault (injected or
a rewrite) spares the first requests of a call.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from section11.demo.dataset import DemoData
from section11.demo.fake_api import FakeApi, Reply, json_reply
from section11.demo.server import FakeIntervals

KEEP_KEYS = frozenset({"id", "start_date_local", "type"})  # identity: never nulled or dropped
DRIFT_KEEP = KEEP_KEYS | {"source", "_note"}  # and what marks a Strava stub as one


# ----------------------------------------------------------------- answer rewrites


def null_fields(payload: Any) -> Any:
    """Present-but-null: every field null except identity keys; lists of
    records keep their records (each nulled in turn)."""
    if isinstance(payload, list):
        return [null_fields(item) if isinstance(item, (dict, list)) else None for item in payload]
    if isinstance(payload, dict):
        out = {}
        for key, value in payload.items():
            if key in KEEP_KEYS:
                out[key] = value
            elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
                out[key] = null_fields(value)
            else:
                out[key] = None
        return out
    return payload


def emptied(payload: Any) -> Any:
    """The same shape with nothing in it: [] for a list, an object's lists
    and objects emptied (an athlete with no sport settings, intervals with no
    icu_intervals)."""
    if isinstance(payload, list):
        return []
    if isinstance(payload, dict):
        return {k: type(v)() if isinstance(v, (list, dict)) else v for k, v in payload.items()}
    return payload


ABSURD = (1e9, -5, 10**12, 0, "NaN", "Infinity")  # Jackson writes NaN as a string
ABSURD_BY_KEY = {
    "hrv": 1e9,
    "hrvSDNN": 1e9,
    "restingHR": -5,
    "sleepSecs": 10**12,
    "weight": 0,
    "avgSleepingHR": -5,
    "sleepScore": 1e9,
}


def absurd_values(payload: Any, _index: list[int] | None = None) -> Any:
    """Every number replaced by an absurd one (hrv 1e9, restingHR -5, sleepSecs
    10^12, weight 0, others cycling through ABSURD); ids kept."""
    counter = _index if _index is not None else [0]

    def number(key: str | None) -> Any:
        if key in ABSURD_BY_KEY:
            return ABSURD_BY_KEY[key]
        counter[0] += 1
        return ABSURD[counter[0] % len(ABSURD)]

    def walk(value: Any, key: str | None) -> Any:
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)):
            return value if key == "id" else number(key)
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        return value

    return walk(payload, None)


def schema_drift(payload: Any) -> Any:
    """Unknown fields added to every object; every second optional field removed."""
    if isinstance(payload, list):
        return [schema_drift(item) for item in payload]
    if not isinstance(payload, dict):
        return payload
    out: dict[str, Any] = {}
    optional = sorted(k for k in payload if k not in DRIFT_KEEP)
    dropped = set(optional[::2])
    for key, value in payload.items():
        if key not in dropped:
            out[key] = schema_drift(value)
    out["x_future_field"] = {"nested": [1, "two", None], "ok": True}
    out["icu_new_metric_2027"] = 3.25
    return out


def strava_stubs(payload: Any) -> Any:
    """A Strava stub beside every activity of the list (the API hides
    Strava-sourced activities behind such stubs)."""
    if not isinstance(payload, list):
        return payload
    out = []
    for index, item in enumerate(payload):
        out.append(item)
        if isinstance(item, dict) and item.get("source") != "STRAVA":
            out.append(
                {
                    "id": f"9{index:09d}",
                    "icu_athlete_id": item.get("icu_athlete_id"),
                    "start_date_local": item.get("start_date_local"),
                    "source": "STRAVA",
                    "_note": "STRAVA activities are not available via the API",
                }
            )
    return out


# ----------------------------------------------------------------- the fake, with spared requests


class _RewritingApi(FakeApi):
    def dispatch(self, method: str, path: str, query: dict[str, str], auth: str | None) -> Reply:
        reply = super().dispatch(method, path, query, auth)
        fake: FaultyIntervals = self.fake
        if fake.rewrite is None or reply.status != 200 or not fake._due(path, "rewrite"):
            return reply
        try:
            payload = json.loads(reply.body)
        except ValueError:
            return reply
        return json_reply(200, fake.rewrite(payload))


class FaultyIntervals(FakeIntervals):
    """FakeIntervals whose fault (injected or a rewrite of the real answer)
    spares the first `skip` requests matching `pattern`."""

    def __init__(
        self,
        data: DemoData,
        *,
        today: date,
        pattern: str,
        skip: int = 0,
        rewrite: Callable[[Any], Any] | None = None,
    ):
        super().__init__(data, today=today)
        self.pattern = re.compile(pattern)
        self.skip = skip
        self.rewrite = rewrite
        self._api = _RewritingApi(self)
        self._counts = {"inject": 0, "rewrite": 0}
        self._count_lock = threading.Lock()

    def _due(self, path: str, kind: str) -> bool:
        if not self.pattern.search(path):
            return False
        with self._count_lock:
            self._counts[kind] += 1
            return self._counts[kind] > self.skip

    def _take_fault(self, path: str):
        if self.pattern.search(path) and not self._due(path, "inject"):
            return None
        return super()._take_fault(path)
