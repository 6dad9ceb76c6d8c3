"""Peloton as an opt-in source, over real HTTP to the fake Peloton API.

Paging (250 workouts fetched once each, duplicated items, an empty extra
page), the hourly throttle on the project's clock, refresh-token rotation kept
0600, metrics looked up by slug, the Peloton fault table (401, 403, 429 on
each call: the sync completes and says how to fix it), and the demo with
Peloton against the demo without it: matched rides enrich, unmatched rides
are added once and the load inputs differ by exactly their load.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from section11 import cli
from section11.demo.peloton_server import FakePeloton
from section11.demo.peloton_view import PelotonView, build_peloton_view, workout_answers
from section11.ingest.peloton import KIND, TOKEN_FILE, fetch_peloton
from section11.ingest.store_file import open_store
from section11.metrics.load import daily_tss
from section11.model import Activity
from section11.peloton_model import workout_from_raw
from section11.sources.peloton import PelotonAuth, PelotonClient
from tests.kit.peloton_faults import forbidden, rate_limited, status, unauthorized

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
FIRST = int(datetime(2026, 11, 19, 7, 0, tzinfo=UTC).timestamp())


def account(n: int, hr_every: int = 2) -> PelotonView:
    """n rides, one every 6 hours back from FIRST, newest first."""
    view = PelotonView(user={"id": "u1", "cycling_ftp": 200}, workouts=[])
    for i in range(n):
        item, detail, graph, ride = workout_answers(
            f"w{i:04d}", i, FIRST - i * 6 * 3600, 1200.0, heart_rate=i % hr_every == 0
        )
        view.workouts.append(item)
        view.details[item["id"]] = detail
        view.graphs[item["id"]] = graph
        view.rides[ride["ride"]["id"]] = ride
    return view


def auth_for(fake: FakePeloton, **changes) -> PelotonAuth:
    base = {
        "refresh_token": fake.view.refresh_token,
        "client_id": fake.view.client_id,
        "base_url": fake.base_url,
        "auth_url": fake.base_url,
    }
    return PelotonAuth(**{**base, **changes})


def unpaced(token: str, base_url: str | None) -> PelotonClient:
    return PelotonClient(token, base_url, rate=None)


def fetch(fake: FakePeloton, state: Path, now: datetime = NOW, **changes):
    warnings: list[str] = []
    with open_store(state, "i1") as store:
        got = fetch_peloton(
            auth_for(fake, **changes), store, state, now, now.date(), warnings, factory=unpaced
        )
    return got, warnings


# ----------------------------------------------------------------- paging


def test_250_workouts_are_fetched_once_each_despite_duplicates_and_an_empty_extra_page(tmp_path):
    with FakePeloton(account(250)) as fake:
        fake.extra_page = True  # page_count one too high: the last page asked for is empty
        fake.page_shift = 3  # each page repeats the last 3 items of the page before
        got, warnings = fetch(fake, tmp_path)
        details = [r.path for r in fake.calls(r"/api/workout/[^/]+")]
        graphs = fake.calls(r"/api/workout/[^/]+/performance_graph")
        pages = [r.query for r in fake.calls(r"/api/user/u1/workouts")]
    assert got.status == "ok" and not warnings
    assert len(details) == len(set(details)) == 250
    assert len(graphs) == 250
    assert {w["workout"]["id"] for w in got.workouts} == {f"w{i:04d}" for i in range(250)}
    assert [p["page"] for p in pages][:3] == ["0", "1", "2"]
    assert all(p["limit"] == "100" for p in pages)
    assert all(r.platform_web for r in fake.requests if r.path.startswith("/api/"))


def test_next_run_stops_at_the_newest_stored_workout_and_waits_an_hour(tmp_path):
    view = account(30)
    with FakePeloton(view) as fake:
        fetch(fake, tmp_path)
        newer = account(1)
        item = {**newer.workouts[0], "id": "fresh", "start_time": FIRST + 3600}
        view.workouts.insert(0, item)
        view.details["fresh"] = {**newer.details["w0000"], "id": "fresh"}
        view.graphs["fresh"] = newer.graphs["w0000"]
        fake.requests.clear()
        got, _ = fetch(fake, tmp_path, NOW + timedelta(minutes=59))
        assert fake.requests == [] and got.status == "ok" and len(got.workouts) == 30
        got, _ = fetch(fake, tmp_path, NOW + timedelta(minutes=61))
        fetched = {r.path for r in fake.calls(r"/api/workout/.*")}
    assert fetched == {"/api/workout/fresh", "/api/workout/fresh/performance_graph"}
    assert len(got.workouts) == 31


def test_a_rotated_refresh_token_is_kept_0600_and_used_next_time(tmp_path):
    with FakePeloton(account(2)) as fake:
        fetch(fake, tmp_path)
        path = tmp_path / TOKEN_FILE
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        saved = json.loads(path.read_text())["refresh_token"]
        assert saved in fake.refresh_tokens and fake.view.refresh_token not in fake.refresh_tokens
        got, warnings = fetch(fake, tmp_path, NOW + timedelta(hours=2))
    assert got.status == "ok" and not warnings
    assert json.loads(path.read_text())["refresh_token"] != saved


def test_a_bearer_token_needs_no_token_endpoint(tmp_path):
    with FakePeloton(account(3)) as fake:
        fake.access_tokens.add("browser-access")
        got, _ = fetch(fake, tmp_path, refresh_token=None, bearer_token="browser-access")
        assert fake.calls(r"/oauth/token") == []
    assert got.status == "ok" and len(got.workouts) == 3


def test_plain_http_to_another_host_is_refused(tmp_path):
    with FakePeloton(account(1)) as fake:
        got, warnings = fetch(fake, tmp_path, base_url="http://api.example.com")
    assert got.status == "auth_expired" and "https" in warnings[0]


# ----------------------------------------------------------------- model


def test_metrics_are_looked_up_by_slug_and_heart_rate_only_when_present(tmp_path):
    with FakePeloton(account(2)) as fake:
        got, _ = fetch(fake, tmp_path)
    bundles = {b["workout"]["id"]: b for b in got.workouts}
    with_hr, without = bundles["w0000"], bundles["w0001"]
    assert [m["slug"] for m in with_hr["graph"]["metrics"]][1] == "heart_rate"
    assert workout_from_raw(with_hr).avg_hr is not None
    assert workout_from_raw(without).avg_hr is None
    reordered = dict(
        without, graph={**without["graph"], "metrics": without["graph"]["metrics"][::-1]}
    )
    assert workout_from_raw(reordered) == workout_from_raw(without)


# ----------------------------------------------------------------- fault table

CALLS = {
    "token": r"/oauth/token",
    "me": r"/api/me",
    "workouts": r"/api/user/[^/]+/workouts",
    "detail": r"/api/workout/[^/]+",
    "graph": r"/api/workout/[^/]+/performance_graph",
}
FAULTS = {401: "auth_expired", 403: "auth_expired", 429: "rate_limited", 500: "stale"}


def demo_env(server, tmp_path: Path, fake: FakePeloton) -> dict[str, str]:
    return {
        "ATHLETE_ID": server.data.athlete_id,
        "INTERVALS_KEY": server.data.api_key,
        "INTERVALS_BASE_URL": server.base_url,
        "SECTION11_NOW": "2026-11-20T12:00:00+00:00",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "PELOTON_REFRESH_TOKEN": fake.view.refresh_token,
        "PELOTON_CLIENT_ID": fake.view.client_id,
        "PELOTON_BASE_URL": fake.base_url,
        "PELOTON_AUTH_URL": fake.base_url,
        "SECTION11_UPDATE_CHECK": "off",
    }


@pytest.fixture(scope="module")
def fake_intervals():
    from section11.demo.dataset import build_demo
    from section11.demo.server import FakeIntervals

    data = build_demo(date(2026, 11, 20), timezone="Europe/Amsterdam")
    with FakeIntervals(data) as server:
        yield server


@pytest.mark.parametrize("code", sorted(FAULTS))
@pytest.mark.parametrize("call", sorted(CALLS))
def test_fault_table_peloton_rows(fake_intervals, tmp_path, capsys, call, code):
    view = build_peloton_view(fake_intervals.data, "Europe/Amsterdam")
    with FakePeloton(view) as fake:
        fake.hooks.append(
            rate_limited(CALLS[call], retry_after="0")
            if code == 429
            else status(code, CALLS[call], times=10)
        )
        out = tmp_path / "out"
        rc = cli.main(["--output-dir", str(out)], environ=demo_env(fake_intervals, tmp_path, fake))
    printed = capsys.readouterr()
    assert rc == 0
    latest = json.loads((out / "latest.json").read_text())
    entry = latest["sources_status"]["peloton"]
    expected = FAULTS[code]
    assert entry["status"] == expected
    assert entry["last_good_data"] is None and entry["message"] in printed.out
    assert latest["recent_activities"] and (out / "history.json").exists()
    if expected == "auth_expired":
        assert "PELOTON_REFRESH_TOKEN" in entry["message"]


def test_expired_token_leaves_the_rest_complete_and_keeps_the_stored_rides(
    fake_intervals, tmp_path, capsys
):
    view = build_peloton_view(fake_intervals.data, "Europe/Amsterdam")
    out = tmp_path / "out"
    with FakePeloton(view) as fake:
        env = demo_env(fake_intervals, tmp_path, fake)
        assert cli.main(["--output-dir", str(out)], environ=env) == 0
        first = json.loads((out / "latest.json").read_text())
        fake.expire_tokens()
        fake.hooks.append(forbidden())
        later = env | {"SECTION11_NOW": "2026-11-20T14:00:00+00:00"}
        assert cli.main(["--output-dir", str(out)], environ=later) == 0
    printed = capsys.readouterr().out
    latest = json.loads((out / "latest.json").read_text())
    entry = latest["sources_status"]["peloton"]
    assert entry["status"] == "auth_expired" and entry["last_good_data"] == "2026-11-20"
    assert "copy a new refresh token" in entry["message"] and "warning: Peloton refused" in printed
    ids = lambda doc: [a["id"] for a in doc["recent_activities"]]  # noqa: E731
    assert ids(latest) == ids(first)  # the stored rides are still merged


def test_unauthorized_and_rate_limited_hooks_exist():
    assert unauthorized()("GET", "/api/me", {})[0] == 401
    assert rate_limited()("GET", "/api/me", {})[0] == 429


# ----------------------------------------------------------------- the demo with Peloton


def run_demo(tmp_path: Path, name: str, peloton: bool) -> tuple[dict, dict]:
    out = tmp_path / name
    argv = ["--demo", "--output-dir", str(out)] + (["--demo-peloton"] if peloton else [])
    env = {"SECTION11_NOW": "2026-11-20T12:00:00+00:00", "HOME": str(tmp_path / "home")}
    assert cli.main(argv, environ=env) == 0
    return json.loads((out / "latest.json").read_text()), json.loads(
        (out / "history.json").read_text()
    )


def test_demo_with_peloton_adds_unmatched_rides_once_and_load_counts_each_once(tmp_path, capsys):
    plain, _ = run_demo(tmp_path, "plain", False)
    merged, _ = run_demo(tmp_path, "peloton", True)
    capsys.readouterr()
    view = build_peloton_view(
        __import__("section11.demo.dataset", fromlist=["build_demo"]).build_demo(
            TODAY, timezone="Europe/Amsterdam"
        ),
        "Europe/Amsterdam",
    )
    before = {a["id"]: a for a in plain["recent_activities"]}
    after = {a["id"]: a for a in merged["recent_activities"]}
    added = {k: a for k, a in after.items() if k not in before}
    assert sorted(added) == sorted(f"peloton_{w}" for w in view.only_peloton_ids)
    assert all(a["peloton"]["role"] == "added" and a["tss"] > 0 for a in added.values())
    enriched = [a for a in after.values() if a.get("peloton", {}).get("role") == "enriched"]
    matched = len(view.workouts) - len(view.only_peloton_ids)
    assert len(enriched) == matched and all(a["type"] == "VirtualRide" for a in enriched)
    for a in enriched:  # Intervals.icu stays the authority
        assert {k: v for k, v in a.items() if k != "peloton"} == before[a["id"]]
    assert "sources_status" not in plain
    assert merged["sources_status"]["peloton"]["status"] == "ok"

    # load inputs: the 28 daily TSS values differ by exactly the added rides' loads
    def daily(latest: dict) -> list[float]:
        acts = [
            Activity(
                id=a["id"],
                date=date.fromisoformat(a["date"][:10]),
                start_local=a["date"],
                type=a["type"],
                load=a["tss"],
            )
            for a in latest["recent_activities"]
        ]
        return daily_tss(acts, TODAY, 28)

    expected = daily(plain)
    for a in added.values():
        expected[27 - (TODAY - date.fromisoformat(a["date"][:10])).days] += a["tss"]
    assert daily(merged) == pytest.approx(expected)
    gained = sum(a["tss"] for a in added.values())
    assert merged["derived_metrics"]["tss_28d_total"] == pytest.approx(
        plain["derived_metrics"]["tss_28d_total"] + gained, abs=0.6
    )
    assert merged["derived_metrics"]["acwr"] != plain["derived_metrics"]["acwr"]


def test_store_keeps_raw_bundles_of_kind_peloton(tmp_path):
    with FakePeloton(account(3)) as fake:
        fetch(fake, tmp_path)
    with open_store(tmp_path, "i1") as store:
        assert len(store.records(KIND)) == 3
