"""routes.json entries and document (docs/metrics.md#routes; docs/architecture.md#caching)."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone

import pytest

from section11.demo import dataset
from section11.event_model import Attachment, Event
from section11.outputs.routes import (
    ROUTES_SCHEMA_VERSION,
    analyse_route_file,
    cached_result,
    previous_entries,
    route_attachments,
    route_entries,
    route_entry,
    routes_document,
    terrain_event_ids,
    unsupported_error,
)
from section11.sources.routefiles import RouteFileError

IMPERIAL = {"distance": "imperial"}
NOW = datetime(2026, 11, 23, 6, 30, tzinfo=timezone(timedelta(hours=1)))
R = 6_371_000.0


def route_gpx(length_m: float = 3000.0, spacing: float = 15.0) -> bytes:
    """A straight northbound route along 5°E climbing 3 % over its second half."""
    rows = []
    n = int(length_m / spacing)
    for i in range(n + 1):
        s = i * spacing
        ele = 100.0 + 0.03 * max(0.0, s - length_m / 2)
        rows.append(
            f'<trkpt lat="{math.degrees(s / R):.8f}" lon="5.0"><ele>{ele:.2f}</ele></trkpt>'
        )
    return (
        '<?xml version="1.0"?><gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        + "".join(rows)
        + "</trkseg></trk></gpx>"
    ).encode()


def event(
    eid="101",
    name="Hill race",
    start="2026-11-28T09:30:00",
    category="RACE_A",
    files=(("a1", "course.gpx"),),
):
    return Event(
        id=eid,
        date=date.fromisoformat(start[:10]),
        start_local=start,
        name=name,
        category=category,
        attachments=tuple(
            Attachment(aid, fname, f"https://files.example/{aid}?sig=SECRET")
            for aid, fname in files
        ),
    )


# ----------------------------------------------------------------- scanning


def test_route_attachments_pick_gpx_tcx_fit_by_extension():
    events = [
        event(
            "1",
            files=(
                ("a", "Course.GPX"),
                ("b", "notes.pdf"),
                ("c", "c.tcx"),
                ("d", "ride.fit"),
                ("e", "gpx"),
            ),
        ),
        event("2", files=()),
        event("3", files=(("f", "loop.gpx"),)),
    ]
    picked = [(e.id, a.id) for e, a in route_attachments(events)]
    assert picked == [("1", "a"), ("1", "c"), ("1", "d"), ("3", "f")]


def test_fit_is_unsupported_without_download():
    fit = Attachment("d", "ride.fit", "https://x/y")
    err = unsupported_error(fit)
    assert err.message == "ride.fit: FIT format not yet supported" and err.terminal
    assert unsupported_error(Attachment("a", "a.gpx", "https://x")) is None


# ----------------------------------------------------------------- entries


def test_route_entry_with_summary():
    ev = event()
    summary = analyse_route_file(route_gpx(), "course.gpx")
    entry = route_entry(ev, ev.attachments[0], summary)
    assert list(entry) == [
        "event_id",
        "event_name",
        "event_date",
        "category",
        "attachment_id",
        "filename",
        "terrain_summary",
        "start_time",
    ]
    assert entry["event_id"] == "101"
    assert entry["event_name"] == "Hill race"
    assert entry["event_date"] == "2026-11-28"
    assert entry["category"] == "RACE_A"
    assert entry["attachment_id"] == "a1"
    assert entry["filename"] == "course.gpx"
    assert entry["start_time"] == "09:30"
    ts = entry["terrain_summary"]
    assert ts["source"] == "gpx_attachment"
    assert ts["total_distance_km"] == 3.0
    # 3 % over the last 1,500 m; the last 100 m average the height at 2,950 m
    # (143.5 m), so the smoothed rise is 43.5 m
    assert ts["total_elevation_m"] == 44
    assert (ts["courses"], ts["segments"], ts["course_rule"]) == (1, 1, "all_tracks")
    assert ts["polyline"][0] == [0.0, 0.0, 5.0, 100]
    assert ts["polyline"][-1][0] == 3.0


def test_midnight_start_and_missing_name():
    ev = event(name=None, start="2026-11-28T00:00:00")
    entry = route_entry(ev, ev.attachments[0], None)
    assert entry["event_name"] == "Unnamed"
    assert "start_time" not in entry
    assert entry["terrain_summary"] is None
    assert "terrain_status" not in entry
    date_only = event(start="2026-11-28")
    assert "start_time" not in route_entry(date_only, date_only.attachments[0], None)


def test_error_entry_keeps_a_null_summary_and_never_leaks_the_url():
    ev = event()
    att = ev.attachments[0]
    terminal = route_entry(ev, att, RouteFileError("course.gpx: insufficient trackpoints (1)"))
    assert terminal["terrain_summary"] is None
    assert terminal["terrain_status"] == "error"
    assert terminal["terrain_error"] == "course.gpx: insufficient trackpoints (1)"
    assert "terrain_retry" not in terminal
    transient = route_entry(
        ev,
        att,
        RouteFileError(f"course.gpx: download failed for {att.url}\n(HTTP 503)", terminal=False),
    )
    assert transient["terrain_retry"] is True
    assert transient["terrain_error"] == "course.gpx: download failed for <url> (HTTP 503)"
    assert "SECRET" not in json.dumps(transient)
    long = route_entry(ev, att, RouteFileError("x" * 500))
    assert len(long["terrain_error"]) == 200


def test_cached_summary_gets_display_blocks_for_current_units():
    ev = event()
    metric = analyse_route_file(route_gpx(), "course.gpx")
    entry = route_entry(ev, ev.attachments[0], metric, IMPERIAL)
    ts = entry["terrain_summary"]
    assert ts["display"]["total_distance"] == {"value": 1.86, "unit": "mi"}  # 3.0 x 0.621371
    assert ts["display"]["total_elevation"] == {"value": 144, "unit": "ft"}  # 44 x 3.28084
    assert metric["display"]["total_distance"]["unit"] == "km"


def test_bad_file_becomes_an_error_result():
    result = analyse_route_file(b"<gpx>" + b" " * 100, "broken.gpx")
    assert isinstance(result, RouteFileError)
    assert result.message.startswith("broken.gpx: invalid or truncated XML")


# ----------------------------------------------------------------- document


def test_routes_document_shape():
    ev = event()
    entries = [route_entry(ev, ev.attachments[0], analyse_route_file(route_gpx(), "c.gpx"))]
    doc = routes_document(entries, NOW, "1.4.0")
    assert list(doc) == [
        "generated_at",
        "sync_version",
        "schema_version",
        "course_rules",
        "events",
    ]
    assert set(doc["course_rules"]) == {"all_tracks", "longest_route"}
    assert doc["generated_at"] == "2026-11-23T06:30:00+01:00"
    assert doc["sync_version"] == "1.4.0"
    assert doc["schema_version"] == ROUTES_SCHEMA_VERSION == 1
    assert doc["events"] == entries
    json.dumps(doc, allow_nan=False)  # serialisable, no NaN
    assert routes_document([], NOW, "1.4.0")["events"] == []


def test_terrain_event_ids_ignore_errors():
    entries = [
        {"event_id": 1, "terrain_summary": {"source": "gpx_attachment"}},
        {"event_id": "2", "terrain_summary": None, "terrain_status": "error", "terrain_error": "x"},
        {"event_id": "3", "terrain_summary": {"error": "legacy reference error"}},
        {"event_id": "4", "terrain_summary": {}},
        {"event_id": None, "terrain_summary": {"source": "gpx_attachment"}},
        {"event_id": "5"},
    ]
    assert terrain_event_ids(entries) == {"1"}


# ----------------------------------------------------------------- cache and fetching


class Fetcher:
    def __init__(self, files):
        self.files = files
        self.calls = []

    def __call__(self, attachment):
        self.calls.append(attachment.id)
        body = self.files[attachment.id]
        if isinstance(body, Exception):
            raise body
        return body


def test_route_entries_download_only_what_is_needed():
    events = [
        event("1", files=(("a", "a.gpx"), ("f", "b.fit"))),
        event("2", name="Same file", files=(("a", "a.gpx"),)),
        event("3", files=(("t", "t.gpx"),)),
        event("4", files=(("c", "c.gpx"),)),
    ]
    fetch = Fetcher(
        {
            "a": route_gpx(),
            "t": RouteFileError("t.gpx: HTTP 503", terminal=False),
            "c": b"nope" * 20,
        }
    )
    entries = route_entries(events, fetch)
    assert fetch.calls == ["a", "t", "c"]  # fit never downloaded, "a" once
    by = {(e["event_id"], e["attachment_id"]): e for e in entries}
    assert by[("1", "a")]["terrain_summary"]["total_distance_km"] == 3.0
    assert by[("2", "a")]["terrain_summary"] == by[("1", "a")]["terrain_summary"]
    assert by[("2", "a")]["event_name"] == "Same file"
    assert by[("1", "f")]["terrain_error"] == "b.fit: FIT format not yet supported"
    assert by[("3", "t")]["terrain_retry"] is True
    assert by[("4", "c")]["terrain_error"] == "c.gpx: invalid XML (not an XML document)"
    assert terrain_event_ids(entries) == {"1", "2"}


def test_cache_reuse_refreshes_event_fields_and_retries_transient_errors():
    old_event = event(
        "1",
        name="Old name",
        start="2026-11-20T00:00:00",
        files=(("a", "a.gpx"), ("t", "t.gpx"), ("x", "x.gpx")),
    )
    first = route_entries(
        [old_event, event("9", files=(("gone", "g.gpx"),))],
        Fetcher(
            {
                "a": route_gpx(),
                "t": RouteFileError("t.gpx: timeout", terminal=False),
                "x": b"<gpx>" + b" " * 60,
                "gone": route_gpx(),
            }
        ),
    )
    doc = json.loads(json.dumps(routes_document(first, NOW, "1.4.0")))
    cache = previous_entries(doc, "1.4.0")
    assert set(cache) == {"a", "t", "x", "gone"}

    new_event = event(
        "1",
        name="New name",
        start="2026-11-21T08:15:00",
        category="RACE_B",
        files=(("a", "a.gpx"), ("t", "t.gpx"), ("x", "x.gpx")),
    )
    fetch = Fetcher({"t": route_gpx()})
    second = route_entries([new_event], fetch, IMPERIAL, cache)
    assert fetch.calls == ["t"]  # terminal error and summary reused, transient retried
    by = {e["attachment_id"]: e for e in second}
    assert set(by) == {"a", "t", "x"}  # the event that left the window fell out
    assert by["a"]["event_name"] == "New name"
    assert by["a"]["event_date"] == "2026-11-21"
    assert by["a"]["category"] == "RACE_B"
    assert by["a"]["start_time"] == "08:15"
    assert by["a"]["terrain_summary"]["display"]["total_distance"]["unit"] == "mi"
    assert by["t"]["terrain_summary"]["total_distance_km"] == 3.0
    assert "terrain_retry" not in by["t"]
    assert by["x"]["terrain_status"] == "error"
    assert by["x"]["terrain_error"].startswith("x.gpx: invalid or truncated XML")


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        "x",
        {"schema_version": 1, "sync_version": "1.3.9", "events": []},
        {"sync_version": "1.4.0", "events": []},
        {"schema_version": 2, "sync_version": "1.4.0", "events": []},
        {"schema_version": 1, "sync_version": "1.4.0", "events": None},
    ],
)
def test_previous_entries_ignore_foreign_or_broken_documents(doc):
    assert previous_entries(doc, "1.4.0") == {}


def test_cached_result_kinds():
    assert cached_result(None) is None
    assert cached_result({"terrain_summary": None}) is None
    assert cached_result({"terrain_summary": {"error": "old reference style"}}) is None
    assert cached_result({"terrain_summary": {"source": "gpx_attachment"}}) == {
        "source": "gpx_attachment"
    }
    err = cached_result(
        {
            "terrain_summary": None,
            "terrain_status": "error",
            "terrain_error": "a.gpx: file too small (3 bytes)",
        }
    )
    assert isinstance(err, RouteFileError) and err.terminal
    assert (
        cached_result(
            {
                "terrain_summary": None,
                "terrain_status": "error",
                "terrain_error": "x",
                "terrain_retry": True,
            }
        )
        is None
    )


def test_demo_dataset_routes_document():
    from section11.event_model import events_from_raw

    demo = dataset.build_demo(date(2026, 11, 23))
    events = events_from_raw(demo.events)
    fetch = Fetcher(
        {
            a.id: demo.attachments[a.url][1]
            for e in events
            for a in e.attachments
            if a.url in demo.attachments
        }
    )
    entries = route_entries(events, fetch)
    assert len(entries) == len(fetch.files) >= 2
    for entry in entries:
        ts = entry["terrain_summary"]
        assert ts["source"] == "gpx_attachment"
        assert ts["total_distance_km"] > 50
        assert ts["climbs"] and ts["polyline"]
    json.dumps(routes_document(entries, NOW, "demo"), allow_nan=False)
