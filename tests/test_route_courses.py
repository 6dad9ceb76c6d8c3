"""Files with several tracks, segments and routes, spikes and a byte-order mark.

The fixtures in tests/fixtures/routes/ are small files written for these tests
(not copies of anyone's data). Their points run north along 5°E, so the
distance between two points is R·Δφ exactly: 100 m steps are 100 m.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from section11.metrics.courses import COURSE_RULES
from section11.outputs.routes import analyse_route_file, routes_document
from section11.sources.routefiles import RouteFileError

FIXTURES = Path(__file__).parent / "fixtures" / "routes"


def summary(name: str) -> dict:
    result = analyse_route_file((FIXTURES / name).read_bytes(), name)
    assert not isinstance(result, RouteFileError), result
    return result


def test_segments_are_never_bridged():
    """Two tracks, three flat segments of 1 km, 1 km and 0.5 km, 10 and 40 km
    apart, at 100 m, 300 m and 200 m: joined they would be 50 km with 200 m of
    climbing."""
    result = summary("two_tracks_three_segments.gpx")
    assert result["total_distance_km"] == 2.5
    assert result["total_elevation_m"] == 0
    assert result["climbs"] == [] and result["descents"] == []
    assert result["max_grade_pct"] == 0.0
    assert (result["courses"], result["segments"], result["course_rule"]) == (2, 3, "all_tracks")
    assert [row[0] for row in result["polyline"]][-1] == 2.5
    assert list(result)[:4] == ["source", "courses", "segments", "course_rule"]


def test_two_routes_are_not_merged_and_a_one_point_track_does_not_count():
    """Routes of 3 km (+30 m) and 5 km (+100 m), 20 km apart, and a track of one point."""
    result = summary("two_routes_one_point_track.gpx")
    assert (result["courses"], result["segments"], result["course_rule"]) == (
        2,
        1,
        "longest_route",
    )
    assert result["total_distance_km"] == 5.0
    # 2 % all the way: the first and last 100 m average the height 50 m in, so
    # the smoothed ends sit 1 m inside the 100 m of rise
    assert result["total_elevation_m"] == 98
    assert result["max_grade_pct"] == pytest.approx(2.0)


def test_spikes_are_not_climbing():
    """A flat 2 km at 200 m with one reading of -472 m (a 672 m drop) and one of 350 m."""
    result = summary("flat_with_spikes.gpx")
    assert result["elevation_spikes_removed"] == 2
    assert result["total_elevation_m"] == 0
    assert result["max_grade_pct"] == 0.0
    assert result["climbs"] == [] and result["descents"] == []
    assert {row[3] for row in result["polyline"]} == {200}


def test_byte_order_mark_and_gpx_1_0():
    """Flat 500 m, 6 % for 1 km (+60 m), flat 500 m."""
    result = summary("bom_gpx10.gpx")
    assert result["total_distance_km"] == 2.0
    assert result["total_elevation_m"] == 60
    assert result["max_grade_pct"] == 6.0
    (climb,) = result["climbs"]  # where it starts depends on the 200 m chunks
    assert 55 <= climb["elevation_m"] <= 60
    assert climb["max_gradient_pct"] == 6.0 and climb["category"] is None


def test_routes_document_states_the_course_rules():
    document = routes_document([], datetime(2026, 1, 1, tzinfo=UTC), "v")
    assert document["course_rules"] == COURSE_RULES
    assert set(COURSE_RULES) == {"all_tracks", "longest_route"}
