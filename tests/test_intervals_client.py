"""Tests of section11.sources.intervals: id validation, base URL, request
building per endpoint, shape checks and bounded fan-out (unit level), then the
whole client over real HTTP against the fake Intervals.icu server."""
from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from section11.errors import InvalidInput, MissingCredentials
from section11.sources.errors import BadResponse, RateLimited
from section11.sources.intervals import (
    DEFAULT_BASE_URL, IntervalsClient, resolve_base_url, validate_athlete_id,
)

KEY = "Zq7xW9vKpL3mN8rT2sYbQ4hJ"


# ----------------------------------------------------------------- athlete id


@pytest.mark.parametrize("raw, expected", [
    ("i123456", "i123456"), (" i123456\n", "i123456"), ("I123456", "i123456"),
    ("0", "0"), ("2049151", "2049151"), (2049151, "2049151"),
])
def test_validate_athlete_id_accepts(raw, expected):
    assert validate_athlete_id(raw) == expected


@pytest.mark.parametrize("raw", [
    None, "", "   ", "i", "abc", "i12a", "123 456", "ii12", "-1", "i-12", "i123/../x", KEY,
])
def test_validate_athlete_id_rejects_without_echo(raw):
    with pytest.raises(InvalidInput) as info:
        validate_athlete_id(raw)
    text = str(info.value)
    assert "i123456" in text and "\n" not in text
    if raw in (KEY, "i123/../x"):
        assert raw not in text  # a key pasted here must not be printed


# ----------------------------------------------------------------- base URL


def test_base_url_precedence(monkeypatch):
    monkeypatch.delenv("INTERVALS_BASE_URL", raising=False)
    assert resolve_base_url() == DEFAULT_BASE_URL == "https://intervals.icu"
    monkeypatch.setenv("INTERVALS_BASE_URL", "http://127.0.0.1:9999/")
    assert resolve_base_url() == "http://127.0.0.1:9999"
    assert resolve_base_url("https://mirror.example/api/v1/") == "https://mirror.example"


@pytest.mark.parametrize("bad", ["ftp://intervals.icu", "intervals.icu", "http://intervals.icu",
                                 "https://"])
def test_base_url_rejects(bad, monkeypatch):
    monkeypatch.delenv("INTERVALS_BASE_URL", raising=False)
    with pytest.raises(InvalidInput):
        resolve_base_url(bad)


def test_plain_http_allowed_on_loopback():
    assert resolve_base_url("http://localhost:8000") == "http://localhost:8000"


def test_missing_key_and_repr():
    with pytest.raises(MissingCredentials):
        IntervalsClient("i1", "  ", base_url="http://127.0.0.1:1")
    client = IntervalsClient("I42", KEY, base_url="http://127.0.0.1:1")
    assert client.athlete_id == "i42"
    assert KEY not in repr(client) and KEY not in repr(client.http)
    assert client.http.timeout == (5.0, 30.0) and client.http.max_attempts == 4
    client.close()


# ----------------------------------------------------------------- request building


class RecordingHttp:
    """Stands in for HttpClient: records calls, answers from a queue."""

    base_url = "http://api.test"

    def __init__(self, answers=None):
        self.calls: list[tuple] = []
        self.answers = list(answers or [])
        self.rate_limited = False
        self.request_count = 0

    def get_json(self, path, params=None, *, endpoint=None, optional=False):
        self.calls.append((path, params, endpoint, optional))
        self.request_count += 1
        return self.answers.pop(0)

    def get_bytes(self, url, *, max_bytes, authenticated=False, optional=True):
        self.calls.append((url, max_bytes, authenticated))
        return b"gpx"


def client_with(*answers) -> tuple[IntervalsClient, RecordingHttp]:
    http = RecordingHttp(answers)
    return IntervalsClient("i123456", KEY, http=http), http


D1, D2 = date(2026, 7, 1), date(2026, 7, 28)


@pytest.mark.parametrize("call, answer, path, params, endpoint, optional", [
    (lambda c: c.athlete(), {}, "/api/v1/athlete/i123456", None, "/api/v1/athlete/{id}", False),
    (lambda c: c.activities(D1, D2), [], "/api/v1/athlete/i123456/activities",
     {"oldest": "2026-07-01", "newest": "2026-07-28"}, "/api/v1/athlete/{id}/activities", False),
    (lambda c: c.activities(D1, D2, fields=["id", "type"]), [],
     "/api/v1/athlete/i123456/activities",
     {"oldest": "2026-07-01", "newest": "2026-07-28", "fields": "id,type"},
     "/api/v1/athlete/{id}/activities", False),
    (lambda c: c.wellness(D1, D2), [], "/api/v1/athlete/i123456/wellness",
     {"oldest": "2026-07-01", "newest": "2026-07-28"}, "/api/v1/athlete/{id}/wellness", False),
    (lambda c: c.wellness_day(D2), {}, "/api/v1/athlete/i123456/wellness/2026-07-28", None,
     "/api/v1/athlete/{id}/wellness/{date}", True),
    (lambda c: c.events(D1, D2), [], "/api/v1/athlete/i123456/events",
     {"oldest": "2026-07-01", "newest": "2026-07-28", "resolve": "true"},
     "/api/v1/athlete/{id}/events", False),
    (lambda c: c.events(D1, D2, category=["INJURED", "SICK"], resolve=False), [],
     "/api/v1/athlete/i123456/events",
     {"oldest": "2026-07-01", "newest": "2026-07-28", "category": "INJURED,SICK"},
     "/api/v1/athlete/{id}/events", False),
    (lambda c: c.power_curves(["r.2026-07-01.2026-07-28", "r.2026-06-03.2026-06-30"], "Ride"),
     {"list": []}, "/api/v1/athlete/i123456/power-curves",
     {"type": "Ride", "curves": "r.2026-07-01.2026-07-28,r.2026-06-03.2026-06-30"},
     "/api/v1/athlete/{id}/power-curves", True),
    (lambda c: c.hr_curves(["42d"]), {"list": []}, "/api/v1/athlete/i123456/hr-curves",
     {"curves": "42d"}, "/api/v1/athlete/{id}/hr-curves", True),
    (lambda c: c.hr_curves(["42d"], "Run"), {"list": []}, "/api/v1/athlete/i123456/hr-curves",
     {"curves": "42d", "type": "Run"}, "/api/v1/athlete/{id}/hr-curves", True),
    (lambda c: c.activity("i77"), {}, "/api/v1/activity/i77", {"intervals": "true"},
     "/api/v1/activity/{aid}", True),
    (lambda c: c.activity("i77", intervals=False), {}, "/api/v1/activity/i77", None,
     "/api/v1/activity/{aid}", True),
    (lambda c: c.activity_intervals("i77"), {}, "/api/v1/activity/i77/intervals", None,
     "/api/v1/activity/{aid}/intervals", True),
    (lambda c: c.activity_streams("i77", ["time", "watts"]), [],
     "/api/v1/activity/i77/streams.json", {"types": "time,watts"},
     "/api/v1/activity/{aid}/streams.json", True),
    (lambda c: c.activity_streams("i77"), [], "/api/v1/activity/i77/streams.json", None,
     "/api/v1/activity/{aid}/streams.json", True),
    (lambda c: c.activity_messages("i77"), [], "/api/v1/activity/i77/messages", None,
     "/api/v1/activity/{aid}/messages", True),
    (lambda c: c.activity("../athlete/0"), {}, "/api/v1/activity/..%2Fathlete%2F0",
     {"intervals": "true"}, "/api/v1/activity/{aid}", True),
])
def test_endpoint_requests(call, answer, path, params, endpoint, optional):
    client, http = client_with(answer)
    assert call(client) == answer
    assert http.calls == [(path, params, endpoint, optional)]


def test_download_is_unauthenticated_and_capped():
    client, http = client_with()
    assert client.download("/files/route.gpx") == b"gpx"
    assert client.download("/files/big.gpx", max_bytes=10) == b"gpx"
    assert http.calls == [("/files/route.gpx", 5_000_000, False), ("/files/big.gpx", 10, False)]


@pytest.mark.parametrize("call, answer, wanted", [
    (lambda c: c.athlete(), None, "null where an object"),
    (lambda c: c.athlete(), [], "list where an object"),
    (lambda c: c.activities(D1, D2), None, "null where a list"),
    (lambda c: c.activities(D1, D2), {"list": []}, "dict where a list"),
    (lambda c: c.wellness(D1, D2), "text", "str where a list"),
    (lambda c: c.events(D1, D2), None, "null where a list"),
    (lambda c: c.power_curves(["42d"], "Ride"), [], "list where an object"),
    (lambda c: c.activity_streams("i1"), {}, "dict where a list"),
])
def test_top_level_shape_is_checked(call, answer, wanted):
    client, _ = client_with(answer)
    with pytest.raises(BadResponse, match=wanted) as info:
        call(client)
    assert info.value.endpoint.startswith("/api/v1/")


# ----------------------------------------------------------------- map_bounded


def test_map_bounded_keeps_order_and_returns_exceptions():
    client, _ = client_with()

    def fn(n):
        if n == 3:
            raise ValueError("three")
        time.sleep(0.01 * (5 - n))
        return n * 10

    results = client.map_bounded(fn, range(6))
    assert results[:3] == [0, 10, 20] and results[4:] == [40, 50]
    assert isinstance(results[3], ValueError)
    assert client.map_bounded(fn, []) == []


def test_map_bounded_never_exceeds_workers():
    client, _ = client_with()
    lock = threading.Lock()
    active, peak = [0], [0]

    def fn(n):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        return n

    assert client.map_bounded(fn, range(12), workers=3) == list(range(12))
    assert peak[0] == 3


def test_map_bounded_stops_once_rate_limited():
    client, http = client_with()
    calls = []

    def fn(n):
        calls.append(n)
        if n == 1:
            http.rate_limited = True
        return n

    results = client.map_bounded(fn, range(5), workers=1)
    assert results[:2] == [0, 1] and calls == [0, 1]
    assert all(isinstance(r, RateLimited) for r in results[2:])
