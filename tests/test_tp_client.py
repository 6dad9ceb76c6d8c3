"""The TrainingPeaks client against the fake TrainingPeaks API over real HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from section11.demo.tp_server import FakeTrainingPeaks
from section11.demo.tp_view import TP_ATHLETE_ID, TpView, build_tp_view
from section11.errors import InvalidInput
from section11.sources import trainingpeaks as tp
from section11.sources.tp_errors import AuthExpired, BadCookie, Outage, RateLimited
from tests.kit.tp_faults import rate_limited, stale_token_once, token_outage


@pytest.fixture(scope="module")
def tp_view(demo_data) -> TpView:
    return build_tp_view(demo_data)


@pytest.fixture
def fake_tp(tp_view):
    with FakeTrainingPeaks(tp_view) as server:
        yield server


class Clock:
    """A clock that only moves when the client sleeps (pacing without timing)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(fake: FakeTrainingPeaks, cookie: str | None = None, clock: Clock | None = None):
    clock = clock or Clock()
    return tp.TrainingPeaksClient(
        cookie or fake.view.cookie,
        fake.base_url,
        backoff_base=0.0,
        clock=clock,
        sleep=clock.sleep,
    )


# ----------------------------------------------------------------- cookie and base URL


def test_cookie_value_pair_and_header_forms_are_accepted():
    assert tp.normalize_cookie("  V001abc  ") == "V001abc"
    assert tp.normalize_cookie("Production_tpAuth=V001abc") == "V001abc"
    assert tp.normalize_cookie("Cookie: a=1; Production_tpAuth=V001abc; b=2") == "V001abc"


@pytest.mark.parametrize("text", ["", "   ", "a=1; b=2", "V001 abc", "V001\nabc"])
def test_unusable_cookie_is_refused_without_echo(text):
    with pytest.raises(BadCookie) as info:
        tp.normalize_cookie(text)
    assert text.strip() == "" or text not in str(info.value)


def test_base_url_https_only_except_loopback(monkeypatch):
    monkeypatch.delenv(tp.BASE_URL_ENV, raising=False)
    assert tp.resolve_base_url() == tp.DEFAULT_BASE_URL
    assert tp.resolve_base_url("http://127.0.0.1:9/") == "http://127.0.0.1:9"
    monkeypatch.setenv(tp.BASE_URL_ENV, "https://tp.example.org/")
    assert tp.resolve_base_url() == "https://tp.example.org"
    with pytest.raises(InvalidInput):
        tp.resolve_base_url("http://tp.example.org")
    with pytest.raises(InvalidInput):
        tp.resolve_base_url("ftp://127.0.0.1")


def test_date_chunks_cover_the_range_in_pieces_of_at_most_90_days():
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    pieces = tp.date_chunks(start, end)
    assert pieces[0][0] == start and pieces[-1][1] == end
    assert all(tp.range_days(a, b) <= 90 for a, b in pieces)
    assert all(b + timedelta(days=1) == c for (_, b), (c, _) in zip(pieces, pieces[1:]))


def test_workout_type_map_is_the_tp2intervals_one():
    assert tp.sport_name(7) == "Day Off"
    assert tp.sport_name(8) == "Mountain Bike"
    assert tp.sport_name(13) == "Walk"
    assert tp.sport_name(100) == "Other"
    assert tp.sport_name(None) is None and tp.sport_name(True) is None


# ----------------------------------------------------------------- auth


def test_exchange_and_athlete_id_from_user(fake_tp):
    with client(fake_tp, "Production_tpAuth=" + fake_tp.view.cookie) as c:
        assert c.athlete_id() == TP_ATHLETE_ID
        assert c.token_seconds_left > 3000
    paths = [r.path for r in fake_tp.requests]
    assert paths == ["/users/v3/token", "/users/v3/user"]


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"user": {"personId": 5, "athletes": [{"athleteId": 6}]}}, 5),
        ({"user": {"athletes": [{"athleteId": 6}]}}, 6),
        ({"user": {"userId": 4, "personId": 5}}, 4),
    ],
)
def test_athlete_id_fallbacks(fake_tp, user, expected):
    fake_tp.view = TpView(**{**fake_tp.view.__dict__, "user": user})
    with client(fake_tp) as c:
        assert c.athlete_id() == expected


def test_expired_cookie_is_auth_expired(fake_tp):
    fake_tp.expire_cookie()
    with client(fake_tp) as c, pytest.raises(AuthExpired) as info:
        c.athlete_id()
    assert "expired" in str(info.value) and "tp auth" in str(info.value)
    assert fake_tp.view.cookie not in str(info.value)


def test_token_endpoint_500_is_an_outage_not_expiry(fake_tp):
    fake_tp.hooks.append(token_outage())
    with client(fake_tp) as c, pytest.raises(Outage) as info:
        c.athlete_id()
    assert "outage" in str(info.value) and "expired" not in str(info.value)
    assert sum(r.path == "/users/v3/token" for r in fake_tp.requests) == tp.MAX_ATTEMPTS


def test_401_from_api_call_exchanges_again_and_retries_once(fake_tp):
    fake_tp.hooks.append(stale_token_once(fake_tp))
    with client(fake_tp) as c:
        assert c.athlete_id() == TP_ATHLETE_ID
    statuses = [(r.path, r.status) for r in fake_tp.requests]
    assert statuses == [
        ("/users/v3/token", 200),
        ("/users/v3/user", 401),
        ("/users/v3/token", 200),
        ("/users/v3/user", 200),
    ]


def test_second_401_is_not_retried_again(fake_tp):
    with client(fake_tp) as c:
        c.athlete_id()
        fake_tp.hooks.append(lambda _m, p: None if p == "/users/v3/token" else (401, {}, {}))
        with pytest.raises(AuthExpired):
            c.workouts(date(2026, 11, 1), date(2026, 11, 2))
    calls = [r.path for r in fake_tp.requests][2:]
    assert len(calls) == 3  # list (401), a fresh token, list (401 again): give up


def test_429_is_retried_then_reported(fake_tp):
    fake_tp.hooks.append(rate_limited(r"/workouts/", times=1))
    with client(fake_tp) as c:
        rows = c.workouts(date(2026, 11, 1), date(2026, 11, 7))
        assert rows
        fake_tp.hooks.append(rate_limited(r"/workouts/"))
        with pytest.raises(RateLimited):
            c.workouts(date(2026, 11, 1), date(2026, 11, 7))


# ----------------------------------------------------------------- endpoints


def test_long_workout_ranges_are_split_into_90_day_requests(fake_tp, tp_view):
    start, end = date(2025, 11, 1), date(2026, 11, 30)
    with client(fake_tp) as c:
        rows = c.workouts(start, end)
    expected = [
        w for w in tp_view.workouts if start.isoformat() <= w["workoutDay"][:10] <= end.isoformat()
    ]
    assert [w["workoutId"] for w in rows] == [w["workoutId"] for w in expected]
    lists = [r for r in fake_tp.requests if "/workouts/" in r.path]
    assert len(lists) == len(tp.date_chunks(start, end)) > 1
    assert all(r.status == 200 for r in lists)


def test_fake_refuses_more_than_90_days_and_checked_call_explains(fake_tp):
    with client(fake_tp) as c:
        with pytest.raises(tp.RangeTooLong) as info:
            c.workouts_checked(date(2026, 1, 1), date(2026, 4, 1))
        assert "90 days" in str(info.value)
        aid = c.athlete_id()
    import requests

    answer = requests.get(
        f"{fake_tp.base_url}/fitness/v6/athletes/{aid}/workouts/2026-01-01/2026-04-01",
        headers={"Authorization": f"Bearer {c._token}"},
        timeout=5,
    )
    assert answer.status_code == 400


def test_requests_are_paced_150_ms_apart(fake_tp):
    clock = Clock()
    with client(fake_tp, clock=clock) as c:
        c.workouts(date(2026, 11, 1), date(2026, 11, 7))
        c.events(date(2026, 1, 1), date(2026, 12, 31))
    assert len(fake_tp.requests) == 4
    assert clock.sleeps == [pytest.approx(tp.MIN_REQUEST_INTERVAL)] * 3


def test_workout_detail_object_or_one_element_list(fake_tp, tp_view):
    planned = next(w for w in tp_view.workouts if not w["completed"])
    with client(fake_tp) as c:
        assert c.workout(planned["workoutId"])["structure"] == planned["structure"]
        fake_tp.hooks.append(
            lambda _m, p: (200, {}, [planned]) if p.endswith(str(planned["workoutId"])) else None
        )
        assert c.workout(planned["workoutId"])["title"] == planned["title"]


def test_fitness_peaks_events_health_notes(fake_tp):
    with client(fake_tp) as c:
        fitness = c.fitness(date(2026, 1, 1), date(2026, 11, 22))
        assert fitness[0]["ctl"] >= 0 and len(fitness) == 326
        assert fitness[-1]["ctl"] > 20
        peaks = c.peaks("Bike", "power20min", date(2017, 1, 1), date(2026, 11, 22))
        assert [p["rank"] for p in peaks] == list(range(1, len(peaks) + 1))
        assert peaks == sorted(peaks, key=lambda p: -p["value"])
        assert all(
            set(e["atpPriority"]) <= set("ABC")
            for e in c.events(date(2024, 1, 1), date(2027, 3, 1))
        )
        health = c.health_metrics(date(2026, 11, 1), date(2026, 11, 22))
        assert health and all(h["details"] for h in health)
        assert isinstance(c.calendar_notes(date(2026, 1, 1), date(2026, 1, 1)), list)
    fitness_call = next(r for r in fake_tp.requests if "performancedata" in r.path)
    assert fitness_call.method == "POST"


def test_invalid_pr_type_is_refused_with_the_valid_list(fake_tp):
    with client(fake_tp) as c, pytest.raises(InvalidInput) as info:
        c.peaks("Bike", "speed5K", date(2020, 1, 1), date(2026, 1, 1))
    assert "power20min" in str(info.value)
    assert not fake_tp.requests


def test_repr_and_errors_never_hold_the_secrets(fake_tp):
    with client(fake_tp) as c:
        c.athlete_id()
        token = c._token
        assert token and token not in repr(c) and fake_tp.view.cookie not in repr(c)
        assert c.scrub(f"x {token} y {fake_tp.view.cookie}") == "x [redacted] y [redacted]"
