"""The demo athlete exercises every alert and readiness path somewhere in its history.

A sync is replayed for every day of the demo history (tests.kit.replay:
the SyncInputs the pipeline would fetch on that day, no HTTP) and the computed
sections are collected: every alert row of docs/metrics.md#alerts and docs/metrics.md#race-calendar, and
every rung of the readiness ladder (docs/metrics.md#readiness) with each outcome. The history is
shaped for it by section11.demo.story (training camp, fever, heat wave, ...);
the last RECENT_DAYS keep an ordinary picture. `pytest -s` prints the coverage.

No docs/metrics.md#alerts row is unreachable: acute_depolarization looked the least likely (a
7-day PI exists only for a polarized shape, f1 > f3 > f2, so PI < 2 needs
f1·f3 < f2 < f3, a narrow band), yet the first outdoor week after the indoor
polarized block lands in it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from section11.demo.dataset import HISTORY_DAYS, RECENT_DAYS, build_demo
from section11.demo.server import FakeIntervals
from section11.event_model import events_from_raw
from section11.model import Athlete, activities_from_raw
from section11.outputs.latest import current_fitness
from section11.outputs.sections import compute_sections
from section11.sources.intervals import IntervalsClient
from section11.wellness_model import wellness_from_raw
from tests.kit.replay import DemoReplay, replay_inputs

TODAY = date(2026, 4, 15)
WARMUP_DAYS = 40  # the first replayed day still has 28-day windows inside the history

ALERT_ROWS = [  # (metric, row) of docs/metrics.md#alerts and docs/metrics.md#race-calendar
    ("acwr", "alarm"),
    ("acwr", "warning"),
    ("monotony", "alarm"),
    ("monotony", "warning"),
    ("monotony", "info"),
    ("strain", "alarm"),
    ("recovery_index", "alarm"),
    ("recovery_index", "warning"),
    ("hrv", "alarm"),
    ("hrv", "warning"),
    ("rhr", "alarm"),
    ("rhr", "warning"),
    ("durability", "alarm"),
    ("durability", "warning: declining trend"),
    ("durability", "warning: high-drift sessions"),
    ("tid_distribution", "warning: shifting"),
    ("tid_distribution", "warning: acute_depolarization"),
    ("race_taper", "info"),
    ("race_week", "info"),
    ("race_week_tsb", "warning"),
]
READINESS_OUTCOMES = [
    ("skip", 0),
    ("skip", 1),
    ("modify", 1),
    ("skip", 2),
    ("modify", 2),
    ("go", 3),
]
READINESS_PATHS = [
    "P0 skip",
    "P1 skip: start-of-day ACWR corroborated",
    "P1 skip: deep TSB, HRV down",
    "P1 skip: Recovery Index with persistent alerts",
    "P1 modify",
    "P2 skip: two reds",
    "P2 skip: tightened red + amber",
    "P2 modify: one red",
    "P2 modify: ambers",
    "P3 go",
]


# ----------------------------------------------------------------- classification


def alert_row(alert: dict, derived: dict) -> tuple[str, str]:
    """The docs/metrics.md#alerts / docs/metrics.md#race-calendar row an alert belongs to. The two durability warnings and the
    two TID warnings share (metric, severity); the capability block tells them apart."""
    metric, severity = alert["metric"], alert["severity"]
    capability = derived["capability"]
    if metric == "durability" and severity == "warning":
        block = capability["durability"]
        declining = block["trend"] == "declining" and alert["value"] == block["mean_decoupling_7d"]
        return metric, "warning: declining trend" if declining else "warning: high-drift sessions"
    if metric == "tid_distribution":
        return metric, f"warning: {capability['tid_comparison']['drift']}"
    return metric, severity


def readiness_path(decision: dict, tsb: float | None) -> str:
    """Which rung (and which branch of it) produced the decision (docs/metrics.md#readiness)."""
    priority, signals = decision["priority"], decision["signals"]
    statuses = {name: s["status"] for name, s in signals.items()}
    if priority == 0:
        return "P0 skip"
    if priority == 1 and decision["recommendation"] == "modify":
        return "P1 modify"
    if priority == 1:
        if decision["alarm_refs"]:
            return "P1 skip: Recovery Index with persistent alerts"
        acwr = signals["acwr"]["value"]
        if (
            acwr is not None
            and acwr >= 1.5
            and any(statuses[n] in ("amber", "red") for n in ("hrv", "rhr", "sleep", "ri"))
        ):
            return "P1 skip: start-of-day ACWR corroborated"
        assert tsb is not None and tsb < -30 and signals["hrv"]["delta_pct"] < -10
        return "P1 skip: deep TSB, HRV down"
    if priority == 2:
        reds = sum(1 for s in statuses.values() if s == "red")
        if decision["recommendation"] == "skip":
            return "P2 skip: two reds" if reds >= 2 else "P2 skip: tightened red + amber"
        return "P2 modify: one red" if reds == 1 else "P2 modify: ambers"
    return "P3 go"


# ----------------------------------------------------------------- the replay


@pytest.fixture(scope="module")
def demo():
    return build_demo(TODAY)


@pytest.fixture(scope="module")
def coverage(demo):
    replay = DemoReplay(demo)
    rows: dict[tuple, list[date]] = defaultdict(list)
    outcomes: dict[tuple, list[date]] = defaultdict(list)
    paths: dict[str, list[date]] = defaultdict(list)
    first = TODAY - timedelta(days=HISTORY_DAYS - WARMUP_DAYS)
    day = first
    while day <= TODAY:
        ctx = replay.inputs(day)
        computed = compute_sections(ctx, history_activities=ctx.history_activities)
        for alert in computed.sections["alerts"]:
            rows[alert_row(alert, computed.derived)].append(day)
        decision = computed.sections["readiness_decision"]
        outcomes[(decision["recommendation"], decision["priority"])].append(day)
        paths[readiness_path(decision, current_fitness(ctx)["tsb"])].append(day)
        day += timedelta(days=1)
    print(f"\nreplayed {(TODAY - first).days + 1} days up to {TODAY}")
    for row in ALERT_ROWS:
        seen = rows.get(row, [])
        print(f"  {row[0]:17s} {row[1]:30s} first {seen[0] if seen else '-'}  x{len(seen)}")
    for path in READINESS_PATHS:
        seen = paths.get(path, [])
        print(f"  readiness {path:48s} first {seen[0] if seen else '-'}  x{len(seen)}")
    return {"rows": rows, "outcomes": outcomes, "paths": paths, "first": first}


@pytest.mark.parametrize("row", ALERT_ROWS, ids=lambda r: f"{r[0]}-{r[1]}")
def test_every_alert_row_fires_in_the_history(coverage, row):
    assert coverage["rows"].get(row), f"{row} never fires between {coverage['first']} and {TODAY}"


def test_no_alert_falls_outside_the_table(coverage):
    assert set(coverage["rows"]) <= set(ALERT_ROWS)


@pytest.mark.parametrize("outcome", READINESS_OUTCOMES, ids=lambda o: f"{o[0]}-P{o[1]}")
def test_every_readiness_outcome_occurs(coverage, outcome):
    assert coverage["outcomes"].get(outcome), f"readiness {outcome} never decided"


@pytest.mark.parametrize("path", READINESS_PATHS)
def test_every_readiness_path_occurs(coverage, path):
    assert coverage["paths"].get(path), f"readiness path {path!r} never taken"


def test_the_story_happens_when_the_story_says(coverage):
    """The alerts come from the episodes meant to cause them (story.py), not by luck."""
    rows, paths = coverage["rows"], coverage["paths"]

    def on(row_or_path, month, days):
        found = rows.get(row_or_path) if isinstance(row_or_path, tuple) else paths.get(row_or_path)
        return any(d.month == month and d.day in days for d in found or ())

    assert on(("hrv", "alarm"), 2, range(10, 17))  # the February fever
    assert on(("rhr", "alarm"), 2, range(10, 17))
    assert on(("recovery_index", "alarm"), 2, range(10, 17))
    assert on(("strain", "alarm"), 3, range(14, 31))  # the training camp
    assert on(("monotony", "alarm"), 3, range(14, 31))
    assert on(("monotony", "info"), 3, range(22, 31))  # the flush week: a deload
    assert on(("monotony", "warning"), 12, range(1, 32))  # the advent streak
    assert on(("durability", "alarm"), 7, range(18, 32)) or on(
        ("durability", "alarm"), 8, range(1, 32)
    )
    assert on(("durability", "warning: high-drift sessions"), 7, range(18, 32))
    assert on(("tid_distribution", "warning: acute_depolarization"), 2, range(2, 12))
    assert on(("race_week_tsb", "warning"), 5, range(6, 15))  # the B race, no taper
    assert on("P1 skip: Recovery Index with persistent alerts", 10, range(14, 17))
    assert on("P2 skip: tightened red + amber", 6, range(13, 20))  # nerves before the A race
    assert on("P1 modify", 3, range(14, 18))  # first camp days


# ----------------------------------------------------------------- the recent window


@pytest.mark.parametrize(
    "today", [date(2026, 2, 12), date(2026, 3, 20), date(2026, 7, 24), date(2026, 12, 15)]
)
def test_episodes_stay_out_of_the_recent_window(today):
    """With "today" inside an episode, the last RECENT_DAYS show an ordinary picture:
    no fever, camp, heat wave or streak alerts (only what ordinary training gives)."""
    replay = DemoReplay(build_demo(today))
    episodic = {"monotony", "strain", "recovery_index", "rhr", "durability"}
    for back in range(RECENT_DAYS - 7):  # each replayed day's 7-day window is recent
        alerts = compute_sections(replay.inputs(today - timedelta(days=back))).sections["alerts"]
        assert not [a for a in alerts if a["metric"] in episodic], (today, back, alerts)
        assert not [a for a in alerts if a["tier"] == 1 and a["severity"] == "alarm"]


# ----------------------------------------------------------------- the replay helper


def test_replay_windows_follow_the_fetch(demo):
    day = date(2026, 1, 10)
    ctx = replay_inputs(demo, day)
    assert ctx.today == day and ctx.days == 7
    assert ctx.now == datetime(2026, 1, 10, 21, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    assert ctx.athlete == Athlete.from_raw(demo.athlete)
    # activities: 28 days (max of --days and 28), newest first, Strava stubs counted not kept
    raw = [a for a in demo.activities if "2025-12-14" <= a["start_date_local"][:10] <= "2026-01-10"]
    kept = [a["id"] for a in raw if a.get("source") != "STRAVA"]
    assert [a.id for a in ctx.activities] == kept
    assert ctx.hidden_activities == len(raw) - len(kept) > 0
    starts = [a.start_local for a in ctx.activities]
    assert starts == sorted(starts, reverse=True)
    assert list(ctx.wellness) == wellness_from_raw(
        [w for w in demo.wellness if "2025-12-14" <= w["id"] <= "2026-01-10"]
    )
    # calendar: today - 14 .. today + 90; health markers: a year back
    window = [e for e in demo.events if "2025-12-27" <= e["start_date_local"][:10] <= "2026-04-10"]
    assert {e.id for e in ctx.events} == {str(e["id"]) for e in window}
    assert date(2025, 12, 27) <= min(e.date for e in ctx.events) < date(2026, 1, 1)
    assert date(2026, 4, 1) < max(e.date for e in ctx.events) <= date(2026, 4, 10)
    assert ctx.health_events and {e.category for e in ctx.health_events} <= {"SICK", "INJURED"}
    assert all(date(2025, 1, 10) <= e.date <= date(2026, 4, 10) for e in ctx.health_events)
    assert ctx.power_curves is None and ctx.chat_notes == {}


def test_replay_history_is_three_years(demo):
    """history_activities/_wellness: 1095 days (refresh.HISTORY_DAYS) up to the day;
    TODAY - 1094 = 2023-04-17, inside the 1100-day demo history (from 2023-04-11)."""
    ctx = replay_inputs(demo, TODAY)
    history = [
        a["id"]
        for a in demo.activities
        if a.get("source") != "STRAVA"
        and "2023-04-17" <= a["start_date_local"][:10] <= "2026-04-15"
    ]
    assert [a.id for a in ctx.history_activities] == history
    assert min(a.date for a in ctx.history_activities) < date(2023, 4, 24)
    assert list(ctx.history_wellness) == wellness_from_raw(
        [w for w in demo.wellness if "2023-04-17" <= w["id"] <= "2026-04-15"]
    )
    assert ctx.history_wellness[0].date == date(2023, 4, 17)


def test_replay_with_a_longer_display_window(demo):
    ctx = replay_inputs(demo, date(2026, 1, 31), days=42)
    assert min(a.date for a in ctx.activities) == date(2025, 12, 21)
    assert min(w.date for w in ctx.wellness) == date(2025, 12, 21)
    assert min(e.date for e in ctx.events) >= date(2025, 12, 21)


def test_replay_curves_on_request(demo):
    """curves=True asks DemoData.curve for what pipeline.fetch_curves requests."""
    day = date(2025, 9, 30)
    ctx = replay_inputs(demo, day, curves=True)
    assert list(ctx.power_curves) == ["r.2025-09-03.2025-09-30", "r.2025-08-06.2025-09-02"]
    assert list(ctx.hr_curves) == list(ctx.power_curves)
    assert all(curve.secs for curve in ctx.power_curves.values())
    assert "r.2025-08-20.2025-09-30" in ctx.sport_power_curves["Ride"]
    assert set(ctx.sport_hr_curves) == set(ctx.sport_power_curves)
    capability = compute_sections(ctx).derived["capability"]
    assert capability["power_curve_delta"]["anchors"]["60s"]["current_watts"] > 0
    assert "cycling" in capability["sustainability_profile"]


def test_replay_refuses_days_after_the_data(demo):
    with pytest.raises(ValueError):
        replay_inputs(demo, TODAY + timedelta(days=1))


def test_replay_matches_what_the_fake_server_serves(demo):
    """The replayed windows equal the API answers for the same fetch windows."""
    day = date(2026, 2, 11)  # the fever, 2 months before TODAY: history, not recent
    ctx = DemoReplay(demo).inputs(day)
    with (
        FakeIntervals(demo, today=TODAY) as server,
        IntervalsClient("0", demo.api_key, server.base_url, rate=None) as client,
    ):
        acts = activities_from_raw(client.activities(day - timedelta(days=27), day))
        wellness = wellness_from_raw(client.wellness(day - timedelta(days=27), day))
        events = events_from_raw(
            client.events(day - timedelta(days=14), day + timedelta(days=90), resolve=True)
        )
        health = events_from_raw(
            client.events(
                day - timedelta(days=365),
                day + timedelta(days=90),
                category=["INJURED", "SICK"],
                resolve=False,
            )
        )
    assert [a.id for a in ctx.activities] == [a.id for a in acts if not a.is_stub]
    assert ctx.hidden_activities == sum(1 for a in acts if a.is_stub)
    assert list(ctx.wellness) == wellness
    assert [e.id for e in ctx.events] == [e.id for e in events]
    assert [e.id for e in ctx.health_events] == [e.id for e in health]
    metrics = {a["metric"] for a in compute_sections(ctx).sections["alerts"]}
    assert {"hrv", "rhr", "recovery_index"} <= metrics  # fever day 2
