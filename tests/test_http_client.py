"""Unit tests of section11.sources.http: the pure parts (Retry-After, backoff,
token bucket) and the retry state machine driven by a scripted session (no
sockets). Real-HTTP behaviour is in test_intervals_client.py."""

from __future__ import annotations

import base64
import io
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from section11 import __version__
from section11.sources.errors import (
    ApiError,
    AuthError,
    BadResponse,
    IntervalsError,
    NetworkError,
    NotFound,
    RateLimited,
    ResponseTooLarge,
)
from section11.sources.http import (
    DEFAULT_TIMEOUT,
    HttpClient,
    TokenBucket,
    backoff_delay,
    parse_retry_after,
)

KEY = "Zq7xW9vKpL3mN8rT2sYbQ4hJ"
BASIC = base64.b64encode(f"API_KEY:{KEY}".encode()).decode()
NOW = datetime(2026, 7, 25, 12, 0, 0, tzinfo=UTC)


def secret_fragments(key: str = KEY) -> list[str]:
    return [key[i : i + 5] for i in range(len(key) - 4)] + [BASIC[:12]]


def assert_clean(exc: BaseException) -> None:
    """No fragment of the key in the error, its repr, args or chain."""
    texts = [str(exc), repr(exc), repr(exc.args)]
    for linked in (exc.__cause__, exc.__context__):
        assert linked is None
    for text in texts:
        for fragment in secret_fragments():
            assert fragment not in text, (fragment, text)


# ----------------------------------------------------------------- Retry-After


@pytest.mark.parametrize(
    "value, expected",
    [
        ("5", 5.0),
        (" 2 ", 2.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        (None, None),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_retry_after_delta_seconds(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_http_date_future_and_past():
    # 30 s after NOW, in RFC 9110 IMF-fixdate form
    assert parse_retry_after("Sat, 25 Jul 2026 12:00:30 GMT", now=NOW) == 30.0
    # 2 minutes before NOW: clamped to zero
    assert parse_retry_after("Sat, 25 Jul 2026 11:58:00 GMT", now=NOW) == 0.0


def test_retry_after_garbage_date_is_none():
    assert parse_retry_after("Sat, 99 Foo 2026 12:00:30 GMT", now=NOW) is None


# ----------------------------------------------------------------- backoff


@pytest.mark.parametrize(
    "attempt, rand, expected",
    [
        (1, 0.0, 0.5),
        (2, 0.0, 1.0),
        (3, 0.0, 2.0),  # base 1: ceilings 1, 2, 4; half fixed
        (1, 1.0, 1.0),
        (2, 1.0, 2.0),
        (3, 1.0, 4.0),  # full ceiling at rand = 1
        (2, 0.5, 1.5),  # 1 + 1 * 0.5
        (10, 1.0, 30.0),
        (10, 0.0, 15.0),  # 2**9 capped at 30
    ],
)
def test_backoff_schedule(attempt, rand, expected):
    assert backoff_delay(attempt, base=1.0, cap=30.0, rand=lambda: rand) == expected


@given(st.integers(min_value=1, max_value=40), st.floats(min_value=0, max_value=1))
def test_backoff_is_within_half_and_full_ceiling(attempt, r):
    ceiling = min(8.0, 0.25 * 2 ** (attempt - 1))
    delay = backoff_delay(attempt, base=0.25, cap=8.0, rand=lambda: r)
    assert ceiling / 2 - 1e-12 <= delay <= ceiling + 1e-12


# ----------------------------------------------------------------- token bucket


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_token_bucket_burst_then_rate():
    clock = FakeClock()
    bucket = TokenBucket(8, 4, clock=clock, sleep=clock.sleep)
    waits = [bucket.acquire() for _ in range(12)]
    # 4 tokens in the bucket, then one every 1/8 s
    assert waits[:4] == [0.0] * 4
    assert waits[4:] == pytest.approx([0.125] * 8)
    assert clock.now == pytest.approx((12 - 4) / 8)


def test_token_bucket_refills_while_idle_but_not_above_burst():
    clock = FakeClock()
    bucket = TokenBucket(10, 2, clock=clock, sleep=clock.sleep)
    bucket.acquire(), bucket.acquire()
    clock.now += 100.0  # long idle: refills to 2, not 1000
    assert [bucket.acquire() for _ in range(3)] == pytest.approx([0.0, 0.0, 0.1])


def test_token_bucket_threads_real_time():
    bucket = TokenBucket(50, 2)
    start = time.monotonic()
    threads = [
        threading.Thread(target=lambda: [bucket.acquire() for _ in range(4)]) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - start >= (12 - 2) / 50 - 0.01


def test_token_bucket_rejects_bad_settings():
    with pytest.raises(ValueError):
        TokenBucket(0, 1)
    with pytest.raises(ValueError):
        TokenBucket(5, 0)


# ----------------------------------------------------------------- scripted session


def reply(status=200, body=b"[]", headers=None):
    return (status, headers or {}, body)


class Script:
    """Replaces session.get: pops one scripted step per call."""

    def __init__(self, steps):
        self.steps = list(steps)
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, url, **kwargs):
        self.calls.append((url, kwargs))
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        status, headers, body = step
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.raw = io.BytesIO(body)
        response.url = url
        return response


def make(steps, **options):
    sleeps: list[float] = []
    options.setdefault("rate", None)
    options.setdefault("rand", lambda: 0.0)
    options.setdefault("wallclock", lambda: NOW)
    client = HttpClient("http://api.test", auth=("API_KEY", KEY), sleep=sleeps.append, **options)
    script = Script(steps)
    client.session.get = script
    client.download_session.get = script  # attachments: the cookie-less session
    return client, script, sleeps


def test_session_headers_and_auth_and_timeout_on_every_call():
    client, script, _ = make([reply(body=b"{}"), reply(body=b"abc")])
    assert client.session.headers["User-Agent"] == f"section11/{__version__}"
    assert client.get_json("/api/v1/athlete/0") == {}
    assert client.get_bytes("/files/route.gpx", max_bytes=10) == b"abc"
    (url1, kw1), (url2, kw2) = script.calls
    assert url1 == "http://api.test/api/v1/athlete/0"
    assert kw1["auth"] == ("API_KEY", KEY)
    assert url2 == "http://api.test/files/route.gpx"
    assert "auth" not in kw2  # attachments travel without the key
    assert kw1["timeout"] == kw2["timeout"] == DEFAULT_TIMEOUT == (5.0, 30.0)


def test_429_retry_after_is_honoured_exactly():
    client, script, sleeps = make([reply(429, b"", {"Retry-After": "7"}), reply(body=b"[1]")])
    assert client.get_json("/x") == [1]
    assert sleeps == [7.0]
    assert client.request_count == 2
    assert client.stats()["by_status"] == {429: 1, 200: 1}


def test_429_retry_after_http_date():
    client, _, sleeps = make(
        [reply(429, b"", {"Retry-After": "Sat, 25 Jul 2026 12:00:03 GMT"}), reply()]
    )
    client.get_json("/x")
    assert sleeps == [3.0]


def test_429_retry_after_over_cap_gives_up_at_once():
    client, _, sleeps = make([reply(429, b"", {"Retry-After": "600"})], retry_after_cap=60)
    with pytest.raises(RateLimited) as info:
        client.get_json("/x")
    assert sleeps == [] and client.request_count == 1
    assert info.value.retry_after == 600.0
    assert_clean(info.value)


def test_429_exhaustion_uses_backoff_and_raises_rate_limited():
    client, _, sleeps = make([reply(429, b"")] * 4)
    with pytest.raises(RateLimited) as info:
        client.get_json("/x")
    assert sleeps == [0.5, 1.0, 2.0]  # rand = 0: half of 1, 2, 4
    assert client.request_count == 4
    assert info.value.status == 429


def test_breaker_trips_after_three_exhaustions_and_spares_core_calls():
    client, script, _ = make(
        [reply(429, b"")] * 6 + [reply(body=b"{}")], max_attempts=2, breaker_threshold=3
    )
    for _ in range(3):
        with pytest.raises(RateLimited):
            client.get_json("/opt", optional=True)
    assert client.rate_limited
    sent = client.request_count
    with pytest.raises(RateLimited):
        client.get_json("/opt", optional=True)
    assert client.request_count == sent == 6  # failed fast, nothing sent
    assert client.get_json("/core") == {}  # core calls still go out
    assert client.stats()["fail_fast"] == 1


def test_breaker_counts_only_consecutive_exhaustions():
    client, _, _ = make(
        [reply(429, b""), reply(404, b""), reply(429, b""), reply(429, b"")],
        max_attempts=1,
        breaker_threshold=2,
    )
    with pytest.raises(RateLimited):
        client.get_json("/a", optional=True)
    with pytest.raises(NotFound):
        client.get_json("/b")  # the server answered normally: the run of 429s is broken
    with pytest.raises(RateLimited):
        client.get_json("/c", optional=True)
    assert not client.rate_limited
    with pytest.raises(RateLimited):
        client.get_json("/d", optional=True)
    assert client.rate_limited  # two in a row with threshold 2
    client.reset_breaker()
    assert not client.rate_limited


def test_5xx_burst_then_success():
    client, _, sleeps = make([reply(502, b""), reply(503, b""), reply(body=b'{"ok": true}')])
    assert client.get_json("/x") == {"ok": True}
    assert sleeps == [0.5, 1.0]


def test_5xx_exhaustion_is_api_error_with_server_text():
    body = b'{"status": 500, "error": "Something broke"}'
    client, _, _ = make([reply(500, body)] * 4)
    with pytest.raises(ApiError) as info:
        client.get_json("/x", endpoint="/api/v1/athlete/{id}")
    assert info.value.status == 500
    assert "Something broke" in str(info.value)
    assert "/api/v1/athlete/{id}" in str(info.value)
    assert client.request_count == 4


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_are_not_retried(status):
    client, _, sleeps = make([reply(status, b'{"status": 403, "error": "Access denied"}')])
    with pytest.raises(AuthError) as info:
        client.get_json("/x")
    assert client.request_count == 1 and sleeps == []
    assert "check INTERVALS_KEY and ATHLETE_ID" in str(info.value)
    assert "i123456" in str(info.value)
    assert_clean(info.value)


@pytest.mark.parametrize("status, gone", [(404, False), (410, True)])
def test_not_found_and_gone(status, gone):
    client, _, _ = make([reply(status, b"")])
    with pytest.raises(NotFound) as info:
        client.get_json("/x")
    assert info.value.gone is gone and info.value.status == status
    assert client.request_count == 1


def test_422_strava_is_api_error_with_message_not_retried():
    body = b'{"status": 422, "error": "Cannot read Strava activities via the API"}'
    client, _, _ = make([reply(422, body)])
    with pytest.raises(ApiError) as info:
        client.get_json("/x")
    assert "Cannot read Strava activities via the API" in str(info.value)
    assert client.request_count == 1


def test_error_list_body_and_html_body():
    client, _, _ = make(
        [
            reply(400, b'[{"status": 422, "error": "Name is too long"}]'),
            reply(400, b"<html><body>bad</body></html>"),
        ]
    )
    with pytest.raises(ApiError, match="Name is too long"):
        client.get_json("/x")
    with pytest.raises(ApiError) as info:
        client.get_json("/x")
    assert "<html>" not in str(info.value)


def conn_error(inner: BaseException) -> requests.ConnectionError:
    try:
        raise requests.ConnectionError("pool error") from inner
    except requests.ConnectionError as exc:
        return exc


def test_connection_refused_exhaustion_names_host_and_fix():
    steps = [conn_error(ConnectionRefusedError(111, "Connection refused"))] * 4
    client, _, sleeps = make(steps)
    with pytest.raises(NetworkError) as info:
        client.get_json("/x")
    text = str(info.value)
    assert "cannot reach api.test" in text and "connection refused" in text
    assert "check INTERVALS_BASE_URL / network" in text
    assert len(sleeps) == 3 and client.request_count == 4
    assert client.stats()["by_status"] == {"refused": 4}


def test_connection_reset_and_read_timeout_are_retried():
    client, _, _ = make(
        [
            conn_error(ConnectionResetError(104, "reset")),
            requests.exceptions.ReadTimeout("slow"),
            reply(body=b"[]"),
        ]
    )
    assert client.get_json("/x") == []
    assert client.request_count == 3


def test_read_timeout_exhaustion_is_network_error():
    client, _, _ = make(
        [requests.exceptions.ReadTimeout("slow")] * 2, max_attempts=2, timeout=(1, 2.5)
    )
    with pytest.raises(NetworkError, match="within 2.5 s"):
        client.get_json("/x")


def test_truncated_body_by_content_length_is_retried_then_bad_response():
    short = reply(body=b'[{"a": 1}]', headers={"Content-Length": "100"})
    client, _, _ = make([short, reply(body=b'[{"a": 1}]')])
    assert client.get_json("/x") == [{"a": 1}]
    client, _, _ = make([short] * 4)
    with pytest.raises(BadResponse, match="cut short"):
        client.get_json("/x")
    assert client.request_count == 4


def test_chunked_encoding_error_is_retried():
    client, _, _ = make([requests.exceptions.ChunkedEncodingError("cut"), reply(body=b"{}")])
    assert client.get_json("/x") == {}


def test_json_cut_mid_document_is_retried_then_bad_response():
    client, _, _ = make([reply(body=b'[{"a": 1, "b": [1, 2')] * 4)
    with pytest.raises(BadResponse, match="cut short"):
        client.get_json("/x")
    assert client.request_count == 4


def test_invalid_json_is_bad_response_without_retry():
    client, _, sleeps = make([reply(body=b"<html>maintenance</html>")])
    with pytest.raises(BadResponse, match="not valid JSON"):
        client.get_json("/x")
    assert client.request_count == 1 and sleeps == []


def test_json_null_is_returned_as_none_for_the_caller_to_judge():
    client, _, _ = make([reply(body=b"null")])
    assert client.get_json("/x") is None


def test_get_bytes_cap_by_header_and_by_stream():
    client, _, _ = make(
        [
            reply(body=b"x" * 10, headers={"Content-Length": "5000"}),
            reply(body=b"x" * 200_000),
            reply(body=b"x" * 100),
        ]
    )
    with pytest.raises(ResponseTooLarge, match="larger than 1000 bytes"):
        client.get_bytes("https://files.example/r.gpx?sig=SECRETSIG", max_bytes=1000)
    with pytest.raises(ResponseTooLarge) as info:
        client.get_bytes("https://files.example/r.gpx?sig=SECRETSIG", max_bytes=100_000)
    assert "SECRETSIG" not in str(info.value)  # query strings are never quoted
    assert info.value.endpoint == "files.example/r.gpx"
    assert client.get_bytes("/r.gpx", max_bytes=100) == b"x" * 100


def test_invalid_url_fails_without_retry():
    client, _, _ = make([requests.exceptions.InvalidSchema("no adapter")])
    with pytest.raises(NetworkError, match="invalid URL"):
        client.get_bytes("ftp://host/file", max_bytes=10)
    assert client.request_count == 1


def test_transport_exception_text_with_secrets_never_leaks(caplog):
    leaky = requests.ConnectionError(f"HTTPSConnectionPool: Authorization: Basic {BASIC} key={KEY}")
    echo = f'{{"error": "bad key {KEY}"}}'.encode()
    client, _, _ = make([leaky] * 4 + [reply(400, echo)])
    caplog.set_level(logging.DEBUG)
    errors: list[IntervalsError] = []
    for _ in range(2):
        try:
            client.get_json("/x")
        except IntervalsError as exc:
            errors.append(exc)
    assert [type(e) for e in errors] == [NetworkError, ApiError]
    assert "[redacted]" in str(errors[1])
    for exc in errors:
        assert_clean(exc)
    assert KEY not in repr(client) and KEY not in repr(client.__dict__.get("session"))
    for fragment in secret_fragments():
        assert fragment not in caplog.text


def test_rejects_zero_attempts():
    with pytest.raises(ValueError):
        HttpClient("http://x", max_attempts=0)


def test_retry_after_also_applies_to_503_within_cap():
    client, _, sleeps = make([reply(503, b"", {"Retry-After": "2"}), reply(body=b"[]")])
    client.get_json("/x")
    assert sleeps == [2.0]


def test_clock_in_http_date_uses_injected_wallclock():
    later = NOW + timedelta(seconds=10)
    client, _, sleeps = make(
        [reply(429, b"", {"Retry-After": "Sat, 25 Jul 2026 12:00:30 GMT"}), reply()],
        wallclock=lambda: later,
    )
    client.get_json("/x")
    assert sleeps == [20.0]


# ------------------------------------------------------------ unreadable numbers (issue 11 item 6)


@pytest.mark.parametrize(
    "body, value, dropped",
    [
        (b'{"a": NaN, "b": 1}', {"a": None, "b": 1}, 1),
        (b"[Infinity, -Infinity, 2.5]", [None, None, 2.5], 2),
        (b'{"a": 1e400, "b": -1e999}', {"a": None, "b": None}, 2),
        (
            b'{"a": 5e-324, "b": -2.2e-311, "c": 0.0, "d": -0.0, "e": 1e-300}',
            {"a": None, "b": None, "c": 0.0, "d": -0.0, "e": 1e-300},
            2,
        ),
        (b'{"a": ' + b"9" * 5000 + b"}", {"a": None}, 1),
        (
            b'{"a": -' + b"1" * 41 + b', "b": ' + b"1" * 40 + b"}",
            {"a": None, "b": int("1" * 40)},
            1,
        ),
    ],
    ids=["nan", "infinity", "1e400", "subnormal", "5000-digits", "41-digits"],
)
def test_unreadable_numbers_are_read_as_absent_and_counted(body, value, dropped):
    from tests.hostile_server import HostileServer, raw_reply

    with HostileServer([(r".", raw_reply(body, content_type="application/json"))]) as server:
        client = HttpClient(server.url, auth=("API_KEY", KEY), sleep=lambda s: None)
        try:
            assert client.get_json("/x", endpoint="/x") == value
            assert client.dropped_numbers() == {"/x": dropped}
        finally:
            client.close()


def test_a_5000_digit_integer_in_an_error_body_is_no_crash():
    from tests.hostile_server import HostileServer, raw_reply

    body = b'{"error": "x", "n": ' + b"9" * 5000 + b"}"
    with HostileServer([(r".", raw_reply(body, status=400))]) as server:
        client = HttpClient(server.url, auth=("API_KEY", KEY), sleep=lambda s: None)
        try:
            with pytest.raises(ApiError, match="HTTP 400"):
                client.get_json("/x", endpoint="/x")
        finally:
            client.close()


def test_bodies_read_at_once_share_one_budget(monkeypatch):
    """Each body has its cap, and all the bodies being read at once one budget
    more: an answer that fits alone but not beside one still being read stops,
    and gives its bytes back; the budget is whole again afterwards."""
    from section11.sources import transport
    from tests.hostile_server import HostileServer, held, raw_reply

    budget = transport.BodyBudget(1024 * 1024)
    monkeypatch.setattr(transport, "BODY_BUDGET", budget)
    go_on = threading.Event()
    part = b"[" + b"0," * 300_000  # 600 KB: fits the budget alone

    results: dict[str, object] = {}

    def fetch(name: str) -> None:
        client = HttpClient(server.url, auth=("API_KEY", KEY), sleep=lambda s: None)
        try:
            results[name] = client.get_json(f"/{name}", endpoint=f"/{name}")
        except ResponseTooLarge as exc:
            results[name] = exc
        finally:
            client.close()

    routes = [
        (r"^/slow", held(part, go_on, b"0]")),
        (r".", raw_reply(part + b"0]", 200, "application/json")),
    ]
    with HostileServer(routes) as server:
        slow = threading.Thread(target=fetch, args=("slow",))
        slow.start()
        for _ in range(1000):  # until the slow answer's first part is held
            if budget.held >= len(part):
                break
            time.sleep(0.01)
        assert budget.held == len(part)
        fetch("quick")
        go_on.set()
        slow.join(20)
    assert isinstance(results["quick"], ResponseTooLarge), results["quick"]
    assert "at once" in str(results["quick"])
    assert isinstance(results["slow"], list) and len(results["slow"]) == 300_001
    assert budget.held == 0
