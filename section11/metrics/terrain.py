"""Terrain analysis of a track: distance, smoothed elevation, climbs, grades.

Implements spec/metrics.md §31.2-§31.4 for planned routes (GPX/TCX attachments,
with a polyline) and spec/metrics.md §25.4 for completed outdoor activities
(activity streams, no polyline). Pure: trackpoints in, a JSON-ready dict out,
in metric units (km, m, %) with no display blocks: `outputs.terrain` adds those
for the athlete's unit preferences.

Deliberate deviations (quirk 16, docs/deviations.md):
* Points without elevation in a track that has some elevation are filled by
  linear interpolation along the distance (nearest known value before the
  first / after the last known point) instead of being read as 0 m, which
  created fake drops of hundreds of metres. `elevation_coverage_pct` says how
  much of the track carried its own elevation when that is below 100 %.
* A track shorter than 100 m gets an explicit small summary
  (source "<source>_too_short") instead of null.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .climbs import (
    Point,
    PointLike,
    chunk_bounds,
    coords,
    detect_segments,
    grade_distribution,
    kept,
)

EARTH_RADIUS_M = 6_371_000.0
SMOOTHING_WINDOW_M = 25.0  # neighbours closer than this on either side are averaged
MIN_ANALYSIS_M = 100.0
POLYLINE_STEP_M = 500.0
MIN_STREAM_GPS_POINTS = 10
HARD_CATEGORIES = frozenset({"HC", "Cat 1", "Cat 2"})

TOO_SHORT_NOTE = "track shorter than 100 m: too short for gradient analysis"

# ----------------------------------------------------------------- geometry


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (R = 6,371,000 m)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def cumulative_distance(points: Sequence[PointLike]) -> list[float]:
    """Metres from the first point to each point along the track (§31.2)."""
    cum = [0.0]
    for a, b in zip(points, points[1:]):
        cum.append(cum[-1] + haversine_m(a.lat, a.lon, b.lat, b.lon))
    return cum


def fill_elevation(elevations: Sequence[float | None], cum: Sequence[float]) -> list[float]:
    """Missing elevations interpolated by distance between known neighbours.

    Before the first and after the last known value the nearest known value
    is held (quirk 16 fix). Needs at least one known value.
    """
    known = [(i, e) for i, e in enumerate(elevations) if e is not None]
    out = [0.0] * len(elevations)
    (first, first_ele), (last, last_ele) = known[0], known[-1]
    for i in range(first + 1):
        out[i] = first_ele
    for i in range(last, len(elevations)):
        out[i] = last_ele
    for (a, ea), (b, eb) in zip(known, known[1:]):
        out[a] = ea
        span = cum[b] - cum[a]
        for i in range(a + 1, b):
            f = (cum[i] - cum[a]) / span if span > 0 else 0.0
            out[i] = ea + (eb - ea) * f
    return out


def smooth(
    raw: Sequence[float], cum: Sequence[float], window: float = SMOOTHING_WINDOW_M
) -> list[float]:
    """Mean of raw over the points within < window metres on either side (§31.2).

    Two pointers over a prefix sum: O(n) however dense the track is.
    """
    n = len(raw)
    if n == 0:
        return []
    base = raw[0]  # sums of offsets keep the prefix sums small and exact-ish
    prefix = [0.0]
    for value in raw:
        prefix.append(prefix[-1] + (value - base))
    out = []
    lo = hi = 0
    for i in range(n):
        while cum[i] - cum[lo] >= window:
            lo += 1
        hi = max(hi, i)
        while hi + 1 < n and cum[hi + 1] - cum[i] < window:
            hi += 1
        out.append(base + (prefix[hi + 1] - prefix[lo]) / (hi + 1 - lo))
    return out


# ----------------------------------------------------------------- summary


def course_character(elevation_per_km: float, climbs: Iterable[Mapping[str, Any]]) -> str:
    """mountain / hilly / rolling / flat by m per km, flat or rolling upgraded to
    hilly by any HC, Cat 1 or Cat 2 climb (§31.2)."""
    if elevation_per_km >= 30:
        return "mountain"
    if elevation_per_km >= 20:
        return "hilly"
    character = "rolling" if elevation_per_km >= 5 else "flat"
    if any(c.get("category") in HARD_CATEGORIES for c in climbs):
        return "hilly"
    return character


def _polyline(
    points: Sequence[PointLike], ele: Sequence[float], cum: Sequence[float]
) -> list[list[float | int]]:
    """[km, lat, lon, ele] at the start, every >= 500 m after the last emitted
    point, and at the end (§31.2)."""

    def row(i: int) -> list[float | int]:
        return [
            round(cum[i] / 1000, 1),
            round(points[i].lat, 5),
            round(points[i].lon, 5),
            round(ele[i]),
        ]

    rows = [row(0)]
    last_emitted = 0
    threshold = POLYLINE_STEP_M
    for i in range(1, len(points)):
        if cum[i] >= threshold:
            rows.append(row(i))
            last_emitted = i
            threshold = cum[i] + POLYLINE_STEP_M
    if last_emitted != len(points) - 1:
        rows.append(row(len(points) - 1))
    return rows


def analyse_terrain(
    points: Sequence[PointLike],
    source: str,
    *,
    polyline: bool = False,
) -> dict[str, Any] | None:
    """Terrain summary of a track (spec/metrics.md §31.2-§31.4).

    source: "gpx_attachment" or "activity_streams". None only for fewer than
    two points. See the module docstring for the quirk-16 decisions.
    """
    points = list(points)
    if len(points) < 2:
        return None
    cum = cumulative_distance(points)
    total_m = cum[-1]
    total_km = round(total_m / 1000, 1)
    elevations = [p.ele for p in points]
    known = sum(1 for e in elevations if e is not None)
    if known == 0:
        out: dict[str, Any] = {
            "source": f"{source}_no_elevation",
            "total_distance_km": total_km,
            "total_elevation_m": 0,
            "elevation_per_km": 0.0,
            "course_character": "flat",
            "climbs": [],
            "descents": [],
        }
        return out
    ele = smooth(fill_elevation(elevations, cum), cum)
    gain = round(sum(b - a for a, b in zip(ele, ele[1:]) if b > a))
    if total_m < MIN_ANALYSIS_M:
        out = {
            "source": f"{source}_too_short",
            "total_distance_km": total_km,
            "total_elevation_m": gain,
            "elevation_per_km": None,
            "course_character": None,
            "climbs": [],
            "descents": [],
            "note": TOO_SHORT_NOTE,
        }
        return out
    per_km = round(gain / total_km, 1)
    bounds = chunk_bounds(cum)
    climbs = [s for s in detect_segments(points, ele, cum, bounds, True) if kept(s)]
    descents = [s for s in detect_segments(points, ele, cum, bounds, False) if kept(s)]
    grades, max_grade = grade_distribution(ele, cum, bounds)
    out = {
        "source": source,
        "total_distance_km": total_km,
        "total_elevation_m": gain,
        "elevation_per_km": per_km,
        "course_character": course_character(per_km, climbs),
        "max_grade_pct": max_grade,
        "grade_distribution": grades,
        "start_coords": coords(points[0]),
        "climbs": climbs,
        "descents": descents,
    }
    if known < len(points):
        out["elevation_coverage_pct"] = round(known / len(points) * 100, 1)
    if polyline:
        out["polyline"] = _polyline(points, ele, cum)
    return out


# ----------------------------------------------------------------- activity streams


def _stream(streams: Iterable[Any], kind: str) -> Mapping[str, Any] | None:
    for stream in streams:
        if isinstance(stream, Mapping) and stream.get("type") == kind:
            return stream
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _latlng_pairs(stream: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    """(lat, lon) per sample: `data` holds latitudes and `data2` longitudes
    (pipeline §2.3, A15); a `data` list of [lat, lon] pairs is accepted too."""
    data = stream.get("data")
    data2 = stream.get("data2")
    if not isinstance(data, list):
        return []
    if isinstance(data2, list):
        return list(zip(data, data2))
    return [
        (d[0], d[1]) if isinstance(d, (list, tuple)) and len(d) == 2 else (None, None) for d in data
    ]


def terrain_from_streams(streams: Any) -> dict[str, Any]:
    """Terrain keys of a completed outdoor activity from its streams (§25.4).

    `{"terrain_summary": {...}}` (source "activity_streams", no polyline), or
    `{"terrain_status": "no_gps"}` without a latlng stream / with fewer than 10
    valid positions, or `{"terrain_status": "no_elevation"}` without altitude
    data. GPS dropouts (null lat or lon) are skipped; an altitude sample that
    is null is interpolated like any missing elevation.
    """
    streams = streams if isinstance(streams, list) else []
    latlng = _stream(streams, "latlng")
    if latlng is None:
        return {"terrain_status": "no_gps"}
    altitude = _stream(streams, "altitude")
    alt = altitude.get("data") if altitude is not None else None
    alt = alt if isinstance(alt, list) else []
    points = []
    for index, (lat, lon) in enumerate(_latlng_pairs(latlng)):
        lat, lon = _number(lat), _number(lon)
        if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
            continue
        ele = _number(alt[index]) if index < len(alt) else None
        points.append(Point(lat, lon, ele))
    if len(points) < MIN_STREAM_GPS_POINTS:
        return {"terrain_status": "no_gps"}
    if all(p.ele is None for p in points):
        return {"terrain_status": "no_elevation"}
    summary = analyse_terrain(points, "activity_streams", polyline=False)
    if summary is None:
        return {"terrain_status": "no_elevation"}
    return {"terrain_summary": summary}
