"""The incremental sync on the local store, through the CLI over real HTTP:
all five files, request budgets, late records, suspicious answers and
unreadable local files."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest

from section11.outputs.charts import CHARTS
from tests.kit.fast_client import use_fast_client

from .test_sync_e2e import env_for, run_cli

FILES = ["ftp_history.json", "history.json", "intervals.json", "latest.json", "routes.json"]


@pytest.fixture(autouse=True)
def fast_client(monkeypatch):
    use_fast_client(monkeypatch, read_timeout=2)


def sync(fake_api, out: Path, capsys, *extra, **env):
    code, stdout, err = run_cli(
        ["--output-dir", str(out), *extra], env_for(fake_api, **env), capsys, out
    )
    assert code == 0, err
    return stdout


def recent_outdoor_ride(data, today: date) -> dict:
    for raw in data.activities:
        day = (raw.get("start_date_local") or "")[:10]
        if (
            raw.get("type") in ("Ride", "GravelRide")
            and day >= (today - timedelta(days=2)).isoformat()
        ):
            return raw
    raise AssertionError("the demo has no outdoor ride in the last 3 days")


def test_all_files_and_request_budgets(fake_api, demo_today, tmp_path, capsys):
    late = recent_outdoor_ride(fake_api.data, demo_today)
    fake_api.data.activities.remove(late)
    sync(fake_api, tmp_path, capsys)
    assert sorted(p.name for p in tmp_path.glob("*.json")) == FILES
    charts = {f"charts/{p.name}" for p in tmp_path.glob("charts/*.svg")}
    assert (tmp_path / "dashboard.html").is_file() and charts == set(CHARTS)
    for name in FILES:
        json.loads((tmp_path / name).read_text())
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert "sections_pending" not in latest["metadata"]
    assert latest["history"]["available"] is True

    fake_api.reset_log()
    sync(fake_api, tmp_path, capsys)
    steady = [r.path for r in fake_api.requests]
    assert len(steady) <= 6, steady

    fake_api.data.activities.append(late)  # appears upstream (a late watch sync)
    fake_api.reset_log()
    sync(fake_api, tmp_path, capsys)
    extra = [r.path for r in fake_api.requests if f"/activity/{late['id']}" in r.path]
    assert 1 <= len(extra) <= 4, extra
    assert len(fake_api.requests) - len(steady) <= 4
    intervals = json.loads((tmp_path / "intervals.json").read_text())
    assert late["id"] in {e["activity_id"] for e in intervals["activities"]}

    fake_api.reset_log()  # and never again
    sync(fake_api, tmp_path, capsys)
    assert not [r for r in fake_api.requests if f"/activity/{late['id']}" in r.path]


def test_generate_history_uses_a_warm_store_and_rereads_a_day_old_one(fake_api, tmp_path, capsys):
    import sqlite3

    sync(fake_api, tmp_path, capsys)
    (tmp_path / "history.json").unlink()
    fake_api.reset_log()
    sync(fake_api, tmp_path, capsys, "--generate-history")
    assert len([r for r in fake_api.requests if r.path.endswith("/activities")]) == 1
    assert json.loads((tmp_path / "history.json").read_text())["daily_90d"]
    conn = sqlite3.connect(tmp_path / ".section11" / "store.sqlite3")
    conn.execute("UPDATE coverage SET fetched_at = fetched_at - 2 * 86400")
    conn.commit()
    conn.close()
    fake_api.reset_log()
    sync(fake_api, tmp_path, capsys)  # two days old: still fresh for a normal run
    assert len([r for r in fake_api.requests if r.path.endswith("/activities")]) == 1
    fake_api.reset_log()
    sync(fake_api, tmp_path, capsys, "--generate-history")
    # the newest history chunk with the recent window, the older one beside it
    assert len([r for r in fake_api.requests if r.path.endswith("/activities")]) == 2


def test_empty_activity_list_after_a_full_one_keeps_data(fake_api, demo_today, tmp_path, capsys):
    sync(fake_api, tmp_path, capsys)
    before = json.loads((tmp_path / "latest.json").read_text())
    fake_api.inject(r"/activities$", body=b"[]", times=5)
    out = sync(fake_api, tmp_path, capsys)
    assert "kept the stored ones" in out
    after = json.loads((tmp_path / "latest.json").read_text())
    assert len(after["recent_activities"]) == len(before["recent_activities"])
    assert after["metadata"]["sync_status"]["activities"] == "kept_previous"
    intervals = json.loads((tmp_path / "intervals.json").read_text())
    assert intervals["activities"]


def test_garbage_store_is_rebuilt_with_a_message(fake_api, tmp_path, capsys):
    state = tmp_path / ".section11"
    state.mkdir()
    (state / "store.sqlite3").write_bytes(b"\x00garbage" * 1000)
    out = sync(fake_api, tmp_path, capsys)
    assert "rebuilding it from Intervals.icu" in out
    assert json.loads((tmp_path / "latest.json").read_text())["recent_activities"]


def test_unreadable_ftp_history_is_kept_aside(fake_api, tmp_path, capsys):
    (tmp_path / "ftp_history.json").write_text("{not json")
    out = sync(fake_api, tmp_path, capsys)
    corrupt = list(tmp_path.glob("ftp_history.json.corrupt-*"))
    assert len(corrupt) == 1 and corrupt[0].read_text() == "{not json"
    assert "ftp_history.json is unreadable" in out
    assert json.loads((tmp_path / "ftp_history.json").read_text())["outdoor"]


def test_ftp_history_written_only_on_change(fake_api, tmp_path, capsys):
    sync(fake_api, tmp_path, capsys)
    first = (tmp_path / "ftp_history.json").stat().st_mtime_ns
    out = sync(fake_api, tmp_path, capsys)
    assert "ftp_history.json" not in out
    assert (tmp_path / "ftp_history.json").stat().st_mtime_ns == first


def test_failed_core_fetch_writes_nothing(fake_api, tmp_path, capsys):
    sync(fake_api, tmp_path, capsys)
    before = {name: (tmp_path / name).read_bytes() for name in FILES}
    fake_api.inject(r"/events$", status=500, times=10)
    code, _, err = run_cli(["--output-dir", str(tmp_path)], env_for(fake_api), capsys, tmp_path)
    assert code == 5 and len(err.strip().splitlines()) == 1
    assert {name: (tmp_path / name).read_bytes() for name in FILES} == before


def test_late_comment_on_a_recent_activity_is_picked_up(fake_api, demo_today, tmp_path, capsys):
    from datetime import datetime

    late = recent_outdoor_ride(fake_api.data, demo_today)
    sync(fake_api, tmp_path, capsys)
    fake_api.reset_log()
    sync(fake_api, tmp_path, capsys)  # minutes later: no message calls
    assert not [r for r in fake_api.requests if r.path.endswith("/messages")]
    original = fake_api.data.activity_messages
    fake_api.data.activity_messages = lambda aid: (
        [{"id": 1, "content": "Coach: great pacing"}] if aid == late["id"] else original(aid)
    )
    seven_hours_later = datetime(2026, 11, 23, 16, 0, tzinfo=UTC).isoformat()
    fake_api.reset_log()
    sync(fake_api, tmp_path, capsys, SECTION11_NOW=seven_hours_later)
    rechecked = [r for r in fake_api.requests if r.path.endswith("/messages")]
    assert 1 <= len(rechecked) <= 4  # only today's and yesterday's activities
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert latest["metadata"]["privacy"]  # chat is redacted by default ...
    code, _, err = run_cli(
        ["--output-dir", str(tmp_path), "--share", "notes"],
        env_for(fake_api, SECTION11_NOW=seven_hours_later),
        capsys,
        tmp_path,
    )
    assert code == 0, err
    latest = json.loads((tmp_path / "latest.json").read_text())
    ride = next(a for a in latest["recent_activities"] if a["id"] == late["id"])
    assert ride["chat_notes"] == ["Coach: great pacing"]  # ... and shared on request


def test_a_store_of_the_previous_layout_is_migrated_without_a_history_download(
    fake_api, tmp_path, capsys
):
    """Schema 1 kept intervals.json-shaped `entry` rows and terrain with display
    blocks. Rewrite a synced store into that layout, then sync: the lists and
    the DFA blocks and terrain carry over; only the raw intervals are fetched again."""
    import sqlite3

    sync(fake_api, tmp_path, capsys)
    first_intervals = json.loads((tmp_path / "intervals.json").read_text())
    first_latest = json.loads((tmp_path / "latest.json").read_text())
    conn = sqlite3.connect(tmp_path / ".section11" / "store.sqlite3")
    conn.execute("DELETE FROM resources WHERE kind IN ('intervals', 'dfa')")
    for entry in first_intervals["activities"]:
        conn.execute(
            "INSERT INTO resources (activity_id, kind, token, payload, fetched_at) "
            "VALUES (?, 'entry', NULL, ?, '2026-01-01T00:00:00+00:00')",
            (entry["activity_id"], json.dumps(entry)),
        )
    display = {"total_distance": {"value": 1, "unit": "parsec"}}
    terrain_rows = conn.execute(
        "SELECT activity_id, payload FROM resources WHERE kind = 'terrain'"
    ).fetchall()
    summaries = 0
    for activity_id, payload in terrain_rows:
        fields = json.loads(payload)
        if "terrain_summary" in fields:
            summaries += 1
            summary = fields["terrain_summary"]
            summary["display"] = display
            for climb in summary["climbs"]:
                climb["display"] = display
        conn.execute(
            "UPDATE resources SET payload = ? WHERE activity_id = ? AND kind = 'terrain'",
            (json.dumps(fields), activity_id),
        )
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    assert summaries  # the demo has outdoor rides with a track

    fake_api.reset_log()
    out = sync(fake_api, tmp_path, capsys)
    assert "rebuilding" not in out
    paths = [r.path for r in fake_api.requests]
    assert len([p for p in paths if p.endswith("/activities")]) == 1  # no 3-year download
    assert not [p for p in paths if p.endswith("/streams.json")]  # DFA and terrain carried over
    with_segments = {e["activity_id"] for e in first_intervals["activities"] if e["intervals"]}
    batches = [p for p in paths if re.search(r"/athlete/[^/]+/activities/[^/]+$", p)]
    refetched = {aid for p in batches for aid in p.rsplit("/", 1)[1].split(",")}
    assert with_segments and refetched == with_segments
    again = json.loads((tmp_path / "intervals.json").read_text())
    assert again["activities"] == first_intervals["activities"]
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert latest["recent_activities"] == first_latest["recent_activities"]
    assert "parsec" not in json.dumps(latest)
    conn = sqlite3.connect(tmp_path / ".section11" / "store.sqlite3")
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    kinds = {k for (k,) in conn.execute("SELECT DISTINCT kind FROM resources")}
    conn.close()
    assert version == ("2",) and "entry" not in kinds and {"intervals", "dfa"} <= kinds


CYCLING = {"Ride", "VirtualRide", "GravelRide", "MountainBikeRide", "EBikeRide", "TrackRide"}


def expected_backfill(activities: list[dict], today: date) -> dict[str, dict[str, float]]:
    """Per series, the first date of each FTP run of the served cycling activities
    of the three fetched years (today-1095 ... today)."""
    oldest = (today - timedelta(days=1095)).isoformat()
    rows: dict[str, list[tuple[str, float]]] = {"indoor": [], "outdoor": []}
    for raw in activities:
        if (
            raw.get("type") in CYCLING
            and raw.get("icu_ftp")
            and raw["start_date_local"][:10] >= oldest
        ):
            kind = "indoor" if raw["type"] == "VirtualRide" or raw.get("trainer") else "outdoor"
            rows[kind].append((raw["start_date_local"][:10], raw["icu_ftp"]))
    out: dict[str, dict[str, float]] = {}
    for kind, points in rows.items():
        out[kind] = {}
        last = None
        for day, ftp in sorted(points):
            if ftp != last:
                out[kind][day] = ftp
                last = ftp
    return out


def test_first_run_backfills_ftp_history_from_the_activities(
    fake_api, demo_today, tmp_path, capsys
):
    sync(fake_api, tmp_path, capsys)
    written = json.loads((tmp_path / "ftp_history.json").read_text())
    expected = expected_backfill(fake_api.data.activities, demo_today)
    assert len(expected["outdoor"]) >= 2  # the demo's FTP moved during the three years
    for kind in ("indoor", "outdoor"):
        backfilled = {
            day: ftp
            for day, ftp in written[kind].items()
            if written["sources"][kind][day] == "activity"
        }
        assert backfilled == expected[kind], kind
        assert set(written["sources"][kind]) == set(written[kind])
    history = json.loads((tmp_path / "history.json").read_text())
    assert {e["date"] for e in history["ftp_timeline"] if e["source"] == "activity"} == {
        day for kind in ("indoor", "outdoor") for day in expected[kind]
    }


def test_a_reference_ftp_history_is_backfilled_before_its_first_entry(
    fake_api, demo_today, tmp_path, capsys
):
    expected = expected_backfill(fake_api.data.activities, demo_today)["outdoor"]
    cut = sorted(expected)[1]  # the reference started recording after the first change
    (tmp_path / "ftp_history.json").write_text(json.dumps({"indoor": {}, "outdoor": {cut: 999}}))
    sync(fake_api, tmp_path, capsys)
    written = json.loads((tmp_path / "ftp_history.json").read_text())
    assert written["outdoor"][cut] == 999 and written["sources"]["outdoor"][cut] == "settings"
    before = {day: ftp for day, ftp in expected.items() if day < cut}
    assert {d: f for d, f in written["outdoor"].items() if d < cut} == before
    assert all(written["sources"]["outdoor"][d] == "activity" for d in before)


def streams_asked(fake_api) -> dict[str, str]:
    """{activity id: the `types` asked} of this run's streams requests."""
    return {
        r.path.split("/")[-2]: r.query.get("types", "")
        for r in fake_api.requests
        if r.path.endswith("/streams.json")
    }


def test_streams_are_asked_only_where_the_list_says_they_were_recorded(
    fake_api, demo_today, tmp_path, capsys
):
    """DFA a1 comes from the RR intervals ("hrv" in the list's `stream_types`) and
    terrain from the track ("latlng"): an activity recorded without them is not
    asked for them, and the files come out exactly as when every call is made."""
    recent = [
        raw
        for raw in fake_api.data.activities
        if raw.get("type") and raw["start_date_local"][:10] >= str(demo_today - timedelta(days=13))
    ]
    swims = [r for r in recent if r["type"] == "Swim" and "hrv" not in r["stream_types"]]
    runs = [r for r in recent if r["type"] == "Run" and "hrv" not in r["stream_types"]]
    rr = [r for r in recent if "hrv" in r["stream_types"]]
    assert swims and len(runs) >= 2 and rr
    trackless = runs[0]  # an outdoor run whose watch logged no position
    trackless["stream_types"] = [t for t in trackless["stream_types"] if t != "latlng"]
    for name in ("listed", "unlisted"):
        (tmp_path / name).mkdir()

    sync(fake_api, tmp_path / "listed", capsys)
    asked = streams_asked(fake_api)
    assert not {r["id"] for r in swims} & set(asked)
    assert trackless["id"] not in asked
    assert asked[runs[1]["id"]] == "latlng,altitude"  # terrain alone
    assert all(asked[r["id"]].startswith("dfa_a1,") for r in rr)

    for raw in fake_api.data.activities:  # the same data, the list silent on streams
        raw["stream_types"] = None
    fake_api.reset_log()
    sync(fake_api, tmp_path / "unlisted", capsys)
    assert {r["id"] for r in swims} | {trackless["id"]} <= set(streams_asked(fake_api))
    outputs = {}
    for folder in ("listed", "unlisted"):
        outputs[folder] = {n: json.loads((tmp_path / folder / n).read_text()) for n in FILES}
        for activity in outputs[folder]["latest.json"]["recent_activities"]:
            if activity["id"] == trackless["id"]:  # the fake still serves its track when asked
                terrain = (
                    activity.pop("terrain_status", None),
                    activity.pop("terrain_summary", None),
                )
                assert (terrain[0] == "no_gps") == (folder == "listed"), terrain
    assert outputs["listed"] == outputs["unlisted"]
