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
    DEFAULT_BASE_URL,
    IntervalsClient,
    resolve_base_url,
    validate_athlete_id,
)

from .helpers import freeze_server_clock

KEY = "Zq7xW9vKpL3mN8rT2sYbQ4hJ"


# ----------------------------------------------------------------- athlete id


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("i123456", "i123456"),
        (" i123456\n", "i123456"),
        ("I123456", "i123456"),
        ("0", "0"),
        ("2049151", "2049151"),
        (2049151, "2049151"),
    ],
)
def test_validate_athlete_id_accepts(raw, expected):
    assert validate_athlete_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "i",
        "abc",
        "i12a",
        "123 456",
        "ii12",
        "-1",
        "i-12",
        "i123/../x",
        KEY,
    ],
)
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


@pytest.mark.parametrize(
    "bad", ["ftp://intervals.icu", "intervals.icu", "http://intervals.icu", "https://"]
)
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

    def get_bytes(self, url, *, max_bytes, authenticated=False, optional=True, check_url=None):
        self.calls.append((url, max_bytes, authenticated))
        return b"gpx"


def client_with(*answers) -> tuple[IntervalsClient, RecordingHttp]:
    http = RecordingHttp(answers)
    return IntervalsClient("i123456", KEY, http=http), http


D1, D2 = date(2026, 7, 1), date(2026, 7, 28)


@pytest.mark.parametrize(
    "call, answer, path, params, endpoint, optional",
    [
        (lambda c: c.athlete(), {}, "/api/v1/athlete/i123456", None, "/api/v1/athlete/{id}", False),
        (
            lambda c: c.activities(D1, D2),
            [],
            "/api/v1/athlete/i123456/activities",
            {"oldest": "2026-07-01", "newest": "2026-07-28"},
            "/api/v1/athlete/{id}/activities",
            False,
        ),
        (
            lambda c: c.activities(D1, D2, fields=["id", "type"]),
            [],
            "/api/v1/athlete/i123456/activities",
            {"oldest": "2026-07-01", "newest": "2026-07-28", "fields": "id,type"},
            "/api/v1/athlete/{id}/activities",
            False,
        ),
        (
            lambda c: c.wellness(D1, D2),
            [],
            "/api/v1/athlete/i123456/wellness",
            {"oldest": "2026-07-01", "newest": "2026-07-28"},
            "/api/v1/athlete/{id}/wellness",
            False,
        ),
        (
            lambda c: c.events(D1, D2),
            [],
            "/api/v1/athlete/i123456/events",
            {"oldest": "2026-07-01", "newest": "2026-07-28", "resolve": "true"},
            "/api/v1/athlete/{id}/events",
            False,
        ),
        (
            lambda c: c.events(D1, D2, category=["INJURED", "SICK"], resolve=False),
            [],
            "/api/v1/athlete/i123456/events",
            {"oldest": "2026-07-01", "newest": "2026-07-28", "category": "INJURED,SICK"},
            "/api/v1/athlete/{id}/events",
            False,
        ),
        (
            lambda c: c.power_curves(
                ["r.2026-07-01.2026-07-28", "r.2026-06-03.2026-06-30"], "Ride"
            ),
            {"list": []},
            "/api/v1/athlete/i123456/power-curves",
            {"type": "Ride", "curves": "r.2026-07-01.2026-07-28,r.2026-06-03.2026-06-30"},
            "/api/v1/athlete/{id}/power-curves",
            True,
        ),
        (
            lambda c: c.pace_curves(["r.2026-07-01.2026-07-28", "s0"], "Run"),
            {"list": []},
            "/api/v1/athlete/i123456/pace-curves",
            {"type": "Run", "curves": "r.2026-07-01.2026-07-28,s0"},
            "/api/v1/athlete/{id}/pace-curves",
            True,
        ),
        (
            lambda c: c.hr_curves(["42d"]),
            {"list": []},
            "/api/v1/athlete/i123456/hr-curves",
            {"curves": "42d"},
            "/api/v1/athlete/{id}/hr-curves",
            True,
        ),
        (
            lambda c: c.hr_curves(["42d"], "Run"),
            {"list": []},
            "/api/v1/athlete/i123456/hr-curves",
            {"curves": "42d", "type": "Run"},
            "/api/v1/athlete/{id}/hr-curves",
            True,
        ),
        (
            lambda c: c.activity_intervals("i77"),
            {},
            "/api/v1/activity/i77/intervals",
            None,
            "/api/v1/activity/{aid}/intervals",
            True,
        ),
        (
            lambda c: c.activity_streams("i77", ["time", "watts"]),
            [],
            "/api/v1/activity/i77/streams.json",
            {"types": "time,watts"},
            "/api/v1/activity/{aid}/streams.json",
            True,
        ),
        (
            lambda c: c.activity_streams("i77"),
            [],
            "/api/v1/activity/i77/streams.json",
            None,
            "/api/v1/activity/{aid}/streams.json",
            True,
        ),
        (
            lambda c: c.activity_messages("i77"),
            [],
            "/api/v1/activity/i77/messages",
            None,
            "/api/v1/activity/{aid}/messages",
            True,
        ),
        (
            lambda c: c.activity_intervals("../athlete/0"),
            {},
            "/api/v1/activity/..%2Fathlete%2F0/intervals",
            None,
            "/api/v1/activity/{aid}/intervals",
            True,
        ),
    ],
)
def test_endpoint_requests(call, answer, path, params, endpoint, optional):
    client, http = client_with(answer)
    assert call(client) == answer
    assert http.calls == [(path, params, endpoint, optional)]


def test_download_is_unauthenticated_and_capped():
    client, http = client_with()
    assert client.download("/files/route.gpx") == b"gpx"
    assert client.download("/files/big.gpx", max_bytes=10) == b"gpx"
    assert http.calls == [("/files/route.gpx", 5_000_000, False), ("/files/big.gpx", 10, False)]


@pytest.mark.parametrize(
    "call, answer, wanted",
    [
        (lambda c: c.athlete(), None, "null where an object"),
        (lambda c: c.athlete(), [], "list where an object"),
        (lambda c: c.activities(D1, D2), None, "null where a list"),
        (lambda c: c.activities(D1, D2), {"list": []}, "dict where a list"),
        (lambda c: c.wellness(D1, D2), "text", "str where a list"),
        (lambda c: c.events(D1, D2), None, "null where a list"),
        (lambda c: c.power_curves(["42d"], "Ride"), [], "list where an object"),
        (lambda c: c.activity_streams("i1"), {}, "dict where a list"),
    ],
)
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
    first_three = threading.Barrier(3)  # the first calls return only once all 3 run at once

    def fn(n):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        if n < 3:
            first_three.wait(60)  # a hang guard only
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


# ================================================================= over real HTTP
# The fake Intervals.icu server (section11/demo/server.py, conftest `fake_api`:
# a fresh server per test on a private copy of the demo athlete). Its key is
# swapped for a distinctive one so the secret checks below mean something (the
# demo key shares 5-letter runs with ordinary English, e.g. "ction").

import logging
from datetime import timedelta

from section11.sources.errors import (
    ApiError,
    AuthError,
    IntervalsError,
    NetworkError,
    NotFound,
    ResponseTooLarge,
)

TODAY = date(2026, 11, 23)  # conftest's DEMO_TODAY


@pytest.fixture
def fake(fake_api, demo_today):
    assert demo_today == TODAY, "conftest's demo day moved; update TODAY"
    fake_api.data.api_key = KEY
    return fake_api


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def connect(fake, key=KEY, athlete="i500011", **options):
    sleeps = Sleeps()
    options.setdefault("rate", None)
    options.setdefault("rand", lambda: 0.0)
    client = IntervalsClient(athlete, key, fake.base_url, sleep=sleeps, **options)
    return client, sleeps


def statuses(fake, pattern=""):
    return [r.status for r in fake.requests_matching(pattern)]


def strava_id(fake) -> str:
    return next(str(a["id"]) for a in fake.data.activities if a.get("source") == "STRAVA")


def own_ids(fake, n) -> list[str]:
    return [str(a["id"]) for a in fake.data.activities if a.get("source") != "STRAVA"][:n]


def test_every_endpoint_over_http(fake):
    client, sleeps = connect(fake)
    athlete = client.athlete()
    assert athlete["id"] == "i500011"
    acts = client.activities(TODAY - timedelta(days=27), TODAY)
    assert acts and all(isinstance(a, dict) for a in acts)
    slim = client.activities(TODAY - timedelta(days=6), TODAY, fields=["id", "type"])
    assert all(set(a) <= {"id", "type"} for a in slim)
    well = client.wellness(TODAY - timedelta(days=6), TODAY)
    assert [w["id"] for w in well][-1] == TODAY.isoformat()
    assert isinstance(client.events(TODAY - timedelta(days=14), TODAY + timedelta(days=90)), list)
    assert isinstance(
        client.events(
            TODAY - timedelta(days=365), TODAY, category=["INJURED", "SICK"], resolve=False
        ),
        list,
    )
    curves = client.power_curves([f"r.{TODAY - timedelta(days=27)}.{TODAY}"], "Ride")
    assert isinstance(curves.get("list"), list)
    assert isinstance(client.hr_curves(["42d"]).get("list"), list)
    aid = own_ids(fake, 1)[0]
    assert isinstance(client.activity_intervals(aid), dict)
    assert isinstance(client.activity_streams(aid, ["time", "watts"]), list)
    assert isinstance(client.activity_messages(aid), list)

    log = fake.requests
    assert client.request_count == len(log) == 11 and sleeps == []
    assert {r.status for r in log} == {200}
    assert log[1].path == "/api/v1/athlete/i500011/activities"
    assert log[1].query == {
        "oldest": (TODAY - timedelta(days=27)).isoformat(),
        "newest": TODAY.isoformat(),
    }
    assert log[4].query["resolve"] == "true"
    assert log[5].query["category"] == "INJURED,SICK" and "resolve" not in log[5].query
    assert log[9].path.endswith("/streams.json") and log[9].query == {"types": "time,watts"}
    assert client.stats()["by_status"] == {200: 11}


def test_athlete_zero_means_the_keys_own_athlete(fake):
    client, _ = connect(fake, athlete="0")
    assert client.athlete()["id"] == "i500011"


@pytest.mark.parametrize(
    "key, athlete", [("WRONGwrongWRONGwrong1234", "i500011"), (KEY, "i999999")]
)
def test_wrong_credentials_are_auth_error_without_retry(fake, key, athlete):
    client, sleeps = connect(fake, key=key, athlete=athlete)
    with pytest.raises(AuthError) as info:
        client.athlete()
    assert statuses(fake) == [403] and sleeps == []
    assert info.value.status == 403 and info.value.endpoint == "/api/v1/athlete/{id}"
    assert "check INTERVALS_KEY and ATHLETE_ID" in str(info.value)
    assert "i999999" not in str(info.value) and key not in repr(info.value)


def test_429_with_retry_after_then_success(fake):
    fake.inject(r"/activities$", status=429, retry_after="2")
    client, sleeps = connect(fake)
    assert isinstance(client.activities(TODAY, TODAY), list)
    assert statuses(fake) == [429, 200]
    assert client.request_count == 2 and sleeps == [2.0]


def test_429_exhaustion_is_rate_limited(fake):
    fake.inject(r"/wellness$", status=429, times=4)
    client, sleeps = connect(fake)
    with pytest.raises(RateLimited):
        client.wellness(TODAY, TODAY)
    assert statuses(fake) == [429] * 4 and sleeps == [0.5, 1.0, 2.0]


def test_server_rate_limit_bucket_is_survived(fake, monkeypatch):
    clock = freeze_server_clock(monkeypatch)  # the bucket refills only when the client naps
    fake.rate_limit = (10.0, 1)  # one token per 0.1 s; 429 + "Retry-After: 1" when empty
    asked: list[float] = []

    def nap(seconds):  # record what was asked, wait just long enough for a token
        asked.append(seconds)
        clock.sleep(0.15)

    client = IntervalsClient("i500011", KEY, fake.base_url, sleep=nap, rate=None)
    for _ in range(4):
        client.wellness(TODAY, TODAY)
    assert statuses(fake) == [200, 429, 200, 429, 200, 429, 200]
    assert asked == [1.0] * 3


def test_breaker_skips_optional_calls_after_repeated_429(fake):
    fake.inject(r"/messages$", status=429, times=100)
    client, _ = connect(fake, max_attempts=1)
    results = client.map_bounded(client.activity_messages, own_ids(fake, 8), workers=1)
    assert all(isinstance(r, RateLimited) for r in results)
    assert client.rate_limited
    assert statuses(fake) == [429] * 3  # the other five were never sent
    assert client.athlete()["id"] == "i500011"  # core calls still go out


def test_5xx_burst_then_success_and_exhaustion(fake):
    fake.inject(r"/events$", status=503, times=2)
    client, sleeps = connect(fake)
    assert isinstance(client.events(TODAY, TODAY), list)
    assert statuses(fake) == [503, 503, 200] and sleeps == [0.5, 1.0]
    fake.reset_log()
    fake.inject(r"/events$", status=500, times=4)
    with pytest.raises(ApiError) as info:
        client.events(TODAY, TODAY)
    assert info.value.status == 500 and "Internal Server Error" in str(info.value)
    assert statuses(fake) == [500] * 4


def test_slow_response_past_read_timeout_is_network_error(fake):
    fake.inject(r"/athlete/i500011$", delay=0.4, times=2)
    client, sleeps = connect(fake, timeout=(2, 0.1), max_attempts=2)
    with pytest.raises(NetworkError) as info:
        client.athlete()
    assert "did not answer" in str(info.value) and "0.1 s" in str(info.value)
    assert client.request_count == 2 and len(sleeps) == 1
    assert client.stats()["by_status"] == {"read_timeout": 2}


def test_connection_reset_is_retried(fake):
    fake.inject(r"/wellness$", reset=True)
    client, sleeps = connect(fake)
    assert isinstance(client.wellness(TODAY, TODAY), list)
    assert statuses(fake) == [None, 200] and len(sleeps) == 1


def test_truncated_json_is_retried_then_bad_response(fake):
    fake.inject(r"/activities$", truncate=True)
    client, _ = connect(fake)
    assert isinstance(client.activities(TODAY - timedelta(days=6), TODAY), list)
    assert statuses(fake) == [200, 200]
    fake.reset_log()
    fake.inject(r"/activities$", truncate=True, times=4)
    with pytest.raises(BadResponse, match="cut short"):
        client.activities(TODAY - timedelta(days=6), TODAY)
    assert len(fake.requests) == 4


def test_invalid_json_is_bad_response(fake):
    fake.inject(r"/events$", invalid_json=True)
    client, sleeps = connect(fake)
    with pytest.raises(BadResponse, match="not valid JSON"):
        client.events(TODAY, TODAY)
    assert len(fake.requests) == 1 and sleeps == []


def test_json_null_top_level_is_bad_response(fake):
    fake.inject(r"/wellness$", null_body=True)
    client, _ = connect(fake)
    with pytest.raises(BadResponse, match="null where a list"):
        client.wellness(TODAY, TODAY)


def test_strava_stub_detail_is_api_error_with_message(fake):
    client, sleeps = connect(fake)
    with pytest.raises(ApiError) as info:
        client.activity_intervals(strava_id(fake))
    assert info.value.status == 422
    assert "Cannot read Strava activities via the API" in str(info.value)
    assert info.value.endpoint == "/api/v1/activity/{aid}/intervals"
    assert len(fake.requests) == 1 and sleeps == []


def test_unknown_activity_is_not_found(fake):
    client, _ = connect(fake)
    with pytest.raises(NotFound) as info:
        client.activity_messages("i1")
    assert not info.value.gone


def test_pacing_spaces_quick_calls(fake):
    client, _ = connect(fake, rate=20.0, burst=2)
    start = time.monotonic()
    for _ in range(12):
        client.wellness(TODAY, TODAY)
    assert time.monotonic() - start >= (12 - 2) / 20 - 0.01


def test_keep_alive_uses_one_session_and_one_connection(fake):
    client, _ = connect(fake)
    session = client.http.session
    before = fake.connections
    for _ in range(5):
        client.wellness(TODAY, TODAY)
    assert client.http.session is session
    assert fake.connections - before == 1


def test_bounded_concurrency_over_http(fake):
    fake.latency = 0.05
    client, _ = connect(fake, workers=3)
    lock = threading.Lock()
    active, peak = [0], [0]

    def fetch(aid):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            return client.activity_messages(aid)
        finally:
            with lock:
                active[0] -= 1

    ids = own_ids(fake, 9)
    results = client.map_bounded(fetch, ids)
    assert all(isinstance(r, list) for r in results)
    assert 2 <= peak[0] <= 3
    assert len(fake.requests) == 9


def test_attachment_download_without_auth_and_capped(fake):
    client, _ = connect(fake)
    events = client.events(TODAY, TODAY + timedelta(days=60), resolve=False)
    attachment = next(a for e in events for a in (e.get("attachments") or []))
    url = attachment["url"]
    assert url.startswith(fake.base_url + "/files/")
    sent_auth = []
    for session in (client.http.session, client.http.download_session):

        def spy(request, _real=session.send, **kwargs):
            sent_auth.append(request.headers.get("Authorization"))
            return _real(request, **kwargs)

        session.send = spy
    body = client.download(url)
    path = url[len(fake.base_url) :]
    assert body == fake.data.attachments[path][1]
    assert sent_auth == [None]
    with pytest.raises(ResponseTooLarge):
        client.download(url, max_bytes=len(body) - 1)
    client.athlete()  # the API call, by contrast, is authenticated
    assert sent_auth[-1] is not None and sent_auth[-1].startswith("Basic ")


def test_connection_refused_is_network_error(refused_port):
    sleeps = Sleeps()
    client = IntervalsClient(
        "i1", KEY, f"http://127.0.0.1:{refused_port}", sleep=sleeps, rate=None, rand=lambda: 0.0
    )
    with pytest.raises(NetworkError) as info:
        client.athlete()
    assert "cannot reach 127.0.0.1" in str(info.value) and "connection refused" in str(info.value)
    assert "check INTERVALS_BASE_URL / network" in str(info.value)
    assert client.request_count == 4 and sleeps == [0.5, 1.0, 2.0]


def test_no_fragment_of_the_key_in_any_error_or_log(fake, caplog, refused_port):
    caplog.set_level(logging.DEBUG)
    fragments = [KEY[i : i + 5] for i in range(len(KEY) - 4)]
    errors: list[IntervalsError] = []

    def collect(call):
        try:
            call()
        except IntervalsError as exc:
            errors.append(exc)

    client, _ = connect(fake, timeout=(2, 0.1), max_attempts=2)
    fake.inject(r"/athlete/i500011$", status=429, times=2)
    collect(client.athlete)
    fake.inject(r"/wellness$", status=500, times=2)
    collect(lambda: client.wellness(TODAY, TODAY))
    fake.inject(r"/events$", invalid_json=True)
    collect(lambda: client.events(TODAY, TODAY))
    fake.inject(r"/activities$", truncate=True, times=2)
    collect(lambda: client.activities(TODAY, TODAY))
    fake.inject(r"/messages$", reset=True, times=2)
    collect(lambda: client.activity_messages(own_ids(fake, 1)[0]))
    fake.inject(r"/streams\.json$", delay=0.3, times=2)
    collect(lambda: client.activity_streams(own_ids(fake, 1)[0]))
    fake.inject(r"/hr-curves$", null_body=True)
    collect(lambda: client.hr_curves(["42d"]))
    collect(lambda: client.activity_intervals(strava_id(fake)))
    collect(lambda: client.activity_intervals("i1"))
    collect(lambda: client.download("/files/nope.gpx"))
    wrong, _ = connect(fake, key=KEY[::-1])
    collect(wrong.athlete)
    refused = IntervalsClient(
        "i1",
        KEY,
        f"http://127.0.0.1:{refused_port}",
        sleep=lambda s: None,
        rate=None,
        max_attempts=2,
    )
    collect(refused.athlete)

    assert len(errors) == 12
    assert len({type(e) for e in errors}) >= 6
    for exc in errors:
        assert exc.__cause__ is None and exc.__context__ is None
        for text in (str(exc), repr(exc), repr(exc.args), repr(vars(exc))):
            for fragment in fragments:
                assert fragment not in text and fragment[::-1] not in text, (fragment, text)
    for fragment in fragments:
        assert fragment not in caplog.text and fragment[::-1] not in caplog.text
