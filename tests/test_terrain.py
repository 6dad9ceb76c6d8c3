"""Terrain analysis (docs/metrics.md#terrain-and-climbs-docs/metrics.md#terrain-and-climbs, docs/metrics.md#recent-activities).

Synthetic tracks run north along the meridian 5°E, so the haversine distance
between points is exactly R·Δφ and a point at s metres sits at latitude
degrees(s / 6,371,000). Points are 15 m apart unless stated: the smoothing
(mean of the straight-line profile over 200 m around each point) leaves
straight grades unchanged and rounds a change of grade over 100 m either side
of it, and a 200 m chunk is 14 steps = 210 m, so chunks start at multiples of
210 m. Every expected value below is worked out from those facts.
"""

from __future__ import annotations

import math

import pytest

from section11.metrics.climbs import Point as Trackpoint
from section11.metrics.climbs import category, chunk_bounds, grade_distribution, steepest_grade
from section11.metrics.terrain import (
    analyse_terrain,
    ascent,
    course_character,
    cumulative_distance,
    fill_elevation,
    haversine_m,
    reject_spikes,
    smooth,
    terrain_from_streams,
)
from section11.outputs.terrain import refresh_display

R = 6_371_000.0
LON = 5.0
IMPERIAL = {"distance": "imperial", "weight": "kg", "height": "cm"}


def shown(points, source: str, units=None, *, polyline: bool = False):
    """The summary as the documents show it: metrics.terrain, then outputs' display blocks."""
    return refresh_display(analyse_terrain([points], source, polyline=polyline), units)


def lat_at(s: float) -> float:
    return math.degrees(s / R)


def track(profile, length: float, spacing: float = 15.0) -> list[Trackpoint]:
    n = round(length / spacing)
    return [Trackpoint(lat_at(i * spacing), LON, profile(i * spacing)) for i in range(n + 1)]


def climb_profile(s: float) -> float:
    """Flat 100 m to 10,100 m, 5 % to 13,300 m (+160 m), then flat 260 m."""
    if s <= 10100:
        return 100.0
    if s <= 13300:
        return 100.0 + 0.05 * (s - 10100)
    return 260.0


def approach_profile(s: float) -> float:
    """Flat 100 m to 2,150 m, 2 % to 5,150 m (160 m), 6 % to 8,150 m (340 m), flat."""
    if s <= 2150:
        return 100.0
    if s <= 5150:
        return 100.0 + 0.02 * (s - 2150)
    if s <= 8150:
        return 160.0 + 0.06 * (s - 5150)
    return 340.0


# ----------------------------------------------------------------- geometry


def test_haversine_along_a_meridian_is_r_times_the_angle():
    assert haversine_m(0.0, 5.0, 1.0, 5.0) == pytest.approx(R * math.pi / 180, rel=1e-12)
    assert haversine_m(10.0, 5.0, 10.0, 5.0) == 0.0


def test_cumulative_distance():
    cum = cumulative_distance(track(lambda s: 0.0, 45.0))
    assert cum == pytest.approx([0.0, 15.0, 30.0, 45.0])


def test_smoothing_is_the_mean_of_the_straight_line_profile_over_200_m():
    cum = [0.0, 100.0, 200.0, 300.0, 400.0]
    raw = [0.0, 0.0, 100.0, 0.0, 0.0]  # a 100 m peak on a 200 m base: area 10,000 m²
    # i=2: the window 100-300 m holds the whole peak -> 10,000 / 200 = 50;
    # i=1: 0-200 m holds its rising half (5,000) -> 25; i=0: 0-100 m (cut) -> 0
    assert smooth(raw, cum) == pytest.approx([0.0, 25.0, 50.0, 25.0, 0.0])


def test_smoothing_counts_points_farther_apart_than_the_window():
    # 0 -> 100 m over 1 km: the first 100 m average 5, the last 100 m 95
    assert smooth([0.0, 100.0], [0.0, 1000.0]) == pytest.approx([5.0, 95.0])
    straight = [0.05 * 15 * i for i in range(40)]
    cum = [15.0 * i for i in range(40)]
    assert smooth(straight, cum)[7:33] == pytest.approx(straight[7:33])  # >= 100 m from the ends


def test_smoothing_a_dense_track():  # speed belongs in bench/, not in a test
    n = 200_000
    cum = [i * 0.5 for i in range(n)]  # 0.5 m apart: the window is 400 steps
    raw = [float(i % 7) for i in range(n)]
    out = smooth(raw, cum)

    def trapezoid_mean(a: int, b: int) -> float:
        return (sum(raw[a : b + 1]) - (raw[a] + raw[b]) / 2) / (b - a)

    assert len(out) == n
    assert out[1000] == pytest.approx(trapezoid_mean(800, 1200))
    assert out[0] == pytest.approx(trapezoid_mean(0, 200))


def test_spikes_are_rejected_and_real_slopes_kept():
    flat = [100.0] * 20
    flat[8] = -572.0  # the logger's -672 m reading, on a flat
    flat[12] = 130.0
    cleaned = reject_spikes(flat)
    assert cleaned[8] is None and cleaned[12] is None
    assert [e for i, e in enumerate(cleaned) if i not in (8, 12)] == [100.0] * 18
    slope = [100.0 + 20 * i for i in range(20)]  # 20 m a point: steep but steady
    assert reject_spikes(slope) == slope
    summit = [100.0 + 30 * min(i, 20 - i) for i in range(21)]
    assert reject_spikes(summit) == summit
    assert reject_spikes([None, 5.0, None]) == [None, 5.0, None]


def test_ascent_counts_a_rise_once_it_passes_the_hysteresis():
    assert ascent([0.0, 2.0, 0.0, 2.0, 0.0]) == 0.0  # noise under 3 m
    assert ascent([0.0, 2.0, 4.0, 3.0, 10.0, 6.0, 7.0]) == 10.0  # 0 -> 10, then 6 -> 7 is noise
    assert ascent([5.0, 0.0, 3.0, 1.0, 4.0]) == 4.0  # 0 -> 3 and 1 -> 4 form one rise 0 -> 4
    assert ascent([0.0, 10.0, 0.0, 10.0]) == 20.0
    assert ascent([]) == 0.0


def test_fill_elevation_interpolates_by_distance_and_holds_the_ends():
    cum = [0.0, 10.0, 20.0, 50.0, 60.0, 70.0]
    ele = [None, 100.0, None, 130.0, None, None]
    # index 2 is 10 m of the 40 m between 100 and 130 -> 107.5
    assert fill_elevation(ele, cum) == [100.0, 100.0, 107.5, 130.0, 130.0, 130.0]


def test_chunks_end_at_the_first_point_200_m_on_and_a_short_last_chunk_joins_the_one_before():
    cum = [0.0, 100.0, 199.0, 200.0, 350.0, 500.0, 520.0]
    assert chunk_bounds(cum) == [(0, 3), (3, 6)]  # the last 20 m are not graded alone
    assert chunk_bounds(cum, 3, 6) == [(3, 6)]
    assert chunk_bounds(cum + [620.0]) == [(0, 3), (3, 5), (5, 7)]  # 120 m is enough
    assert chunk_bounds([0.0, 50.0, 99.0]) == []  # under 100 m: no grade at all
    assert chunk_bounds([0.0, 100.0]) == [(0, 1)]
    assert chunk_bounds([0.0]) == []


# ----------------------------------------------------------------- a known climb


def test_known_climb_summary():
    result = shown(track(climb_profile, 15000), "gpx_attachment")
    assert result["source"] == "gpx_attachment"
    assert result["total_distance_km"] == 15.0
    assert result["total_elevation_m"] == 160
    assert result["elevation_per_km"] == 10.7  # 160 / 15.0
    assert result["course_character"] == "rolling"  # 5 <= 10.7 < 20, Cat 4 does not upgrade
    assert result["start_coords"] == [0.0, 5.0]
    assert result["descents"] == []
    # chunk 48 (10,080-10,290 m) starts the climb; the high is reached at the
    # end of chunk 63 (13,440 m); the 2 km look-ahead from 10,080 m climbs about
    # 99 m in 2,010 m (>= 2.5 %) so nothing is trimmed. Smoothed, 10,080 m sits
    # at 100.8 m (the window 9,980-10,180 m holds 80 m of ramp rising 4 m:
    # 160 m² / 200 m), so the climb is 260 - 100.8 = 159.2 m.
    assert result["climbs"] == [
        {
            "position_km": 10.1,  # 10,080 m
            "distance_km": 3.4,  # 13,440 - 10,080 = 3,360 m
            "elevation_m": 159,
            "avg_gradient_pct": 4.7,  # 159.2 / 3,360
            "max_gradient_pct": 5.0,
            "category": "Cat 4",
            "start_coords": [0.09065, 5.0],
            "end_coords": [0.12087, 5.0],
            "display": {
                "position": {"value": 10.1, "unit": "km"},
                "distance": {"value": 3.4, "unit": "km"},
                "elevation": {"value": 159, "unit": "m"},
            },
        }
    ]
    # chunks 48-62 (15 x 210 m) are 4.5-5 % (moderate), chunk 63 is 3.5/210 = 1.7 %
    # (gentle), the other 11,640 m are flat.
    assert result["grade_distribution"] == {
        "flat_pct": 77.6,
        "gentle_pct": 1.4,
        "moderate_pct": 21.0,
        "steep_pct": 0.0,
    }
    assert result["max_grade_pct"] == 5.0
    assert result["display"] == {
        "total_distance": {"value": 15.0, "unit": "km"},
        "total_elevation": {"value": 160, "unit": "m"},
        "elevation_per_distance": {"value": 11, "unit": "m/km"},
    }
    assert "polyline" not in result
    assert "elevation_coverage_pct" not in result


def test_known_descent_is_the_mirror_image():
    points = list(reversed(track(climb_profile, 15000)))
    points = [Trackpoint(lat_at(15000) - p.lat, LON, p.ele) for p in points]
    result = shown(points, "gpx_attachment")
    assert result["total_elevation_m"] == 0
    assert result["course_character"] == "flat"
    assert result["climbs"] == []
    # the slope now runs 1,700-4,900 m: chunk 8 (1,680 m) starts it, the low is at
    # the end of chunk 23 (5,040 m)
    descent = result["descents"][0]
    assert len(result["descents"]) == 1
    assert {
        k: descent[k]
        for k in (
            "position_km",
            "distance_km",
            "elevation_m",
            "avg_gradient_pct",
            "start_coords",
            "end_coords",
        )
    } == {
        "position_km": 1.7,
        "distance_km": 3.4,
        "elevation_m": -159,  # the mirror of the climb
        "avg_gradient_pct": -4.7,
        "start_coords": [0.01511, 5.0],
        "end_coords": [0.04533, 5.0],
    }
    assert "category" not in descent and "max_gradient_pct" not in descent
    assert descent["display"]["elevation"] == {"value": -159, "unit": "m"}
    assert result["grade_distribution"] == {
        "flat_pct": 77.6,
        "gentle_pct": 1.4,
        "moderate_pct": 21.0,
        "steep_pct": 0.0,
    }


def test_shallow_approach_is_trimmed_from_the_climb():
    result = shown(track(approach_profile, 10500), "gpx_attachment")
    assert result["total_elevation_m"] == 240
    assert result["elevation_per_km"] == 22.9  # 240 / 10.5
    assert result["course_character"] == "hilly"
    # detection starts at chunk 10 (2,100 m) and runs to the high: smoothed, the
    # profile reaches 340 m only 100 m past the top of the ramp (8,150 m), so at
    # the end of chunk 39 (8,400 m; at 8,190 m it is 339.46 m). The 2,010 m
    # look-ahead first reaches 2.5 % from chunk 17 (3,570 m: 57.4 m / 2,010 m =
    # 2.86 %; from 3,360 m it is 49/2,010 = 2.44 %).
    climb = result["climbs"][0]
    assert len(result["climbs"]) == 1
    assert climb["position_km"] == 3.6
    assert climb["distance_km"] == 4.8  # 8,400 - 3,570 = 4,830
    assert climb["elevation_m"] == 212  # 340 - 128.4 = 211.6
    assert climb["avg_gradient_pct"] == 4.4  # 211.6 / 4,830
    assert climb["max_gradient_pct"] == 6.0
    assert climb["category"] == "Cat 3"
    assert climb["start_coords"] == [0.03211, 5.0]
    assert climb["end_coords"] == [0.07554, 5.0]


def test_small_climbs_are_not_kept():
    # +60 m over 2,000 m (3 % is kept, 2 % is not) and less than 100 m
    def gentle(s):
        return 100.0 + 0.02 * min(max(s - 3000, 0), 3000)

    result = shown(track(gentle, 9000), "gpx_attachment")
    assert result["climbs"] == []


def test_imperial_display_blocks():
    result = shown(track(climb_profile, 15000), "gpx_attachment", IMPERIAL)
    assert result["display"] == {
        "total_distance": {"value": 9.32, "unit": "mi"},  # 15.0 x 0.621371
        "total_elevation": {"value": 525, "unit": "ft"},  # 160 x 3.28084
        "elevation_per_distance": {"value": 56, "unit": "ft/mi"},
    }  # 10.7 x 5.28
    assert result["climbs"][0]["display"]["position"] == {"value": 6.28, "unit": "mi"}


def test_the_metric_summary_has_no_display_blocks_and_display_sits_before_the_polyline():
    metric = analyse_terrain([track(climb_profile, 15000)], "gpx_attachment", polyline=True)
    assert "display" not in metric and all("display" not in c for c in metric["climbs"])
    keys = list(refresh_display(metric, None))
    assert keys[-2:] == ["display", "polyline"] and keys[:-2] == list(metric)[:-1]


def test_refresh_display_rederives_every_block():
    metric = shown(track(climb_profile, 15000), "gpx_attachment")
    again = refresh_display(metric, IMPERIAL)
    assert again == shown(track(climb_profile, 15000), "gpx_attachment", IMPERIAL)
    assert metric["display"]["total_distance"]["unit"] == "km"  # input untouched
    assert refresh_display(None, IMPERIAL) is None


# ----------------------------------------------------------------- categories, character


@pytest.mark.parametrize(
    "gain,expected",
    [
        (1000, "HC"),
        (999, "Cat 1"),
        (650, "Cat 1"),
        (649, "Cat 2"),
        (400, "Cat 2"),
        (200, "Cat 3"),
        (199, "Cat 4"),
        (100, "Cat 4"),
        (99, None),
        (50, None),
    ],
)
def test_category_thresholds(gain, expected):
    assert category(gain) == expected


@pytest.mark.parametrize(
    "per_km,climbs,expected",
    [
        (30.0, [], "mountain"),
        (29.9, [], "hilly"),
        (20.0, [], "hilly"),
        (19.9, [], "rolling"),
        (5.0, [], "rolling"),
        (4.9, [], "flat"),
        (4.9, [{"category": "Cat 2"}], "hilly"),
        (10.0, [{"category": "HC"}], "hilly"),
        (10.0, [{"category": "Cat 3"}], "rolling"),
        (2.0, [{"category": None}], "flat"),
    ],
)
def test_course_character(per_km, climbs, expected):
    assert course_character(per_km, climbs) == expected


# ----------------------------------------------------------------- grades


def test_grade_distribution_buckets_and_boundaries():
    cum = [0.0, 200.0, 400.0, 600.0, 800.0]
    # chunk grades 0.5 % flat, 1 % gentle (boundary), 3 % moderate (boundary), 6 % steep
    ele = [0.0, 1.0, 3.0, 9.0, 21.0]
    grades = grade_distribution(ele, cum, chunk_bounds(cum))
    assert grades == {"flat_pct": 25.0, "gentle_pct": 25.0, "moderate_pct": 25.0, "steep_pct": 25.0}
    assert steepest_grade(ele, cum, 0, 4) == pytest.approx(6.0)


def test_grade_distribution_uses_absolute_grade_and_a_100_m_last_chunk():
    cum = [0.0, 200.0, 300.0]
    ele = [10.0, 0.0, 0.5]  # -5 % then +0.5 % over 100 m
    grades = grade_distribution(ele, cum, chunk_bounds(cum))
    assert grades == {"flat_pct": 33.3, "gentle_pct": 0.0, "moderate_pct": 66.7, "steep_pct": 0.0}
    assert steepest_grade(ele, cum, 0, 2) == pytest.approx(5.0)


def test_a_30_m_end_chunk_gives_no_grade_of_its_own():
    """dg100: the last 30 m of a track made a 153.8 % maximum grade."""
    cum = [0.0, 200.0, 230.0]
    ele = [10.0, 0.0, 40.0]  # +40 m in the last 30 m
    # one chunk of 230 m: |40 - 10| / 230 = 13.0 %
    assert grade_distribution(ele, cum, chunk_bounds(cum))["steep_pct"] == 100.0
    assert steepest_grade(ele, cum, 0, 2) == pytest.approx(5.0)  # only 0 -> 200 m spans 200 m


def test_grade_distribution_without_a_chunk_is_all_flat():
    cum = [0.0, 50.0, 99.0]
    assert grade_distribution([0.0, 50.0, 0.0], cum, chunk_bounds(cum)) == {
        "flat_pct": 100.0,
        "gentle_pct": 0.0,
        "moderate_pct": 0.0,
        "steep_pct": 0.0,
    }
    assert steepest_grade([0.0, 50.0, 0.0], cum, 0, 2) == 0.0


# ----------------------------------------------------------------- polyline


def test_polyline_every_500_m_from_the_last_emitted_point_plus_the_end():
    points = track(lambda s: 50.4, 1960, spacing=40.0)  # 40 m apart: no smoothing
    result = shown(points, "gpx_attachment", polyline=True)
    # emitted at 0, 520 (first >= 500), 1,040 (>= 1,020), 1,560 (>= 1,540), end 1,960
    assert result["polyline"] == [
        [0.0, 0.0, 5.0, 50],
        [0.5, 0.00468, 5.0, 50],
        [1.0, 0.00935, 5.0, 50],
        [1.6, 0.01403, 5.0, 50],
        [2.0, 0.01763, 5.0, 50],
    ]


def test_polyline_does_not_repeat_the_last_point():
    points = track(lambda s: 10.0, 1040, spacing=40.0)
    rows = shown(points, "gpx_attachment", polyline=True)["polyline"]
    assert [r[0] for r in rows] == [0.0, 0.5, 1.0]


def test_polyline_uses_smoothed_elevation_without_spikes():
    # 15 m spacing: a 20 m bump at 510 m is a triangle of 30 m x 20 m (300 m²)
    # averaged over 200 m: 101.5 -> 102; a 30 m one is a spike and is dropped
    points = track(lambda s: 120.0 if s == 510 else 100.0, 1005)
    rows = shown(points, "gpx_attachment", polyline=True)["polyline"]
    assert rows[1] == [0.5, round(lat_at(510), 5), 5.0, 102]
    spiked = shown(track(lambda s: 130.0 if s == 510 else 100.0, 1005), "gpx_attachment")
    assert spiked["elevation_spikes_removed"] == 1 and spiked["total_elevation_m"] == 0


# ----------------------------------------------------------------- missing elevation


def test_no_elevation_gives_the_minimal_flat_summary():
    points = [Trackpoint(p.lat, p.lon, None) for p in track(climb_profile, 15000)]
    assert shown(points, "gpx_attachment", polyline=True) == {
        "source": "gpx_attachment_no_elevation",
        "total_distance_km": 15.0,
        "total_elevation_m": 0,
        "elevation_per_km": 0.0,
        "course_character": "flat",
        "climbs": [],
        "descents": [],
        "display": {
            "total_distance": {"value": 15.0, "unit": "km"},
            "total_elevation": {"value": 0, "unit": "m"},
            "elevation_per_distance": {"value": 0, "unit": "m/km"},
        },
    }


def test_partial_elevation_is_interpolated_not_zero():
    """Quirk 16 fixed: gaps on straight grades are filled exactly, no fake drops."""
    full = track(climb_profile, 15000)
    gappy = [
        Trackpoint(p.lat, p.lon, None) if i % 4 == 1 or 300 <= i <= 320 else p
        for i, p in enumerate(full)
    ]
    gappy[0] = Trackpoint(gappy[0].lat, gappy[0].lon, None)  # leading gap holds the first value
    gappy[-1] = Trackpoint(gappy[-1].lat, gappy[-1].lon, None)
    missing = sum(1 for p in gappy if p.ele is None)
    result = shown(gappy, "gpx_attachment")
    expected = shown(full, "gpx_attachment")
    assert result["descents"] == []
    assert result["total_elevation_m"] == 160
    assert result["climbs"] == expected["climbs"]
    assert result["elevation_coverage_pct"] == round((1001 - missing) / 1001 * 100, 1)


def test_track_shorter_than_100_m_gets_an_explicit_small_summary():
    points = track(lambda s: 100.0 + s * 0.1, 90)
    result = shown(points, "gpx_attachment")
    assert result["source"] == "gpx_attachment_too_short"
    assert result["total_distance_km"] == 0.1
    assert result["elevation_per_km"] is None
    assert result["course_character"] is None
    assert result["climbs"] == [] and result["descents"] == []
    assert "100 m" in result["note"]
    assert result["display"]["elevation_per_distance"] is None


def test_fewer_than_two_points_is_none():
    assert analyse_terrain([], "gpx_attachment") is None
    assert analyse_terrain([[]], "gpx_attachment") is None
    assert analyse_terrain([[Trackpoint(1.0, 2.0, 3.0)]] * 3, "gpx_attachment") is None


def test_identical_points_do_not_divide_by_zero():
    points = [Trackpoint(1.0, 2.0, 5.0)] * 5
    result = shown(points, "gpx_attachment")
    assert result["total_distance_km"] == 0.0
    assert result["source"] == "gpx_attachment_too_short"


# ----------------------------------------------------------------- performance


def test_200_km_route_with_20000_points():
    points = [
        Trackpoint(lat_at(i * 10.0), LON, 200 + 150 * math.sin(i / 400) + 40 * math.sin(i / 37))
        for i in range(20_001)
    ]
    result = shown(points, "gpx_attachment", polyline=True)  # speed: bench/, not a test
    assert result["total_distance_km"] == 200.0
    kms = [row[0] for row in result["polyline"]]
    assert 390 <= len(kms) <= 401  # about every 500 m over 200 km, plus the start
    assert all(0.39 < b - a < 0.61 for a, b in zip(kms, kms[1:-1]))  # km rounded to 0.1


# ----------------------------------------------------------------- activity streams


def streams_for(points, *, altitude=True, drop=()):
    lats = [None if i in drop else p.lat for i, p in enumerate(points)]
    lons = [None if i in drop else p.lon for i, p in enumerate(points)]
    out = [
        {"type": "time", "data": list(range(len(points)))},
        {"type": "latlng", "data": lats, "data2": lons},
    ]
    if altitude:
        out.append({"type": "altitude", "data": [p.ele for p in points]})
    return out


def test_streams_with_gps_dropouts_match_the_clean_track():
    points = track(climb_profile, 15000)
    # dropouts on the flats of a straight track change nothing
    drop = {5, 6, 7, 400, 401, 950}
    result = terrain_from_streams(streams_for(points, drop=drop))
    expected = analyse_terrain([points], "activity_streams")
    assert set(result) == {"terrain_summary"}
    summary = result["terrain_summary"]
    assert summary["source"] == "activity_streams"
    assert "polyline" not in summary
    assert summary["climbs"] == expected["climbs"]
    assert summary["total_elevation_m"] == 160
    assert summary["start_coords"] == [0.0, 5.0]


def test_streams_without_latlng_or_with_too_few_fixes_are_no_gps():
    points = track(climb_profile, 3000)
    assert terrain_from_streams([{"type": "altitude", "data": [1, 2]}]) == {
        "terrain_status": "no_gps"
    }
    assert terrain_from_streams([]) == {"terrain_status": "no_gps"}
    assert terrain_from_streams(None) == {"terrain_status": "no_gps"}
    nine = streams_for(points, drop=set(range(9, len(points))))
    assert terrain_from_streams(nine) == {"terrain_status": "no_gps"}
    ten = streams_for(points, drop=set(range(10, len(points))))
    assert "terrain_summary" in terrain_from_streams(ten)


def test_streams_without_altitude_are_no_elevation():
    points = track(climb_profile, 3000)
    assert terrain_from_streams(streams_for(points, altitude=False)) == {
        "terrain_status": "no_elevation"
    }
    nulls = streams_for(points)
    nulls[2]["data"] = [None] * len(points)
    assert terrain_from_streams(nulls) == {"terrain_status": "no_elevation"}


def test_streams_present_but_null_and_junk_values_are_tolerated():
    points = track(climb_profile, 3000)
    streams = streams_for(points)
    streams[1]["data"][3] = "x"
    streams[1]["data2"][4] = float("nan")
    streams[1]["data"][5] = 95.0  # out of range latitude
    streams[2]["data"][10] = None
    streams.append(None)
    result = terrain_from_streams(streams)
    assert result["terrain_summary"]["total_distance_km"] == 3.0


def test_latlng_as_pairs_is_accepted():
    points = track(climb_profile, 3000)
    streams = [
        {"type": "latlng", "data": [[p.lat, p.lon] for p in points]},
        {"type": "altitude", "data": [p.ele for p in points]},
    ]
    assert terrain_from_streams(streams)["terrain_summary"]["total_distance_km"] == 3.0
