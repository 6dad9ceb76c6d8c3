"""The fake Intervals.icu server over real HTTP (docs/architecture.md#api-client–docs/architecture.md#api-client, docs/architecture.md#demo-and-test-kit).

Most tests serve a small handmade dataset (MiniData) whose expected answers
are worked out by hand below; a few smoke-test the demo athlete.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from section11.demo.dataset import DemoData
from section11.demo.fake_api import derive_groups
from section11.demo.server import FakeIntervals, main

from .helpers import freeze_server_clock

ATHLETE_ID = "i777001"
KEY = "t3st-Key-9vQ2xLm"
TODAY = date(2026, 3, 18)
API = "/api/v1"


@dataclass
class MiniData(DemoData):
    intervals: dict = field(default_factory=dict)
    streams: dict = field(default_factory=dict)
    messages: dict = field(default_factory=dict)
    curve_calls: list = field(default_factory=list)

    def activity_intervals(self, activity_id):
        return self.intervals.get(activity_id, [])

    def activity_streams(self, activity_id):
        return self.streams.get(activity_id, [])

    def activity_messages(self, activity_id):
        return self.messages.get(activity_id, [])

    def curve(self, kind, sport_type, start, end, curve_id):
        self.curve_calls.append((kind, sport_type, start, end, curve_id))
        return {"id": curve_id, "secs": [1, 5], "values": [900, 700], "watts": [900, 700]}


def _stream(kind, data, data2=None):
    return {
        "type": kind,
        "name": None,
        "data": data,
        "data2": data2,
        "valueTypeIsArray": False,
        "anomalies": None,
        "custom": False,
        "allNull": False,
    }


WORKOUT_DOC = {
    "duration": 1500,
    "target": "POWER",
    "steps": [
        {
            "text": "Warmup",
            "duration": 600,
            "warmup": True,
            "power": {"value": 60, "units": "%ftp"},
            "_power": {"value": 150.0, "start": 150.0, "end": 150.0},
        },
        {
            "reps": 3,
            "text": "Main",
            "steps": [
                {
                    "duration": 240,
                    "power": {"value": 105, "units": "%ftp"},
                    "_power": {"value": 262.5},
                    "_hr": {"value": 170.0},
                },
                {
                    "distance": 1000,
                    "pace": {"value": 90, "units": "%pace"},
                    "_pace": {"value": 3.6},
                    "_distance": 1000.0,
                },
            ],
        },
    ],
}


def make_data() -> MiniData:
    ride = {"id": 11, "types": ["Ride", "VirtualRide"], "ftp": 250}
    run = {"id": 12, "types": ["Run", "TrailRun"], "lthr": 170}
    athlete = {
        "id": ATHLETE_ID,
        "name": "Test Rider",
        "timezone": "Europe/Amsterdam",
        "icu_api_key": KEY,
        "email": "t@example.invalid",
        "sportSettings": [ride, run],
    }
    activities = [
        {"id": "i1001", "start_date_local": "2026-03-09T23:59:59", "type": "Ride"},
        {
            "id": "i1002",
            "start_date_local": "2026-03-10T00:00:00",
            "type": "Ride",
            "name": "Early",
            "description": None,
            "icu_training_load": 50,
            "analyzed": "2026-03-10T02:00:00.000+00:00",
        },
        {
            "id": "15550001",
            "icu_athlete_id": ATHLETE_ID,
            "start_date_local": "2026-03-12T07:00:00",
            "source": "STRAVA",
            "_note": "STRAVA activities are not available via the API",
        },
        {"id": "i1003", "start_date_local": "2026-03-15T09:30:00", "type": "Run", "name": "Tempo"},
        {
            "id": "i1004",
            "start_date_local": "2026-03-18T23:59:59",
            "type": "Ride",
            "name": "Late",
            "route_id": 77,
        },
        {
            "id": "i1005",
            "start_date_local": "2026-03-19T06:00:00",
            "type": "Ride",
            "name": "Tomorrow",
        },
        {"id": "i1006", "start_date_local": None, "type": "Ride"},
    ]
    days = [11, 16, 10, 18, 12, 14, 17, 15]  # no row for the 13th; deliberately unsorted
    wellness = [
        {
            "id": f"2026-03-{d:02d}",
            "ctl": 40.0 + d,
            "hrv": None if d == 12 else 50 + d,
            "sportInfo": None if d == 14 else [{"type": "Ride", "eftp": 250.0}],
        }
        for d in days
    ]
    events = [
        {
            "id": 501,
            "category": "SICK",
            "name": "Cold",
            "start_date_local": "2026-03-16T00:00:00",
            "end_date_local": "2026-03-20T00:00:00",
        },
        {"id": 506, "category": "WORKOUT", "start_date_local": "2026-03-17T00:00:00"},
        {
            "id": 502,
            "category": "WORKOUT",
            "type": "Ride",
            "start_date_local": "2026-03-18T00:00:00",
            "workout_doc": WORKOUT_DOC,
        },
        {"id": 503, "category": "NOTE", "start_date_local": "2026-03-20T00:00:00"},
        {
            "id": 504,
            "category": "RACE_A",
            "start_date_local": "2026-03-24T07:00:00",
            "attachments": [
                {
                    "id": "a1",
                    "filename": "course.gpx",
                    "mimetype": "application/gpx+xml",
                    "url": "/files/course-504.gpx",
                }
            ],
        },
        {"id": 505, "category": "WORKOUT", "start_date_local": "2026-03-25T00:00:00"},
        {"id": 507, "category": "SEASON_START", "start_date_local": "2025-11-01T00:00:00"},
        {"id": 508, "category": "SEASON_START", "start_date_local": "2026-03-02T00:00:00"},
    ]
    work = {"type": "WORK", "group_id": "300s@255w", "elapsed_time": 300, "moving_time": 300}
    intervals = {
        "i1002": [
            {"id": 1, "type": "RECOVERY", "group_id": None, "start_index": 0, "moving_time": 600},
            {
                **work,
                "id": 2,
                "start_index": 600,
                "average_watts": 250,
                "average_heartrate": 150,
                "training_load": 6.0,
                "max_watts": 300,
            },
            {"id": 3, "type": "RECOVERY", "group_id": None, "start_index": 900, "moving_time": 120},
            {
                **work,
                "id": 4,
                "start_index": 1020,
                "average_watts": 260,
                "average_heartrate": 160,
                "training_load": 7.5,
                "max_watts": 320,
            },
        ],
        "i1003": {
            "icu_intervals": [{"id": 1, "type": "WORK", "group_id": "g"}],
            "icu_groups": [{"id": "g", "count": 1, "average_watts": None}],
        },
    }
    streams = {
        "i1002": [
            _stream("time", [0, 1, 2]),
            _stream("watts", [100, 110, 120]),
            _stream("heartrate", [120, 121, 122]),
            _stream("latlng", [50.1, 50.2, 50.3], [5.1, 5.2, 5.3]),
        ]
    }
    messages = {"i1002": [{"id": 1, "content": "hello"}, {"id": 2, "content": "again"}]}
    return MiniData(
        ATHLETE_ID,
        KEY,
        athlete,
        activities,
        wellness,
        events,
        {"/files/course-504.gpx": ("application/gpx+xml", b"<gpx>course</gpx>")},
        intervals=intervals,
        streams=streams,
        messages=messages,
    )


@pytest.fixture
def data() -> MiniData:
    return make_data()


@pytest.fixture
def server(data):
    with FakeIntervals(data, today=TODAY) as fake:
        yield fake


@pytest.fixture
def http():
    with requests.Session() as session:
        session.auth = ("API_KEY", KEY)
        yield session


def get(http, server, path, **params):
    return http.get(server.base_url + API + path, params=params or None, timeout=5)


def ids(response):
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()]


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ----------------------------------------------------------------- lifecycle


def test_start_returns_loopback_base_url_and_serves_json(data):
    fake = FakeIntervals(data, today=TODAY)
    url = fake.start()
    try:
        assert url == fake.base_url and url.startswith("http://127.0.0.1:")
        assert fake.start() == url  # idempotent
        r = requests.get(url + API + "/athlete/0", auth=("API_KEY", KEY), timeout=5)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/json"
        assert r.headers["Content-Length"] == str(len(r.content))
        assert (
            r.json() == data.athlete
        )  # the raw object, secrets included (docs/architecture.md#demo-and-test-kit (item 11))
    finally:
        fake.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + API + "/athlete/0", timeout=2)
    fake.stop()  # a second stop is harmless


def test_refuses_a_non_loopback_host(data):
    with pytest.raises(ValueError):
        FakeIntervals(data, host="0.0.0.0")


def test_stop_closes_idle_keep_alive_connections(server, http):
    assert get(http, server, "/athlete/0").status_code == 200  # leaves an idle connection open
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(60)  # a hang guard only
    assert not stopper.is_alive()
    with pytest.raises(requests.ConnectionError):
        get(http, server, "/athlete/0")


def test_today_falls_back_to_the_athletes_local_date(data):
    fake = FakeIntervals(data)
    before = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    assert fake.current_today() in (before, datetime.now(ZoneInfo("Europe/Amsterdam")).date())
    data.today = date(2030, 1, 2)
    assert fake.current_today() == date(2030, 1, 2)


# ----------------------------------------------------------------- auth (docs/architecture.md#api-client)


@pytest.mark.parametrize("header", [None, basic("API_KEY", ""), "Basic ", "Bearer "])
def test_missing_or_empty_credentials_are_401(server, header):
    headers = {"Authorization": header} if header is not None else {}
    r = requests.get(server.base_url + API + "/athlete/0", headers=headers, timeout=5)
    assert r.status_code == 401
    body = r.json()
    assert (body["status"], body["error"], body["path"]) == (
        401,
        "Unauthorized",
        API + "/athlete/0",
    )
    assert "timestamp" in body


@pytest.mark.parametrize(
    "header",
    [
        basic("API_KEY", "wrong-key"),
        basic("athlete", KEY),
        basic(ATHLETE_ID, KEY),
        basic(KEY, KEY),
        basic("api_key", KEY),
        "Bearer " + KEY,
        "ApiKey API_KEY:" + KEY,
        "Basic !!!not-base64",
    ],
)
def test_wrong_credentials_are_403_access_denied(server, header):
    r = requests.get(
        server.base_url + API + "/athlete/0", headers={"Authorization": header}, timeout=5
    )
    assert r.status_code == 403
    assert r.json() == {"status": 403, "error": "Access denied"}
    assert KEY not in r.text


@pytest.mark.parametrize("athlete", ["0", ATHLETE_ID])
def test_own_id_and_zero_are_accepted(server, http, athlete):
    assert get(http, server, f"/athlete/{athlete}").json()["id"] == ATHLETE_ID
    assert get(http, server, f"/athlete/{athlete}/wellness").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/athlete/i999",
        "/athlete/I777001",
        "/athlete/i999/activities",
        "/athlete/i999/events",
        "/athlete/1/power-curves",
    ],
)
def test_other_athlete_ids_are_403(server, http, path):
    r = get(http, server, path, oldest="2026-03-01", type="Ride")
    assert r.status_code == 403 and r.json() == {"status": 403, "error": "Access denied"}


def test_files_need_no_auth_and_unknown_files_are_404(server):
    r = requests.get(server.base_url + "/files/course-504.gpx", timeout=5)
    assert (r.status_code, r.content) == (200, b"<gpx>course</gpx>")
    assert r.headers["Content-Type"] == "application/gpx+xml"
    assert requests.get(server.base_url + "/files/nope.gpx", timeout=5).status_code == 404


def test_unknown_routes_are_spring_404(server, http):
    r = get(http, server, "/athlete/0/gear")
    assert r.status_code == 404
    body = r.json()
    assert (body["status"], body["error"], body["path"]) == (
        404,
        "Not Found",
        API + "/athlete/0/gear",
    )
    assert requests.get(server.base_url + "/elsewhere", timeout=5).status_code == 404


def test_other_methods_are_405(server, http):
    r = http.post(server.base_url + API + "/athlete/0/events", json={"name": "x"}, timeout=5)
    assert r.status_code == 405 and r.headers["Allow"] == "GET"
    assert get(http, server, "/athlete/0").status_code == 200  # the connection is still usable


# ----------------------------------------------------------------- activities (docs/architecture.md#api-client)


def test_activities_window_is_inclusive_by_local_start_date_newest_first(server, http):
    # i1001 starts 23:59:59 the day before; i1005 the day after; i1006 has no start date.
    expected = ["i1004", "i1003", "15550001", "i1002"]
    assert (
        ids(get(http, server, "/athlete/0/activities", oldest="2026-03-10", newest="2026-03-18"))
        == expected
    )
    assert (
        ids(get(http, server, "/athlete/0/activities", oldest="2026-03-10")) == expected
    )  # newest = today
    assert (
        ids(
            get(
                http, server, "/athlete/0/activities.json", oldest="2026-03-10", newest="2026-03-18"
            )
        )
        == expected
    )


def test_activities_datetime_bounds(server, http):
    r = get(
        http,
        server,
        "/athlete/0/activities",
        oldest="2026-03-10T00:00:01",
        newest="2026-03-18T12:00:00",
    )
    assert ids(r) == ["i1003", "15550001"]


def test_activities_limit_and_route_filter(server, http):
    assert ids(get(http, server, "/athlete/0/activities", oldest="2026-03-01", limit="2")) == [
        "i1004",
        "i1003",
    ]
    assert ids(get(http, server, "/athlete/0/activities", oldest="2026-03-01", route_id="77")) == [
        "i1004"
    ]


def test_activities_fields_projects_and_drops_nulls(server, http):
    r = get(
        http,
        server,
        "/athlete/0/activities",
        oldest="2026-03-10",
        newest="2026-03-12",
        fields="id,name,description",
    )
    assert r.json() == [{"id": "15550001"}, {"id": "i1002", "name": "Early"}]
    full = get(
        http, server, "/athlete/0/activities", oldest="2026-03-10", newest="2026-03-10"
    ).json()
    assert full[0]["description"] is None  # without fields, nulls are kept


def test_activities_without_oldest_is_422(server, http):
    r = get(http, server, "/athlete/0/activities", newest="2026-03-18")
    assert r.status_code == 422
    assert r.json() == {"status": 422, "error": "Required parameter 'oldest' is not present"}


@pytest.mark.parametrize(
    "params",
    [{"oldest": "yesterday"}, {"oldest": "2026-03-01", "limit": "ten"}, {"oldest": "2026-02-30"}],
)
def test_badly_typed_parameters_are_spring_500(server, http, params):
    r = get(http, server, "/athlete/0/activities", **params)
    assert r.status_code == 500
    assert r.json()["status"] == 500 and "MethodArgumentTypeMismatchException" in r.json()["error"]


def test_json_suffix_is_served_and_csv_is_not(server, http):
    plain = get(http, server, "/athlete/0/activities", oldest="2026-03-15", newest="2026-03-18")
    suffixed = get(
        http, server, "/athlete/0/activities.json", oldest="2026-03-15", newest="2026-03-18"
    )
    assert suffixed.status_code == 200 and suffixed.json() == plain.json()
    csv = get(http, server, "/athlete/0/activities.csv", oldest="2026-03-15", newest="2026-03-18")
    assert csv.status_code == 404


def test_mutating_data_between_requests_is_visible(server, http, data):
    data.activities.append(
        {"id": "i2000", "start_date_local": "2026-03-17T08:00:00", "name": "New"}
    )
    data.activities[1] = {**data.activities[1], "name": "Renamed"}
    rows = get(http, server, "/athlete/0/activities", oldest="2026-03-10").json()
    assert [r["id"] for r in rows] == ["i1004", "i2000", "i1003", "15550001", "i1002"]
    assert rows[-1]["name"] == "Renamed"


# ----------------------------------------------------------------- wellness (docs/architecture.md#api-client)


def test_wellness_window_is_inclusive_and_ascending(server, http):
    assert ids(
        get(http, server, "/athlete/0/wellness", oldest="2026-03-11", newest="2026-03-14")
    ) == ["2026-03-11", "2026-03-12", "2026-03-14"]
    assert ids(get(http, server, "/athlete/0/wellness.json")) == [
        f"2026-03-{d}" for d in (10, 11, 12, 14, 15, 16, 17, 18)
    ]
    assert ids(get(http, server, "/athlete/0/wellness", oldest="2026-03-17")) == [
        "2026-03-17",
        "2026-03-18",
    ]


def test_wellness_fields_and_present_but_null(server, http):
    rows = get(
        http,
        server,
        "/athlete/0/wellness",
        oldest="2026-03-12",
        newest="2026-03-12",
        fields="id,hrv",
    ).json()
    assert rows == [{"id": "2026-03-12"}]
    row = get(http, server, "/athlete/0/wellness", oldest="2026-03-14", newest="2026-03-14").json()[
        0
    ]
    assert "sportInfo" in row and row["sportInfo"] is None


def test_wellness_single_day(server, http):
    assert get(http, server, "/athlete/0/wellness/2026-03-15").json()["ctl"] == 55.0
    assert get(http, server, f"/athlete/{ATHLETE_ID}/wellness/2026-03-15.json").json()["hrv"] == 65
    assert get(http, server, "/athlete/0/wellness/2026-03-13").json() == {"id": "2026-03-13"}
    assert get(http, server, "/athlete/0/wellness/13-03-2026").status_code == 500


# ----------------------------------------------------------------- events (docs/architecture.md#api-client)


def test_events_default_window_is_today_to_today_plus_6(server, http):
    assert ids(get(http, server, "/athlete/0/events")) == [502, 503, 504]
    assert ids(get(http, server, "/athlete/0/events", oldest="2026-03-18")) == [502, 503, 504]
    assert ids(
        get(http, server, "/athlete/0/events.json", oldest="2026-03-18", newest="2026-03-25")
    ) == [502, 503, 504, 505]


def test_events_are_indexed_on_start_date_only(server, http):
    # the SICK span 16..19 March covers the 17th but started before `oldest`
    assert ids(
        get(http, server, "/athlete/0/events", oldest="2026-03-17", newest="2026-03-18")
    ) == [506, 502]
    assert ids(
        get(
            http,
            server,
            "/athlete/0/events",
            oldest="2026-03-16",
            newest="2026-03-18",
            category="SICK,INJURED",
        )
    ) == [501]
    assert ids(
        get(
            http,
            server,
            "/athlete/0/events",
            oldest="2025-01-01",
            newest="2026-12-31",
            category="SEASON_START",
        )
    ) == [507, 508]
    assert ids(
        get(http, server, "/athlete/0/events", oldest="2026-03-01", newest="2026-03-31", limit="2")
    ) == [508, 501]


def _keys_in(value):
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys_in(v) for v in value)) if value else set()
    return set()


def test_events_resolve_keeps_or_strips_resolved_targets(server, http, data):
    plain = get(http, server, "/athlete/0/events", oldest="2026-03-18", newest="2026-03-18").json()[
        0
    ]
    keys = _keys_in(plain["workout_doc"])
    assert not keys & {"_power", "_hr", "_pace", "_distance"}
    assert {"power", "pace", "reps", "distance"} <= keys
    resolved = get(
        http, server, "/athlete/0/events", oldest="2026-03-18", newest="2026-03-18", resolve="true"
    ).json()[0]
    assert resolved["workout_doc"] == WORKOUT_DOC
    assert data.events[2]["workout_doc"] is WORKOUT_DOC  # served copies, data untouched
    assert "_power" in WORKOUT_DOC["steps"][0]


def test_event_attachment_urls_are_absolute_and_downloadable(server, http, data):
    race = get(http, server, "/athlete/0/events", oldest="2026-03-24", newest="2026-03-24").json()[
        0
    ]
    url = race["attachments"][0]["url"]
    assert url == server.base_url + "/files/course-504.gpx"
    assert requests.get(url, timeout=5).content == b"<gpx>course</gpx>"
    assert data.events[4]["attachments"][0]["url"] == "/files/course-504.gpx"


# ----------------------------------------------------------------- sport settings (docs/architecture.md#api-client)


def test_sport_settings(server, http, data):
    assert get(http, server, "/athlete/0/sport-settings").json() == data.athlete["sportSettings"]
    assert get(http, server, "/athlete/0/sport-settings/12").json()["lthr"] == 170
    assert get(http, server, "/athlete/0/sport-settings/VirtualRide").json()["id"] == 11
    assert get(http, server, "/athlete/0/sport-settings/Swim").status_code == 404
    data.athlete["sportSettings"] = None  # present-but-null container
    assert get(http, server, "/athlete/0/sport-settings").json() == []


# ----------------------------------------------------------------- curves (docs/architecture.md#api-client)


def test_power_curve_grammar_and_envelope(server, http, data):
    specs = "r.2026-02-01.2026-02-28,42d,1y,all,s0,s1,s2,r.2026-03-01.2026-03-07-kj0"
    r = get(http, server, "/athlete/0/power-curves", type="Ride", curves=specs)
    assert r.status_code == 200
    body = r.json()
    assert body["activities"] == {}
    assert [c["id"] for c in body["list"]] == specs.split(",")
    d = date
    assert data.curve_calls == [
        ("power", "Ride", d(2026, 2, 1), d(2026, 2, 28), "r.2026-02-01.2026-02-28"),
        ("power", "Ride", d(2026, 2, 5), TODAY, "42d"),  # 18 Mar - 41 days
        ("power", "Ride", d(2025, 3, 19), TODAY, "1y"),
        ("power", "Ride", d(2026, 3, 9), TODAY, "all"),  # earliest activity, i1001
        ("power", "Ride", d(2026, 3, 2), TODAY, "s0"),  # latest SEASON_START
        ("power", "Ride", d(2025, 11, 1), d(2026, 3, 1), "s1"),
        ("power", "Ride", d(2024, 1, 1), d(2024, 12, 31), "s2"),  # no third season: calendar year
        ("power", "Ride", d(2026, 3, 1), d(2026, 3, 7), "r.2026-03-01.2026-03-07-kj0"),
    ]


def test_curves_defaults_newest_and_hr_type(server, http, data):
    get(http, server, "/athlete/0/power-curves.json", type="Run")
    get(http, server, "/athlete/0/power-curves", type="Ride", curves="7d", newest="2026-03-10")
    assert get(http, server, "/athlete/0/hr-curves", curves="28d").status_code == 200
    get(http, server, "/athlete/0/hr-curves", curves="28d", type="Run")
    assert data.curve_calls == [
        ("power", "Run", date(2025, 3, 19), TODAY, "1y"),
        ("power", "Ride", date(2026, 3, 4), date(2026, 3, 10), "7d"),
        ("hr", None, date(2026, 2, 19), TODAY, "28d"),
        ("hr", "Run", date(2026, 2, 19), TODAY, "28d"),
    ]


def test_power_curves_need_type(server, http, data):
    r = get(http, server, "/athlete/0/power-curves", curves="42d")
    assert r.status_code == 422 and r.json()["status"] == 422
    assert data.curve_calls == []


@pytest.mark.parametrize(
    "spec",
    [
        "r.2026-02-30.2026-03-01",
        "r.2026-03-07.2026-03-01",
        "13x",
        "0d",
        "s",
        "r.2026-03-01",
        "42d,bogus",
    ],
)
def test_bad_curve_specs_are_422(server, http, data, spec):
    r = get(http, server, "/athlete/0/power-curves", type="Ride", curves=spec)
    assert r.status_code == 422
    assert data.curve_calls == []  # nothing computed for a half-valid list


# ----------------------------------------------------------------- per activity (docs/architecture.md#api-client–docs/architecture.md#api-client)


def test_activity_detail_with_and_without_intervals(server, http, data):
    plain = get(http, server, "/activity/i1002").json()
    assert plain == data.activities[1]
    full = get(http, server, "/activity/i1002", intervals="true").json()
    assert full["icu_intervals"] == data.intervals["i1002"]
    assert full["icu_groups"] == [
        {
            "id": "300s@255w",
            "count": 2,
            "start_index": 600,
            "elapsed_time": 600,
            "moving_time": 600,
            "distance": None,
            "training_load": 13.5,
            "joules": None,
            "joules_above_ftp": None,
            "average_watts": 255,
            "weighted_average_watts": None,
            "intensity": None,
            "average_heartrate": 155,
            "average_cadence": None,
            "average_speed": None,
            "max_watts": 320,
            "max_heartrate": None,
        }
    ]
    assert get(http, server, "/activity/i1002.json").json() == plain


def test_intervals_dto_and_not_yet_analysed(server, http, data):
    dto = get(http, server, "/activity/i1002/intervals").json()
    assert dto["id"] == "i1002" and dto["analyzed"] == "2026-03-10T02:00:00.000+00:00"
    assert [iv["id"] for iv in dto["icu_intervals"]] == [1, 2, 3, 4]
    assert [g["id"] for g in dto["icu_groups"]] == ["300s@255w"]
    given = get(http, server, "/activity/i1003", intervals="true").json()  # dataset gave groups
    assert given["icu_groups"] == [{"id": "g", "count": 1, "average_watts": None}]
    empty = get(http, server, "/activity/i1004/intervals").json()
    assert (empty["icu_intervals"], empty["icu_groups"]) == ([], [])
    data.intervals["i1004"] = [{"id": 1, "type": "WORK", "group_id": None}]  # analysis lands later
    assert len(get(http, server, "/activity/i1004/intervals").json()["icu_intervals"]) == 1


def test_derive_groups_ignores_recoveries_and_handles_float_means():
    rows = [
        {"group_id": "a", "average_cadence": 90.0, "moving_time": 100},
        {"group_id": "a", "average_cadence": 80.0, "moving_time": 300},
        {"group_id": None, "average_cadence": 10.0},
    ]
    (group,) = derive_groups(rows)
    assert group["count"] == 2 and group["average_cadence"] == 82.5  # (9000 + 24000) / 400
    assert derive_groups([]) == []


def test_streams_filter(server, http):
    assert [s["type"] for s in get(http, server, "/activity/i1002/streams").json()] == [
        "time",
        "watts",
        "heartrate",
        "latlng",
    ]
    some = get(http, server, "/activity/i1002/streams.json", types="watts,time,dfa_a1").json()
    assert [s["type"] for s in some] == ["time", "watts"]  # dataset order; unknown types absent
    latlng = get(http, server, "/activity/i1002/streams", types="latlng").json()[0]
    assert latlng["data"] == [50.1, 50.2, 50.3] and latlng["data2"] == [5.1, 5.2, 5.3]
    assert get(http, server, "/activity/i1004/streams").json() == []


def test_messages(server, http):
    assert [m["content"] for m in get(http, server, "/activity/i1002/messages").json()] == [
        "hello",
        "again",
    ]
    assert len(get(http, server, "/activity/i1002/messages", limit="1").json()) == 1
    assert get(http, server, "/activity/15550001/messages").json() == []


@pytest.mark.parametrize(
    "path",
    [
        "/activity/15550001",
        "/activity/15550001/streams",
        "/activity/15550001/streams.json",
        "/activity/15550001/intervals",
    ],
)
def test_strava_stubs_are_422(server, http, path):
    r = get(http, server, path, intervals="true")
    assert r.status_code == 422
    assert r.json() == {"status": 422, "error": "Cannot read Strava activities via the API"}


@pytest.mark.parametrize(
    "path",
    [
        "/activity/i404",
        "/activity/i404/streams",
        "/activity/i404/intervals",
        "/activity/i404/messages",
    ],
)
def test_unknown_activity_is_spring_404(server, http, path):
    r = get(http, server, path)
    assert r.status_code == 404
    assert r.json()["path"] == API + path and r.json()["error"] == "Not Found"


def test_a_failing_dataset_method_is_a_500_not_a_dead_server(server, http, data):
    def broken(activity_id):
        raise NotImplementedError

    data.activity_streams = broken
    r = get(http, server, "/activity/i1002/streams")
    assert r.status_code == 500 and "NotImplementedError" in r.json()["error"]
    assert get(http, server, "/athlete/0").status_code == 200


# ----------------------------------------------------------------- faults


def test_status_fault_with_retry_after_then_normal(server, http):
    server.inject(r"/activities$", status=429, retry_after="3", times=2)
    for _ in range(2):
        r = get(http, server, "/athlete/0/activities", oldest="2026-03-10")
        assert r.status_code == 429 and r.headers["Retry-After"] == "3"
        assert r.json() == {"status": 429, "error": "Too Many Requests"}
    assert get(http, server, "/athlete/0").status_code == 200  # other paths untouched
    assert get(http, server, "/athlete/0/activities", oldest="2026-03-10").status_code == 200


def test_status_fault_variants(server, http):
    date_form = "Wed, 21 Oct 2026 07:28:00 GMT"
    server.inject("wellness", status=503, retry_after=date_form)
    r = get(http, server, "/athlete/0/wellness")
    assert (r.status_code, r.headers["Retry-After"]) == (503, date_form)
    assert r.json() == {"status": 503, "error": "Service Unavailable"}
    server.inject("events", status=422, body=b'[{"status":422,"error":"Name is too long"}]')
    assert get(http, server, "/athlete/0/events").json() == [
        {"status": 422, "error": "Name is too long"}
    ]
    server.inject("athlete/0$", retry_after="1")  # Retry-After alone implies 429
    assert get(http, server, "/athlete/0").status_code == 429
    server.inject("athlete/0$", status=500)
    assert "Retry-After" not in get(http, server, "/athlete/0").headers


def test_fault_bodies(server, http):
    server.inject("athlete", null_body=True)
    r = get(http, server, "/athlete/0")
    assert (r.status_code, r.text) == (200, "null")
    server.inject("athlete", invalid_json=True)
    r = get(http, server, "/athlete/0")
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    server.inject("athlete", body=b'{"custom": true}')
    assert get(http, server, "/athlete/0").json() == {"custom": True}
    assert get(http, server, "/athlete/0").json()["id"] == ATHLETE_ID


def test_truncate_promises_the_full_length_and_sends_half(server):
    full = requests.get(
        server.base_url + API + "/athlete/0", auth=("API_KEY", KEY), timeout=5
    ).content
    server.inject("athlete", truncate=True)
    auth = base64.b64encode(f"API_KEY:{KEY}".encode()).decode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(
            f"GET {API}/athlete/0 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\n\r\n".encode()
        )
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert f"Content-Length: {len(full)}".encode() in head
    assert body == full[: len(full) // 2]
    server.inject("athlete", truncate=True)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(server.base_url + API + "/athlete/0", auth=("API_KEY", KEY), timeout=5)


def test_reset_closes_without_answering(server, http):
    server.inject("athlete", reset=True)
    with pytest.raises(requests.ConnectionError):
        get(http, server, "/athlete/0")
    assert get(http, server, "/athlete/0").status_code == 200
    record = server.requests[0]
    assert (record.status, record.fault) == (None, "reset")


def test_delay_past_the_client_timeout_then_normal(server, http, capfd):
    server.inject("athlete", delay=0.6)
    with pytest.raises(requests.exceptions.ReadTimeout):
        http.get(server.base_url + API + "/athlete/0", timeout=(2, 0.15))
    server.inject("wellness", delay=0.2)
    started = time.monotonic()
    assert get(http, server, "/athlete/0/wellness").status_code == 200
    assert time.monotonic() - started >= 0.2
    time.sleep(0.6)  # the abandoned answer is written to a closed socket, quietly
    assert capfd.readouterr().err == ""


def test_faults_apply_in_order_and_clear(server, http):
    server.inject("athlete", status=500)
    server.inject("athlete", status=502)
    assert get(http, server, "/athlete/0").status_code == 500
    assert get(http, server, "/athlete/0").status_code == 502
    server.inject("athlete", status=500, times=5)
    server.clear_faults()
    assert get(http, server, "/athlete/0").status_code == 200
    with pytest.raises(ValueError):
        server.inject("athlete", status=500, times=0)


def test_rate_limit_token_bucket(server, http, monkeypatch):
    freeze_server_clock(monkeypatch)  # no refill between the requests, however slow they are
    server.rate_limit = (0.5, 2)
    assert [get(http, server, "/athlete/0").status_code for _ in range(2)] == [200, 200]
    r = get(http, server, "/athlete/0")
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"  # (1 - ~0) token / 0.5 per s
    server.rate_limit_retry_after = False
    assert "Retry-After" not in get(http, server, "/athlete/0").headers
    server.rate_limit = None
    assert get(http, server, "/athlete/0").status_code == 200


# ----------------------------------------------------------------- log, keep-alive, threads, latency


def test_request_log(server, http):
    get(http, server, "/athlete/0/activities", oldest="2026-03-10", fields="id")
    server.inject("wellness", status=503)
    get(http, server, "/athlete/0/wellness")
    requests.get(server.base_url + API + "/athlete/0", timeout=5)
    log = server.requests
    assert [(r.method, r.path, r.query, r.status, r.fault) for r in log] == [
        ("GET", API + "/athlete/0/activities", {"oldest": "2026-03-10", "fields": "id"}, 200, None),
        ("GET", API + "/athlete/0/wellness", {}, 503, "status:503"),
        ("GET", API + "/athlete/0", {}, 401, None),
    ]
    assert all(r.duration >= 0 for r in log)
    assert KEY not in repr(log) and "Basic" not in repr(log)
    assert len(server.requests_matching(r"/wellness$")) == 1
    server.reset_log()
    assert server.requests == []


def test_keep_alive_reuses_one_connection(server, http):
    for path in (
        "/athlete/0",
        "/athlete/0/wellness",
        "/activity/i404",
        "/athlete/i9",
        "/activity/i1002",
    ):
        get(http, server, path)
    assert server.connections == 1
    requests.get(server.base_url + API + "/athlete/0", timeout=5)  # no session: a new connection
    assert server.connections == 2


def test_small_requests_do_not_stall_on_nagle(server, http):
    # with Nagle on, each answer (headers and body in two writes) waits ~40 ms for a delayed ACK
    assert get(http, server, "/athlete/0/wellness/2026-03-15").status_code == 200
    with server._lock:
        accepted = list(server._open)  # the keep-alive connection, still open
    assert accepted
    assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in accepted)


def test_concurrent_requests_from_threads(server, monkeypatch):
    """8 clients at once: each round of 8 requests is only answered once all 8
    are being served together (a server answering one after another would
    never fill the barrier)."""
    together = threading.Barrier(8)
    monkeypatch.setattr(server, "_wait", lambda seconds: together.wait(60))  # 60 s: hang guard
    server.latency = 0.2  # any latency: every request waits at the barrier
    results: list[int] = []
    lock = threading.Lock()

    def worker():
        with requests.Session() as session:
            session.auth = ("API_KEY", KEY)
            for _ in range(3):
                status = session.get(
                    server.base_url + API + "/athlete/0/wellness", timeout=5
                ).status_code
                with lock:
                    results.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 24
    assert len(server.requests) == 24 and server.connections == 8


def test_latency_is_added_to_every_request(server, http):
    server.latency = 0.25
    started = time.monotonic()
    assert get(http, server, "/athlete/0").status_code == 200
    assert time.monotonic() - started >= 0.25
    assert server.requests[-1].duration >= 0.25
    assert requests.get(server.base_url + "/files/course-504.gpx", timeout=5).status_code == 200
    assert server.requests[-1].duration >= 0.25


def test_garbage_and_disconnects_leave_no_traceback(server, capfd):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        sock.recv(65536)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /api/v1/athlete/0 HTTP/1.1\r\nHost: x\r\n")  # hang up mid-request
    time.sleep(0.2)
    assert requests.get(server.base_url + "/files/course-504.gpx", timeout=5).status_code == 200
    assert capfd.readouterr().err == ""


# ----------------------------------------------------------------- with the real client


def test_the_real_client_reads_through_the_server(server):
    from section11.sources.intervals import IntervalsClient

    with IntervalsClient("0", KEY, server.base_url, rate=None, backoff_base=0.01) as client:
        assert client.athlete()["id"] == ATHLETE_ID
        assert [a["id"] for a in client.activities(date(2026, 3, 15), TODAY)] == ["i1004", "i1003"]
        server.inject("wellness", truncate=True)
        rows = client.wellness(date(2026, 3, 17), TODAY)  # retried after the short read
        assert [r["id"] for r in rows] == ["2026-03-17", "2026-03-18"]
    assert server.connections <= 2  # one, plus one after the truncated answer's hang-up


# ----------------------------------------------------------------- the demo athlete


def test_demo_athlete_smoke(fake_api, demo_data, demo_today):
    with requests.Session() as session:
        session.auth = ("API_KEY", demo_data.api_key)
        base = fake_api.base_url + API
        assert session.get(f"{base}/athlete/0", timeout=10).json()["id"] == demo_data.athlete_id
        acts = session.get(
            f"{base}/athlete/{demo_data.athlete_id}/activities",
            timeout=10,
            params={"oldest": "2026-10-27", "newest": demo_today.isoformat()},
        ).json()
        starts = [a["start_date_local"] for a in acts]
        assert starts == sorted(starts, reverse=True)
        assert all("2026-10-27" <= s[:10] <= demo_today.isoformat() for s in starts)
        rows = session.get(
            f"{base}/athlete/0/wellness",
            timeout=10,
            params={"oldest": "2026-11-17", "newest": demo_today.isoformat()},
        ).json()
        assert [r["id"] for r in rows] == [f"2026-11-{d}" for d in range(17, 24)]
        events = session.get(
            f"{base}/athlete/0/events", timeout=10, params={"resolve": "true"}
        ).json()
        assert all("2026-11-23" <= e["start_date_local"][:10] <= "2026-11-29" for e in events)
        curves = session.get(
            f"{base}/athlete/0/power-curves",
            timeout=10,
            params={"type": "Ride", "curves": "r.2026-10-27.2026-11-23"},
        ).json()
        assert curves["list"][0]["id"] == "r.2026-10-27.2026-11-23"


def test_main_rejects_a_bad_date():
    with pytest.raises(SystemExit) as info:
        main(["--today", "not-a-date"])
    assert info.value.code == 2


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("inherited", ["default", "ignored"])
def test_python_m_entry_serves_until_interrupted(inherited):
    """It stops on Ctrl-C even when started with SIGINT ignored, as every
    background job of a non-interactive shell is (`make test &`, cron): it used
    to sleep on until the test's 10 s timeout."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "section11.demo.server", "--today", "2026-11-23"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_ignore_sigint if inherited == "ignored" else None,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    try:
        first, second = proc.stdout.readline(), proc.stdout.readline()
        url = first.split()[4]
        fields = dict(part.split("=", 1) for part in second.split())
        assert fields["INTERVALS_BASE_URL"] == url and url.startswith("http://127.0.0.1:")
        r = requests.get(
            url + API + "/athlete/0", auth=("API_KEY", fields["INTERVALS_KEY"]), timeout=10
        )
        assert r.json()["id"] == fields["ATHLETE_ID"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_pace_curves_take_the_power_grammar_and_need_a_type(server, http, data):
    r = get(http, server, "/athlete/0/pace-curves", type="Run", curves="r.2026-01-01.2026-03-18,s0")
    assert r.status_code == 200
    body = r.json()
    assert [c["id"] for c in body["list"]] == ["r.2026-01-01.2026-03-18", "s0"]
    assert data.curve_calls == [
        ("pace", "Run", date(2026, 1, 1), date(2026, 3, 18), "r.2026-01-01.2026-03-18"),
        ("pace", "Run", date(2026, 3, 2), TODAY, "s0"),
    ]
    missing_type = get(http, server, "/athlete/0/pace-curves", curves="42d")
    assert missing_type.status_code == 422
