"""Route file parsing (docs/metrics.md#routes; weakness 9.3.6 (docs/architecture.md#reference-weaknesses))."""

from __future__ import annotations

import tracemalloc
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.demo import dataset
from section11.sources import routefiles
from section11.sources.routefiles import (
    MAX_ROUTE_BYTES,
    Course,
    RouteFileError,
    Trackpoint,
    parse_route,
)

GPX_NS = "http://www.topografix.com/GPX/1/1"
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def gpx(points: str, root_attrs: str = f'xmlns="{GPX_NS}"') -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="t" '
        f"{root_attrs}>\n<trk><name>Loop</name><trkseg>\n{points}\n</trkseg></trk>\n"
        f"</gpx>\n"
    ).encode()


TWO = (
    '<trkpt lat="50.1" lon="5.2"><ele>120.5</ele></trkpt>'
    '<trkpt lat="50.2" lon="5.3"><ele>130</ele></trkpt>'
)


def parsed(data: bytes, name: str) -> list[Trackpoint]:
    """Every point of every course, in document order."""
    return [p for course in parse_route(data, name) for seg in course.segments for p in seg]


def message(data: bytes, name: str) -> RouteFileError:
    with pytest.raises(RouteFileError) as info:
        parse_route(data, name)
    return info.value


# ----------------------------------------------------------------- GPX


def test_gpx_with_default_namespace():
    assert parsed(gpx(TWO), "loop.gpx") == [
        Trackpoint(50.1, 5.2, 120.5),
        Trackpoint(50.2, 5.3, 130.0),
    ]


def test_gpx_with_prefixed_namespace():
    data = (
        f'<?xml version="1.0"?><g:gpx xmlns:g="{GPX_NS}" version="1.1"><g:trk><g:trkseg>'
        '<g:trkpt lat="1.5" lon="2.5"><g:ele>10</g:ele></g:trkpt>'
        '<g:trkpt lat="1.6" lon="2.6"><g:ele>11</g:ele></g:trkpt>'
        "</g:trkseg></g:trk></g:gpx>"
    ).encode()
    assert parsed(data, "x.gpx") == [Trackpoint(1.5, 2.5, 10.0), Trackpoint(1.6, 2.6, 11.0)]


def test_gpx_without_namespace_or_declaration_and_gpx_1_0():
    assert len(parsed(gpx(TWO, root_attrs=""), "a.gpx")) == 2
    data = gpx(TWO, root_attrs='xmlns="http://www.topografix.com/GPX/1/0"')
    assert len(parsed(data.replace(b'<?xml version="1.0" encoding="UTF-8"?>\n', b""), "a.gpx")) == 2


def test_gpx_multiple_segments_in_document_order_and_missing_ele():
    points = (
        '<trkpt lat="1" lon="1"></trkpt></trkseg><trkseg>'
        '<trkpt lat="2" lon="2"><ele>  7 </ele></trkpt>'
        '<trkpt lat="3" lon="3"><ele>n/a</ele></trkpt>'
    )
    assert [len(s) for s in parse_route(gpx(points), "a.gpx")[0].segments] == [1, 2]
    assert parsed(gpx(points), "a.gpx") == [
        Trackpoint(1, 1, None),
        Trackpoint(2, 2, 7.0),
        Trackpoint(3, 3, None),
    ]


def test_invalid_coordinates_and_implausible_elevation_are_skipped():
    points = (
        '<trkpt lat="NaN" lon="1"><ele>1</ele></trkpt>'
        '<trkpt lat="91" lon="1"><ele>1</ele></trkpt>'
        '<trkpt lat="1" lon="-180.5"><ele>1</ele></trkpt>'
        '<trkpt lat="1" lon="inf"><ele>1</ele></trkpt>'
        '<trkpt lon="1"><ele>1</ele></trkpt>'
        '<trkpt lat="-90" lon="180"><ele>inf</ele></trkpt>'
        '<trkpt lat="10" lon="-180"><ele>99999</ele></trkpt>'
        '<trkpt lat="11" lon="12"><ele>-50</ele></trkpt>'
    )
    assert parsed(gpx(points), "a.gpx") == [
        Trackpoint(-90, 180, None),
        Trackpoint(10, -180, None),
        Trackpoint(11, 12, -50.0),
    ]


def test_tracks_routes_and_segments_keep_their_structure():
    rte = (
        f'<?xml version="1.0"?><gpx xmlns="{GPX_NS}"><wpt lat="0" lon="0"/><rte>'
        '<rtept lat="1" lon="1"><ele>5</ele></rtept><rtept lat="2" lon="2"/>'
        "</rte></gpx>"
    ).encode()
    assert parse_route(rte, "r.gpx") == [
        Course("route", ((Trackpoint(1, 1, 5.0), Trackpoint(2, 2, None)),))
    ]
    both = rte.replace(
        b"</gpx>",
        b'<trk><trkseg><trkpt lat="7" lon="7"/></trkseg><trkseg><trkpt lat="8" lon="8"/>'
        b'<trkpt lat="9" lon="9"/></trkseg></trk><rte><rtept lat="3" lon="3"/></rte></gpx>',
    )
    courses = parse_route(both, "r.gpx")
    assert [c.kind for c in courses] == ["route", "track", "route"]
    assert courses[1].segments == (
        (Trackpoint(7, 7, None),),
        (Trackpoint(8, 8, None), Trackpoint(9, 9, None)),
    )
    assert [c.points for c in courses] == [2, 3, 1]


def test_tcx_activities_are_tracks_and_courses_are_routes():
    activity = (
        f'<?xml version="1.0"?><TrainingCenterDatabase xmlns="{TCX_NS}"><Activities><Activity>'
        f"<Lap><Track>{tp(1, 1)}{tp(1.001, 1)}</Track></Lap><Lap><Track>{tp(1.002, 1)}</Track>"
        f"<Track>{tp(1.003, 1)}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()
    (course,) = parse_route(activity, "a.tcx")
    assert course.kind == "track"
    assert [len(s) for s in course.segments] == [2, 1, 1]
    (planned,) = parse_route(tcx(tp(1, 1) + tp(2, 2)), "c.tcx")
    assert planned.kind == "route" and planned.points == 2


def test_content_wins_over_extension():
    assert len(parsed(gpx(TWO), "course.tcx")) == 2
    assert len(parsed(gpx(TWO), "no-extension")) == 2


def test_utf8_bom_and_leading_whitespace():
    assert len(parsed(b"\xef\xbb\xbf" + gpx(TWO), "a.gpx")) == 2
    assert len(parsed(b"\n  " + gpx(TWO).split(b"\n", 1)[1], "a.gpx")) == 2


# ----------------------------------------------------------------- TCX


def tcx(trackpoints: str, ns: str = f'xmlns="{TCX_NS}"') -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase {ns}>'
        f"<Courses><Course><Name>C</Name><Track>{trackpoints}</Track></Course></Courses>"
        f"</TrainingCenterDatabase>"
    ).encode()


def tp(lat, lon, alt=None):
    altitude = f"<AltitudeMeters>{alt}</AltitudeMeters>" if alt is not None else ""
    return (
        f"<Trackpoint><Time>2026-01-01T00:00:00Z</Time><Position>"
        f"<LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>{lon}</LongitudeDegrees>"
        f"</Position>{altitude}<DistanceMeters>0</DistanceMeters></Trackpoint>"
    )


def test_tcx_trackpoints_with_optional_altitude():
    no_position = "<Trackpoint><Time>2026-01-01T00:00:01Z</Time><HeartRateBpm/></Trackpoint>"
    data = tcx(tp(50.5, 6.1, 210.25) + no_position + tp(50.6, 6.2))
    assert parsed(data, "c.tcx") == [
        Trackpoint(50.5, 6.1, 210.25),
        Trackpoint(50.6, 6.2, None),
    ]


def test_tcx_with_prefix_and_activity_laps():
    data = (
        f'<?xml version="1.0"?><t:TrainingCenterDatabase xmlns:t="{TCX_NS}">'
        "<t:Activities><t:Activity><t:Lap><t:Track>"
        "<t:Trackpoint><t:Position><t:LatitudeDegrees>1</t:LatitudeDegrees>"
        "<t:LongitudeDegrees>2</t:LongitudeDegrees></t:Position>"
        "<t:AltitudeMeters>3</t:AltitudeMeters></t:Trackpoint>"
        "</t:Track></t:Lap><t:Lap><t:Track>"
        "<t:Trackpoint><t:Position><t:LatitudeDegrees>4</t:LatitudeDegrees>"
        "<t:LongitudeDegrees>5</t:LongitudeDegrees></t:Position></t:Trackpoint>"
        "<t:Trackpoint><t:Position><t:LatitudeDegrees>4.5</t:LatitudeDegrees>"
        "<t:LongitudeDegrees>5</t:LongitudeDegrees></t:Position></t:Trackpoint>"
        "</t:Track></t:Lap></t:Activity></t:Activities></t:TrainingCenterDatabase>"
    ).encode()
    assert parsed(data, "ride.tcx") == [
        Trackpoint(1, 2, 3.0),
        Trackpoint(4, 5, None),
        Trackpoint(4.5, 5, None),
    ]


def test_unknown_xml_root_falls_back_to_the_extension():
    data = (
        b'<?xml version="1.0"?><doc><trk><trkseg><trkpt lat="1" lon="1"/>'
        b'<trkpt lat="2" lon="2"/></trkseg></trk></doc>'
    )
    assert len(parsed(data, "odd.gpx")) == 2
    err = message(data, "odd.xml")
    assert "unsupported" in err.message and "odd.xml" in err.message


# ----------------------------------------------------------------- errors


def test_fit_magic_is_reported_as_unsupported_whatever_the_name():
    header = bytes([14, 0x10, 0xD9, 0x07, 0, 0, 0, 0]) + b".FIT" + b"\0" * 60
    for name in ("ride.fit", "ride.gpx", "ride"):
        err = message(header, name)
        assert err.message == f"{name}: FIT format not yet supported"
        assert err.terminal
    twelve = bytes([12, 0x10, 0x64, 0x00, 0, 0, 0, 0]) + b".FIT" + b"\0" * 60
    assert "FIT format" in message(twelve, "x.fit").message
    assert "FIT format" in message(b"\x00" * 64, "binary.fit").message


def test_too_small():
    err = message(b"<gpx/>", "tiny.gpx")
    assert err.message == "tiny.gpx: file too small (6 bytes)"
    assert err.terminal


def test_no_segment_of_two_points_is_refused_saying_what_the_file_holds():
    one = gpx('<trkpt lat="1" lon="1"><ele>1</ele></trkpt>')
    assert message(one, "one.gpx").message == (
        "one.gpx: insufficient trackpoints (no track or route has 2 points: "
        "1 track point, 0 route points)"
    )
    none = gpx('<trkpt lat="x" lon="1"/><trkpt lat="1" lon="999"/>')
    assert "0 track points" in message(none, "none.gpx").message
    split = gpx('<trkpt lat="1" lon="1"/></trkseg><trkseg><trkpt lat="2" lon="2"/>')
    split = split.replace(
        b"</trk>", b'</trk><rte><rtept lat="1" lon="1"/></rte><wpt lat="3" lon="3"/>'
    )
    assert message(split, "split.gpx").message == (
        "split.gpx: insufficient trackpoints (no track or route has 2 points: "
        "2 track points, 1 route point, 1 waypoint)"
    )


def test_truncated_xml():
    data = gpx(TWO)[:-20]
    err = message(data, "cut.gpx")
    assert err.message.startswith("cut.gpx: invalid or truncated XML (line ")
    assert err.terminal and "\n" not in err.message


def test_not_xml_with_a_route_extension_and_unknown_extension():
    junk = b"this is definitely not a route file, just plain text" * 2
    assert message(junk, "a.gpx").message == "a.gpx: invalid XML (not an XML document)"
    assert message(junk, "a.kml").message == "a.kml: unsupported file type .kml"
    assert message(junk, "README").message == "README: unsupported file type (no extension)"


def test_billion_laughs_is_refused_before_any_expansion():
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    data = (
        f'<?xml version="1.0"?><!DOCTYPE gpx [{"".join(entities)}]>'
        f'<gpx xmlns="{GPX_NS}"><trk><name>&lol9;</name><trkseg>'
        f'<trkpt lat="1" lon="1"/><trkpt lat="2" lon="2"/></trkseg></trk></gpx>'
    ).encode()
    err = message(data, "laughs.gpx")
    assert "forbidden" in err.message and err.terminal


def test_external_entity_is_refused():
    data = (
        f'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<gpx xmlns="{GPX_NS}"><trk><name>&xxe;</name><trkseg>'
        f'<trkpt lat="1" lon="1"/><trkpt lat="2" lon="2"/></trkseg></trk></gpx>'
    ).encode()
    err = message(data, "xxe.gpx")
    assert "forbidden" in err.message
    assert "root:" not in err.message


def test_large_payload_is_refused_by_size_before_parsing(monkeypatch):
    def boom(data):  # pragma: no cover - must not be reached
        raise AssertionError("parsed an oversized file")

    monkeypatch.setattr(routefiles, "_events", boom)
    big = b"<gpx>" + b" " * (50 * 1024 * 1024)
    err = message(big, "huge.gpx")
    assert err.message == f"huge.gpx: file too large ({len(big)} bytes, limit {MAX_ROUTE_BYTES})"
    assert err.terminal
    just_over = b"<" * (MAX_ROUTE_BYTES + 1)
    assert "too large" in message(just_over, "edge.gpx").message


def test_memory_stays_flat_on_a_file_full_of_other_elements():
    filler = b"<x a='1'><y/></x>" * 60_000  # 120,000 elements besides the two points
    data = gpx('<trkpt lat="1" lon="1"/>' + filler.decode() + '<trkpt lat="2" lon="2"/>')
    tracemalloc.start()
    try:
        points = parsed(data, "filler.gpx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert points == [Trackpoint(1, 1, None), Trackpoint(2, 2, None)]
    assert peak < 4_000_000  # the whole tree would take well over 10 MB


def test_messages_are_one_line_and_name_the_file():
    err = message(b"x" * 60, "evil\nname\r.gpx")
    assert "\n" not in err.message and "\r" not in err.message
    assert err.message.startswith("evil?name?.gpx: ")
    long_name = "a" * 300 + ".gpx"
    assert len(message(b"x" * 60, long_name).message) < 150
    assert message(b"", "").message == "unnamed file: file too small (0 bytes)"


def test_route_file_error_transient_flag():
    assert RouteFileError("x").terminal is True
    assert RouteFileError("x", terminal=False).terminal is False


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_only_ever_raise_route_file_error(data):
    for name in ("r.gpx", "r.tcx", "r.fit", "r"):
        try:
            points = parsed(data, name)
        except RouteFileError as exc:
            assert "\n" not in exc.message
        else:
            assert len(points) >= 2


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_random_text_inside_a_gpx_only_raises_route_file_error(body):
    try:
        points = parsed(gpx(body), "r.gpx")
    except RouteFileError as exc:
        assert exc.message and "\n" not in exc.message
    else:  # the text happened to hold two or more valid track points
        assert len(points) >= 2 and all(isinstance(p, Trackpoint) for p in points)


# ----------------------------------------------------------------- demo files


def test_demo_dataset_route_files_parse():
    demo = dataset.build_demo(date(2026, 11, 23))
    assert demo.attachments
    for path, (_ctype, body) in demo.attachments.items():
        points = parsed(body, path.rsplit("/", 1)[-1])
        assert len(points) > 100
        assert all(p.ele is not None for p in points)
