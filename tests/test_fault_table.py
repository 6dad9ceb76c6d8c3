"""The fault table (tests/kit/faults.py + fault_answers.py,
scripts/fault_table.py): every fault on every call it applies to, against the
fake Intervals.icu. Each row
must be intact: a failed run leaves the previous files byte-identical, a
completed run leaves valid JSON whose metadata.sync_status names what is
missing. Core calls that outlast the retries must fail (exit 5); every other
fault must let the run complete.

One baseline (a previous good run) is shared by the module; each scenario
copies it, starts its own fake server and runs the CLI with a fast client.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from section11.demo.server import RequestRecord
from tests.kit import faults
from tests.kit.fault_answers import (
    ABSURD,
    absurd_values,
    emptied,
    null_fields,
    schema_drift,
    strava_stubs,
)
from tests.kit.faults import CALLS, FAULTS, Call, Row, format_table, scenarios, strict_json

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = scenarios()


def load_script():
    """scripts/fault_table.py as a module."""
    spec = importlib.util.spec_from_file_location(
        "fault_table", ROOT / "scripts" / "fault_table.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


# ------------------------------------------------------------ the table's shape


def test_every_fault_of_the_issue_on_a_core_and_a_per_activity_call():
    names = {
        "429 + Retry-After",
        "429, no Retry-After",
        "5xx burst (3x 503)",
        "5xx persistent",
        "slow past the timeout",
        "connection reset",
        "truncated body",
        "invalid JSON",
        "JSON null body",
        "present-but-null fields",
        "Strava stubs",
        "empty after a full answer",
        "absurd values",
        "schema drift",
    }
    assert {f.name for f in FAULTS} == names
    for name in names:
        calls = {s.call.name for s in SCENARIOS if s.fault.name == name}
        assert calls & {c.name for c in CALLS if c.core}, name
        assert calls & {c.name for c in CALLS if not c.core}, name
    core = [c.name for c in CALLS if c.core]
    assert core == ["athlete", "activities", "activities, history chunk", "wellness", "events"]
    assert [c.name for c in CALLS if not c.core] == [
        "activity intervals",
        "activity streams",
        "activity messages",
    ]
    # 13 faults on all 8 calls, Strava stubs on the 2 list calls and the 3 per-activity calls
    assert len(SCENARIOS) == 13 * 8 + 2 + 3


def test_expected_outcomes():
    by_key = {(s.fault.name, s.call.name): s.expected for s in SCENARIOS}
    assert by_key[("5xx persistent", "wellness")] == "exit"
    assert by_key[("5xx persistent", "activity messages")] == "complete"
    assert by_key[("5xx burst (3x 503)", "athlete")] == "complete"
    assert by_key[("absurd values", "wellness")] == "complete"
    assert by_key[("JSON null body", "events")] == "exit"
    assert len({s.slug for s in SCENARIOS}) == len(SCENARIOS)


# ------------------------------------------------------------ answer rewrites


def test_null_fields_keeps_identity_and_record_lists():
    raw = {
        "id": "i1",
        "type": "Ride",
        "start_date_local": "2026-11-22T10:00:00",
        "icu_training_load": 80,
        "zones": [1, 2],
        "name": "x",
        "laps": [{"id": 1, "hr": 150}, {"id": 2, "hr": 151}],
    }
    assert null_fields(raw) == {
        "id": "i1",
        "type": "Ride",
        "start_date_local": "2026-11-22T10:00:00",
        "icu_training_load": None,
        "zones": None,
        "name": None,
        "laps": [{"id": 1, "hr": None}, {"id": 2, "hr": None}],
    }
    assert null_fields([{"id": "2026-11-23", "hrv": 61.0}, 5]) == [
        {"id": "2026-11-23", "hrv": None},
        None,
    ]


def test_emptied_keeps_the_shape():
    assert emptied([{"id": 1}]) == []
    assert emptied(
        {"id": 5, "icu_intervals": [1], "icu_groups": [], "meta": {"a": 1}, "analyzed": "x"}
    ) == {"id": 5, "icu_intervals": [], "icu_groups": [], "meta": {}, "analyzed": "x"}


def test_absurd_values_of_a_wellness_row():
    row = {
        "id": "2026-11-23",
        "hrv": 61.0,
        "restingHR": 46,
        "sleepSecs": 27240,
        "weight": 74.8,
        "ctl": 68.0,
        "steps": 10669,
        "locked": True,
        "comments": "fine",
        "spO2": None,
    }
    # ABSURD_BY_KEY for the wellness fields; others take ABSURD[1], ABSURD[2], ... in order
    assert absurd_values(row) == {
        "id": "2026-11-23",
        "hrv": 1e9,
        "restingHR": -5,
        "sleepSecs": 10**12,
        "weight": 0,
        "ctl": ABSURD[1],
        "steps": ABSURD[2],
        "locked": True,
        "comments": "fine",
        "spO2": None,
    }
    assert ABSURD[1:3] == (-5, 10**12)
    streams = [{"type": "heartrate", "data": [120, 121, 122, 123, 124]}]
    assert absurd_values(streams) == [
        {"type": "heartrate", "data": [-5, 10**12, 0, "NaN", "Infinity"]}
    ]


def test_schema_drift_adds_unknown_and_drops_every_second_optional_field():
    drifted = schema_drift({"id": 1, "b": 2, "a": 1, "c": 3, "source": "STRAVA"})
    # optional, sorted: a, b, c -> a and c dropped; id and the stub marker kept
    assert drifted == {
        "id": 1,
        "b": 2,
        "source": "STRAVA",
        "x_future_field": {"nested": [1, "two", None], "ok": True},
        "icu_new_metric_2027": 3.25,
    }
    assert schema_drift([{"id": 1}]) == [
        {
            "id": 1,
            "x_future_field": {"nested": [1, "two", None], "ok": True},
            "icu_new_metric_2027": 3.25,
        }
    ]


def test_strava_stubs_beside_each_real_activity():
    real = {
        "id": "i1",
        "icu_athlete_id": "i5",
        "start_date_local": "2026-11-22T10:00:00",
        "type": "Ride",
    }
    stub = {"id": "s1", "source": "STRAVA"}
    out = strava_stubs([real, stub])
    assert out == [
        real,
        {
            "id": "9000000000",
            "icu_athlete_id": "i5",
            "start_date_local": "2026-11-22T10:00:00",
            "source": "STRAVA",
            "_note": "STRAVA activities are not available via the API",
        },
        stub,
    ]
    assert strava_stubs({"not": "a list"}) == {"not": "a list"}


@pytest.mark.parametrize(
    "text", [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": 1e999}', b'{"a": -1e400}', b'{"a": ']
)
def test_strict_json_refuses_non_finite_and_torn(text):
    with pytest.raises(ValueError):
        strict_json(text)


def test_strict_json_reads_plain_json():
    assert strict_json(b'{"a": [1, 2.5, null, "x"]}') == {"a": [1, 2.5, None, "x"]}


# ------------------------------------------------------------ bite detection


def record(path, status, fault=None, query=None):
    return RequestRecord("GET", path, query or {}, status, 0.01, fault)


def test_bitten_looks_at_the_last_answer_per_request():
    call = Call("activity messages", r"/messages$", False, ("messages",))
    recovered = [
        record("/api/v1/activity/i1/messages", 503, "status:503"),
        record("/api/v1/activity/i1/messages", 200),
    ]
    assert not faults._bitten(call, recovered)
    assert faults._bitten(call, recovered + [record("/api/v1/activity/i2/messages", None, "reset")])
    assert faults._bitten(call, [record("/api/v1/activity/i1/messages", 200, "delay")])
    assert not faults._bitten(call, [record("/api/v1/athlete/i5/events", 500, "status:500")])


# ------------------------------------------------------------ the table


def test_format_table_fixed_width():
    rows = [
        Row("invalid JSON", "athlete", "exit 5", True, "exit", 5),
        Row(
            "schema drift",
            "activity intervals",
            "completed, status=intervals:unavailable",
            False,
            "complete",
            0,
        ),
    ]
    assert format_table(rows).splitlines() == [
        "fault         call                outcome                                  files intact",
        "------------  ------------------  ---------------------------------------  ------------",
        "invalid JSON  athlete             exit 5                                   yes",
        "schema drift  activity intervals  completed, status=intervals:unavailable  NO",
    ]


def test_row_as_expected():
    assert Row("f", "c", "exit 5", True, "exit", 5).as_expected
    assert not Row("f", "c", "completed, status=ok", True, "exit", 0).as_expected
    assert Row("f", "c", "completed, status=ok", True, "complete", 0).as_expected
    assert not Row("f", "c", "exit 7", True, "complete", 7).as_expected


# ------------------------------------------------------------ every scenario


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, demo_data):
    return faults.prepare_baseline(tmp_path_factory.mktemp("faults"), data=demo_data)


def test_baseline_is_a_complete_good_run(baseline):
    assert sorted(p.name for p in baseline.directory.iterdir() if p.is_file()) == [
        "dashboard.html",
        "ftp_history.json",
        "history.json",
        "intervals.json",
        "latest.json",
        "routes.json",
    ]
    status = baseline.latest["metadata"]["sync_status"]
    assert set(status.values()) == {"ok"}
    assert {
        "athlete",
        "activities",
        "wellness",
        "events",
        "messages",
        "intervals",
        "streams",
        "terrain",
    } <= set(status)
    assert len(baseline.new_ids) == faults.NEW_ACTIVITIES
    assert len(baseline.after.activities) == len(baseline.before.activities) + len(baseline.new_ids)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.slug for s in SCENARIOS])
def test_fault_row_is_intact(baseline, scenario, tmp_path):
    row = faults.run_scenario(baseline, scenario, tmp_path)
    assert row.intact, f"{row.outcome}: {row.problems}"
    assert row.as_expected, f"expected the run to {row.expected}, got {row.outcome}"
    if row.code:
        assert row.code == 5, row.outcome  # an API failure, never a crash
    assert not list(tmp_path.iterdir())  # the scenario cleans up after itself


def test_script_prints_the_table(baseline, monkeypatch, capsys, tmp_path):
    script = load_script()
    monkeypatch.setattr(faults, "prepare_baseline", lambda root: baseline)
    assert script.main(["--only", "JSON null body"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["fault", "call", "outcome", "files", "intact"]
    rows = [line for line in out[2:] if line.startswith("JSON null body")]
    assert len(rows) == len(CALLS)
    assert all(line.endswith("yes") for line in rows)
    assert "exit 5" in next(line for line in rows if "  wellness  " in line)
    assert "status=messages:unavailable" in next(line for line in rows if "messages" in line)


def test_script_fails_on_a_row_that_is_not_intact(monkeypatch, capsys):
    script = load_script()
    broken = Row(
        "truncated body",
        "wellness",
        "completed, status=ok",
        False,
        "exit",
        0,
        ["latest.json is not valid JSON"],
    )
    monkeypatch.setattr(script, "run_scenarios", lambda selected, progress=None: [broken])
    assert script.main(["--only", "truncated body"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1].split()[-1] == "NO"
    assert "latest.json is not valid JSON" in captured.err


def test_absurd_wellness_completes_with_finite_numbers(baseline, tmp_path):
    """The issue's example (hrv 1e9, restingHR -5, sleepSecs 10^12, weight 0):
    the run completes and every number of every file is finite."""
    scenario = next(
        s for s in SCENARIOS if s.fault.name == "absurd values" and s.call.name == "wellness"
    )
    seen = {}

    def inspect(work: Path) -> None:
        seen.update({p.name: p.read_bytes() for p in work.glob("*.json")})

    row = faults.run_scenario(baseline, scenario, tmp_path, inspect=inspect)
    assert row.code == 0 and row.intact, row.problems
    assert sorted(seen) == [
        "ftp_history.json",
        "history.json",
        "intervals.json",
        "latest.json",
        "routes.json",
    ]
    numbers = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers.append(value)

    for data in seen.values():
        walk(strict_json(data))  # refuses NaN, Infinity and overflowing numbers
    assert numbers and all(math.isfinite(n) for n in numbers)
    latest = strict_json(seen["latest.json"])
    assert latest["metadata"]["sync_status"]["wellness"] == "ok"
    assert latest["current_status"]["fitness"]["tsb"] is not None


# ------------------------------------------------------------ sync_status of cached optional sources


def test_source_status_values():
    from section11.ingest.status import source_status

    assert source_status(0, 0) == "ok"
    assert source_status(0, 5) == "ok"
    assert source_status(2, 5) == "partial: 2 of 5 failed"
    assert source_status(5, 5) == "unavailable"
    assert source_status(5, 5, fallback=True) == "stale: refresh failed, stored copy used"


def test_cached_optional_counts_calls_failures_and_stale_copies():
    from section11.ingest.calls import cached_optional
    from section11.ingest.status import Tally
    from section11.ingest.store_file import open_store
    from section11.sources.errors import ApiError

    def good():
        return {"list": [1]}

    def bad():
        raise ApiError("HTTP 500", status=500)

    warnings: list[str] = []
    store = open_store(None, "i1")
    tally = Tally()
    assert cached_optional(store, "k", 100, "curves", warnings, tally, good, now=1000.0) == {
        "list": [1]
    }
    assert tally == Tally(calls=1, failed=0, covered=0) and tally.status == "ok"
    # younger than the ttl: no call at all
    assert cached_optional(store, "k", 100, "curves", warnings, tally, bad, now=1050.0) == {
        "list": [1]
    }
    assert tally == Tally(calls=1, failed=0, covered=0)
    # expired and failing: the older copy stands in
    assert cached_optional(store, "k", 100, "curves", warnings, tally, bad, now=2000.0) == {
        "list": [1]
    }
    assert tally == Tally(calls=2, failed=1, covered=1)
    assert tally.status == "partial: 1 of 2 failed"
    stale = Tally()
    cached_optional(store, "k", 100, "curves", warnings, stale, bad, now=3000.0)
    assert stale.status == "stale: refresh failed, stored copy used"
    missing = Tally()
    assert (
        cached_optional(store, "other", 100, "curves", warnings, missing, bad, now=3000.0) is None
    )
    assert missing == Tally(calls=1, failed=1, covered=0) and missing.status == "unavailable"
    assert len(warnings) == 3 and all(w.startswith("curves unavailable") for w in warnings)


@pytest.mark.parametrize(
    "age_sql, expected",
    [
        ("DELETE FROM cache", "unavailable"),
        (
            "UPDATE cache SET fetched_at = fetched_at - 86400",
            "stale: refresh failed, stored copy used",
        ),
    ],
)
def test_curves_and_health_markers_say_when_their_refresh_failed(
    baseline, tmp_path, age_sql, expected
):
    import shutil
    import sqlite3

    from tests.kit.fault_answers import FaultyIntervals

    work = tmp_path / "run"
    shutil.copytree(baseline.directory, work)
    conn = sqlite3.connect(work / ".section11" / "store.sqlite3")
    conn.execute(age_sql)
    conn.commit()
    conn.close()
    # the calendar (core) is the first /events call; the health markers call is the second
    with FaultyIntervals(
        baseline.before, today=faults.TODAY, pattern=r"/events$", skip=1
    ) as server:
        server.inject(r"/events$", status=500, times=faults.PERSIST)
        server.inject(r"/(power|hr)-curves$", status=503, times=faults.PERSIST)
        code, out, err = faults.run_sync(server, work)
    assert code == 0, err
    latest = strict_json((work / "latest.json").read_bytes())
    status = latest["metadata"]["sync_status"]
    assert status["health_markers"] == expected
    assert status["power_curves"] == expected
    assert status["hr_curves"] == expected
    assert status["activities"] == status["events"] == "ok"
    assert "health markers (SICK/INJURED) unavailable" in out


# ------------------------------------------------------------ local state (issue 11)

from tests.kit.local_faults import LOCAL_FAULTS, run_local_fault  # noqa: E402


def test_local_state_section_has_every_row_of_the_issue():
    names = {f.name for f in LOCAL_FAULTS}
    assert names == {
        "store damaged row",
        "store missing table",
        "store is a folder",
        "store read-only",
        "state folder read-only",
        "store locked",
        "two syncs at once",
        "output folder read-only",
        "symlinked data file",
        "symlinked sync.log",
        "SIGTERM",
        "SIGINT",
    }
    assert len({f.slug for f in LOCAL_FAULTS}) == len(LOCAL_FAULTS)
    assert all(1 not in f.expected for f in LOCAL_FAULTS)


@pytest.mark.parametrize("fault", LOCAL_FAULTS, ids=[f.slug for f in LOCAL_FAULTS])
def test_local_state_row_is_intact(baseline, fault, tmp_path):
    row = run_local_fault(baseline, fault, tmp_path)
    assert row.intact, f"{row.outcome}: {row.problems}"
    assert row.as_expected and row.code != 1, row.outcome


# ------------------------------------------------------------ hostile server (issue 11)

from tests.kit.hostile_faults import HOSTILE_FAULTS, run_hostile_fault  # noqa: E402


def test_hostile_server_section_has_every_row_of_the_issue():
    assert {f.name for f in HOSTILE_FAULTS} == {
        "slow drip",
        "endless body",
        "gzip bomb",
        "huge body (1 GB)",
        "NaN, Infinity, 5,000-digit numbers",
        "deep JSON",
        "wrong types",
        "HTML with 200",
        "redirect to another host",
        "attachments on another host",
    }
    assert {f.name for f in HOSTILE_FAULTS if f.memory_limit} == {
        "endless body",
        "gzip bomb",
        "huge body (1 GB)",
    }
    assert len({f.slug for f in HOSTILE_FAULTS}) == len(HOSTILE_FAULTS)
    assert all(1 not in f.expected for f in HOSTILE_FAULTS)


@pytest.mark.parametrize("fault", HOSTILE_FAULTS, ids=[f.slug for f in HOSTILE_FAULTS])
def test_hostile_server_row_is_intact(baseline, fault, tmp_path):
    row = run_hostile_fault(baseline, fault, tmp_path)
    assert row.intact, f"{row.outcome}: {row.problems}"
    assert row.as_expected and row.code != 1, row.outcome


def test_script_prints_the_hostile_and_local_sections(monkeypatch, capsys):
    script = load_script()
    assert script.main(["--section", "all", "--only", "html with 200"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["fault", "call", "outcome", "files", "intact"]
    assert out[2].startswith("HTML with 200") and out[2].endswith("yes") and "exit 5" in out[2]
    assert script.main(["--section", "all", "--only", "folder read-only"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line for line in out[2:] if line.strip()]
    assert len(rows) == 2 and all("exit 7" in r and r.endswith("yes") for r in rows)


# ------------------------------------------------------------ second sources (issues 14, 16)

from tests.kit.source_faults import SOURCE_FAULTS, leaked, run_source_fault  # noqa: E402


def test_sources_section_has_every_row_of_the_issues():
    rows = {(f.where, f.name) for f in SOURCE_FAULTS}
    assert rows == {
        ("trainingpeaks", "expired cookie"),
        ("trainingpeaks", "token outage (500)"),
        ("trainingpeaks", "429"),
        ("trainingpeaks", "90-day refusal"),
        ("peloton", "401"),
        ("peloton", "403 (token refused)"),
        ("peloton", "429"),
        ("peloton", "bad page"),
        ("peloton", "duplicated items"),
    }
    assert len({f.slug for f in SOURCE_FAULTS}) == len(SOURCE_FAULTS)


def test_the_source_secret_scan_finds_a_piece():
    from tests.kit.source_faults import PELOTON_MINTED, TP_COOKIE

    assert leaked(f"x {TP_COOKIE[5:11]} y") and leaked(f"Bearer {PELOTON_MINTED}12")
    assert leaked("nothing secret here") == []


@pytest.mark.parametrize("fault", SOURCE_FAULTS, ids=[f.slug for f in SOURCE_FAULTS])
def test_source_row_is_intact(baseline, fault, tmp_path):
    row = run_source_fault(baseline, fault, tmp_path)
    assert row.intact and row.code == 0, f"{row.outcome}: {row.problems}"
    assert row.outcome == f"completed, {fault.where}={fault.status}"
    assert not list(tmp_path.iterdir())  # the row cleans up after itself


def test_script_prints_the_sources_section(capsys):
    script = load_script()
    assert script.main(["--section", "sources", "--only", "duplicated"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["fault", "call", "outcome", "files", "intact"]
    assert out[2].split() == ["duplicated", "items", "peloton", "completed,", "peloton=ok", "yes"]
